"""The database stops in the middle of a conversation, of an approval and of the scheduler's
sweep: another process holds a lock the bot needs (PostgreSQL: an exclusive table lock, met by
the bot's lock timeout; SQLite: the file's write lock, met by its busy timeout), or every
connection the bot had is terminated. The person is told privately that it was not saved and to
send it again; nothing is half-written; once the database is back the bot carries on, without a
restart, and a sweep that failed is done once by the next (issue 10, defect 5). The same when a
table has gone altogether: tests/e2e/test_faults.py."""

from __future__ import annotations

import json
import select
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

import storage.db
from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import click_card, ephemerals, start, submitted
from tests.support.running_bot import (
    OFFICER,
    SUP1,
    RunningBot,
    current_question,
    running_bot,
    thread_posts,
)
from tests.support.slack_double import SlackDouble

NOT_SAVED = "couldn't save that"


@pytest.fixture
def app(slack: SlackDouble, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningBot]:
    """The bot waiting at most a second for a lock (PostgreSQL's lock timeout, SQLite's busy
    timeout) instead of ten or thirty, so that an outage is met quickly."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 1000)
    with running_bot(slack, db_url, MOSOVO_DB_LOCK_TIMEOUT="1s") as bot:
        yield bot


@contextmanager
def database_blocked(app: RunningBot) -> Iterator[None]:
    """Another process holds the database so that the bot cannot write (nor, on PostgreSQL,
    read) the requests."""
    url = app.bot.settings.database_url
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with app.database.engine.connect() as holder:
        holder.execute(text("SET lock_timeout = 0"))
        holder.execute(text("LOCK TABLE requests IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            holder.rollback()


def reminders(app: RunningBot, thread: str) -> int:
    """Idle reminders posted in the thread (they re-ask the question, with a wave)."""
    return len([c for c in thread_posts(app.slack, thread) if ":wave:" in json.dumps(c.args)])


def snapshot(app: RunningBot, request_id: str) -> tuple[object, ...]:
    request = app.request(request_id)
    with app.database.engine.connect() as connection:
        events: int = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        outbox: int = connection.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    return request.state, dict(request.answers), events, outbox


def test_an_answer_given_while_the_database_is_held_is_reported_and_taken_once_it_is_back(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    before = snapshot(app, request_id)
    posted = len(thread_posts(app.slack, thread))
    with database_blocked(app):
        app.reply(thread, "NOM/7654321")
        [told] = ephemerals(app, OFFICER)
        assert NOT_SAVED in told and "send it again" in told
    assert snapshot(app, request_id) == before  # nothing half-written
    assert len(thread_posts(app.slack, thread)) == posted
    app.reply(thread, "NOM/7654321")  # sent again: the same process takes it
    assert app.request(request_id).answers["visor_ref"] == "NOM/7654321"
    assert current_question(app.slack, thread) == "pnc_id"


def test_a_decision_made_while_the_database_is_held_is_reported_and_can_be_made_again(
    app: RunningBot,
) -> None:
    request_id, _thread, card = submitted(app)
    before = snapshot(app, request_id)
    with database_blocked(app):
        click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
        assert NOT_SAVED in ephemerals(app, SUP1)[-1]
    assert snapshot(app, request_id) == before
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"


def test_a_sweep_while_the_database_is_held_does_nothing_and_the_next_does_it_once(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    before = snapshot(app, request_id)
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(minutes=31))  # the idle reminder is due
    with database_blocked(app):
        try:
            report = app.bot.sweeper.run_once()
        except Exception as error:  # the scheduler's job logs it and sweeps again next tick
            assert "lock" in type(error).__name__.lower() or "Operational" in type(error).__name__
        else:
            assert report.actions == []
    assert snapshot(app, request_id) == before
    assert reminders(app, thread) == 0
    assert app.bot.sweeper.run_once().actions == [(request_id, "idle_reminder")]
    assert app.bot.sweeper.run_once().actions == []
    assert reminders(app, thread) == 1


@pytest.mark.postgres
def test_connections_the_database_terminated_are_replaced_without_a_restart(
    slack: SlackDouble, pg_url: str
) -> None:
    with running_bot(slack, pg_url) as app:
        request_id, thread = start(app)
        terminate_pooled(app, pg_url)
        app.reply(thread, "NOM/7654321")
        assert app.request(request_id).answers["visor_ref"] == "NOM/7654321"
        assert ephemerals(app, OFFICER) == []
        assert current_question(app.slack, thread) == "pnc_id"


def terminate_pooled(app: RunningBot, pg_url: str, wait_ms: int = 0) -> None:
    """The server ends every connection the bot holds (checked out together, so each is its
    own, then back in the pool, alive as far as the pool knows); `wait_ms`: up to that long
    until each backend has gone."""
    held = [app.database.engine.connect() for _ in range(3)]
    pids: list[int] = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in held]
    for connection in held:
        connection.close()
    admin = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"))
    try:
        with admin.connect() as connection:
            for pid in pids:
                stopped: bool = connection.execute(
                    text("SELECT pg_terminate_backend(:pid, :wait)"), {"pid": pid, "wait": wait_ms}
                ).scalar_one()
                assert stopped, pid
    finally:
        admin.dispose()


class _DeafPoller:
    def register(self, _fd: int, _events: int) -> None:
        pass

    def poll(self, _timeout: int) -> list[tuple[int, int]]:
        return []


class _NothingToRead:
    """`select` as storage.db uses it, never seeing the server's goodbye: as for a connection
    the server ends in the instant after the pool checked it."""

    POLLIN = select.POLLIN
    poll = _DeafPoller


@pytest.mark.postgres
def test_an_answer_whose_connection_died_after_the_pools_check_is_saved_on_another(
    slack: SlackDouble, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_bot(slack, pg_url) as app:
        request_id, thread = start(app)
        terminate_pooled(app, pg_url, wait_ms=5000)  # gone before the answer arrives
        monkeypatch.setattr(storage.db, "select", _NothingToRead)
        app.reply(thread, "NOM/7654321")
        assert app.request(request_id).answers["visor_ref"] == "NOM/7654321"
        assert ephemerals(app, OFFICER) == []  # nobody is asked to send it again
        assert current_question(app.slack, thread) == "pnc_id"
