"""Streaming export of requests with their audit trails, as JSON lines or CSV.

Every export is a disclosure (DPA 2018 s.62): it needs an operator and a reason, and records an
`exported` audit event with how many records went out, even when the stream fails part-way.
Requests are read in keyset pages inside one read-only snapshot, so memory stays flat however
many there are and the file is consistent with itself.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, TextIO, cast

from sqlalchemy import bindparam, select, text

from flows.catalogue import build_catalogue
from flows.config import FlowConfig
from storage.ids import format_request_id
from storage.prepared import Executor, dialect_name
from storage.tables import audit_events_table as events
from storage.tables import requests_table as requests
from storage.types import UTCDateTime
from storage.unit_of_work import Database

Format = Literal["csv", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl")
_PAGE = 500
#: a spreadsheet runs a cell starting with one of these as a formula (CSV injection)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RECORD_COLUMNS = (
    "id", "status", "officer", "channel", "thread_ts", "created_at", "submitted_at",
    "decided_at", "decided_by", "decision", "decision_reason", "decision_comment", "review_date",
    "installed_at", "closed_at", "closed_reason",
)  # fmt: skip


class ExportRefused(ValueError):
    """The export was not allowed to start (nothing was read or written)."""


@dataclass(frozen=True)
class ExportRequest:
    """Who exports what, and why. Refused at construction if anything needed is missing."""

    fmt: str
    operator: str
    reason: str
    since: datetime | None = None

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ExportRefused(f"unknown export format {self.fmt!r}: use csv or jsonl")
        if not self.operator.strip():
            raise ExportRefused("an export needs the operator's name (--operator)")
        if not self.reason.strip():
            raise ExportRefused("an export needs a reason (--reason): disclosures are logged")
        if self.since is not None and self.since.tzinfo is None:
            raise ExportRefused("--since must be timezone-aware")


def plain(value: Any) -> Any:
    """JSON-ready: dates and times as ISO 8601 text, containers recursively."""
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def export_requests(db: Database, out: TextIO, request: ExportRequest) -> int:
    """Write every request created since `request.since` to `out`; return how many."""
    count, complete = 0, False
    try:
        with db.read_session_factory() as session:
            _begin_snapshot(session)
            keys = field_keys(session, request.since)
            writer = _writer(request.fmt, out, keys)
            for record in iter_records(session, request.since):
                writer(record)
                count += 1
        out.flush()
        complete = True
    finally:
        _record_export(db, request, count, complete)
    return count


def _record_export(db: Database, request: ExportRequest, count: int, complete: bool) -> None:
    with db.uow() as uow:
        uow.audit.append(
            "exported",
            actor=f"operator:{request.operator.strip()}",
            at=db.clock.now(),
            detail={
                "operator": request.operator.strip(),
                "reason": request.reason.strip(),
                "format": request.fmt,
                "since": request.since.isoformat() if request.since else None,
                "count": count,
                "complete": complete,
            },
        )
        uow.commit()


def _begin_snapshot(executor: Executor) -> None:
    # one snapshot for every page; SQLite's deferred read transaction already is one (WAL)
    if dialect_name(executor) == "postgresql":
        executor.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))


def iter_records(executor: Executor, since: datetime | None) -> Iterator[dict[str, Any]]:
    """Export records in id order, a page of requests and their events at a time."""
    last_id = 0
    while True:
        query = select(requests).where(requests.c.id > last_id).order_by(requests.c.id)
        if since is not None:
            query = query.where(requests.c.created_at >= since)
        rows = executor.execute(query.limit(_PAGE)).all()
        if not rows:
            return
        trails = _trails(executor, [row.id for row in rows])
        for row in rows:
            yield _record(row._mapping, trails.get(row.id, []))
        last_id = rows[-1].id


def _trails(executor: Executor, pks: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    query = (
        select(events.c.request_id, events.c.at, events.c.actor, events.c.action, events.c.detail)
        .where(events.c.request_id.in_(pks))
        .order_by(events.c.request_id, events.c.id)
    )
    trails: dict[int, list[dict[str, Any]]] = {}
    for row in executor.execute(query):
        trails.setdefault(row.request_id, []).append(
            {"at": row.at, "actor": row.actor, "action": row.action, "detail": row.detail}
        )
    return trails


def _record(row: Any, trail: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": format_request_id(row["id"]),
        "status": row["state"],
        "officer": row["officer_id"],
        "channel": row["channel_id"],
        "thread_ts": row["thread_ts"],
        "created_at": row["created_at"],
        "submitted_at": row["submitted_at"],
        "decided_at": row["decided_at"],
        "decided_by": row["decided_by"],
        "decision": row["decision"],
        "decision_reason": row["decision_reason"],
        "decision_comment": row["decision_comment"],
        "review_date": row["review_date"],
        "installed_at": row["installed_at"],
        "closed_at": row["closed_at"],
        "closed_reason": row["closed_reason"],
        "fields": row["answers"],
        "flags": row["flags"],
        "audit": trail,
    }


def field_keys(executor: Executor, since: datetime | None) -> list[str]:
    """CSV field columns: the catalogue's order, then any other key stored (e.g. a retired
    field), sorted. The database lists the keys, so this costs no pass over the rows here."""
    catalogue = _catalogue_keys()
    known = set(catalogue)
    return catalogue + sorted(k for k in _stored_keys(executor, since) if k not in known)


def _catalogue_keys() -> list[str]:
    return [field.key for field in build_catalogue(FlowConfig())]


def _stored_keys(executor: Executor, since: datetime | None) -> set[str]:
    if dialect_name(executor) == "postgresql":
        sql = "SELECT DISTINCT json_object_keys(answers) FROM requests"
    else:
        sql = "SELECT DISTINCT j.key FROM requests, json_each(requests.answers) AS j"
    if since is not None:
        sql += " WHERE created_at >= :since"
    query = text(sql)
    if since is not None:
        query = query.bindparams(bindparam("since", since, type_=UTCDateTime()))
    keys: list[Any] = list(executor.execute(query).scalars())
    return {str(key) for key in keys}


def _writer(fmt: str, out: TextIO, keys: list[str]) -> Callable[[dict[str, Any]], None]:
    if fmt == "jsonl":

        def write_json(record: dict[str, Any]) -> None:
            out.write(json.dumps(plain(record), ensure_ascii=False, allow_nan=False) + "\n")

        return write_json

    columns = [*_RECORD_COLUMNS, *(f"field.{k}" for k in keys), "flags", "audit"]
    csv_writer = csv.writer(out)
    csv_writer.writerow(columns)

    def write_csv(record: dict[str, Any]) -> None:
        answers = cast(dict[str, Any], record["fields"])
        cells = [csv_cell(record[c]) for c in _RECORD_COLUMNS]
        cells += [csv_cell(answers.get(k)) for k in keys]
        cells += [_json_cell(record["flags"]), _json_cell(record["audit"])]
        csv_writer.writerow(cells)

    return write_csv


def csv_cell(value: Any) -> str:
    """Text as typed (formula-guarded with a leading '), nothing for None, dates in ISO 8601,
    anything else as JSON (true/false, numbers, lists)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, date):
        return (
            value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value.isoformat()
        )
    return _json_cell(value)


def _json_cell(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":"))
