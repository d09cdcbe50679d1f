"""flows.ports.Outbox in SQL: Slack calls still to make, claimed by one replica at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row

from flows.clock import Clock, SystemClock
from flows.ports import OutboxMessage
from storage.ids import format_request_id, parse_request_id
from storage.prepared import Executor, Prepared
from storage.tables import outbox_table as outbox

#: Slack error texts are short; this only stops a pathological one bloating the row
_MAX_ERROR = 1000
_UNSENT = (outbox.c.sent_at.is_(None), outbox.c.gave_up_at.is_(None))


#: the columns `add` writes
_ADDED = (
    "request_id",
    "method",
    "payload",
    "purpose",
    "extra",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
    "lease_until",
)
#: prepared (it runs for every message a change says): binds "add_<column>" for each of _ADDED
_ADD = Prepared(
    insert(outbox)
    .values({name: bindparam(f"add_{name}", type_=outbox.c[name].type) for name in _ADDED})
    .returning(outbox.c.id)
)
#: marked sent (binds "message_id", "at"), and only while the lease is still ours (binds "held_until" too)
_MARK_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("message_id"))
    .values(sent_at=bindparam("at"), lease_until=None, attempts=outbox.c.attempts + 1)
)
_MARK_SENT_HELD = Prepared(_MARK_SENT.where(outbox.c.lease_until == bindparam("held_until")))
_MARK_SENT_ANY = Prepared(_MARK_SENT)
#: a request's unsent messages due at once (binds "request_pk", "due_at"): its thread's parent
#: was posted, once for every request
_DUE_NOW = Prepared(
    update(outbox)
    .where(outbox.c.request_id == bindparam("request_pk"), *_UNSENT)
    .where(outbox.c.next_attempt_at > bindparam("due_at", type_=outbox.c.next_attempt_at.type))
    .values(next_attempt_at=bindparam("due_at", type_=outbox.c.next_attempt_at.type))
)


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    given_up: int


def due_messages_query(now: datetime, limit: int) -> Select[Any]:
    """Unsent, due and not leased, oldest first, along the partial index ix_outbox_due."""
    return (
        select(outbox)
        .where(*_UNSENT)
        .where(outbox.c.next_attempt_at <= now)
        .where(or_(outbox.c.lease_until.is_(None), outbox.c.lease_until < now))
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )


def _to_message(row: Row[Any]) -> OutboxMessage:
    return OutboxMessage(
        method=row.method,
        payload=row.payload,
        request_id=format_request_id(row.request_id) if row.request_id is not None else None,
        purpose=row.purpose,
        id=row.id,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        extra=row.extra,
        maybe_sent=row.attempts > 0 or row.lease_until is not None,
    )


def _pk(request_id: str) -> int:
    pk = parse_request_id(request_id)
    if pk is None:
        raise ValueError(f"not a request id: {request_id!r}")
    return pk


class SqlOutbox:
    def __init__(self, executor: Executor, clock: Clock | None = None) -> None:
        self._executor = executor
        self._clock = clock or SystemClock()

    def add(self, message: OutboxMessage) -> None:
        """Queue a call; due at once unless `next_attempt_at` says later. Sets `id`. A message
        with `lease_until` is held from the start by whoever adds it (to send it as soon as the
        transaction commits); other replicas take it only once that lease has run out."""
        request_pk = None
        if message.request_id is not None:
            request_pk = parse_request_id(message.request_id)
            if request_pk is None:
                raise ValueError(f"not a request id: {message.request_id!r}")
        created_at = message.created_at or self._clock.now()
        message.created_at = created_at
        message.next_attempt_at = message.next_attempt_at or created_at
        message.id = _ADD.run(
            self._executor,
            {
                "add_request_id": request_pk,
                "add_method": message.method,
                "add_payload": message.payload,
                "add_purpose": message.purpose,
                "add_extra": message.extra,
                "add_attempts": message.attempts,
                "add_next_attempt_at": message.next_attempt_at,
                "add_last_error": message.last_error,
                "add_created_at": created_at,
                "add_lease_until": message.lease_until,
            },
        ).scalar_one()

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]:
        """Lease due messages until now + lease_seconds; commit to publish the lease. A replica
        that dies before `mark_sent` loses the lease, and another sends the message."""
        claimed = [
            _to_message(row) for row in self._executor.execute(due_messages_query(now, limit))
        ]
        if claimed:
            until = now + timedelta(seconds=lease_seconds)
            self._executor.execute(
                update(outbox)
                .where(outbox.c.id.in_([m.id for m in claimed]))
                .values(lease_until=until)
            )
            for message in claimed:
                message.lease_until = until
        return claimed

    def renew(self, message: OutboxMessage, until: datetime) -> bool:
        """The lease's end is its token: it still holds what we set only if no other replica
        has claimed the message since (and it is not sent)."""
        renewed = self._executor.execute(
            update(outbox)
            .where(outbox.c.id == message.id, outbox.c.lease_until == message.lease_until)
            .where(*_UNSENT)
            .values(lease_until=until)
        )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        message.lease_until = until
        return True

    def mark_sent(self, message_id: int, at: datetime, held_until: datetime | None = None) -> bool:
        if held_until is None:
            marked = _MARK_SENT_ANY.run(self._executor, {"message_id": message_id, "at": at})
        else:
            marked = _MARK_SENT_HELD.run(
                self._executor, {"message_id": message_id, "at": at, "held_until": held_until}
            )
        return marked.rowcount == 1

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        """Count the attempt; retry at `retry_at`, or give up (the row stays, for reporting)."""
        values: dict[str, Any] = {
            "attempts": outbox.c.attempts + 1,
            "last_error": error[:_MAX_ERROR],
            "lease_until": None,
        }
        if retry_at is None:
            values["gave_up_at"] = self._clock.now()
        else:
            values["next_attempt_at"] = retry_at
        self._executor.execute(update(outbox).where(outbox.c.id == message_id).values(**values))

    def release(
        self, message_id: int, error: str | None = None, due: datetime | None = None
    ) -> None:
        """Hand a held message back, due at once and no attempt counted: untried (e.g. shutting
        down before sending it), or tried at once after its change committed and failed
        (`error`), so that the scheduler's attempts and backoff start from it; not before `due`
        when Slack said when to come back (Retry-After)."""
        values: dict[str, Any] = {"lease_until": None}
        if due is not None:
            values["next_attempt_at"] = due
        if error is not None:
            values["last_error"] = error[:_MAX_ERROR]
        self._executor.execute(update(outbox).where(outbox.c.id == message_id).values(**values))

    def prune_sent(self, before: datetime) -> int:
        """Forget messages sent before `before`: every change's messages pass through here, and
        a sent one is needed only as long as a late duplicate could still be told apart."""
        result = self._executor.execute(
            delete(outbox).where(outbox.c.sent_at.is_not(None), outbox.c.sent_at < before)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def due_now(self, request_id: str, at: datetime) -> None:
        """The request's unsent messages are due at `at`: its thread's parent was posted, and
        what waited for it follows (in the order recorded: the same due time, then by id)."""
        _DUE_NOW.run(self._executor, {"request_pk": _pk(request_id), "due_at": at})

    def give_up_request(self, request_id: str, error: str) -> int:
        """Give up every unsent message about the request (kept for an operator): its thread
        was never posted, so nothing meant for it can be."""
        result = self._executor.execute(
            update(outbox)
            .where(outbox.c.request_id == _pk(request_id), *_UNSENT)
            .values(gave_up_at=self._clock.now(), last_error=error[:_MAX_ERROR], lease_until=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def pending(self, request_id: str, purpose: str) -> bool:
        query = (
            select(outbox.c.id)
            .where(outbox.c.request_id == _pk(request_id), outbox.c.purpose == purpose, *_UNSENT)
            .limit(1)
        )
        return self._executor.execute(query).first() is not None

    def stats(self) -> OutboxStats:
        """For /metrics: messages still to send, and those given up on (never silently lost)."""
        pending = select(func.count()).select_from(outbox).where(*_UNSENT)
        given_up = select(func.count()).select_from(outbox).where(outbox.c.gave_up_at.is_not(None))
        return OutboxStats(
            pending=int(self._executor.execute(pending).scalar_one()),
            given_up=int(self._executor.execute(given_up).scalar_one()),
        )

    def given_up(self, limit: int = 100) -> list[OutboxMessage]:
        """The most recent messages given up on, for an operator to look at."""
        query = (
            select(outbox)
            .where(outbox.c.gave_up_at.is_not(None))
            .order_by(outbox.c.gave_up_at.desc())
            .limit(limit)
        )
        return [_to_message(row) for row in self._executor.execute(query)]
