"""What `mosovo-bot db upgrade`, `export` and `audit verify` do; bot/cli.py parses arguments.

Each returns the process exit code: 0 done, 1 the audit chain is broken, 2 refused or failed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from storage.audit import verify_chain
from storage.db import current_revision
from storage.export import ExportRefused, ExportRequest, export_requests
from storage.unit_of_work import Database


def cmd_db_upgrade(url: str) -> int:
    def run(db: Database) -> int:
        db.upgrade()
        print(f"database schema at revision {current_revision(db.engine)}")
        return 0

    return _with_database(url, run)


def cmd_export(
    url: str,
    fmt: str,
    operator: str | None,
    reason: str | None,
    since: str | date | datetime | None = None,
    output: str | None = None,
) -> int:
    """Export to `output` (a new file readable by its owner only) or stdout for None or "-"."""
    try:
        request = ExportRequest(fmt, operator or "", reason or "", parse_since(since))
    except (ExportRefused, ValueError) as refusal:
        print(f"export refused: {refusal}", file=sys.stderr)
        return 2

    def run(db: Database) -> int:
        with _open_output(output) as out:
            count = export_requests(db, out, request)
        print(f"exported {count} requests", file=sys.stderr)
        return 0

    return _with_database(url, run)


def cmd_audit_verify(url: str) -> int:
    def run(db: Database) -> int:
        with db.read_session_factory() as session:
            result = verify_chain(session)
        if result.ok:
            print(f"audit chain intact: {result.count} events (head {result.head_hash})")
            return 0
        print(
            f"audit chain BROKEN at event {result.first_bad_id}: {result.reason} "
            f"({result.count} events before it are intact)",
            file=sys.stderr,
        )
        return 1

    return _with_database(url, run)


def parse_since(since: str | date | datetime | None) -> datetime | None:
    """`--since`: a date means from its midnight UTC; a time without a zone is taken as UTC."""
    if since is None or since == "":
        return None
    if isinstance(since, str):
        try:
            since = datetime.fromisoformat(since) if len(since) > 10 else date.fromisoformat(since)
        except ValueError:
            raise ValueError(f"--since must be a date like 2026-03-01, not {since!r}") from None
    if not isinstance(since, datetime):
        since = datetime.combine(since, time(0))
    return since if since.tzinfo else since.replace(tzinfo=UTC)


def _with_database(url: str, run: Callable[[Database], int]) -> int:
    db = Database(url)
    try:
        return run(db)
    except SQLAlchemyError as error:
        # the class and the driver's message; never parameters (they may hold answers)
        detail = getattr(error, "orig", None) or error.__class__.__name__
        print(f"database error: {detail}", file=sys.stderr)
        return 2
    finally:
        db.dispose()


@contextmanager
def _open_output(output: str | None) -> Iterator[TextIO]:
    if output is None or output == "-":
        yield sys.stdout
        return
    # the export is as sensitive as the database: owner-only from the moment it exists
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(descriptor, "w", encoding="utf-8", newline="") as out:
        yield out
