"""A hung PostgreSQL fails fast: connect, statement and lock timeouts (issue 10, defect 12)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.settings import load_settings
from storage.db import make_engine
from storage.timeouts import PostgresTimeouts
from storage.unit_of_work import Database

FAST = PostgresTimeouts(connect_seconds=1, statement_ms=500, lock_ms=300)
#: a lock wait is part of a statement: the lock timeout must be the shorter to be seen
LOCKS_FIRST = PostgresTimeouts(connect_seconds=1, statement_ms=5_000, lock_ms=300)


@pytest.fixture
def fast_db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url, timeouts=FAST)
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


def test_a_statement_that_runs_too_long_is_cancelled(fast_db: Database) -> None:
    started = time.monotonic()
    with (
        pytest.raises(OperationalError, match="statement timeout"),
        fast_db.engine.connect() as connection,
    ):
        connection.execute(text("SELECT pg_sleep(10)"))
    assert time.monotonic() - started < 5


def test_waiting_for_a_lock_another_holds_gives_up(pg_url: str) -> None:
    holder = make_engine(pg_url, poolclass=NullPool)
    fast_db = Database(pg_url, timeouts=LOCKS_FIRST)
    fast_db.upgrade()
    try:
        with holder.begin() as held:
            held.execute(text("LOCK TABLE requests IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            with pytest.raises(OperationalError, match="lock timeout"), fast_db.uow() as uow:
                uow.requests.get("MR-1")
            assert time.monotonic() - started < 3
    finally:
        holder.dispose()
        fast_db.dispose()


def test_a_server_that_never_answers_fails_the_connection_in_time(pg_url: str) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()
        engine = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/x", FAST)
        with pytest.raises(OperationalError), engine.connect():
            pass
        engine.dispose()
    assert time.monotonic() - started < 8


def test_the_default_timeouts_apply_and_keep_the_urls_own_options(pg_url: str) -> None:
    engine = make_engine(pg_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            statement = str(connection.execute(text("SHOW statement_timeout")).scalar_one())
            lock = str(connection.execute(text("SHOW lock_timeout")).scalar_one())
            path = str(connection.execute(text("SHOW search_path")).scalar_one())
    finally:
        engine.dispose()
    assert (statement, lock) == ("30s", "10s")
    assert path.startswith("test_")


def test_the_timeouts_are_settings() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "MOSOVO_SUPERVISORS": "U0SUP",
            "MOSOVO_DB_CONNECT_TIMEOUT": "3s",
            "MOSOVO_DB_STATEMENT_TIMEOUT": "1m",
            "MOSOVO_DB_LOCK_TIMEOUT": "2s",
        }
    )
    assert settings.postgres_timeouts() == PostgresTimeouts(3, 60_000, 2_000)
