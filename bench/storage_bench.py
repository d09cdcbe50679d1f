"""Storage benchmark (not a test): is "what is due?" O(due), and how fast and lean is export?

    python -m bench.storage_bench [--url URL] [--rows N] [--due D]

Loads `--rows` requests (default 100,000) with four audit events each, in bulk, into a fresh
database: a temporary SQLite file by default, or a throw-away schema on the PostgreSQL server
at --url (dropped afterwards). It times the scheduler's claim with 1,000 rows and again with all
of them, the same few due each time; then export throughput and the export's peak Python
memory (tracemalloc) at both sizes. On this machine the default run takes about a minute on
SQLite and two on PostgreSQL; use --rows 20000 for a quick look.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from flows.clock import FixedClock
from storage.audit import PendingEvent, chain_head, chain_rows
from storage.db import make_engine
from storage.export import ExportRequest, export_requests
from storage.repositories import due_requests_query
from storage.tables import audit_events_table, requests_table
from storage.unit_of_work import Database

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SMALL = 1_000
CHUNK = 2_000
CLAIM_REPEATS = 25


@dataclass
class Loader:
    """Bulk-inserts synthetic requests and their audit chains, straight through Core."""

    db: Database
    due: int
    loaded: int = 0

    def load_until(self, total: int) -> float:
        started = time.perf_counter()
        while self.loaded < total:
            count = min(CHUNK, total - self.loaded)
            self._chunk(count)
            self.loaded += count
        return time.perf_counter() - started

    def _chunk(self, count: int) -> None:
        rows = [self._request(self.loaded + i) for i in range(count)]
        with self.db.session_factory() as session, session.begin():
            ids: Sequence[int] = (
                session.execute(
                    insert(requests_table).returning(
                        requests_table.c.id, sort_by_parameter_order=True
                    ),
                    rows,
                )
                .scalars()
                .all()
            )
            pending = [
                event for pk, row in zip(ids, rows, strict=True) for event in _trail(pk, row)
            ]
            last_id, last_hash = chain_head(session)
            session.execute(insert(audit_events_table), chain_rows(last_id, last_hash, pending))

    def _request(self, n: int) -> dict[str, Any]:
        created = NOW - timedelta(days=400) + timedelta(minutes=5 * n)
        open_ = n % 5 < 2
        if n < self.due:  # the first few are due now; nothing loaded later ever is
            due_at: datetime | None = NOW - timedelta(minutes=n + 1)
        elif open_:
            due_at = NOW + timedelta(hours=1 + n % 720)
        else:
            due_at = None
        return {
            "officer_id": f"U{n % 300:08d}",
            "channel_id": "C0MOSOVO",
            "thread_ts": f"{1_700_000_000 + n}.{n % 1_000_000:06d}",
            "state": "awaiting_approval" if open_ else "installed",
            "answers": _answers(n),
            "flags": {"stale_risk_assessment": n % 7 == 0},
            "current_field": None,
            "strikes": 0,
            "created_at": created,
            "submitted_at": created + timedelta(hours=1),
            "decided_at": None if open_ else created + timedelta(hours=5),
            "decided_by": None if open_ else "U0SUPER01",
            "decision": None if open_ else "approved",
            "decision_reason": None,
            "installed_at": None if open_ else created + timedelta(days=3),
            "closed_at": None,
            "closed_reason": None,
            "last_activity_at": created + timedelta(hours=1),
            "approval_round": 1,
            "approval_card_ref": None,
            "due_at": due_at,
            "nudges": {},
            "lease_until": None,
            "version": 1,
        }


def _answers(n: int) -> dict[str, Any]:
    return {
        "visor_ref": f"AB{n % 100:02d}/{n:07d}",
        "pnc_id": f"{2000 + n % 25}/{n:07d}X",
        "risk_assessment_date": date(2026, 1, 1) + timedelta(days=n % 120),
        "device_make_model": "Samsung Galaxy A54",
        "device_os": "android",
        "device_imei": "490154203237518",
        "proposed_install_date": date(2026, 3, 1) + timedelta(days=n % 60),
        "licence_condition": "To comply with any requirements to install monitoring software",
        "licence_expiry": date(2027, 1, 1) + timedelta(days=n % 300),
        "notes": "Lives with partner; second phone suspected." if n % 3 else None,
    }


def _trail(pk: int, row: dict[str, Any]) -> list[PendingEvent]:
    at, officer = row["created_at"], row["officer_id"]
    return [
        PendingEvent("created", officer, at, pk),
        PendingEvent("answered", officer, at + timedelta(minutes=2), pk, {"field": "visor_ref"}),
        PendingEvent(
            "answer_changed",
            officer,
            at + timedelta(minutes=9),
            pk,
            {"field": "licence_expiry", "before": date(2026, 12, 1), "after": date(2027, 1, 1)},
        ),
        PendingEvent("submitted", officer, at + timedelta(hours=1), pk),
    ]


def time_claim(db: Database, due: int) -> float:
    """Median seconds to claim what is due (rolled back each time, so every run sees the same)."""
    timings = []
    for _ in range(CLAIM_REPEATS):
        with db.uow() as uow:
            started = time.perf_counter()
            claimed = uow.requests.claim_due(NOW, 60, 100)
            timings.append(time.perf_counter() - started)
        assert len(claimed) == due, f"expected {due} due, claimed {len(claimed)}"
    return statistics.median(timings)


def time_export(db: Database, fmt: str, trace: bool) -> tuple[int, float, int]:
    """(records, seconds, peak traced bytes or 0) for one export to a temporary file."""
    with (
        tempfile.TemporaryDirectory() as folder,
        open(os.path.join(folder, f"out.{fmt}"), "w", encoding="utf-8", newline="") as out,
    ):
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        count = export_requests(db, out, ExportRequest(fmt, "bench", "storage benchmark"))
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
    return count, elapsed, peak


def claim_plan(db: Database) -> str:
    with db.engine.connect() as connection:
        compiled = due_requests_query(NOW, 100).compile(
            connection, compile_kwargs={"render_postcompile": True}
        )
        if connection.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
        else:
            params = tuple(compiled.params[name] for name in compiled.positiontup or ())
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
        return "\n".join("    " + str(row[-1]) for row in rows)


@contextmanager
def bench_database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    if make_url(make_engine(url).url).get_backend_name() != "postgresql":
        yield url  # a SQLite path given on purpose: use it as it is
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(make_engine(url).url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(url: str | None, rows: int, due: int) -> None:
    with bench_database(url) as bench_url:
        db = Database(bench_url, clock=FixedClock(NOW))
        try:
            db.upgrade()
            print(f"database: {db.dialect}; {rows:,} requests, 4 audit events each, {due} due")
            loader = Loader(db, due)
            sizes = sorted({min(SMALL, rows), rows})
            claim: dict[int, float] = {}
            peak: dict[int, int] = {}
            for size in sizes:
                seconds = loader.load_until(size)
                if db.dialect == "postgresql":
                    with db.engine.begin() as connection:
                        connection.execute(text("ANALYZE"))
                print(f"\n{size:,} requests loaded ({seconds:.1f} s, {size / seconds:,.0f}/s)")
                claim[size] = time_claim(db, due)
                print(f"  claim {due} due: {claim[size] * 1000:.2f} ms (median)")
                count, seconds, peak[size] = time_export(db, "jsonl", trace=True)
                print(f"  export peak Python memory: {peak[size] / 1e6:.1f} MB ({count:,} rows)")
            for fmt in ("jsonl", "csv"):
                count, seconds, _ = time_export(db, fmt, trace=False)
                print(
                    f"  export {fmt}: {count / seconds:,.0f} rows/s ({count:,} in {seconds:.1f} s)"
                )
            print(f"\nclaim plan at {rows:,} rows:\n{claim_plan(db)}")
            if len(sizes) == 2:
                small, large = sizes
                print(f"\nratios, {large:,} vs {small:,} rows ({large / small:.0f}x the table):")
                print(f"  claim time: {claim[large] / claim[small]:.2f}x")
                print(f"  export peak memory: {peak[large] / peak[small]:.2f}x")
        finally:
            db.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--rows", type=int, default=100_000, help="requests to load")
    parser.add_argument("--due", type=int, default=10, help="requests due at the claim")
    args = parser.parse_args(argv)
    run(args.url, args.rows, min(args.due, args.rows))


if __name__ == "__main__":
    main()
