"""Retention runs: find closed requests past `MOSOVO_RETENTION`, and erase their content.

Each erasure is one transaction: the request's content fields (flows/retention.py), its audit
events' details (their digests stay, so the chain verifies), and what the outbox still holds of
its messages, with one `erased` event of metadata only. The run itself is recorded as
`retention_applied` (who, why, how many). Erasing updates audit events, which only the schema
owner may do on PostgreSQL: run it with the owner's URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update

from flows.request_machine import FINAL_STATES
from flows.retention import (
    CLOSING_ACTIONS,
    ERASED_VALUES,
    Closed,
    closed_on,
    describe,
    due_for_erasure,
    erased_answers,
)
from storage.ids import format_request_id, parse_request_id
from storage.prepared import Executor
from storage.repositories import affected
from storage.tables import audit_events_table as events
from storage.tables import outbox_table as outbox
from storage.tables import requests_table as requests
from storage.unit_of_work import Database

_PAGE = 500


class RetentionRefused(ValueError):
    """A run without an operator or a reason: nothing is erased."""


@dataclass(frozen=True)
class RetentionRun:
    operator: str
    reason: str
    retention: timedelta

    def __post_init__(self) -> None:
        if not self.operator.strip():
            raise RetentionRefused("--operator is required: who is erasing (it is recorded)")
        if not self.reason.strip():
            raise RetentionRefused("--reason is required: why (it is recorded; MoPI review)")


def closed_requests(executor: Executor) -> Iterator[Closed]:
    """Every closed request not yet erased, with when it closed (metadata only)."""
    closing = (
        select(events.c.request_id, func.max(events.c.at).label("closed_event_at"))
        .where(events.c.action.in_(sorted(CLOSING_ACTIONS)))
        .group_by(events.c.request_id)
        .subquery()
    )
    last_id = 0
    while True:
        rows = executor.execute(
            select(
                requests.c.id,
                requests.c.state,
                requests.c.created_at,
                requests.c.decided_at,
                requests.c.installed_at,
                requests.c.closed_at,
                closing.c.closed_event_at,
            )
            .outerjoin(closing, closing.c.request_id == requests.c.id)
            .where(requests.c.state.in_(sorted(FINAL_STATES)))
            .where(requests.c.erased_at.is_(None))
            .where(requests.c.id > last_id)
            .order_by(requests.c.id)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        for row in rows:
            moments = (row.closed_event_at, row.closed_at, row.decided_at, row.installed_at)
            closed = closed_on(row.state, *moments) or row.created_at
            yield Closed(format_request_id(row.id), row.state, closed)
        last_id = rows[-1].id


def due_now(db: Database, retention: timedelta) -> list[Closed]:
    with db.read_session_factory() as session:
        return due_for_erasure(closed_requests(session), retention, db.clock.now())


def apply_retention(db: Database, run: RetentionRun) -> list[Closed]:
    """Erase every request that is due, one transaction each, then record the run."""
    due = due_now(db, run.retention)
    erased = [closed for closed in due if erase_request(db, closed, run)]
    with db.uow() as uow:
        uow.audit.append(
            "retention_applied",
            actor=_actor(run),
            at=db.clock.now(),
            detail={
                "operator": run.operator.strip(),
                "reason": run.reason.strip(),
                "retention": describe(run.retention),
                "count": len(erased),
            },
        )
        uow.commit()
    return erased


def erase_request(db: Database, closed: Closed, run: RetentionRun) -> bool:
    """Erase one request's content; False when it was already erased (another run got there)."""
    pk = parse_request_id(closed.request_id)
    now = db.clock.now()
    with db.uow() as uow:
        session = uow.connection
        row = session.execute(
            select(requests.c.answers, requests.c.version)
            .where(requests.c.id == pk)
            .where(requests.c.erased_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            return False
        present = {name: value for name, value in ERASED_VALUES.items() if name in requests.c}
        session.execute(
            update(requests)
            .where(requests.c.id == pk)
            .values(
                answers=erased_answers(row.answers),
                erased_at=now,
                version=row.version + 1,
                **present,
            )
        )
        blanked = affected(
            session.execute(
                update(events)
                .where(and_(events.c.request_id == pk, events.c.erased_at.is_(None)))
                .values(detail={}, detail_salt=None, erased_at=now)
            )
        )
        # what was rendered for Slack holds the same facts; an unsent message is never sent now
        session.execute(
            update(outbox)
            .where(outbox.c.request_id == pk)
            .values(
                payload={},
                extra={},
                last_error=None,
                gave_up_at=func.coalesce(outbox.c.gave_up_at, outbox.c.sent_at, now),
            )
        )
        uow.audit.append(
            "erased",
            actor=_actor(run),
            at=now,
            request_id=closed.request_id,
            detail={
                "operator": run.operator.strip(),
                "reason": run.reason.strip(),
                "closed_at": closed.closed.isoformat(),
                "retention": describe(run.retention),
                "events": blanked,
            },
        )
        uow.commit()
    return True


def _actor(run: RetentionRun) -> str:
    return f"operator:{run.operator.strip()}"


def overdue_by(closed: Closed, retention: timedelta, now: datetime) -> timedelta:
    return now - closed.due_since(retention)
