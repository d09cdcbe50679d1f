"""Engines from URLs, SQLite's settings, health checks, and writers that queue instead of fail."""

from __future__ import annotations

import select
import stat
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from flows.models import MonitoringRequest
from flows.ports import ConnectionLost
from storage.audit import verify_chain
from storage.db import SQLITE_POOL_SIZE, default_database_url, make_engine, normalise_url
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u:p@h:5/db", "postgresql+psycopg://u:p@h:5/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///mosovo.db", "sqlite:///mosovo.db"),
    ],
)
def test_postgresql_urls_mean_psycopg_3(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_other_databases_and_drivers_are_refused() -> None:
    with pytest.raises(ValueError):
        make_engine("mysql://u@h/db")
    with pytest.raises(ValueError):
        make_engine("postgresql+psycopg2://u@h/db")


def test_the_default_is_a_sqlite_file_in_the_working_directory() -> None:
    assert default_database_url() == "sqlite:///mosovo.db"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    try:
        with engine.connect() as connection:
            pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == 30_000
            assert pragma("foreign_keys") == 1
            # NORMAL: commits are synced in groups, after the write lock (test_write_durability)
            assert pragma("synchronous") == 1
    finally:
        engine.dispose()


def test_sqlite_keeps_the_connections_its_listeners_use_at_once_instead_of_reopening_them(
    tmp_path: Path,
) -> None:
    """Each staged use case holds a reader and a writer: under load the pool must not open and
    close a connection (a file and its pragmas) per answer."""
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    opened: list[object] = []
    event.listen(engine, "connect", lambda dbapi, record: opened.append(dbapi))
    at_once = 2 * 16  # 16 listener threads each holding a reader and a writer
    assert at_once <= SQLITE_POOL_SIZE
    for _ in range(3):
        connections = [engine.connect() for _ in range(at_once)]
        for connection in connections:
            connection.close()
    assert len(opened) == at_once  # the second and third rounds reused them
    engine.dispose()


def test_an_in_memory_sqlite_database_works_for_quick_experiments() -> None:
    db = Database("sqlite://")
    try:
        db.upgrade()
        assert db.ping()
    finally:
        db.dispose()


def test_ping_says_whether_the_database_answers(db: Database, tmp_path: Path) -> None:
    assert db.ping() is True
    unreachable = Database(f"sqlite:///{tmp_path}/no/such/dir/x.db")
    try:
        assert unreachable.ping() is False
    finally:
        unreachable.dispose()


def test_concurrent_sqlite_writers_queue_instead_of_failing(
    tmp_path: Path, full_request: NewRequest
) -> None:
    db = Database(f"sqlite:///{tmp_path}/busy.db")
    db.upgrade()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with db.uow() as uow:
                    # read first, then write: the pattern that fails under deferred BEGIN
                    uow.requests.list_awaiting_approval()
                    request = full_request(thread_ts=f"{n}.{i}")
                    request.record("created", request.officer_id, request.created_at)
                    uow.requests.add(request)
                    uow.commit()
        except BaseException as error:  # reported below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with db.read_session_factory() as session:
            result = verify_chain(session)
        assert (result.ok, result.count) == (True, 8 * 15)
    finally:
        db.dispose()


def test_a_foreign_key_to_a_missing_request_is_refused(db: Database) -> None:
    with db.uow() as uow:
        uow.audit.append("viewed", "U1", db.clock.now() + timedelta(1), request_id="MR-424242")
        with pytest.raises(Exception, match=r"(?i)foreign key"):
            uow.commit()


def test_a_new_sqlite_database_and_its_journal_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mosovo.db"
    db = Database(f"sqlite:///{path}")
    try:
        db.upgrade()
        with db.uow() as uow:
            uow.deliveries.first_time("event:Ev1")
            uow.commit()
        for file in (path, path.with_name("mosovo.db-wal")):
            assert file.exists(), file
            assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, oct(file.stat().st_mode)
    finally:
        db.dispose()


def test_postgresql_pings_a_pooled_connection_only_when_it_may_be_dead(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No round trip before every transaction (pool_pre_ping's cost), yet a connection the
    server terminated while it sat in the pool is pinged, found dead and replaced."""
    engine = make_engine(pg_url)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    try:
        for _ in range(5):
            with engine.connect() as connection:
                pid: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert pings == []  # alive and recently used: not pinged
        admin = make_engine(pg_url, poolclass=NullPool)
        with admin.connect() as other:
            assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        admin.dispose()
        deadline = time.monotonic() + 10  # the backend's goodbye reaches its socket
        while time.monotonic() < deadline and not _readable(engine):
            time.sleep(0.01)
        with engine.connect() as connection:
            replaced: int = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert len(pings) == 1 and replaced != pid
    finally:
        engine.dispose()


def _readable(engine: Any) -> bool:
    """Whether the one pooled connection's socket has something to read."""
    idle = engine.pool._pool.queue[0].dbapi_connection
    return bool(select.select([idle.fileno()], [], [], 0)[0])


def _terminated(pg_url: str, uow: Any) -> None:
    """The server ends the unit of work's connection; returns once its goodbye has arrived."""
    raw = uow.connection.connection.dbapi_connection
    pid = uow.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = make_engine(pg_url, poolclass=NullPool)
    with admin.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not select.select([raw.fileno()], [], [], 0)[0]:
        time.sleep(0.01)


def test_postgresql_a_connection_lost_before_the_commit_is_said_so_and_nothing_is_written(
    pg_db: Database, pg_url: str
) -> None:
    """RequestService runs such a use case again on another connection (ConnectionLost)."""
    with pg_db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", datetime(2026, 12, 2, tzinfo=UTC))
        uow.requests.add(request)
        uow.commit()
    request_id = str(request.request_id)

    with pytest.raises(ConnectionLost), pg_db.uow() as uow:
        uow.requests.attach_thread(request_id, "1700000000.000100")
        _terminated(pg_url, uow)
        uow.requests.get(request_id)

    with pg_db.uow() as uow:  # the pool gave a new connection; the update was never committed
        stored = uow.requests.get(request_id)
        assert stored is not None and stored.thread_ts is None


def test_postgresql_a_connection_lost_after_a_commit_is_not_taken_for_nothing_written(
    pg_db: Database, pg_url: str
) -> None:
    with pytest.raises(DBAPIError) as raised, pg_db.uow() as uow:
        request = MonitoringRequest("U0OFFICER", "G0PRIV", datetime(2026, 12, 2, tzinfo=UTC))
        uow.requests.add(request)
        uow.commit()  # written: running the work again would write it twice
        _terminated(pg_url, uow)
        uow.requests.get(str(request.request_id))
    assert raised.value.connection_invalidated
