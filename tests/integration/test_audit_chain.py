"""The audit log is one hash chain: any edit, deletion or reordering is found and named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.cli.audit import cmd_audit_verify
from flows.models import MonitoringRequest
from storage.audit import GENESIS_HASH, VerifyResult, sealed_hash, verify_chain
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


def verify(db: Database) -> VerifyResult:
    with db.read_session_factory() as session:
        return verify_chain(session)


def seed(db: Database, store: Store, full_request: NewRequest, t0: datetime) -> None:
    """Six events over two requests and one export-like event, committed in four transactions."""
    first = store(full_request(thread_ts="1"))
    second = store(full_request(thread_ts="2"))
    with db.uow() as uow:
        first.record("answer_changed", "U1", t0, field="licence_expiry",
                     before=date(2026, 1, 1), after=date(2026, 2, 1))  # fmt: skip
        first.record("submitted", "U1", t0 + timedelta(seconds=1))
        uow.requests.save(first)
        second.record("withdrawn", "U1", t0 + timedelta(seconds=2), reason="duplicate ✗")
        uow.requests.save(second)
        uow.commit()
    with db.uow() as uow:
        uow.audit.append("viewed", "U2", t0, request_id=first.request_id, detail={"via": "home"})
        uow.commit()


def tamper(db: Database, *statements: str) -> None:
    """What someone with DDL rights could do: drop the append-only guard, then edit rows."""
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in statements:
            connection.execute(text(statement))


@pytest.fixture
def seeded(db: Database, store: Store, full_request: NewRequest, t0: datetime) -> Database:
    seed(db, store, full_request, t0)
    return db


def test_an_empty_log_is_intact(db: Database) -> None:
    assert verify(db) == VerifyResult(ok=True, count=0, head_hash=GENESIS_HASH)


def test_events_of_saves_and_direct_appends_form_one_intact_chain(seeded: Database) -> None:
    result = verify(seeded)
    assert result.ok and result.count == 6 and result.head_hash != GENESIS_HASH


def test_a_request_history_comes_back_in_order_with_its_details(
    seeded: Database, t0: datetime
) -> None:
    with seeded.uow() as uow:
        history = uow.audit.history("MR-000001")
    assert [e.action for e in history] == ["created", "answer_changed", "submitted", "viewed"]
    assert history[1].detail == {
        "field": "licence_expiry", "before": date(2026, 1, 1), "after": date(2026, 2, 1)
    }  # fmt: skip
    assert history[1].at == t0


def test_events_wait_for_commit_and_vanish_on_rollback(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request())
    with db.uow() as uow:
        request.record("answered", "U1", t0)
        uow.requests.save(request)
        assert request.events == []  # taken by storage
    assert verify(db).count == 1


def test_an_event_for_something_that_is_not_a_request_id_is_refused(db: Database) -> None:
    with db.uow() as uow, pytest.raises(ValueError):
        uow.audit.append("viewed", "U1", db.clock.now(), request_id="nonsense")


def test_the_database_refuses_to_update_or_delete_audit_events(seeded: Database) -> None:
    for statement in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"), seeded.engine.begin() as connection:
            connection.execute(text(statement))
    assert verify(seeded).ok


def test_an_edited_detail_is_found(seeded: Database) -> None:
    tamper(seeded, """UPDATE audit_events SET detail = '{"reason": "changed"}' WHERE id = 4""")
    result = verify(seeded)
    assert (result.ok, result.first_bad_id, result.count) == (False, 4, 3)
    assert "altered" in (result.reason or "")


def test_an_edit_with_a_correctly_recomputed_hash_breaks_the_next_link(seeded: Database) -> None:
    with seeded.read_session_factory() as session:
        row = session.execute(text("SELECT * FROM audit_events WHERE id = 2")).one()
    with seeded.uow() as uow:  # decode the row the way storage does, then forge its hash
        [event] = [e for e in uow.audit.history("MR-000002") if e.action == "created"]
    forged = sealed_hash(
        2, row.request_id, "U9", row.action, event.at, row.detail_digest, row.prev_hash
    )
    tamper(seeded, f"UPDATE audit_events SET actor = 'U9', hash = '{forged}' WHERE id = 2")
    result = verify(seeded)
    assert (result.ok, result.first_bad_id) == (False, 3)
    assert "does not follow" in (result.reason or "")


def test_a_deleted_event_is_found(seeded: Database) -> None:
    tamper(seeded, "DELETE FROM audit_events WHERE id = 3")
    result = verify(seeded)
    assert (result.ok, result.first_bad_id, result.count) == (False, 3, 2)
    assert "missing" in (result.reason or "")


def test_deleting_the_first_event_is_found(seeded: Database) -> None:
    tamper(seeded, "DELETE FROM audit_events WHERE id = 1")
    assert verify(seeded).first_bad_id == 1


def test_two_events_with_their_contents_swapped_are_found(seeded: Database) -> None:
    columns = ("request_id", "actor", "action", "at", "detail")
    assignments = ", ".join(f"{c} = other.{c}" for c in columns)
    tamper(
        seeded,
        f"UPDATE audit_events SET {assignments} FROM "
        f"(SELECT id AS oid, {', '.join(columns)} FROM audit_events) AS other "
        "WHERE (audit_events.id = 2 AND other.oid = 3) OR (audit_events.id = 3 AND other.oid = 2)",
    )
    result = verify(seeded)
    assert (result.ok, result.first_bad_id) == (False, 2)


def test_two_whole_events_swapped_in_order_are_found(seeded: Database) -> None:
    tamper(
        seeded,
        "UPDATE audit_events SET id = 1000 WHERE id = 2",
        "UPDATE audit_events SET id = 2 WHERE id = 3",
        "UPDATE audit_events SET id = 3 WHERE id = 1000",
    )
    result = verify(seeded)
    assert (result.ok, result.first_bad_id) == (False, 2)


def test_the_verify_command_reports_an_intact_chain(
    seeded: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cmd_audit_verify(str(seeded.engine.url.render_as_string(hide_password=False))) == 0
    assert "audit chain intact: 6 events" in capsys.readouterr().out


def test_the_verify_command_fails_and_names_the_first_bad_event(
    seeded: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(seeded, "DELETE FROM audit_events WHERE id = 5")
    assert cmd_audit_verify(seeded.engine.url.render_as_string(hide_password=False)) == 1
    assert "event 5" in capsys.readouterr().err
