"""SQL adapters for the request and delivery ports (flows/ports.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Select,
    Text,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result, Row

from flows.clock import Clock, SystemClock
from flows.models import MonitoringRequest
from flows.ports import ConcurrentUpdate, Page
from flows.request_machine import OPEN_STATES, PENDING_STATES, Stage
from flows.rounds import round_of
from storage.audit import SqlAuditLog
from storage.ids import format_request_id, parse_request_id
from storage.prepared import Executor, Prepared, dialect_name
from storage.tables import processed_deliveries_table as deliveries
from storage.tables import requests_table as requests
from storage.tables import round_approvals_table as round_approvals

#: dataclass fields that are not columns of their own
_NOT_COLUMNS = frozenset({"request_id", "events"})
_COLUMNS = tuple(
    f.name for f in dataclasses.fields(MonitoringRequest) if f.name not in _NOT_COLUMNS
)


# The statements run for every message are built once and prepared (storage/prepared.py):
# SQLAlchemy's work per execution costs more than running them.
#: one request by primary key (bind "pk")
_BY_ID = Prepared(select(requests).where(requests.c.id == bindparam("pk")))
#: the request a thread belongs to (binds "channel_id", "thread_ts")
_BY_THREAD = Prepared(
    select(requests)
    .where(requests.c.channel_id == bindparam("channel_id"))
    .where(requests.c.thread_ts == bindparam("thread_ts"))
)
#: compare-and-set of every column (binds "pk", "expected_version" and "set_<column>")
_SAVE = Prepared(
    update(requests)
    .where(requests.c.id == bindparam("pk"))
    .where(requests.c.version == bindparam("expected_version"))
    .values(
        {
            name: bindparam(f"set_{name}", type_=requests.c[name].type)
            for name in (*_COLUMNS, "lease_until")
        }
    )
)
#: where the current question was posted (binds "pk", "field_key", "ts"); a change like save()'s
_REMEMBER_QUESTION = Prepared(
    update(requests)
    .where(requests.c.id == bindparam("pk"))
    .where(requests.c.state == Stage.collecting)
    .where(requests.c.current_field == bindparam("field_key"))
    .values(question_ref=bindparam("ts"), version=requests.c.version + 1, lease_until=None)
)
_REMEMBER_CARD = Prepared(
    update(requests)
    .where(requests.c.id == bindparam("pk"))
    .where(requests.c.approval_round == bindparam("round"))
    .where(requests.c.approval_card_ref.is_(None))
    .values(approval_card_ref=bindparam("ts"), version=requests.c.version + 1)
)
#: where the parent message was posted (binds "pk", "ts"), unless a thread is known already
_ATTACH_THREAD = Prepared(
    update(requests)
    .where(requests.c.id == bindparam("pk"))
    .where(requests.c.thread_ts.is_(None))
    .values(thread_ts=bindparam("ts"), version=requests.c.version + 1)
)
#: a delivery key, unless it is already there (binds "key", "at"); per dialect
_FIRST_TIME = {
    name: Prepared(
        make_insert(deliveries)
        .values(key=bindparam("key"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(deliveries.c.key)
    )
    for name, make_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}

#: who approved which round (binds "request_id", "round", "approver"); per dialect
_NOTE_APPROVAL = {
    name: make_insert(round_approvals).on_conflict_do_nothing(
        index_elements=["request_id", "round", "approver"]
    )
    for name, make_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def affected(result: Result[Any]) -> int:
    """Rows changed by an INSERT/UPDATE/DELETE (execute()'s type hides the cursor's)."""
    return cast(CursorResult[Any], result).rowcount


def _values(request: MonitoringRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in _COLUMNS}


def _save_params(request: MonitoringRequest) -> tuple[int, dict[str, Any]]:
    """The primary key, and _SAVE's parameters: every column, the version moved on."""
    pk = parse_request_id(request.request_id) if request.request_id else None
    if pk is None:
        raise ValueError("save() needs a stored request: add() it first")
    values = _values(request) | {"version": request.version + 1, "lease_until": None}
    params = {f"set_{name}": value for name, value in values.items()}
    return pk, params | {"pk": pk, "expected_version": request.version}


def _to_domain(row: Row[Any]) -> MonitoringRequest:
    return _from_mapping(dict(row._mapping))


def _from_mapping(mapping: Mapping[str, Any]) -> MonitoringRequest:
    request = MonitoringRequest(**{name: mapping[name] for name in _COLUMNS})
    request.request_id = format_request_id(mapping["id"])
    return request


def due_requests_query(now: datetime, limit: int) -> Select[Any]:
    """Due and not leased, oldest first: walks ix_requests_due_at from the start and stops after
    `limit` hits, so the cost follows what is due, not the size of the table."""
    return (
        select(requests)
        .where(requests.c.due_at <= now)
        .where(or_(requests.c.lease_until.is_(None), requests.c.lease_until < now))
        .order_by(requests.c.due_at, requests.c.id)
        .limit(limit)
        # Another replica's claimed rows are skipped, not waited for (ignored on SQLite, where
        # BEGIN IMMEDIATE already lets one claimer in at a time). FOR NO KEY UPDATE, not FOR
        # UPDATE: an audit event or outbox row referencing a claimed request only needs a KEY
        # SHARE lock on it, so a writer holding the chain lock is never stuck behind a claim.
        .with_for_update(skip_locked=True, key_share=True)
    )


def _like_literal(text: str) -> str:
    """`text` matched as itself inside a LIKE pattern (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlRequestRepository:
    """flows.ports.RequestRepository. Audit events raised on a request go to `audit`, which
    writes them when the unit of work commits, so a request and its trail commit together."""

    def __init__(self, executor: Executor, audit: SqlAuditLog) -> None:
        self._executor = executor
        self._audit = audit

    def add(self, request: MonitoringRequest) -> None:
        if request.request_id is not None:
            raise ValueError(f"{request.request_id} is already stored")
        pk: int = self._executor.execute(
            insert(requests).values(**_values(request)).returning(requests.c.id)
        ).scalar_one()
        request.request_id = format_request_id(pk)
        self._take_events(pk, request)

    def get(self, request_id: str) -> MonitoringRequest | None:
        pk = parse_request_id(request_id)
        if pk is None:
            return None
        return self._prepared_one(_BY_ID, {"pk": pk})

    def get_by_thread(self, channel_id: str, thread_ts: str) -> MonitoringRequest | None:
        return self._prepared_one(_BY_THREAD, {"channel_id": channel_id, "thread_ts": thread_ts})

    def save(self, request: MonitoringRequest) -> None:
        """Compare-and-set on `version`; also ends any scheduler lease (the request moved on)."""
        pk, params = _save_params(request)
        self._compare_and_set(str(request.request_id), params)
        request.version += 1
        self._note_approvals(self._approvals(pk, request))
        self._take_events(pk, request)

    def saving(self, request: MonitoringRequest) -> Callable[[SqlRequestRepository], None]:
        """`save` taken apart (storage/optimistic.py): the row to write and the audit events are
        taken now, as `save` takes them, and the call returned writes the row through another
        repository (or raises ConcurrentUpdate, having written nothing) once that one holds the
        write lock."""
        pk, params = _save_params(request)
        approvals = self._approvals(pk, request)
        request_id = str(request.request_id)
        request.version += 1
        self._take_events(pk, request)

        def write(into: SqlRequestRepository) -> None:
            into._compare_and_set(request_id, params)
            into._note_approvals(approvals)

        return write

    def _compare_and_set(self, request_id: str, params: dict[str, Any]) -> None:
        if _SAVE.run(self._executor, params).rowcount != 1:
            raise ConcurrentUpdate(f"{request_id} was changed by someone else since it was loaded")

    def remember_question(self, request_id: str, field_key: str, ts: str) -> bool:
        """One UPDATE, no load: it runs once per answer. The version moves on, so a save based on
        an earlier load fails and reloads instead of overwriting the reference."""
        pk = parse_request_id(request_id)
        if pk is None:
            return False
        changed = _REMEMBER_QUESTION.run(
            self._executor, {"pk": pk, "field_key": field_key, "ts": ts}
        )
        return changed.rowcount == 1

    def remember_card(self, request_id: str, approval_round: int, ts: str) -> bool:
        """Where the approval card of a round was posted; one UPDATE, no load. Only while that
        round is current and no card is known for it (a click may have told us first)."""
        pk = parse_request_id(request_id)
        if pk is None:
            return False
        changed = _REMEMBER_CARD.run(self._executor, {"pk": pk, "round": approval_round, "ts": ts})
        return changed.rowcount == 1

    def attach_thread(self, request_id: str, thread_ts: str) -> bool:
        """Where the request's parent message was posted; one UPDATE, no load. The version
        moves on, so a save based on an earlier load reloads rather than forget the thread."""
        pk = parse_request_id(request_id)
        if pk is None:
            return False
        return _ATTACH_THREAD.run(self._executor, {"pk": pk, "ts": thread_ts}).rowcount == 1

    def thread_of(self, request_id: str) -> str | None:
        pk = parse_request_id(request_id)
        if pk is None:
            return None
        found = self._executor.execute(
            select(requests.c.thread_ts).where(requests.c.id == pk)
        ).scalar_one_or_none()
        return str(found) if found else None

    def list_open_for_officer(self, officer_id: str) -> list[MonitoringRequest]:
        return self._all(
            select(requests)
            .where(requests.c.officer_id == officer_id)
            .where(requests.c.state.in_(sorted(OPEN_STATES)))
            .order_by(requests.c.id)
        )

    def list_awaiting_approval(self) -> list[MonitoringRequest]:
        return self._all(
            select(requests)
            .where(requests.c.state == Stage.awaiting_approval)
            .order_by(requests.c.submitted_at, requests.c.id)
        )

    def awaiting_decision(
        self, excluding_officer: str, escalated_only: bool, limit: int, offset: int = 0
    ) -> Page[MonitoringRequest]:
        query = (
            select(requests)
            .where(requests.c.state == Stage.awaiting_approval)
            .where(requests.c.officer_id != excluding_officer)
            # nor one they answered or changed: they may not approve it (no self-approval)
            .where(
                sql_cast(requests.c.contributors, Text).not_like(
                    f'%"{_like_literal(excluding_officer)}"%', escape="\\"
                )
            )
            # nor one whose current round they approved already (the other approval is not theirs)
            .where(
                ~exists().where(
                    round_approvals.c.request_id == requests.c.id,
                    round_approvals.c.round == requests.c.approval_round,
                    round_approvals.c.approver == excluding_officer,
                )
            )
        )
        if escalated_only:
            # the escalation timer's nudge key in the JSON text: portable to both databases
            query = query.where(sql_cast(requests.c.nudges, Text).like('%"escalate"%'))
        ordered = query.order_by(requests.c.submitted_at, requests.c.id)
        return self._page(query, ordered, limit, offset)

    def for_officer(self, officer_id: str, limit: int, offset: int = 0) -> Page[MonitoringRequest]:
        query = select(requests).where(requests.c.officer_id == officer_id)
        return self._page(query, query.order_by(requests.c.id.desc()), limit, offset)

    def _page(
        self, query: Select[Any], ordered: Select[Any], limit: int, offset: int
    ) -> Page[MonitoringRequest]:
        total = self._executor.execute(
            select(func.count()).select_from(query.subquery())
        ).scalar_one()
        offset = max(0, min(offset, max(0, total - 1)))
        return Page(self._all(ordered.limit(limit).offset(offset)), offset, int(total), limit)

    def latest_about_person(
        self, channel_id: str, visor_ref: str, excluding: str
    ) -> MonitoringRequest | None:
        pk = parse_request_id(excluding)
        return self._one(
            select(requests)
            .where(requests.c.channel_id == channel_id)
            .where(requests.c.id != pk)
            .where(requests.c.answers["visor_ref"].as_string() == visor_ref)
            .order_by(requests.c.id.desc())
            .limit(1)
        )

    def pending_for_device(
        self, imeis: list[str], serial: str | None, excluding: str
    ) -> list[MonitoringRequest]:
        # few requests are pending at any time: match their devices here, on both databases
        pk = parse_request_id(excluding)
        pending = self._all(
            select(requests)
            .where(requests.c.state.in_(sorted(PENDING_STATES)))
            .where(requests.c.id != pk)
            .order_by(requests.c.id)
        )
        wanted = set(imeis)
        return [
            r
            for r in pending
            if wanted & set(r.answers.get("device_imei") or [])
            or (serial is not None and r.answers.get("device_serial") == serial)
        ]

    def claim_due(self, now: datetime, lease_seconds: float, limit: int) -> list[MonitoringRequest]:
        """Lease up to `limit` due requests until now + lease_seconds. Commit to make the lease
        visible to other replicas; `save` or `release` ends it, expiry hands it to another."""
        claimed = self._all(due_requests_query(now, limit))
        if claimed:
            until = now + timedelta(seconds=lease_seconds)
            pks = [parse_request_id(r.request_id or "") for r in claimed]
            self._executor.execute(
                update(requests).where(requests.c.id.in_(pks)).values(lease_until=until)
            )
        return claimed

    def release(self, request_id: str) -> None:
        """Give a claimed request back without saving it (e.g. a send failed before any change)."""
        self._executor.execute(
            update(requests)
            .where(requests.c.id == parse_request_id(request_id))
            .values(lease_until=None)
        )

    def _one(
        self, query: Select[Any], params: dict[str, Any] | None = None
    ) -> MonitoringRequest | None:
        row = self._executor.execute(query, params).first()
        return _to_domain(row) if row else None

    def _prepared_one(
        self, statement: Prepared, params: Mapping[str, Any]
    ) -> MonitoringRequest | None:
        found = statement.run(self._executor, params).mappings()
        return _from_mapping(found[0]) if found else None

    def _all(self, query: Select[Any]) -> list[MonitoringRequest]:
        return [_to_domain(row) for row in self._executor.execute(query)]

    def _approvals(self, pk: int, request: MonitoringRequest) -> list[dict[str, Any]]:
        """The current round's approvers, for the queue to leave out: written with the request,
        so the two never disagree. Only a request with an approval in its round costs a write."""
        approvers = sorted({str(a["by"]) for a in round_of(request).approvals if a.get("by")})
        return [
            {"request_id": pk, "round": request.approval_round, "approver": by} for by in approvers
        ]

    def _note_approvals(self, approvals: list[dict[str, Any]]) -> None:
        if not approvals:
            return
        dialect = dialect_name(self._executor)
        statement = _NOTE_APPROVAL["postgresql" if dialect == "postgresql" else "sqlite"]
        self._executor.execute(statement, approvals)

    def _take_events(self, pk: int, request: MonitoringRequest) -> None:
        for event in request.events:
            self._audit.pend(pk, event)
        request.events.clear()


class SqlDeliveryLog:
    """flows.ports.DeliveryLog: the key's row commits or rolls back with the change it caused."""

    def __init__(self, executor: Executor, clock: Clock | None = None) -> None:
        self._executor = executor
        self._clock = clock or SystemClock()

    def first_time(self, key: str) -> bool:
        if not key:
            raise ValueError("a delivery key is needed")
        dialect = dialect_name(self._executor)
        # ON CONFLICT DO NOTHING: a concurrent duplicate waits for the first to commit, then
        # inserts nothing; no exception, so the transaction stays usable. RETURNING, not
        # rowcount: drivers disagree on rowcount here, a returned row is unambiguous
        statement = _FIRST_TIME["postgresql" if dialect == "postgresql" else "sqlite"]
        inserted = statement.run(self._executor, {"key": key, "at": self._clock.now()})
        return inserted.first() is not None

    def prune(self, before: datetime) -> int:
        """Forget deliveries older than Slack's retry window, to keep the table small."""
        result = self._executor.execute(delete(deliveries).where(deliveries.c.at < before))
        return affected(result)
