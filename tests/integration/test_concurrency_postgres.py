"""Several replicas on one PostgreSQL: one decision wins, the chain never forks, claims never
overlap. PostgreSQL only: SQLite serialises whole transactions, so there is no race to test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import text

from flows.models import MonitoringRequest
from flows.ports import ConcurrentUpdate, OutboxMessage
from storage.audit import verify_chain
from storage.db import check_migrations, current_revision, head_revision, make_engine, upgrade
from storage.unit_of_work import Database

pytestmark = pytest.mark.postgres
NewRequest = Callable[..., MonitoringRequest]
T = TypeVar("T")


def in_threads(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run work(0..count-1) at the same moment; each thread's result or exception."""
    results: list[T | BaseException] = [RuntimeError("did not run")] * count
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except BaseException as error:
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_ten_supervisors_deciding_at_once_make_exactly_one_decision(
    pg_db: Database, full_request: NewRequest, t0: datetime
) -> None:
    request = full_request(state="awaiting_approval", decided_at=None, decided_by=None)
    with pg_db.uow() as uow:
        uow.requests.add(request)
        uow.commit()
    loaded = threading.Barrier(10)

    def decide(n: int) -> str:
        with pg_db.uow() as uow:
            mine = uow.requests.get(request.request_id or "")
            assert mine is not None
            loaded.wait()  # everyone holds the same version before anyone saves
            mine.state, mine.decided_by, mine.decided_at = "approved", f"U{n}", t0
            mine.record("decided", f"U{n}", t0, decision="approved")
            uow.requests.save(mine)
            uow.commit()
            return f"U{n}"

    results = in_threads(10, decide)
    winners = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if isinstance(r, ConcurrentUpdate)]
    assert (len(winners), len(refusals)) == (1, 9), results

    with pg_db.uow() as uow:
        final = uow.requests.get(request.request_id or "")
        decided = [e for e in uow.audit.history(request.request_id or "") if e.action == "decided"]
    assert final is not None and final.decided_by == winners[0]  # the losers can learn who won
    assert final.version == 1 and [e.actor for e in decided] == winners


def test_writers_appending_at_once_build_one_unbroken_chain(pg_db: Database, t0: datetime) -> None:
    def append(n: int) -> int:
        for i in range(20):
            with pg_db.uow() as uow:
                for j in range(1 + i % 3):  # one to three events per transaction
                    uow.audit.append("viewed", f"U{n}", t0, detail={"i": i, "j": j})
                uow.commit()
        return sum(1 + i % 3 for i in range(20))

    results = in_threads(6, append)
    assert all(isinstance(r, int) for r in results), results
    with pg_db.read_session_factory() as session:
        result = verify_chain(session)
    assert result.ok, result
    assert result.count == sum(r for r in results if isinstance(r, int))


def test_two_claimers_at_once_get_disjoint_requests(
    pg_db: Database, full_request: NewRequest, t0: datetime
) -> None:
    with pg_db.uow() as uow:
        for i in range(10):
            uow.requests.add(full_request(thread_ts=str(i), due_at=t0 - timedelta(minutes=i)))
        uow.commit()

    with pg_db.uow() as first, pg_db.uow() as second:
        # the first has locked its rows but not committed: the second skips them, not waits
        mine = first.requests.claim_due(t0, 60, 6)
        theirs = second.requests.claim_due(t0, 60, 6)
        first.commit()
        second.commit()
    a, b = {r.request_id for r in mine}, {r.request_id for r in theirs}
    assert (len(a), len(b), a & b, len(a | b)) == (6, 4, set(), 10)


def test_many_claimers_in_threads_each_request_goes_to_exactly_one(
    pg_db: Database, full_request: NewRequest, t0: datetime
) -> None:
    with pg_db.uow() as uow:
        for i in range(40):
            uow.requests.add(full_request(thread_ts=str(i), due_at=t0))
        uow.commit()

    def claim(_n: int) -> list[str]:
        got: list[str] = []
        while True:
            with pg_db.uow() as uow:
                batch = uow.requests.claim_due(t0, 300, 3)
                uow.commit()
            if not batch:
                return got
            got += [r.request_id or "" for r in batch]

    results = in_threads(5, claim)
    claimed = [rid for r in results if isinstance(r, list) for rid in r]
    assert len(claimed) == 40 and len(set(claimed)) == 40, results


def test_two_outbox_claimers_at_once_get_disjoint_messages(pg_db: Database, t0: datetime) -> None:
    with pg_db.uow() as uow:
        for i in range(8):
            uow.outbox.add(OutboxMessage("chat.postMessage", {"n": i}, created_at=t0))
        uow.commit()
    with pg_db.uow() as first, pg_db.uow() as second:
        mine = first.outbox.claim_due(t0, 60, 5)
        theirs = second.outbox.claim_due(t0, 60, 5)
        first.commit()
        second.commit()
    a, b = {m.id for m in mine}, {m.id for m in theirs}
    assert (len(a), len(b), a & b) == (5, 3, set())


def test_a_delivery_recorded_by_two_replicas_at_once_counts_once(pg_db: Database) -> None:
    def record(_n: int) -> bool:
        with pg_db.uow() as uow:
            first = uow.deliveries.first_time("Ev-race")
            uow.commit()
            return first

    assert sorted(in_threads(8, record), key=str) == [False] * 7 + [True]


def test_replicas_migrating_at_the_same_start_up_do_not_collide(pg_url: str) -> None:
    results = in_threads(4, lambda _n: upgrade(pg_url))
    assert results == [None] * 4
    engine = make_engine(pg_url)
    try:
        assert current_revision(engine) == head_revision()
        assert check_migrations(engine) == []
    finally:
        engine.dispose()


def test_a_claim_does_not_block_audit_events_for_the_claimed_request(
    pg_db: Database, full_request: NewRequest, t0: datetime
) -> None:
    """The chain lock holder must never wait on a claim's row lock, or the two deadlock."""
    request = full_request(due_at=t0)
    with pg_db.uow() as uow:
        uow.requests.add(request)
        uow.commit()
    with pg_db.uow() as scheduler:
        [claimed] = scheduler.requests.claim_due(t0, 60, 10)
        with pg_db.uow() as bot:
            bot.connection.execute(text("SET LOCAL lock_timeout = '5s'"))
            bot.audit.append("viewed", "U1", t0, request_id=request.request_id)
            bot.outbox.add(OutboxMessage("chat.postMessage", {}, request_id=request.request_id))
            bot.commit()
        claimed.record("reminded", "system", t0)
        scheduler.requests.save(claimed)
        scheduler.commit()
    with pg_db.read_session_factory() as session:
        assert verify_chain(session).count == 2
