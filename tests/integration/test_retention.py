"""Retention on both databases: closed requests past MOSOVO_RETENTION lose their content and keep
their metadata, the run and each erasure are audited, and the audit chain still verifies."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from flows.clock import FixedClock
from flows.models import MonitoringRequest
from flows.ports import OutboxMessage
from flows.retention import DEFAULT_RETENTION, ERASED_VALUES, KEPT_FIELDS
from storage.audit import verify_chain
from storage.export import ExportRequest, export_requests
from storage.retention import RetentionRefused, RetentionRun, apply_retention, due_now
from storage.tables import audit_events_table as events
from storage.tables import outbox_table
from storage.tables import requests_table as requests
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]
RUN = RetentionRun("DS Smith", "MoPI review 2032/07", DEFAULT_RETENTION)
#: what was said about the person in `full_request`; none of it may survive erasure
SECRETS = ("AB12/34567", "Zoë", "490154203237518", "Proportionate", "Pixel 8")


@pytest.fixture
def aged(
    db: Database, store: Store, full_request: NewRequest, clock: FixedClock, t0: datetime
) -> dict[str, MonitoringRequest]:
    """A rejected request (with its history and a message in the outbox), a withdrawn one, an
    open one, all from t0; then six years and a month pass and one more closes recently."""
    old = store(full_request(thread_ts="1", state="rejected", decision="rejected"))
    withdrawn = store(full_request(thread_ts="2", state="withdrawn"))
    still_open = store(full_request(thread_ts="3", state="approved"))
    with db.uow() as uow:
        old.record("answer_changed", "U0OFFICER1", t0, field="visor_ref", before="AB12/34567")
        old.record("decided", "U0SUPER", t0, outcome="rejected", reason="Proportionate — no")
        uow.requests.save(old)
        uow.outbox.add(
            OutboxMessage("chat.postMessage", {"text": "AB12/34567"}, request_id=old.request_id)
        )
        uow.commit()
    clock.advance(DEFAULT_RETENTION + timedelta(days=30))
    recent = store(full_request(thread_ts="4", state="withdrawn", installed_at=None))
    with db.uow() as uow:
        recent.record("withdrawn", "U0OFFICER1", clock.now())
        uow.requests.save(recent)
        uow.commit()
    return {"old": old, "withdrawn": withdrawn, "open": still_open, "recent": recent}


def test_the_dry_run_lists_only_closed_requests_past_retention(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    due = due_now(db, DEFAULT_RETENTION)
    assert [c.request_id for c in due] == [aged["old"].request_id, aged["withdrawn"].request_id]
    assert all(c.closed == datetime.fromisoformat("2026-03-10T14:45:00+00:00") for c in due)


def test_applying_erases_content_keeps_metadata_and_the_chain_still_verifies(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    erased = apply_retention(db, RUN)
    assert [c.request_id for c in erased] == [aged["old"].request_id, aged["withdrawn"].request_id]
    with db.uow() as uow:
        old = uow.requests.get(aged["old"].request_id or "")
        kept_open = uow.requests.get(aged["open"].request_id or "")
    assert old is not None and kept_open is not None
    assert old.answers == {} and old.flags == {} and old.decision_reason is None
    assert (old.state, old.decision, old.decided_by) == ("rejected", "rejected", "U0SUPER")
    assert (old.created_at, old.decided_at) == (aged["old"].created_at, aged["old"].decided_at)
    assert kept_open.answers == aged["open"].answers  # open: untouched however old

    with db.read_session_factory() as session:
        result = verify_chain(session)
        trail = session.execute(select(events).order_by(events.c.id)).all()
        outbox = session.execute(select(outbox_table)).one()
        erased_at = session.execute(select(requests.c.erased_at).order_by(requests.c.id)).all()
    assert result.ok and result.erased == 4 and result.unsealed == 0
    assert [e is not None for (e,) in erased_at] == [True, True, False, False]
    stored = json.dumps([[r.actor, r.action, r.detail] for r in trail], default=str)
    assert not [secret for secret in SECRETS if secret in stored]
    erasures = [r for r in trail if r.action == "erased"]
    assert [r.request_id for r in erasures] == [1, 2]
    assert erasures[0].actor == "operator:DS Smith"
    assert erasures[0].detail == {
        "operator": "DS Smith",
        "reason": "MoPI review 2032/07",
        "closed_at": "2026-03-10T14:45:00+00:00",
        "retention": "2192d",
        "events": 3,
    }
    assert (trail[-1].action, trail[-1].detail["count"]) == ("retention_applied", 2)
    assert outbox.payload == {} and outbox.gave_up_at is not None  # never sent now


def test_the_export_shows_no_erased_content(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    apply_retention(db, RUN)
    out = io.StringIO()
    export_requests(db, out, ExportRequest("jsonl", "DS Smith", "audit", None))
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in records[:2]] == ["rejected", "withdrawn"]
    assert not [secret for secret in SECRETS if secret in json.dumps(records[:2])]
    assert "AB12/34567" in json.dumps(records[2])  # the open request is kept in full


def test_a_second_run_erases_nothing_more_and_is_recorded_too(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    apply_retention(db, RUN)
    assert apply_retention(db, RUN) == []
    with db.read_session_factory() as session:
        runs: Iterable[dict[str, Any]] = session.execute(
            select(events.c.detail).where(events.c.action == "retention_applied")
        ).scalars()
        counts = [detail["count"] for detail in runs]
        assert verify_chain(session).ok
    assert counts == [2, 0]


def test_a_run_needs_an_operator_and_a_reason() -> None:
    with pytest.raises(RetentionRefused, match="--operator"):
        RetentionRun(" ", "why", DEFAULT_RETENTION)
    with pytest.raises(RetentionRefused, match="--reason"):
        RetentionRun("DS Smith", "", DEFAULT_RETENTION)


def test_the_database_allows_only_the_erasure_and_nothing_else(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    now = "'2032-01-01 00:00:00'"
    refused = [
        "UPDATE audit_events SET detail = '{}' WHERE id = 1",  # blanked but not marked
        f"UPDATE audit_events SET detail = '{{}}', detail_salt = NULL, erased_at = {now}, "
        "actor = 'U0FORGED' WHERE id = 1",  # an erasure that also rewrites who did it
        f"UPDATE audit_events SET detail = '{{\"x\": 1}}', detail_salt = NULL, erased_at = {now}"
        " WHERE id = 1",  # "erased" to something else
    ]
    for statement in refused:
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE audit_events SET detail = '{{}}', detail_salt = NULL, erased_at = {now}"
                " WHERE id = 1"
            )
        )


def test_an_erasure_with_no_recorded_reason_is_found(
    db: Database, aged: dict[str, MonitoringRequest]
) -> None:
    # someone with the owner's rights blanks an event outside a retention run
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE audit_events SET detail = '{}', detail_salt = NULL, "
                "erased_at = '2032-01-01 00:00:00' WHERE id = 3"
            )
        )
    with db.read_session_factory() as session:
        result = verify_chain(session)
    assert (result.ok, result.first_bad_id) == (False, 3)
    assert "without a recorded erasure" in (result.reason or "")


def test_every_request_column_is_declared_kept_or_erased() -> None:
    """A new column holding what an officer typed must not outlive retention by default."""
    undeclared = {c.name for c in requests.columns} - KEPT_FIELDS - set(ERASED_VALUES)
    assert undeclared == {"answers"}  # erased but for the basis (flows.retention.KEPT_ANSWERS)
