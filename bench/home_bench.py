"""App Home benchmark (not a test): does a supervisor's Home publish as fast with 1,000 requests
waiting as with 10?

    python -m bench.home_bench [--url URL] [--repeats R]

Builds the real bot (bot.app.create_bot) on a fresh database (a temporary SQLite file, or a
throw-away schema on the PostgreSQL server at --url) talking to the Slack Web API double on
127.0.0.1. Stores 10 requests awaiting approval (each with its audit events, and 20 decisions by
the supervisor), times publishing the supervisor's Home R times (default 30; median), then adds
990 more and times it again. Each timing is the whole publish: roles, the page queries, the
permalinks, building the view and views.publish. Prints both and their ratio (target: < 1.5).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from bench.storage_bench import bench_database
from bot.app import create_bot
from bot.settings import load_settings
from flows.clock import FixedClock
from flows.models import MonitoringRequest
from storage.unit_of_work import Database
from tests.support.running_bot import settings_env
from tests.support.slack_double import SlackDouble

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
CHANNEL = "G0BENCH"
OFFICER = "U0OFFICER"
SUPERVISOR = "U0SUP"
SMALL, LARGE = 10, 1_000


def store_awaiting(db: Database, slack: SlackDouble, count: int, start: int) -> None:
    """`count` submitted requests, newer than those already stored, each with its trail."""
    with db.uow() as uow:
        for n in range(start, start + count):
            at = NOW - timedelta(days=3) + timedelta(minutes=n)
            request = MonitoringRequest(OFFICER, CHANNEL, created_at=at)
            request.state = "awaiting_approval"
            request.answers = {"legal_basis": "order", "visor_ref": f"NOM/{n:05d}"}
            request.flags = {"order_lacks_monitoring_clause": True}
            request.submitted_at = at
            request.thread_ts = slack.add_message(CHANNEL, text="parent", user="U0BOT")
            request.approval_card_ref = slack.add_message(
                CHANNEL, text="card", user="U0BOT", thread_ts=request.thread_ts
            )
            for action in ("created", "answered", "answered", "summarised", "submitted"):
                request.record(action, OFFICER, at)
            uow.requests.add(request)
        uow.commit()


def store_decisions(db: Database, count: int) -> None:
    with db.uow() as uow:
        decided = uow.requests.awaiting_decision(SUPERVISOR, False, count)
        for request in decided.items:
            uow.audit.append(
                "decided", SUPERVISOR, NOW, request.request_id, {"outcome": "approved"}
            )
        uow.commit()


def timed(publish: object, repeats: int) -> float:
    assert callable(publish)
    publish()  # warm: connections, permalinks of the page
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        publish()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(url: str | None, repeats: int) -> None:
    with SlackDouble() as slack, bench_database(url) as bench_url:
        slack.add_channel(CHANNEL, is_private=True, name="bench")
        for user in (OFFICER, SUPERVISOR):
            slack.add_user(user)
        env = settings_env(slack, bench_url, MOSOVO_SUPERVISORS=SUPERVISOR)
        bot = create_bot(load_settings(env), clock=FixedClock(NOW))
        try:
            bot.database.upgrade()
            publish = lambda: bot.wiring.home.publish(SUPERVISOR)  # noqa: E731
            store_awaiting(bot.database, slack, SMALL, 0)
            store_decisions(bot.database, SMALL)
            small = timed(publish, repeats)
            store_awaiting(bot.database, slack, LARGE - SMALL, SMALL)
            large = timed(publish, repeats)
            published = slack.calls("views.publish")
            assert published and all(c.ok for c in published), "a Home was refused"
            print(f"database: {bot.database.dialect}; median of {repeats} publishes each")
            print(f"  home publish, {SMALL:>5,} pending: {small * 1000:7.2f} ms")
            print(f"  home publish, {LARGE:>5,} pending: {large * 1000:7.2f} ms")
            print(f"  ratio {LARGE:,}/{SMALL}: {large / small:.2f} (target < 1.5)")
        finally:
            bot.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="PostgreSQL URL for a throw-away schema (default SQLite)")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    run(args.url, args.repeats)


if __name__ == "__main__":
    main()
