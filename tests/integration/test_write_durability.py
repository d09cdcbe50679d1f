"""Writers under load: one process's SQLite writers queue and always hand the lock on; a commit
waits for the disk unless it is a relaxed one, which refuses to carry audit events; commits reach
the disk in groups, after the lock is handed on."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import exc, text

from flows.models import AuditEvent, MonitoringRequest
from flows.ports import ConcurrentUpdate
from storage import sqlite_writers
from storage.audit import verify_chain
from storage.hints import GroupedHints, GroupedWrites
from storage.unit_of_work import Database, SqlUnitOfWork

AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The files SQLite's group commit syncs, in order (it still syncs them)."""
    files: list[str] = []
    real = os.fdatasync

    def fdatasync(descriptor: int) -> None:
        files.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real(descriptor)

    monkeypatch.setattr(sqlite_writers.os, "fdatasync", fdatasync)
    yield files


def flushed(uow: SqlUnitOfWork) -> bool:
    """PostgreSQL: is the log on disk past the position the last commit said it waited for?"""
    assert uow.flushed_past is not None
    return bool(
        uow.connection.execute(
            text("SELECT pg_current_wal_flush_lsn() >= CAST(:lsn AS pg_lsn)"),
            {"lsn": uow.flushed_past},
        ).scalar_one()
    )


def synchronous_commit(uow: SqlUnitOfWork) -> str:
    return str(uow.connection.execute(text("SHOW synchronous_commit")).scalar_one())


def stored_request(db: Database) -> MonitoringRequest:
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT)
        uow.requests.add(request)
        uow.commit()
    return request


def answer(uow: SqlUnitOfWork, request_id: str, ref: str, audited: bool = True) -> None:
    found = uow.requests.get(request_id)
    assert found is not None
    found.question_ref = ref
    if audited:
        found.events.append(AuditEvent("answered", "U0OFFICER", AT, {"field": "visor_ref"}))
    uow.requests.save(found)
    uow.commit()


def test_a_sqlite_commit_is_synced_before_it_returns_unless_relaxed(
    sqlite_url: str, synced: list[str]
) -> None:
    db = Database(sqlite_url)
    try:
        db.upgrade()
        request_id = str(stored_request(db).request_id)
        wal = os.path.realpath(sqlite_url.removeprefix("sqlite:///") + "-wal")
        for n in range(2):  # the same pooled connections, switched back and forth
            synced.clear()
            with db.relaxed() as uow:
                answer(uow, request_id, f"1700000000.00010{n}", audited=False)
            with db.reader() as uow:
                assert uow.requests.get(request_id) is not None
            assert synced == []  # neither a relaxed commit nor a read waits for the disk
            with db.uow() as uow:
                answer(uow, request_id, f"1700000000.00020{n}")
                assert synced == [wal]  # the log was synced before commit() returned
            with db.reader() as uow:
                stored = uow.requests.get(request_id)
                assert stored is not None and stored.question_ref == f"1700000000.00020{n}"
    finally:
        db.dispose()


def test_sqlite_writers_share_syncs_and_each_returns_once_its_commit_is_on_disk(
    sqlite_url: str, synced: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(sqlite_url)
    db.upgrade()
    syncing = threading.Event()
    release = threading.Event()
    real_sync = sqlite_writers.GroupSync._sync

    def slow_sync(group: sqlite_writers.GroupSync) -> None:
        syncing.set()
        release.wait(timeout=30)  # the first sync lasts until every other writer has committed
        real_sync(group)

    monkeypatch.setattr(sqlite_writers.GroupSync, "_sync", slow_sync)
    returned: list[int] = []
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with db.uow() as uow:
                request = MonitoringRequest(f"U0OFFICER{n}", "G0PRIV", AT)
                request.record("created", request.officer_id, AT)
                uow.requests.add(request)
                uow.commit()
            returned.append(n)
        except BaseException as error:
            errors.append(error)

    try:
        first = threading.Thread(target=write, args=(0,))
        first.start()
        assert syncing.wait(timeout=30)
        others = [threading.Thread(target=write, args=(n,)) for n in range(1, 11)]
        for other in others:
            other.start()
        # the lock was handed on: the others commit while the first one's sync is under way...
        with db.reader() as uow:
            while uow.connection.execute(text("SELECT count(*) FROM requests")).scalar_one() < 11:
                uow.connection.commit()
        assert returned == []  # ...but none returns before its commit is on disk
        release.set()
        for thread in (first, *others):
            thread.join(timeout=60)
        assert errors == [] and sorted(returned) == list(range(11))
        assert len(synced) < 11  # commits written during a sync shared the next one
        with db.read_session_factory() as session:
            assert verify_chain(session).ok
    finally:
        release.set()
        db.dispose()


def test_a_failed_sync_fails_the_commit_and_hands_the_lock_on(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(sqlite_url)
    try:
        db.upgrade()

        def broken(_descriptor: int) -> None:
            raise OSError(5, "Input/output error")

        with monkeypatch.context() as patched:
            patched.setattr(sqlite_writers.os, "fdatasync", broken)
            with pytest.raises(exc.OperationalError, match="could not sync"), db.uow() as uow:
                uow.requests.add(MonitoringRequest("U0OFFICER", "G0PRIV", AT))
                uow.commit()
        stored_request(db)  # the next writer gets in, and its commit is synced
    finally:
        db.dispose()


def test_an_in_memory_sqlite_database_commits_with_synchronous_full(synced: list[str]) -> None:
    db = Database("sqlite://")
    try:
        db.upgrade()
        with db.uow() as uow:
            assert uow.connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
        stored_request(db)
        assert synced == []  # no log to sync: SQLite's own FULL commit does it
    finally:
        db.dispose()


def test_a_postgresql_commit_of_audit_events_is_on_disk_before_it_returns(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        db.upgrade()
        request_id = str(stored_request(db).request_id)
        for _ in range(2):  # the same pooled connections, switched back and forth
            with db.relaxed() as uow:
                assert synchronous_commit(uow) == "off"
                answer(uow, request_id, "1700000000.000100", audited=False)
            with db.uow() as uow:
                assert synchronous_commit(uow) == "on"  # a commit without events just waits
                answer(uow, request_id, "1700000000.000200")
                # with events it commits without waiting, to free the chain lock, then waits
                assert flushed(uow)
                assert synchronous_commit(uow) == "on"  # only that one commit was changed
            with db.reader() as uow:
                stored = uow.requests.get(request_id)
                assert stored is not None and stored.question_ref == "1700000000.000200"
                assert [e.action for e in uow.audit.history(request_id)].count("answered") >= 1
    finally:
        db.dispose()


def test_on_postgresql_the_chain_lock_also_makes_its_commit_not_wait_for_the_disk(
    pg_url: str,
) -> None:
    """One statement takes the chain lock and sets the commit not to wait (a round trip fewer);
    without the flag the lock alone is taken and the commit waits as usual."""
    db = Database(pg_url)
    try:
        db.upgrade()
        request_id = str(stored_request(db).request_id)
        for without_waiting in (True, False):
            with db.uow() as uow:
                uow.audit.append("answered", "U0OFFICER", AT, request_id, {"field": "x"})
                uow.audit.flush(commit_without_waiting=without_waiting)
                held: int = uow.connection.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND pid = pg_backend_pid()"
                    )
                ).scalar_one()
                assert held == 1
                assert synchronous_commit(uow) == ("off" if without_waiting else "on")
                uow.commit()
        with db.reader() as uow:
            assert verify_chain(uow.connection).ok
    finally:
        db.dispose()


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
        count: int = uow.connection.execute(text("SELECT count(*) FROM requests")).scalar_one()
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


def test_hints_from_many_threads_share_transactions_and_each_is_committed_on_return(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests = []
    with db.uow() as uow:
        for n in range(12):
            request = MonitoringRequest(f"U0OFFICER{n}", "G0PRIV", AT)
            request.state, request.current_field = "collecting", "visor_ref"
            uow.requests.add(request)
            requests.append(str(request.request_id))
        uow.commit()
    hints = GroupedHints(db.relaxed)
    writing = threading.Event()
    release = threading.Event()
    real_write = GroupedHints._write

    def held_write(self: GroupedHints, batch: list[Any]) -> None:
        writing.set()
        release.wait(timeout=30)  # the first transaction lasts until the others are waiting
        real_write(self, batch)

    monkeypatch.setattr(GroupedHints, "_write", held_write)
    returned: list[str] = []
    errors: list[BaseException] = []

    def remember(request_id: str, ts: str) -> None:
        try:
            assert hints.remember_question(request_id, "visor_ref", ts)
            with db.reader() as uow:  # committed by the time the call returns
                stored = uow.requests.get(request_id)
                assert stored is not None and stored.question_ref == ts
            returned.append(request_id)
        except BaseException as error:
            errors.append(error)

    first = threading.Thread(target=remember, args=(requests[0], "1700000000.000001"))
    first.start()
    assert writing.wait(timeout=30)
    others = [
        threading.Thread(target=remember, args=(r, f"1700000000.0001{n:02d}"))
        for n, r in enumerate(requests[1:])
    ]
    for other in others:
        other.start()
    while len(hints._waiting) < len(others):  # all of them queued behind the first
        threading.Event().wait(0.01)
    assert returned == []
    release.set()
    for thread in (first, *others):
        thread.join(timeout=60)
    assert errors == [] and sorted(returned) == sorted(requests)
    assert hints.transactions == 2  # the first alone, then the eleven together


def test_a_grouped_hint_says_when_the_question_is_no_longer_being_asked(db: Database) -> None:
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT)
        request.state, request.current_field = "collecting", "pnc_id"  # visor_ref was answered
        uow.requests.add(request)
        uow.commit()
    hints = GroupedHints(db.relaxed)

    assert not hints.remember_question(str(request.request_id), "visor_ref", "1700000000.000001")
    assert hints.remember_question(str(request.request_id), "pnc_id", "1700000000.000002")


def test_a_failed_hint_transaction_is_reported_to_every_caller_in_it(db: Database) -> None:
    def broken() -> SqlUnitOfWork:
        raise RuntimeError("the database went away")

    hints = GroupedHints(broken)
    with pytest.raises(RuntimeError, match="went away"):
        hints.remember_question("MR-1", "visor_ref", "1700000000.000001")
    assert hints._writing is False  # the next caller gets a turn


def test_grouped_work_that_fails_fails_only_its_own_caller(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox's marks share transactions too: one caller's failing work is retried alone,
    and the others' is committed without it."""
    with db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", AT)
        request.state, request.current_field = "collecting", "visor_ref"
        uow.requests.add(request)
        uow.commit()
    request_id = str(request.request_id)
    grouped = GroupedWrites(db.relaxed)
    writing, release = threading.Event(), threading.Event()
    real_write = GroupedWrites._write

    def held_write(self: GroupedWrites, batch: list[Any]) -> None:
        if not writing.is_set():
            writing.set()
            release.wait(timeout=30)
        real_write(self, batch)

    monkeypatch.setattr(GroupedWrites, "_write", held_write)
    outcomes: dict[str, BaseException | None] = {}

    def run(name: str, work: Any) -> None:
        try:
            grouped.run(work)
            outcomes[name] = None
        except BaseException as error:
            outcomes[name] = error

    def broken(uow: Any) -> None:
        raise RuntimeError("this caller's work is broken")

    first = threading.Thread(target=run, args=("first", lambda uow: None))
    first.start()
    assert writing.wait(timeout=30)
    others = [
        threading.Thread(target=run, args=("broken", broken)),
        threading.Thread(
            target=run,
            args=(
                "hint",
                lambda uow: uow.requests.remember_question(
                    request_id, "visor_ref", "1700000000.000500"
                ),
            ),
        ),
    ]
    for other in others:
        other.start()
    while len(grouped._waiting) < len(others):
        threading.Event().wait(0.01)
    release.set()
    for thread in (first, *others):
        thread.join(timeout=60)
    assert outcomes["first"] is None and outcomes["hint"] is None
    assert isinstance(outcomes["broken"], RuntimeError)
    with db.reader() as uow:
        stored = uow.requests.get(request_id)
        assert stored is not None and stored.question_ref == "1700000000.000500"
    # committed: the first alone, and the hint alone once the pair with the broken work failed
    assert grouped.transactions == 2
