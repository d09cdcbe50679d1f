"""Scheduler benchmark (not a test): does one sweep scale with what is due, not with the table?

    python -m bench.sweep_bench [--url URL] [--rows N]

Loads `--rows` open requests (default 100,000; none due) into a fresh database (a temporary SQLite
file, or a throw-away schema on the PostgreSQL server at --url), then makes 10 of them due and
times one timer sweep, then 10,000 others and times again. Each due request has long passed its
approval expiry, so the sweep expires it, records the audit event and queues its messages in the
outbox: the whole of the scheduler's work except talking to Slack. Prints the times and the
ratio per due request, measured in this one run.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import select, update

from bench.storage_bench import NOW, Loader, bench_database
from bot.sweeps import Sweeper, SweepSettings
from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import Conversation
from flows.models import MonitoringRequest
from flows.timers import Timers, next_due
from storage.tables import requests_table
from storage.unit_of_work import Database

LONDON = ZoneInfo("Europe/London")


class FixedTimers:
    def __init__(self, timers: Timers) -> None:
        self.timers = timers

    def due_at(self, request: MonitoringRequest) -> datetime | None:
        return next_due(request, self.timers, LONDON)


def sweeper_for(db: Database, clock: FixedClock) -> Sweeper:
    config = FlowConfig()
    catalogue = build_catalogue(config)
    timers = Timers()
    return Sweeper(
        db.uow,
        WebClient(base_url="http://127.0.0.1:9/"),  # never called: the sweep only queues messages
        Conversation(catalogue, config, clock),
        catalogue,
        FixedTimers(timers),
        clock,
        SweepSettings(
            timers=timers,
            tz=LONDON,
            hold=lambda at: at,
            supervisors=("S0SUPS",),
            escalation=(),
            batch=200,
        ),
    )


def make_due(db: Database, count: int) -> None:
    """Make `count` open, not-yet-due requests due now."""
    with db.engine.begin() as connection:
        ids: list[int] = list(
            connection.execute(
                select(requests_table.c.id)
                .where(requests_table.c.state == "awaiting_approval", requests_table.c.due_at > NOW)
                .order_by(requests_table.c.id)
                .limit(count)
            )
            .scalars()
            .all()
        )
        for start in range(0, len(ids), 1000):
            connection.execute(
                update(requests_table)
                .where(requests_table.c.id.in_(ids[start : start + 1000]))
                .values(due_at=NOW)
            )
    assert len(ids) == count, f"only {len(ids)} open requests to make due"


def timed_sweep(sweeper: Sweeper, expected: int) -> float:
    started = time.perf_counter()
    report = sweeper.sweep_timers()
    seconds = time.perf_counter() - started
    assert len(report.actions) == expected, (
        f"expected {expected} actions, got {len(report.actions)}"
    )
    return seconds


def run(url: str | None, rows: int) -> None:
    with bench_database(url) as bench_url:
        clock = FixedClock(NOW)
        db = Database(bench_url, clock=clock)
        try:
            db.upgrade()
            loader = Loader(db, due=0)
            seconds = loader.load_until(rows)
            print(f"database: {db.dialect}; {rows:,} requests loaded in {seconds:.1f} s, none due")
            sweeper = sweeper_for(db, clock)
            timed_sweep(sweeper, 0)  # warm up connections and caches
            results = {}
            for due in (10, min(10_000, rows // 3)):
                make_due(db, due)
                results[due] = timed_sweep(sweeper, due)
                print(
                    f"  one sweep with {due:>6,} due: {results[due] * 1000:9.1f} ms ({results[due] / due * 1000:.2f} ms per due request)"
                )
            idle = timed_sweep(sweeper, 0)
            print(f"  one sweep with      0 due: {idle * 1000:9.1f} ms")
            small, large = sorted(results)
            print(f"\nratios ({large:,} due vs {small:,} due, same {rows:,}-row table):")
            print(
                f"  sweep time: {results[large] / results[small]:.0f}x for {large / small:.0f}x the due work"
            )
            per_small, per_large = results[small] / small, results[large] / large
            print(f"  time per due request: {per_large / per_small:.2f}x")
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000, help="open requests to load")
    args = parser.parse_args(argv)
    run(args.url, args.rows)


if __name__ == "__main__":
    main()
