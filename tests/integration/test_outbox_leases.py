"""An outbox message is sent by the replica holding its lease, and only marked sent while that
lease is still its own (issue 10, defect 6)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flows.ports import OutboxMessage
from storage.unit_of_work import Database


def queue(db: Database, *messages: OutboxMessage) -> None:
    with db.uow() as uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()


def claim(db: Database, now: datetime, lease: float = 30) -> list[OutboxMessage]:
    with db.uow() as uow:
        claimed = uow.outbox.claim_due(now, lease, 10)
        uow.commit()
    return claimed


def test_a_lease_is_renewed_only_by_the_replica_still_holding_it(
    db: Database, t0: datetime
) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}))
    [first] = claim(db, t0)
    later = t0 + timedelta(seconds=10)
    with db.uow() as uow:
        assert uow.outbox.renew(first, later + timedelta(seconds=30))
        uow.commit()
    assert claim(db, t0 + timedelta(seconds=31)) == []  # renewed: still ours
    [second] = claim(db, t0 + timedelta(seconds=41))  # ran out: another replica's now
    with db.uow() as uow:
        assert not uow.outbox.renew(first, t0 + timedelta(seconds=90))
        assert not uow.outbox.mark_sent(first.id or 0, t0, first.lease_until)
        assert uow.outbox.mark_sent(second.id or 0, t0, second.lease_until)
        uow.commit()
    with db.uow() as uow:
        assert uow.outbox.stats().pending == 0


def test_a_message_added_with_a_lease_is_held_by_its_adder_until_the_lease_runs_out(
    db: Database, t0: datetime
) -> None:
    held = OutboxMessage("chat.postMessage", {"n": 1}, created_at=t0)
    held.lease_until = t0 + timedelta(seconds=60)
    queue(db, held)
    assert claim(db, t0 + timedelta(seconds=59)) == []  # its adder may still be sending it
    [taken] = claim(db, t0 + timedelta(seconds=61))
    assert taken.id == held.id and taken.maybe_sent  # the adder may have posted it
    with db.uow() as uow:
        assert not uow.outbox.mark_sent(held.id or 0, t0, held.lease_until)  # not the adder's now
        uow.commit()


def test_a_message_never_tried_is_not_taken_for_one_that_may_have_been_sent(
    db: Database, t0: datetime
) -> None:
    queue(db, OutboxMessage("chat.postMessage", {"n": 1}, created_at=t0))
    [fresh] = claim(db, t0)
    assert not fresh.maybe_sent
    with db.uow() as uow:
        uow.outbox.release(fresh.id or 0, "ratelimited")  # tried once at once, handed on
        uow.commit()
    [again] = claim(db, t0)
    assert again.attempts == 0 and again.last_error == "ratelimited"
    with db.uow() as uow:
        uow.outbox.mark_failed(again.id or 0, "ratelimited", t0)
        uow.commit()
    [third] = claim(db, t0)
    assert third.maybe_sent  # an attempt was counted: it may have reached Slack


def test_messages_sent_long_ago_are_forgotten_and_unsent_ones_never(
    db: Database, t0: datetime
) -> None:
    old, recent, unsent = (OutboxMessage("chat.postMessage", {"n": n}) for n in range(3))
    queue(db, old, recent, unsent)
    with db.uow() as uow:
        uow.outbox.mark_sent(old.id or 0, t0)
        uow.outbox.mark_sent(recent.id or 0, t0 + timedelta(days=6))
        uow.commit()
    with db.uow() as uow:
        assert uow.outbox.prune_sent(t0 + timedelta(days=1)) == 1
        uow.commit()
    with db.uow() as uow:
        assert uow.outbox.prune_sent(t0 + timedelta(days=1)) == 0
        assert uow.outbox.stats().pending == 1
        uow.commit()
    [left] = claim(db, t0 + timedelta(days=30))
    assert left.id == unsent.id
