"""Staged units of work (storage/optimistic.py): they read without SQLite's write lock and write
only at commit, all or nothing; a request that changed after it was read, or a delivery handled
meanwhile, makes the commit a ConcurrentUpdate that wrote nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from flows.models import AuditEvent, MonitoringRequest
from flows.ports import ConcurrentUpdate, OutboxMessage
from storage.audit import count_events, verify_chain
from storage.optimistic import NeedsTheLock
from storage.tables import outbox_table, processed_deliveries_table
from storage.unit_of_work import Database

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def stored(db: Database) -> str:
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT, thread_ts="1700000000.000100")
        request.state, request.current_field = "collecting", "visor_ref"
        uow.requests.add(request)
        uow.commit()
    return str(request.request_id)


def answer(request: MonitoringRequest, value: str) -> None:
    request.answers = {**request.answers, "visor_ref": value}
    request.events.append(AuditEvent("answered", "U0OFFICER", AT, {"field": "visor_ref"}))


def written(db: Database) -> tuple[int, int, int]:
    """(deliveries, outbox messages, audit events) stored."""
    with db.reader() as uow:
        session = uow.connection
        count = select(func.count())
        return (
            int(session.execute(count.select_from(processed_deliveries_table)).scalar_one()),
            int(session.execute(count.select_from(outbox_table)).scalar_one()),
            count_events(session),
        )


def message(request_id: str) -> OutboxMessage:
    return OutboxMessage("chat.postMessage", {"channel": "G0PRIV", "text": "hi"}, request_id)


def test_a_staged_change_is_written_at_commit_with_its_delivery_message_and_events(
    db: Database,
) -> None:
    request_id = stored(db)
    before = written(db)
    with db.staged() as uow:
        request = uow.requests.get(request_id)
        assert request is not None and uow.deliveries.first_time("Ev0001")
        answer(request, "AB12/34567")
        uow.requests.save(request)
        posted = message(request_id)
        uow.outbox.add(posted)
        assert written(db) == before  # nothing yet
        uow.commit()
    assert posted.id is not None
    assert written(db) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with db.reader() as uow:
        saved = uow.requests.get(request_id)
        assert saved is not None and saved.answers["visor_ref"] == "AB12/34567"
        assert saved.version == request.version
        assert verify_chain(uow.connection).ok
    # seen: not looked up first, but the commit writes nothing and says so, so the use case
    # runs again under the lock, finds the key and does nothing
    after = written(db)
    with db.staged() as uow:
        request = uow.requests.get(request_id)
        assert request is not None and uow.deliveries.first_time("Ev0001")
        answer(request, "ZZ99/99999")
        uow.requests.save(request)
        uow.outbox.add(message(request_id))
        with pytest.raises(ConcurrentUpdate, match="same delivery"):
            uow.commit()
    assert written(db) == after
    with db.uow() as uow:
        assert not uow.deliveries.first_time("Ev0001")


def test_a_request_changed_after_it_was_read_writes_nothing(db: Database) -> None:
    request_id = stored(db)
    before = written(db)
    with db.staged() as uow:
        request = uow.requests.get(request_id)
        assert request is not None and uow.deliveries.first_time("Ev0002")
        answer(request, "AB12/00001")
        uow.requests.save(request)
        uow.outbox.add(message(request_id))
        with db.uow() as other:  # another answer, saved first
            theirs = other.requests.get(request_id)
            assert theirs is not None
            answer(theirs, "ZZ99/99999")
            other.requests.save(theirs)
            other.commit()
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    assert written(db) == (before[0], before[1], before[2] + 1)  # theirs alone
    with db.reader() as uow:
        saved = uow.requests.get(request_id)
        assert saved is not None and saved.answers["visor_ref"] == "ZZ99/99999"


def test_a_refusal_judged_on_a_request_that_changed_since_is_not_recorded(db: Database) -> None:
    request_id = stored(db)
    before = written(db)
    with db.staged() as uow:
        assert uow.requests.get(request_id) is not None and uow.deliveries.first_time("Ev0003")
        uow.audit.append("unauthorised_decision_attempt", "U0OTHER", AT, request_id=request_id)
        with db.uow() as other:
            theirs = other.requests.get(request_id)
            assert theirs is not None
            other.requests.save(theirs)
            other.commit()
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    assert written(db) == before


def test_a_delivery_handled_meanwhile_makes_the_commit_give_way(db: Database) -> None:
    request_id = stored(db)
    with db.staged() as uow:
        request = uow.requests.get(request_id)
        assert request is not None and uow.deliveries.first_time("Ev0004")
        answer(request, "AB12/00002")
        uow.requests.save(request)
        with db.uow() as other:  # Slack's retry of the same event, handled first
            assert other.deliveries.first_time("Ev0004")
            other.commit()
        with pytest.raises(ConcurrentUpdate):
            uow.commit()
    with db.reader() as uow:
        saved = uow.requests.get(request_id)
        assert saved is not None and "visor_ref" not in saved.answers


def test_what_needs_the_lock_from_the_start_is_refused_before_anything_is_written(
    db: Database,
) -> None:
    before = written(db)
    with db.staged() as uow:
        assert uow.deliveries.first_time("Ev0005")
        with pytest.raises(NeedsTheLock):
            uow.requests.add(MonitoringRequest("U0OFFICER", "G0PRIV", AT))
    assert written(db) == before
    assert issubclass(NeedsTheLock, ConcurrentUpdate)  # RequestService runs it again, locked


def test_a_staged_unit_reads_and_stages_while_another_writer_holds_the_lock(
    db: Database,
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's one write lock")
    request_id = stored(db)
    staged = threading.Event()
    committed = threading.Event()
    errors: list[BaseException] = []

    def answering() -> None:
        try:
            with db.staged() as uow:
                request = uow.requests.get(request_id)
                assert request is not None and uow.deliveries.first_time("Ev0006")
                answer(request, "AB12/00003")
                uow.requests.save(request)
                staged.set()  # read, decided and staged: the writer below still holds the lock
                uow.commit()
                committed.set()
        except BaseException as error:
            errors.append(error)
            staged.set()

    with db.uow() as holder:
        assert holder.deliveries.first_time("Ev0007")  # BEGIN IMMEDIATE: the write lock is held
        thread = threading.Thread(target=answering)
        thread.start()
        assert staged.wait(timeout=20), "the staged unit waited for the lock to read"
        assert not committed.wait(timeout=0.2)  # its commit waits for the lock
        holder.commit()
    thread.join(timeout=30)
    assert errors == [] and committed.is_set()
