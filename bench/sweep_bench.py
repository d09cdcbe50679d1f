"""Scheduler benchmark (not a test): does one sweep scale with what is due, not with the table?

    python -m bench.sweep_bench [--url URL] [--rows N]

Loads 1,000 requests (none due) into one fresh database and `--rows` (default 100,000) into
another (temporary SQLite files, or throw-away schemas on the PostgreSQL server at --url), then
times sweeps of 100 due requests in each, in turn, three times: the time per due request should
not follow the size of the table. Then, in a third database of `--rows` requests, it makes 10 due
and times a sweep, then 10,000 others and times again. Each due request has long passed its
approval expiry, so the sweep expires it, records the audit event and queues its messages in the
outbox: the whole of the scheduler's work except talking to Slack. Prints the times and the
ratio per due request, measured in this one run.
"""

from __future__ import annotations

import argparse
import statistics
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
SMALL = 1_000
#: due requests in the sweeps that compare table sizes
TABLE_DUE = 100
ROUNDS = 3


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


def table_sizes(url: str | None, rows: int) -> None:
    """The same due work on a 1,000-row and a `rows`-row table, in two databases, sweeps taken
    in turn so that both see the same machine; medians of ROUNDS."""
    with bench_database(url) as small_url, bench_database(url) as large_url:
        clock = FixedClock(NOW)
        sweeps: dict[int, tuple[Database, Sweeper, list[float]]] = {}
        try:
            for size, bench_url in ((SMALL, small_url), (rows, large_url)):
                db = Database(bench_url, clock=clock)
                db.upgrade()
                seconds = Loader(db, due=0).load_until(size)
                print(f"database: {db.dialect}; {size:,} requests loaded in {seconds:.1f} s")
                sweeps[size] = (db, sweeper_for(db, clock), [])
                make_due(db, 10)  # warm up connections, caches and the sweep's code paths
                timed_sweep(sweeps[size][1], 10)
            for _ in range(ROUNDS):
                for db, sweeper, times in sweeps.values():
                    make_due(db, TABLE_DUE)
                    times.append(timed_sweep(sweeper, TABLE_DUE))
            medians = {size: statistics.median(times) for size, (_, _, times) in sweeps.items()}
            for size, median in medians.items():
                print(
                    f"  {size:>7,}-row table, {TABLE_DUE} due: {median * 1000:7.1f} ms per sweep "
                    f"(median of {ROUNDS}; {median / TABLE_DUE * 1000:.2f} ms per due request)"
                )
            print(f"\nratio ({TABLE_DUE} due, {rows:,}-row table vs {SMALL:,}-row table):")
            print(f"  time per due request: {medians[rows] / medians[SMALL]:.2f}x")
        finally:
            for db, _, _ in sweeps.values():
                db.dispose()


def due_counts(url: str | None, rows: int) -> None:
    with bench_database(url) as bench_url:
        clock = FixedClock(NOW)
        db = Database(bench_url, clock=clock)
        try:
            db.upgrade()
            seconds = Loader(db, due=0).load_until(rows)
            print(
                f"\ndatabase: {db.dialect}; {rows:,} requests loaded in {seconds:.1f} s, none due"
            )
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


def run(url: str | None, rows: int) -> None:
    table_sizes(url, rows)
    due_counts(url, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000, help="open requests to load")
    args = parser.parse_args(argv)
    run(args.url, args.rows)


if __name__ == "__main__":
    main()
