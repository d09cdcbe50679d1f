"""The tamper-evident audit log: an append-only hash chain over the whole log.

Each event's hash covers a canonical encoding of its id, request, actor, action, time, a digest
of its detail and the previous event's hash (genesis: 64 zeros). The digest is a salted SHA-256
of the detail, so erasing a closed request's content under retention (blank the detail and its
salt, keep the digest) leaves every hash true; the salt stops a digest of a short answer being
guessed back. Events written before digests (scheme 1) hash their detail directly: they verify
as before while their detail is there, and by their links alone once it is erased. Editing a row breaks its own hash; deleting one
leaves a gap in the ids and a broken link; moving contents between rows breaks both. Truncating
the tail, rolling back, or rewriting with every hash recomputed are the changes a chain cannot see
by itself: signed checkpoints of the head, kept outside the database, catch them
(storage/checkpoints.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text

from flows.models import AuditEvent, check_audit_action
from flows.request_machine import Stage
from storage.ids import format_request_id, parse_request_id
from storage.prepared import Executor, Prepared, dialect_name
from storage.tables import audit_events_table as events
from storage.types import canonical_json

GENESIS_HASH = "0" * 64
#: how an event's hash was made: 1 over the detail itself (the first revision), 2 over its digest
SCHEME_LEGACY = 1
SCHEME_SEALED = 2
#: pg_advisory_xact_lock key held while appending, so that replicas never fork the chain
CHAIN_LOCK_KEY = 0x4D4F534F564F  # "MOSOVO"
_VERIFY_BATCH = 1000
#: the audit actions that record a supervisor's decision (flows.approval.decide)
DECISION_ACTIONS = ("decided", Stage.info_requested)


@dataclass(frozen=True)
class PendingEvent:
    action: str
    actor: str
    at: datetime
    request_pk: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    first_bad_id: int | None = None
    reason: str | None = None
    #: hash of the last event: record it elsewhere to detect a truncated tail later
    head_hash: str = GENESIS_HASH
    #: events whose detail was erased under retention (their hashes still verify)
    erased: int = 0
    #: of those, events from before digests: only their links could be checked
    unsealed: int = 0


def canonical_event(
    event_id: int,
    request_pk: int | None,
    actor: str,
    action: str,
    at: datetime,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    """The exact bytes that are hashed. Changing this invalidates every stored chain."""
    return canonical_json(
        {
            "id": event_id,
            "request": request_pk,
            "actor": actor,
            "action": action,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "detail": detail,
            "prev_hash": prev_hash,
        }
    ).encode("utf-8")


def event_hash(
    event_id: int,
    request_pk: int | None,
    actor: str,
    action: str,
    at: datetime,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = canonical_event(event_id, request_pk, actor, action, at, detail, prev_hash)
    return hashlib.sha256(canonical).hexdigest()


def detail_digest(salt: str, detail: dict[str, Any]) -> str:
    return hashlib.sha256(f"{salt}:".encode() + canonical_json(detail).encode("utf-8")).hexdigest()


def sealed_hash(
    event_id: int,
    request_pk: int | None,
    actor: str,
    action: str,
    at: datetime,
    digest: str,
    prev_hash: str,
) -> str:
    """Scheme 2: the hash covers the detail's digest, not the detail. Changing this invalidates
    every stored chain."""
    canonical = canonical_json(
        {
            "scheme": SCHEME_SEALED,
            "id": event_id,
            "request": request_pk,
            "actor": actor,
            "action": action,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "detail_digest": digest,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_chain(executor: Executor, commit_without_waiting: bool = False) -> None:
    """Serialise appenders until this transaction ends. SQLite needs nothing: every transaction
    there starts with BEGIN IMMEDIATE (storage/db.py), which already excludes other writers.

    `commit_without_waiting`: on PostgreSQL, the same statement makes this transaction's COMMIT
    not wait for the disk, so that the lock is not held through a flush (SqlUnitOfWork waits for
    the disk after the commit, outside the lock); one round trip for both."""
    if dialect_name(executor) == "postgresql":
        lock = _LOCK_CHAIN_COMMITTING_WITHOUT_WAITING if commit_without_waiting else _LOCK_CHAIN
        lock.run(executor, {"key": CHAIN_LOCK_KEY})


# prepared (storage/prepared.py): they run with every change
_LOCK_CHAIN = Prepared(text("SELECT pg_advisory_xact_lock(:key)"))
_LOCK_CHAIN_COMMITTING_WITHOUT_WAITING = Prepared(
    text("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(:key)")
)
_CHAIN_HEAD = Prepared(select(events.c.id, events.c.hash).order_by(events.c.id.desc()).limit(1))
#: the columns chain_rows() gives
_APPENDED = (
    "id",
    "request_id",
    "actor",
    "action",
    "at",
    "detail",
    "prev_hash",
    "hash",
    "scheme",
    "detail_digest",
    "detail_salt",
)
#: one event (binds each column's name); most changes append one
_APPEND_ONE = Prepared(
    insert(events).values({name: bindparam(name, type_=events.c[name].type) for name in _APPENDED})
)


def chain_head(executor: Executor) -> tuple[int, str]:
    """(id, hash) of the last event, or (0, genesis) for an empty log."""
    row = _CHAIN_HEAD.run(executor, {}).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def chain_rows(
    start_id: int, prev_hash: str, pending: Sequence[PendingEvent]
) -> list[dict[str, Any]]:
    """Rows continuing the chain after event (start_id, prev_hash); bulk loaders use it too."""
    rows = []
    for offset, event in enumerate(pending, start=1):
        event_id = start_id + offset
        salt = secrets.token_hex(16)
        digest = detail_digest(salt, event.detail)
        sealed = sealed_hash(
            event_id, event.request_pk, event.actor, event.action, event.at, digest, prev_hash
        )
        rows.append(
            {
                "id": event_id,
                "request_id": event.request_pk,
                "actor": event.actor,
                "action": event.action,
                "at": event.at,
                "detail": event.detail,
                "prev_hash": prev_hash,
                "hash": sealed,
                "scheme": SCHEME_SEALED,
                "detail_digest": digest,
                "detail_salt": salt,
            }
        )
        prev_hash = sealed
    return rows


def append_events(
    executor: Executor, pending: Sequence[PendingEvent], commit_without_waiting: bool = False
) -> None:
    """Append to the chain inside the executor's transaction; the lock lasts until it ends, so
    callers should append last, just before committing (SqlUnitOfWork does). For
    `commit_without_waiting` see `lock_chain`."""
    if not pending:
        return
    lock_chain(executor, commit_without_waiting)
    last_id, last_hash = chain_head(executor)
    rows = chain_rows(last_id, last_hash, pending)
    if len(rows) == 1:
        _APPEND_ONE.run(executor, rows[0])
    else:
        executor.execute(insert(events), rows)


def _batches(executor: Executor) -> Iterator[Sequence[Any]]:
    last_id: int | None = None
    while True:
        query = select(events).order_by(events.c.id).limit(_VERIFY_BATCH)
        if last_id is not None:
            query = query.where(events.c.id > last_id)
        rows = executor.execute(query).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def verify_chain(executor: Executor) -> VerifyResult:
    """Walk the whole log in id order, in batches (memory stays flat), and report the first
    event that does not follow from the one before it."""
    erasures = _erasures(executor)
    expected_id, prev_hash, count, erased, unsealed = 1, GENESIS_HASH, 0, 0, 0
    for batch in _batches(executor):
        for row in batch:
            bad_id = row.id
            if row.id != expected_id:
                # name the first missing event: that is the one someone removed
                problem: str | None = f"event {expected_id} is missing (next is {row.id})"
                bad_id = expected_id
            elif row.prev_hash != prev_hash:
                problem = f"event {row.id} does not follow the event before it"
            else:
                problem = _check_event(row, erasures)
            if problem:
                return VerifyResult(False, count, bad_id, problem, prev_hash, erased, unsealed)
            if row.erased_at is not None:
                erased += 1
                unsealed += row.scheme == SCHEME_LEGACY
            count += 1
            expected_id, prev_hash = row.id + 1, row.hash
    return VerifyResult(True, count, head_hash=prev_hash, erased=erased, unsealed=unsealed)


def _erasures(executor: Executor) -> dict[int, int]:
    """request pk -> id of its last `erased` event (itself verified by the walk)."""
    query = (
        select(events.c.request_id, func.max(events.c.id))
        .where(events.c.action == "erased")
        .group_by(events.c.request_id)
    )
    rows = executor.execute(query).all()
    return {int(row[0]): int(row[1]) for row in rows if row[0] is not None}


def _check_event(row: Any, erasures: dict[int, int]) -> str | None:
    altered = f"event {row.id} was altered after it was written"
    if row.erased_at is not None:
        # blank content is an erasure only when the request's erasure is in the chain, after it
        if erasures.get(row.request_id, 0) <= row.id or row.detail or row.detail_salt:
            return f"event {row.id} lost its detail without a recorded erasure"
        if row.scheme == SCHEME_LEGACY:
            return None  # hashed over the erased detail itself: its links are all that is left
    if row.scheme == SCHEME_LEGACY:
        expected = event_hash(
            row.id, row.request_id, row.actor, row.action, row.at, row.detail, row.prev_hash
        )
        return None if row.hash == expected else altered
    if row.erased_at is None and row.detail_digest != detail_digest(
        row.detail_salt or "", row.detail
    ):
        return altered
    expected = sealed_hash(
        row.id, row.request_id, row.actor, row.action, row.at, row.detail_digest, row.prev_hash
    )
    return None if row.hash == expected else altered


def recorded_checkpoints(executor: Executor) -> list[dict[str, Any]]:
    """The details of every `checkpointed` event (count, head, key), oldest first."""
    query = select(events.c.detail).where(events.c.action == "checkpointed").order_by(events.c.id)
    return [row.detail for row in executor.execute(query)]


def count_events(executor: Executor) -> int:
    return int(executor.execute(select(func.count()).select_from(events)).scalar_one())


class SqlAuditLog:
    """flows.ports.AuditLog. Events wait here until the unit of work commits, then join the chain
    in one short critical section: the chain lock is always the last lock a transaction takes,
    so it cannot deadlock with the row locks of request updates."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor
        self._pending: list[PendingEvent] = []

    def append(
        self,
        action: str,
        actor: str,
        at: datetime,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        request_pk = None
        if request_id is not None:
            request_pk = parse_request_id(request_id)
            if request_pk is None:
                raise ValueError(f"not a request id: {request_id!r}")
        self.pend(request_pk, AuditEvent(action=action, actor=actor, at=at, detail=detail or {}))

    def pend(self, request_pk: int | None, event: AuditEvent) -> None:
        check_audit_action(event.action)
        if not event.actor:
            raise ValueError("an audit event needs an actor")
        if event.at.tzinfo is None:
            raise ValueError("audit times must be timezone-aware")
        self._pending.append(
            PendingEvent(event.action, event.actor, event.at, request_pk, dict(event.detail))
        )

    def history(self, request_id: str) -> list[AuditEvent]:
        """The committed events of one request, oldest first."""
        request_pk = parse_request_id(request_id)
        rows = self._executor.execute(
            select(events).where(events.c.request_id == request_pk).order_by(events.c.id)
        ).all()
        return [AuditEvent(r.action, r.actor, r.at, r.detail) for r in rows]

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def decisions_by(self, actor: str, limit: int) -> list[tuple[str, AuditEvent]]:
        """Walks ix_audit_events_actor backwards from the newest: `limit` rows, whatever the log's size."""
        rows = self._executor.execute(
            select(events)
            .where(events.c.actor == actor)
            .where(events.c.action.in_(DECISION_ACTIONS))
            .where(events.c.request_id.is_not(None))
            .order_by(events.c.id.desc())
            .limit(limit)
        ).all()
        return [
            (format_request_id(r.request_id), AuditEvent(r.action, r.actor, r.at, r.detail))
            for r in rows
        ]

    def flush(self, commit_without_waiting: bool = False) -> None:
        pending, self._pending = self._pending, []
        append_events(self._executor, pending, commit_without_waiting)

    def discard(self) -> None:
        self._pending.clear()

    def take(self) -> list[PendingEvent]:
        """The events waiting, handed over (storage/optimistic.py), none left here."""
        pending, self._pending = self._pending, []
        return pending

    def adopt(self, pending: list[PendingEvent]) -> None:
        """Events taken from another unit's log, appended with this one's at its commit."""
        self._pending.extend(pending)
