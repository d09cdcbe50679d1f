"""APScheduler inside the bot process: one interval job that sweeps what the database says is due.

No APScheduler job store is shared between replicas (version 3 does not support that); the
database rows and their leases are the shared truth instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.sweeps import Sweeper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckpointJob:
    """Write a signed audit checkpoint every `interval_seconds` (storage/checkpoints.py)."""

    take: Callable[[], object]
    interval_seconds: float

    def run(self) -> None:
        try:
            taken = self.take()
        except Exception as error:  # retried next interval; the failure must be seen, though
            log.error(
                "audit checkpoint failed",
                extra={"job": "checkpoint", "error": type(error).__name__},
            )
            return
        if taken is not None:
            log.info("audit checkpoint written", extra={"job": "checkpoint"})


def start_scheduler(
    sweeper: Sweeper, interval_seconds: float, checkpoint: CheckpointJob | None = None
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    if checkpoint is not None:
        scheduler.add_job(
            checkpoint.run,
            "interval",
            seconds=checkpoint.interval_seconds,
            id="audit-checkpoint",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )

    def sweep() -> None:
        try:
            report = sweeper.run_once()
        except Exception as error:  # a failed sweep is retried next tick; never kill the job
            log.error("sweep failed", extra={"job": "sweep", "error": type(error).__name__})
            return
        if report.actions or report.sent or report.failed:
            log.info(
                "sweep",
                extra={"job": "sweep", "count": len(report.actions), "attempts": report.failed},
            )

    scheduler.add_job(
        sweep,
        "interval",
        seconds=interval_seconds,
        id="sweep",
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    scheduler.start()
    sweeper.health.expect_every(timedelta(seconds=interval_seconds))
    return scheduler
