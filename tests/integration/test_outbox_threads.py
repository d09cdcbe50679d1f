"""A new request's thread through the outbox: its parent message and what waits for it (#10
defect 3). The parent's ts is saved as the request's thread once, and only while none is known;
what waited is made due when it is; a thread that is never posted gives up all that waited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from flows.models import MonitoringRequest
from flows.ports import ConcurrentUpdate, OutboxMessage
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


def threadless(store: Store, full_request: NewRequest) -> str:
    request = store(full_request(thread_ts=None))
    assert request.request_id is not None
    return request.request_id


def test_the_parents_ts_becomes_the_thread_once_and_a_save_based_on_before_reloads(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    request_id = threadless(store, full_request)
    with db.uow() as uow:
        loaded = uow.requests.get(request_id)
        assert loaded is not None and uow.requests.thread_of(request_id) is None
    with db.uow() as uow:
        assert uow.requests.attach_thread(request_id, "1.000100")
        assert not uow.requests.attach_thread(request_id, "2.000200")  # known already
        uow.commit()
    with db.uow() as uow:
        assert uow.requests.thread_of(request_id) == "1.000100"
        with pytest.raises(ConcurrentUpdate):  # it would have forgotten the thread
            uow.requests.save(loaded)


def test_what_waits_for_the_thread_is_due_once_it_is_posted_and_given_up_if_never(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request_id = threadless(store, full_request)
    later = t0 + timedelta(minutes=10)
    parent = OutboxMessage("chat.postMessage", {"n": 0}, request_id, "thread_parent")
    waiting = OutboxMessage(
        "chat.postMessage", {"n": 1}, request_id, "question", next_attempt_at=later
    )
    with db.uow() as uow:
        uow.outbox.add(parent)
        uow.outbox.add(waiting)
        uow.commit()
    with db.uow() as uow:
        assert uow.outbox.pending(request_id, "thread_parent")
        assert not uow.outbox.pending(request_id, "reminder")
        uow.outbox.due_now(request_id, t0)
        uow.commit()
    with db.uow() as uow:
        claimed = uow.outbox.claim_due(t0, 60, 10)
        assert [m.payload["n"] for m in claimed] == [0, 1]  # in the order recorded
        assert uow.outbox.give_up_request(request_id, "thread_never_posted") == 2
        uow.commit()
    with db.uow() as uow:
        assert not uow.outbox.pending(request_id, "thread_parent")
        assert uow.outbox.claim_due(later + timedelta(hours=1), 60, 10) == []
        assert {m.last_error for m in uow.outbox.given_up()} == {"thread_never_posted"}


def test_due_now_brings_forward_only_the_requests_unsent_messages_due_later(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request_id = threadless(store, full_request)
    other_id = threadless(store, full_request)
    earlier, later = t0 - timedelta(minutes=5), t0 + timedelta(minutes=10)
    made = {
        "sent": OutboxMessage(
            "chat.postMessage", {}, request_id, "question", next_attempt_at=later
        ),
        "earlier": OutboxMessage(
            "chat.postMessage", {}, request_id, "question", next_attempt_at=earlier
        ),
        "later": OutboxMessage(
            "chat.postMessage", {}, request_id, "question", next_attempt_at=later
        ),
        "other": OutboxMessage("chat.postMessage", {}, other_id, "question", next_attempt_at=later),
    }
    with db.uow() as uow:
        for message in made.values():
            uow.outbox.add(message)
        assert made["sent"].id is not None
        assert uow.outbox.mark_sent(made["sent"].id, t0)
        uow.commit()
    with db.uow() as uow:
        uow.outbox.due_now(request_id, t0)
        uow.commit()
    with db.uow() as uow:
        due = {m.id: m.next_attempt_at for m in uow.outbox.claim_due(later, 60, 10)}
    assert due == {
        made["earlier"].id: earlier,  # never put later
        made["later"].id: t0,
        made["other"].id: later,  # another request's
    }
