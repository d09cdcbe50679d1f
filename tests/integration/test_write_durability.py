"""Writers under load: one process's SQLite writers queue and always hand the lock on; a commit
waits for the disk unless it is a relaxed one, which refuses to carry audit events."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from flows.models import AuditEvent, MonitoringRequest
from flows.ports import ConcurrentUpdate
from storage.unit_of_work import Database, SqlUnitOfWork

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
#: SQLite's `PRAGMA synchronous` values
FULL, NORMAL = 2, 1


def durability(uow: SqlUnitOfWork) -> str:
    """What this transaction's commit waits for, as the database reports it."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return str(uow.session.execute(text("SHOW synchronous_commit")).scalar_one())
    synchronous: int = uow.session.execute(text("PRAGMA synchronous")).scalar_one()
    return {FULL: "on", NORMAL: "off"}[synchronous]


def stored_request(db: Database) -> MonitoringRequest:
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT)
        uow.requests.add(request)
        uow.commit()
    return request


def test_a_commit_waits_for_the_disk_unless_relaxed(db: Database) -> None:
    request = stored_request(db)
    for _ in range(2):  # the same pooled connections, switched back and forth
        with db.relaxed() as uow:
            assert durability(uow) == "off"
            found = uow.requests.get(str(request.request_id))
            assert found is not None
            found.question_ref = "1700000000.000100"
            uow.requests.save(found)
            uow.commit()
        with db.uow() as uow:
            assert durability(uow) == "on"
            saved = uow.requests.get(str(request.request_id))
            assert saved is not None and saved.question_ref == "1700000000.000100"
        with db.reader() as uow:
            assert durability(uow) == "on"


def test_a_relaxed_commit_refuses_audit_events(db: Database) -> None:
    request = stored_request(db)
    with db.relaxed() as uow:
        found = uow.requests.get(str(request.request_id))
        assert found is not None
        found.events.append(AuditEvent("answered", "U0OFFICER", AT, {"field": "visor_ref"}))
        uow.requests.save(found)
        with pytest.raises(RuntimeError, match="audit events"):
            uow.commit()
    with db.reader() as uow:
        history = uow.audit.history(str(request.request_id))
        stored = uow.requests.get(str(request.request_id))
    assert [e.action for e in history if e.action == "answered"] == []
    assert stored is not None and stored.version == request.version  # nothing was saved


def test_concurrent_writers_all_commit_and_a_failed_one_hands_the_lock_on(db: Database) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with db.uow() as uow:
                uow.requests.add(MonitoringRequest(f"U0OFFICER{n}", "G0PRIV", AT))
                if n % 5 == 0:
                    raise ValueError("a use case failed half-way")  # rolled back on exit
                uow.commit()
        except ValueError:
            pass
        except BaseException as error:
            errors.append(error)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(40)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    assert not any(w.is_alive() for w in writers), "a writer never got its turn"
    assert errors == []
    with db.reader() as uow:
        count: int = uow.session.execute(text("SELECT count(*) FROM requests")).scalar_one()
    assert count == 32  # 40 writers, every fifth rolled back


def test_where_a_question_was_posted_is_kept_only_while_it_is_asked(db: Database) -> None:
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT)
        request.state, request.current_field = "collecting", "visor_ref"
        uow.requests.add(request)
        uow.commit()
    request_id = str(request.request_id)
    with db.reader() as uow:
        loaded = uow.requests.get(request_id)
    with db.relaxed() as uow:
        assert uow.requests.remember_question(request_id, "visor_ref", "1700000000.000200")
        assert not uow.requests.remember_question(request_id, "pnc_id", "1700000000.000300")
        assert not uow.requests.remember_question("MR-999999", "visor_ref", "1700000000.000400")
        uow.commit()
    with db.uow() as uow:
        stored = uow.requests.get(request_id)
        assert stored is not None and stored.question_ref == "1700000000.000200"
        assert loaded is not None and stored.version == loaded.version + 1
        with pytest.raises(ConcurrentUpdate):  # a save from the earlier load would undo it
            uow.requests.save(loaded)
