"""A second yardstick for bench/load.py: the same contract as the bot, written the plain way.

    python -m bench.naive_app --port PORT   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
                                             DATABASE_URL)

Where bench/bare_app.py does the least Slack needs (no database at all), this app does what an
answer needs as a first, straightforward implementation would: one sqlmodel `Session` per event,
in which it records the event's delivery id (a redelivery changes nothing), loads the request by
its thread, stores the answer, appends an audit event whose hash covers the one before, and
commits durably; then it tidies the answered question (`chat.update`), posts the next one and
stores where it was posted. No outbox, no rules, no Block Kit, no language, no metrics: what is
left of ours/naive is what those, and the way ours is built, cost.

Served as the bot is (waitress, as many threads, Bolt's own WSGI adapter and listener executor,
the bot's kept-alive Web API client). SQLite in WAL mode with `synchronous=FULL` and writes under
`BEGIN IMMEDIATE` (without it, concurrent writers fail with "database is locked"); PostgreSQL with
the audit chain serialised by a transaction-scoped advisory lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy import JSON, Column, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from bench.bare_app import answer_clicks, kept_alive_client, serve
from bot.listeners.messages import is_answer

#: the audit chain's advisory lock on PostgreSQL (any constant the bot does not use)
CHAIN_LOCK = 0x6E616976


class NaiveModel(SQLModel, registry=registry()):
    """Tables of their own metadata: SQLModel's default one holds the bot's, which only its
    migrations may create, and which a test comparing them with the migrations reads."""


class NaiveRequest(NaiveModel, table=True):
    __tablename__ = "naive_requests"
    id: int | None = Field(default=None, primary_key=True)
    channel: str
    thread_ts: str | None = Field(default=None, index=True, unique=True)
    question_ts: str | None = None
    answers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    version: int = 0


class NaiveDelivery(NaiveModel, table=True):
    __tablename__ = "naive_deliveries"
    event_id: str = Field(primary_key=True)


class NaiveAuditEvent(NaiveModel, table=True):
    __tablename__ = "naive_audit"
    id: int | None = Field(default=None, primary_key=True)
    request_id: int
    action: str
    detail: str
    at: datetime
    previous_hash: str
    hash: str


def database(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(connection: Any, _record: Any) -> None:
            connection.isolation_level = None  # SQLAlchemy's BEGIN below, not the driver's
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url, pool_size=20, max_overflow=20)
    NaiveModel.metadata.create_all(engine)
    return engine


def audit(session: Session, request_id: int, action: str, detail: str) -> None:
    """Append to the chain: the newest event's hash is read under the chain's lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    newest = session.exec(
        select(NaiveAuditEvent).order_by(col(NaiveAuditEvent.id).desc()).limit(1)
    ).first()
    previous = newest.hash if newest else ""
    at = datetime.now(UTC)
    body = json.dumps([previous, request_id, action, detail, at.isoformat()])
    session.add(
        NaiveAuditEvent(
            request_id=request_id,
            action=action,
            detail=detail,
            at=at,
            previous_hash=previous,
            hash=hashlib.sha256(body.encode()).hexdigest(),
        )
    )


def first_time(session: Session, event_id: str) -> bool:
    session.add(NaiveDelivery(event_id=event_id))
    try:
        session.flush()
    except IntegrityError:
        return False
    return True


def posted(engine: Engine, request_id: int, question_ts: str) -> None:
    """Where the request's question now is."""
    with Session(engine) as session:
        request = session.get(NaiveRequest, request_id)
        assert request is not None
        request.question_ts = question_ts
        session.add(request)
        session.commit()


def naive_app(token: str, signing_secret: str, api_url: str, engine: Engine) -> App:
    client = kept_alive_client(token, api_url)
    app = App(client=client, signing_secret=signing_secret, token_verification_enabled=False)

    @app.command(re.compile(".*"))
    def command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        channel = command["channel_id"]
        parent = client.chat_postMessage(channel=channel, text="Request started")
        with Session(engine) as session:  # stored before an answer in its thread can come
            request = NaiveRequest(channel=channel, thread_ts=parent["ts"])
            session.add(request)
            session.flush()
            assert request.id is not None
            request_id = request.id
            audit(session, request_id, "request_started", command["user_id"])
            session.commit()
        question = client.chat_postMessage(
            channel=channel, thread_ts=parent["ts"], text="First question?"
        )
        posted(engine, request_id, question["ts"])

    @app.event("message")
    def message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if not is_answer(event):
            return
        with Session(engine) as session:
            if not first_time(session, body["event_id"]):
                return
            request = session.exec(
                select(NaiveRequest).where(NaiveRequest.thread_ts == event["thread_ts"])
            ).one_or_none()
            if request is None:
                session.commit()
                return
            assert request.id is not None
            request_id, channel, answered = request.id, request.channel, request.question_ts
            request.answers = {**request.answers, str(len(request.answers)): event["text"]}
            request.version += 1
            session.add(request)
            audit(session, request_id, "answer_recorded", str(len(request.answers)))
            session.commit()
        # the Web API calls outside any transaction: SQLite's write lock is not held over them
        if answered:
            client.chat_update(channel=channel, ts=answered, text="Answered.")
        question = client.chat_postMessage(
            channel=channel, thread_ts=event["thread_ts"], text="Next question?"
        )
        posted(engine, request_id, question["ts"])

    answer_clicks(app, client)
    return app


def main() -> None:
    app = naive_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_API_URL"],
        database(os.environ["DATABASE_URL"]),
    )
    serve(app, "naive-bolt", __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
