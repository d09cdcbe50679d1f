"""Exports hold exactly what was stored, need an operator and a reason, and are audited."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli.export import cmd_export
from flows.models import AuditEvent, MonitoringRequest
from storage.audit import verify_chain
from storage.export import ExportRefused, ExportRequest, export_requests
from storage.tables import audit_events_table as events
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


def iso(value: Any) -> Any:
    """What an export makes of a stored value (dates in ISO 8601, containers recursively)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso(v) for v in value]
    return value


def history(db: Database, request: MonitoringRequest) -> list[AuditEvent]:
    with db.uow() as uow:
        return uow.audit.history(request.request_id or "")


def expected_record(db: Database, request: MonitoringRequest) -> dict[str, Any]:
    return {
        "id": request.request_id,
        "status": request.state,
        "officer": request.officer_id,
        "channel": request.channel_id,
        "thread_ts": request.thread_ts,
        "created_at": iso(request.created_at),
        "submitted_at": iso(request.submitted_at),
        "decided_at": iso(request.decided_at),
        "decided_by": request.decided_by,
        "decision": request.decision,
        "decision_reason": request.decision_reason,
        "decision_comment": request.decision_comment,
        "review_date": iso(request.review_date),
        "installed_at": iso(request.installed_at),
        "closed_at": iso(request.closed_at),
        "closed_reason": request.closed_reason,
        "fields": iso(request.answers),
        "flags": iso(request.flags),
        "audit": [
            {"at": iso(e.at), "actor": e.actor, "action": e.action, "detail": iso(e.detail)}
            for e in history(db, request)
        ],
    }


@pytest.fixture
def requests(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> list[MonitoringRequest]:
    first = store(full_request(thread_ts="1"))
    second = store(
        full_request(
            thread_ts="2",
            created_at=t0 + timedelta(days=3),
            answers={"visor_ref": '=HYPERLINK("http://x")', "retired_field": 7},
            flags={},
            decided_at=None,
        )
    )
    with db.uow() as uow:
        first.record("answer_changed", "U1", t0, field="visor_ref", before="A", after="B")
        uow.requests.save(first)
        uow.commit()
    return [first, second]


def run_export(db: Database, fmt: str, since: datetime | None = None) -> str:
    out = io.StringIO()
    export_requests(db, out, ExportRequest(fmt, "DC Jane Smith", "SAR 2026/17", since))
    return out.getvalue()


def exported_events(db: Database) -> list[AuditEvent]:
    with db.uow() as uow:
        assert verify_chain(uow.connection).ok
        rows = uow.connection.execute(
            select(events).where(events.c.action == "exported").order_by(events.c.id)
        ).all()
    return [AuditEvent(r.action, r.actor, r.at, r.detail) for r in rows]


def test_json_lines_hold_exactly_what_was_stored(
    db: Database, requests: list[MonitoringRequest]
) -> None:
    lines = run_export(db, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == [expected_record(db, r) for r in requests]


def test_csv_holds_what_was_stored_with_fields_in_catalogue_order(
    db: Database, requests: list[MonitoringRequest]
) -> None:
    rows = list(csv.DictReader(io.StringIO(run_export(db, "csv"))))
    assert len(rows) == 2
    header = list(rows[0])
    field_columns = [c for c in header if c.startswith("field.")]
    assert field_columns[0] == "field.visor_ref"  # the catalogue's first question
    # keys no catalogue knows come last, sorted
    extras = [
        "consented",
        "devices",
        "imei",
        "nested",
        "person_name",
        "retired_field",
        "risk_level",
    ]
    assert field_columns[-len(extras) :] == [f"field.{key}" for key in extras]
    assert "field.licence_expiry" in field_columns[: -len(extras)]

    first, second = rows
    stored = requests[0]
    assert first["id"] == stored.request_id and first["status"] == stored.state
    assert first["decision_reason"] == stored.decision_reason
    assert first["decision_comment"] == stored.decision_comment
    assert first["review_date"] == "2027-03-01"
    assert first["created_at"] == stored.created_at.isoformat()
    assert first["closed_at"] == ""
    assert first["field.person_name"] == stored.answers["person_name"]
    assert first["field.licence_expiry"] == "2026-09-30"
    assert json.loads(first["field.devices"]) == stored.answers["devices"]
    assert first["field.consented"] == "true"
    assert first["field.notes"] == ""
    assert json.loads(first["flags"]) == stored.flags
    assert json.loads(first["audit"]) == expected_record(db, stored)["audit"]
    # a spreadsheet must not run what an officer typed
    assert second["field.visor_ref"] == '\'=HYPERLINK("http://x")'
    assert second["field.retired_field"] == "7"


def test_since_limits_the_export_to_requests_created_from_then(
    db: Database, requests: list[MonitoringRequest], t0: datetime
) -> None:
    lines = run_export(db, "jsonl", since=t0 + timedelta(days=1)).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [requests[1].request_id]


def test_every_export_is_recorded_with_who_why_and_how_many(
    db: Database, requests: list[MonitoringRequest], t0: datetime
) -> None:
    run_export(db, "csv", since=t0)
    [event] = exported_events(db)
    assert event.actor == "operator:DC Jane Smith"
    assert event.detail == {
        "operator": "DC Jane Smith",
        "reason": "SAR 2026/17",
        "format": "csv",
        "since": t0.isoformat(),
        "count": 2,
        "complete": True,
    }


@pytest.mark.parametrize(("operator", "reason"), [("", "why"), ("me", ""), ("  ", "  ")])
def test_an_export_without_operator_or_reason_is_refused(operator: str, reason: str) -> None:
    with pytest.raises(ExportRefused):
        ExportRequest("jsonl", operator, reason)


def test_a_refused_export_writes_no_file_and_records_nothing(
    db: Database, requests: list[MonitoringRequest], tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    url = db.engine.url.render_as_string(hide_password=False)
    assert cmd_export(url, "jsonl", operator="DC Smith", reason=None, output=str(output)) == 2
    assert cmd_export(url, "jsonl", operator=None, reason="SAR", output=str(output)) == 2
    assert cmd_export(url, "xml", operator="DC Smith", reason="SAR", output=str(output)) == 2
    assert not output.exists()
    assert exported_events(db) == []


def test_the_export_command_writes_an_owner_only_file(
    db: Database, requests: list[MonitoringRequest], tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    url = db.engine.url.render_as_string(hide_password=False)
    assert cmd_export(url, "jsonl", "DC Smith", "SAR", since="2026-03-04", output=str(output)) == 0
    assert os.stat(output).st_mode & 0o777 == 0o600
    [line] = output.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == requests[1].request_id


def test_a_failed_stream_is_still_recorded_as_a_partial_disclosure(
    db: Database, requests: list[MonitoringRequest]
) -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 0:
                raise OSError("disk full")
            return super().write(text)

    with pytest.raises(OSError):
        export_requests(db, Broken(), ExportRequest("jsonl", "DC Smith", "SAR"))
    [event] = exported_events(db)
    assert (event.detail["count"], event.detail["complete"]) == (1, False)
