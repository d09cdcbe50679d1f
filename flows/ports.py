"""The ports the application needs from storage: Protocols, so tests can wire fakes or the real
SQL adapters the same way (see storage/ for the adapters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from flows.delegation import Delegation
from flows.models import AuditEvent, MonitoringRequest

T = TypeVar("T")


class ConcurrentUpdate(Exception):
    """Someone else saved the request first; reload and decide again."""


class ConnectionLost(Exception):
    """The database connection went away (the server ended it, or restarted) before the unit
    of work began to commit: nothing it did was written, and it may be run again on another."""


@dataclass
class OutboxMessage:
    """A Slack call that could not be made yet: kept until it succeeds, never dropped silently."""

    method: str
    payload: dict[str, Any]
    request_id: str | None = None
    #: what the message is for, e.g. "question", "approval_card", "reminder"
    purpose: str = "message"
    id: int | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: until when this replica holds it (set by claim_due and renew): the lease's token
    lease_until: datetime | None = field(default=None, compare=False)
    #: an earlier attempt may have reached Slack (it failed, or its holder's lease ran out):
    #: a post is looked for in Slack before it is sent again
    maybe_sent: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: the items from `offset`, and how many there are in all."""

    items: list[T]
    offset: int
    total: int
    #: the page size asked for
    limit: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


class RequestRepository(Protocol):
    def add(self, request: MonitoringRequest) -> None:
        """Insert a new request; assigns `request_id` ("MR-<n>") from the database."""
        ...

    def get(self, request_id: str) -> MonitoringRequest | None: ...

    def get_by_thread(self, channel_id: str, thread_ts: str) -> MonitoringRequest | None: ...

    def save(self, request: MonitoringRequest) -> None:
        """Update if nobody else has since it was loaded (else ConcurrentUpdate); append and clear
        its pending audit events in the same transaction."""
        ...

    def remember_question(self, request_id: str, field_key: str, ts: str) -> bool:
        """Note that the question `field_key` was posted as message `ts`, if the request is
        still asking it (False: it has moved on). Counts as a change, as `save` does."""
        ...

    def remember_card(self, request_id: str, approval_round: int, ts: str) -> bool:
        """Note that round `approval_round`'s approval card was posted as message `ts`, if that
        round is still current and no card is known for it yet."""
        ...

    def attach_thread(self, request_id: str, thread_ts: str) -> bool:
        """Note that the request's parent message was posted as `thread_ts`, if no thread is
        known for it yet. Counts as a change, as `save` does."""
        ...

    def thread_of(self, request_id: str) -> str | None:
        """The ts of the request's parent message, once it is known."""
        ...

    def list_open_for_officer(self, officer_id: str) -> list[MonitoringRequest]: ...

    def list_awaiting_approval(self) -> list[MonitoringRequest]: ...

    def awaiting_decision(
        self, excluding_officer: str, escalated_only: bool, limit: int, offset: int = 0
    ) -> Page[MonitoringRequest]:
        """Requests awaiting approval, oldest submission first, other than those
        `excluding_officer` made, answered or changed, or whose current round they approved
        already; `escalated_only`: just those already escalated. Cost follows `limit`, not the
        queue."""
        ...

    def for_officer(self, officer_id: str, limit: int, offset: int = 0) -> Page[MonitoringRequest]:
        """An officer's requests, newest first."""
        ...

    def latest_about_person(
        self, channel_id: str, visor_ref: str, excluding: str
    ) -> MonitoringRequest | None:
        """The most recent other request in this unit's channel about the same ViSOR nominal."""
        ...

    def pending_for_device(
        self, imeis: list[str], serial: str | None, excluding: str
    ) -> list[MonitoringRequest]:
        """Other requests still pending (a decision or an installation) for any of these IMEIs
        or this serial number."""
        ...

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[MonitoringRequest]:
        """Requests whose `due_at` has passed and whose lease is free; leases them."""
        ...

    def release(self, request_id: str) -> None:
        """End a lease without saving, so the next sweep may claim the request again."""
        ...


class DelegationRepository(Protocol):
    def add(self, delegation: Delegation) -> None: ...

    def active_for(self, delegate_id: str, today: date) -> Delegation | None:
        """The delegation that lets this user decide today, if any (the latest-ending)."""
        ...

    def active(self, today: date) -> list[Delegation]:
        """Every delegation in force today, soonest to end first."""
        ...

    def revoke(self, delegate_id: str, by: str, at: datetime, today: date) -> list[Delegation]:
        """End this user's delegations in force today; returns those it ended."""
        ...


class LanguageRepository(Protocol):
    def get(self, user_id: str) -> str | None:
        """The language the person chose (`en`, `cy`), or None if they never chose one."""
        ...

    def set(self, user_id: str, language: str, at: datetime) -> str | None:
        """Store the person's choice; returns the language it replaced (None: the first)."""
        ...


class DeliveryLog(Protocol):
    def first_time(self, key: str) -> bool:
        """Record a Slack delivery (event id, action id); False if it was processed before."""
        ...

    def prune(self, before: datetime) -> int:
        """Forget deliveries older than any redelivery could be; returns how many."""
        ...


class AuditLog(Protocol):
    def append(
        self,
        action: str,
        actor: str,
        at: datetime,
        request_id: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Append one event that belongs to no request save (e.g. an export)."""
        ...

    def decisions_by(self, actor: str, limit: int) -> list[tuple[str, AuditEvent]]:
        """(request id, event) of the actor's latest decisions, newest first."""
        ...


class Outbox(Protocol):
    def add(self, message: OutboxMessage) -> None: ...

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]: ...

    def renew(self, message: OutboxMessage, until: datetime) -> bool:
        """Extend a lease this replica still holds (True), else change nothing (False)."""
        ...

    def mark_sent(self, message_id: int, at: datetime, held_until: datetime | None = None) -> bool:
        """Mark sent; with `held_until`, only while that lease is still ours (False if not)."""
        ...

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; `retry_at` None means it has given up (still kept, reported)."""
        ...

    def release(
        self, message_id: int, error: str | None = None, due: datetime | None = None
    ) -> None:
        """Hand a held message back, due at once (or at `due`), no attempt counted (`error`:
        why)."""
        ...

    def prune_sent(self, before: datetime) -> int:
        """Forget messages sent before `before`; how many."""
        ...

    def due_now(self, request_id: str, at: datetime) -> None:
        """The request's unsent messages (those waiting for its thread) are due at `at`."""
        ...

    def give_up_request(self, request_id: str, error: str) -> int:
        """Give up every unsent message about the request (kept, reported); how many."""
        ...

    def pending(self, request_id: str, purpose: str) -> bool:
        """Whether a message for `purpose` about the request is still to be sent."""
        ...


class UnitOfWork(Protocol):
    @property
    def requests(self) -> RequestRepository: ...

    @property
    def deliveries(self) -> DeliveryLog: ...

    @property
    def delegations(self) -> DelegationRepository: ...

    @property
    def languages(self) -> LanguageRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> Outbox: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
