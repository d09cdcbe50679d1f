"""SQL adapter for flows.ports.DelegationRepository. Rows are never deleted: a lapsed or
revoked delegation is evidence of who could decide when."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row

from flows.delegation import Delegation
from storage.prepared import Executor
from storage.tables import delegations_table as delegations

_COLUMNS = ("delegate_id", "delegator_id", "until", "created_at", "revoked_at", "revoked_by")


def _to_domain(row: Row[Any]) -> Delegation:
    mapping = row._mapping
    return Delegation(**{name: mapping[name] for name in _COLUMNS}, id=mapping["id"])


class SqlDelegationRepository:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    def add(self, delegation: Delegation) -> None:
        values = {name: getattr(delegation, name) for name in _COLUMNS}
        delegation.id = self._executor.execute(
            insert(delegations).values(**values).returning(delegations.c.id)
        ).scalar_one()

    def active_for(self, delegate_id: str, today: date) -> Delegation | None:
        row = self._executor.execute(
            self._in_force(today)
            .where(delegations.c.delegate_id == delegate_id)
            .order_by(delegations.c.until.desc(), delegations.c.id.desc())
        ).first()
        return _to_domain(row) if row else None

    def active(self, today: date) -> list[Delegation]:
        query = self._in_force(today).order_by(delegations.c.until, delegations.c.id)
        return [_to_domain(row) for row in self._executor.execute(query)]

    def revoke(self, delegate_id: str, by: str, at: datetime, today: date) -> list[Delegation]:
        ending = [
            _to_domain(row)
            for row in self._executor.execute(
                self._in_force(today).where(delegations.c.delegate_id == delegate_id)
            )
        ]
        if ending:
            self._executor.execute(
                update(delegations)
                .where(delegations.c.id.in_([d.id for d in ending]))
                .values(revoked_at=at, revoked_by=by)
            )
        for delegation in ending:
            delegation.revoked_at, delegation.revoked_by = at, by
        return ending

    @staticmethod
    def _in_force(today: date) -> Any:
        return (
            select(delegations)
            .where(delegations.c.revoked_at.is_(None))
            .where(delegations.c.until >= today)
        )
