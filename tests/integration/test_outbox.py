"""Slack calls that could not be made yet: kept, retried, claimed once, never lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from flows.models import MonitoringRequest
from flows.ports import OutboxMessage
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


def queue(db: Database, *messages: OutboxMessage) -> None:
    with db.uow() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def claim(db: Database, now: datetime, lease: float = 60, limit: int = 10) -> list[OutboxMessage]:
    with db.uow() as uow:
        claimed = uow.outbox.claim_due(now, lease, limit)
        uow.commit()
    return claimed


def test_a_queued_message_comes_back_whole_when_claimed(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request())
    message = OutboxMessage(
        method="chat.postMessage",
        payload={"channel": "C1", "thread_ts": "1.1", "text": "Reminder — MR-000001 ✔"},
        request_id=request.request_id,
        purpose="reminder",
        extra={"kind": "idle"},
    )
    queue(db, message)
    assert message.id is not None and message.created_at == t0
    [claimed] = claim(db, t0)
    assert claimed == message


def test_a_message_is_not_due_before_its_time(db: Database, t0: datetime) -> None:
    later = t0 + timedelta(minutes=5)
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}, next_attempt_at=later))
    assert claim(db, t0) == []
    assert [m.payload for m in claim(db, later)] == [{"n": 1}]


def test_a_claimed_message_is_not_claimed_again_until_its_lease_expires(
    db: Database, t0: datetime
) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}))
    assert len(claim(db, t0, lease=30)) == 1
    assert claim(db, t0 + timedelta(seconds=29)) == []
    assert len(claim(db, t0 + timedelta(seconds=31))) == 1  # the claimer died: sent by another


def test_a_sent_message_is_never_claimed_again(db: Database, t0: datetime) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}))
    [message] = claim(db, t0)
    with db.uow() as uow:
        uow.outbox.mark_sent(message.id or 0, t0)
        uow.commit()
    assert claim(db, t0 + timedelta(days=1)) == []
    with db.uow() as uow:
        assert uow.outbox.stats().pending == 0


def test_a_failed_message_is_retried_later_with_its_attempts_counted(
    db: Database, t0: datetime
) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}))
    [message] = claim(db, t0)
    retry_at = t0 + timedelta(minutes=2)
    with db.uow() as uow:
        uow.outbox.mark_failed(message.id or 0, "ratelimited", retry_at)
        uow.commit()
    assert claim(db, t0 + timedelta(minutes=1)) == []
    [again] = claim(db, retry_at)
    assert (again.attempts, again.last_error, again.next_attempt_at) == (1, "ratelimited", retry_at)


def test_a_message_given_up_on_is_kept_and_counted(db: Database, t0: datetime) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}), OutboxMessage("chat.update", {"n": 2}))
    [first, second] = claim(db, t0)
    with db.uow() as uow:
        uow.outbox.mark_failed(first.id or 0, "channel_not_found", None)
        uow.commit()
    assert [m.id for m in claim(db, t0 + timedelta(days=30))] == [second.id]
    with db.uow() as uow:
        stats = uow.outbox.stats()
        [given_up] = uow.outbox.given_up()
    assert (stats.pending, stats.given_up) == (1, 1)
    assert given_up.id == first.id and given_up.last_error == "channel_not_found"


def test_a_message_for_an_unknown_request_id_is_refused(db: Database) -> None:
    with db.uow() as uow, pytest.raises(ValueError):
        uow.outbox.add(OutboxMessage("chat.postMessage", {}, request_id="not-an-id"))
