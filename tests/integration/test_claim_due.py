"""The scheduler's claims: only what is due, once per lease, along an index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text

from flows.models import MonitoringRequest
from storage.repositories import due_requests_query
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]
MINUTE = timedelta(minutes=1)


def claim(db: Database, now: datetime, lease: float = 60, limit: int = 10) -> list[str]:
    with db.uow() as uow:
        claimed = uow.requests.claim_due(now, lease, limit)
        uow.commit()
    return [r.request_id or "" for r in claimed]


def test_only_requests_whose_time_has_come_are_claimed_oldest_first(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    late = store(full_request(thread_ts="1", due_at=t0 - 5 * MINUTE))
    on_time = store(full_request(thread_ts="2", due_at=t0))
    store(full_request(thread_ts="3", due_at=t0 + MINUTE))
    store(full_request(thread_ts="4", due_at=None))
    assert claim(db, t0) == [late.request_id, on_time.request_id]


def test_a_claim_returns_the_whole_request(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    original = store(full_request(due_at=t0))
    with db.uow() as uow:
        [claimed] = uow.requests.claim_due(t0, 60, 10)
    assert claimed == original


def test_a_leased_request_is_not_claimed_again_until_the_lease_expires(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request(due_at=t0))
    assert claim(db, t0, lease=60) == [request.request_id]
    assert claim(db, t0 + timedelta(seconds=30)) == []
    assert claim(db, t0 + timedelta(seconds=60)) == []  # still held at the very instant
    assert claim(db, t0 + timedelta(seconds=61)) == [request.request_id]


def test_the_limit_bounds_each_claim_and_the_rest_stay_for_the_next(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    ids = [
        store(full_request(thread_ts=str(i), due_at=t0 - i * MINUTE)).request_id for i in range(5)
    ]
    first, second = claim(db, t0, limit=3), claim(db, t0, limit=3)
    assert first == list(reversed(ids))[:3]
    assert second == list(reversed(ids))[3:]


def test_an_uncommitted_claim_leases_nothing(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request(due_at=t0))
    with db.uow() as uow:
        uow.requests.claim_due(t0, 60, 10)
    assert claim(db, t0) == [request.request_id]


def test_saving_or_releasing_a_claimed_request_ends_its_lease(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request(due_at=t0))
    with db.uow() as uow:
        [claimed] = uow.requests.claim_due(t0, 600, 10)
        claimed.nudges["idle"] = t0.isoformat()
        uow.requests.save(claimed)  # still due: the scheduler did not move due_at on
        uow.commit()
    assert claim(db, t0) == [request.request_id]

    with db.uow() as uow:
        uow.requests.release(request.request_id or "")
        uow.commit()
    assert claim(db, t0) == [request.request_id]


def test_a_claim_does_not_change_the_version(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    request = store(full_request(due_at=t0))
    claim(db, t0)
    with db.uow() as uow:
        loaded = uow.requests.get(request.request_id or "")
        assert loaded is not None and loaded.version == request.version
        uow.requests.save(loaded)  # a bot holding the request before the claim can still save
        uow.commit()


def test_the_due_query_walks_an_index_not_the_table(db: Database, t0: datetime) -> None:
    with db.engine.connect() as connection:
        compiled = due_requests_query(t0, 10).compile(connection)
        if connection.dialect.name == "postgresql":
            # with sequential scans priced out, any usable index is taken: none means none fits
            connection.execute(text("SET enable_seqscan = off"))
            prefix = "EXPLAIN "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        plan = "\n".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                prefix + str(compiled),
                tuple(compiled.params.values())
                if connection.dialect.name == "sqlite"
                else compiled.params,
            )
        )
    assert "ix_requests_due_at" in plan, plan
    assert "Seq Scan" not in plan and "SCAN requests" not in plan, plan
