"""Optimistic units of work (SQLite): read and decide without the write lock, write under it.

On SQLite a unit of work holds the database's one write lock from `BEGIN IMMEDIATE` to `COMMIT`,
so a use case's whole turn ran under it: the request's load, the rules, rendering what it says,
the writes and the audit chain, while every other writer of the process queued behind it. A
`StagedUnitOfWork` reads in a transaction that takes no lock (WAL: readers never wait, nor make
anyone wait) and keeps its writes until `commit()`, which takes the write lock and makes them in
one ordinary, durable transaction (the same as `Database.uow()`'s), audit events last:

- a save is the compare-and-set on `version` it always was: if the request changed since it was
  read, ConcurrentUpdate and nothing is written (RequestService then runs the use case again,
  under the lock from the start);
- a request that was read and not saved must not have changed either (a refusal is judged on what
  was read), checked under the lock;
- a Slack delivery key is inserted at commit, not looked up first (a redelivery is rare, a
  lookup would cost every message a statement): a key already there, handled before or by
  another thread meanwhile, is a ConcurrentUpdate too (the second run finds the key, and does
  nothing);
- what needs the lock from the start (adding a request, whose id is needed at once; leases;
  delegations, languages) raises NeedsTheLock before anything is written, and the use case is run
  in an ordinary unit of work instead.

Other requests read for advice (an earlier request about the same person, another pending request
for the same device) are not checked again: as on PostgreSQL, where transactions run side by side,
such a read may miss a change committed in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import bindparam, select

from flows.delegation import Delegation
from flows.models import MonitoringRequest
from flows.ports import ConcurrentUpdate, OutboxMessage, Page
from storage.ids import parse_request_id
from storage.outbox import OutboxStats
from storage.prepared import Prepared
from storage.repositories import SqlRequestRepository
from storage.tables import requests_table as requests
from storage.unit_of_work import SqlUnitOfWork


class NeedsTheLock(ConcurrentUpdate):
    """Raised, before anything is written, by what a staged unit cannot do: run the use case in
    an ordinary unit of work instead."""


#: the versions of the requests read (bind "pks", expanding)
_VERSIONS = select(requests.c.id, requests.c.version).where(
    requests.c.id.in_(bindparam("pks", expanding=True))
)
#: the version of the one request read, as it mostly is (bind "pk"); prepared
_VERSION = Prepared(select(requests.c.version).where(requests.c.id == bindparam("pk")))

#: a write kept for the commit, made on the unit of work that holds the lock
Write = Callable[[SqlUnitOfWork], None]


class StagedUnitOfWork:
    """flows.ports.UnitOfWork (see the module's docstring): reads through `reader`, writes
    through one `writer` at commit."""

    def __init__(
        self,
        reader: Callable[[], SqlUnitOfWork],
        writer: Callable[[], SqlUnitOfWork],
    ) -> None:
        self._reader_factory = reader
        self._writer_factory = writer
        self._reader: SqlUnitOfWork | None = None
        self._writes: list[Write] = []
        #: pk -> version of each request loaded by id or thread and not saved here
        self._loaded: dict[int, int] = {}

    def __enter__(self) -> StagedUnitOfWork:
        if self._reader is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        self._reader = self._reader_factory().__enter__()
        # the reader's audit log keeps the events until the commit hands them to the writer
        self.audit = self._reader.audit
        self.requests = _StagedRequests(self)
        self.deliveries = _StagedDeliveries(self)
        self.outbox = _StagedOutbox(self)
        self.delegations = _StagedDelegations(self)
        self.languages = _StagedLanguages(self)
        return self

    def __exit__(self, *exc: object) -> None:
        reader, self._reader = self._reader, None
        self._forget()
        if reader is not None:
            reader.__exit__(*exc)

    @property
    def reader(self) -> SqlUnitOfWork:
        if self._reader is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._reader

    def keep(self, write: Write) -> None:
        self._writes.append(write)

    def loaded(self, request: MonitoringRequest | None) -> MonitoringRequest | None:
        pk = parse_request_id(request.request_id) if request and request.request_id else None
        if request is not None and pk is not None:
            self._loaded.setdefault(pk, request.version)
        return request

    def saved(self, pk: int) -> None:
        self._loaded.pop(pk, None)  # its save compares and sets the version it was read at

    def commit(self) -> None:
        writes, loaded, pending = self._writes, self._loaded, self.audit.take()
        self._forget()
        self.reader.rollback()  # the read ends here; what is read after reads anew
        if not writes and not pending:
            return
        with self._writer_factory() as writer:
            if loaded and _versions(writer, loaded) != loaded:
                raise ConcurrentUpdate("a request read here changed before the write")
            for write in writes:
                write(writer)
            writer.audit.adopt(pending)
            writer.commit()

    def rollback(self) -> None:
        self._forget()
        self.reader.rollback()  # and the audit events kept with it

    def _forget(self) -> None:
        self._writes, self._loaded = [], {}


def _versions(writer: SqlUnitOfWork, loaded: dict[int, int]) -> dict[int, int]:
    """pk -> version now, of the requests in `loaded` that are still there."""
    if len(loaded) == 1:
        [pk] = loaded
        version = _VERSION.run(writer.connection, {"pk": pk}).scalar()
        return {} if version is None else {pk: int(version)}
    rows = writer.connection.execute(_VERSIONS, {"pks": sorted(loaded)}).tuples()
    return {int(pk): int(version) for pk, version in rows.all()}


def _needs_the_lock(what: str) -> NeedsTheLock:
    return NeedsTheLock(f"{what} is written under the write lock from the start")


class _StagedRequests:
    """flows.ports.RequestRepository: reads read; `save` is kept for the commit."""

    def __init__(self, unit: StagedUnitOfWork) -> None:
        self._unit = unit

    @property
    def _read(self) -> SqlRequestRepository:
        return self._unit.reader.requests

    def add(self, request: MonitoringRequest) -> None:
        raise _needs_the_lock("a new request")

    def get(self, request_id: str) -> MonitoringRequest | None:
        return self._unit.loaded(self._read.get(request_id))

    def get_by_thread(self, channel_id: str, thread_ts: str) -> MonitoringRequest | None:
        return self._unit.loaded(self._read.get_by_thread(channel_id, thread_ts))

    def save(self, request: MonitoringRequest) -> None:
        # the row is taken now, and the audit events (into the reader's log, until the commit)
        write = self._unit.reader.requests.saving(request)
        pk = parse_request_id(str(request.request_id))
        assert pk is not None
        self._unit.saved(pk)
        self._unit.keep(lambda writer: write(writer.requests))

    def remember_question(self, request_id: str, field_key: str, ts: str) -> bool:
        raise _needs_the_lock("a posted question")

    def remember_card(self, request_id: str, approval_round: int, ts: str) -> bool:
        raise _needs_the_lock("a posted card")

    def attach_thread(self, request_id: str, thread_ts: str) -> bool:
        raise _needs_the_lock("a posted thread")

    def thread_of(self, request_id: str) -> str | None:
        return self._read.thread_of(request_id)

    def list_open_for_officer(self, officer_id: str) -> list[MonitoringRequest]:
        return self._read.list_open_for_officer(officer_id)

    def list_awaiting_approval(self) -> list[MonitoringRequest]:
        return self._read.list_awaiting_approval()

    def awaiting_decision(
        self, excluding_officer: str, escalated_only: bool, limit: int, offset: int = 0
    ) -> Page[MonitoringRequest]:
        return self._read.awaiting_decision(excluding_officer, escalated_only, limit, offset)

    def for_officer(self, officer_id: str, limit: int, offset: int = 0) -> Page[MonitoringRequest]:
        return self._read.for_officer(officer_id, limit, offset)

    def latest_about_person(
        self, channel_id: str, visor_ref: str, excluding: str
    ) -> MonitoringRequest | None:
        return self._read.latest_about_person(channel_id, visor_ref, excluding)

    def pending_for_device(
        self, imeis: list[str], serial: str | None, excluding: str
    ) -> list[MonitoringRequest]:
        return self._read.pending_for_device(imeis, serial, excluding)

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[MonitoringRequest]:
        raise _needs_the_lock("a lease")

    def release(self, request_id: str) -> None:
        raise _needs_the_lock("a lease")


class _StagedDeliveries:
    """flows.ports.DeliveryLog: every key is taken for new now, and inserted at commit; one
    already there makes the commit a ConcurrentUpdate (the run under the lock then finds it)."""

    def __init__(self, unit: StagedUnitOfWork) -> None:
        self._unit = unit

    def first_time(self, key: str) -> bool:
        if not key:
            raise ValueError("a delivery key is needed")

        def insert(writer: SqlUnitOfWork) -> None:
            if not writer.deliveries.first_time(key):
                raise ConcurrentUpdate("the same delivery was handled meanwhile")

        self._unit.keep(insert)
        return True

    def prune(self, before: datetime) -> int:
        raise _needs_the_lock("pruning")


class _StagedOutbox:
    """flows.ports.Outbox: messages are added at commit (their ids set then)."""

    def __init__(self, unit: StagedUnitOfWork) -> None:
        self._unit = unit

    def add(self, message: OutboxMessage) -> None:
        self._unit.keep(lambda writer: writer.outbox.add(message))

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[OutboxMessage]:
        raise _needs_the_lock("a lease")

    def renew(self, message: OutboxMessage, until: datetime) -> bool:
        raise _needs_the_lock("a lease")

    def mark_sent(self, message_id: int, at: datetime, held_until: datetime | None = None) -> bool:
        raise _needs_the_lock("a sent mark")

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        raise _needs_the_lock("a failed attempt")

    def release(
        self, message_id: int, error: str | None = None, due: datetime | None = None
    ) -> None:
        raise _needs_the_lock("a lease")

    def prune_sent(self, before: datetime) -> int:
        raise _needs_the_lock("pruning")

    def due_now(self, request_id: str, at: datetime) -> None:
        raise _needs_the_lock("a posted thread")

    def give_up_request(self, request_id: str, error: str) -> int:
        raise _needs_the_lock("giving up")

    def pending(self, request_id: str, purpose: str) -> bool:
        return self._unit.reader.outbox.pending(request_id, purpose)

    def stats(self) -> OutboxStats:
        return self._unit.reader.outbox.stats()


class _StagedDelegations:
    def __init__(self, unit: StagedUnitOfWork) -> None:
        self._unit = unit

    def add(self, delegation: Delegation) -> None:
        raise _needs_the_lock("a delegation")

    def active_for(self, delegate_id: str, today: date) -> Delegation | None:
        return self._unit.reader.delegations.active_for(delegate_id, today)

    def active(self, today: date) -> list[Delegation]:
        return self._unit.reader.delegations.active(today)

    def revoke(self, delegate_id: str, by: str, at: datetime, today: date) -> list[Delegation]:
        raise _needs_the_lock("a revocation")


class _StagedLanguages:
    def __init__(self, unit: StagedUnitOfWork) -> None:
        self._unit = unit

    def get(self, user_id: str) -> str | None:
        return self._unit.reader.languages.get(user_id)

    def set(self, user_id: str, language: str, at: datetime) -> str | None:
        raise _needs_the_lock("a language")
