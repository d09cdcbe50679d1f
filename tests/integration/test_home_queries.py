"""App Home's queries: the decision queue, an officer's requests and a person's decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flows.models import MonitoringRequest
from storage.unit_of_work import Database

Store = Callable[[MonitoringRequest], MonitoringRequest]


def awaiting(t0: datetime, officer: str, minutes: int, **overrides: object) -> MonitoringRequest:
    request = MonitoringRequest(officer, "G1", created_at=t0)
    request.state = "awaiting_approval"
    request.submitted_at = t0 + timedelta(minutes=minutes)
    for name, value in overrides.items():
        setattr(request, name, value)
    return request


def test_the_queue_is_oldest_first_paged_and_leaves_out_a_deciders_own_requests(
    db: Database, store: Store, t0: datetime
) -> None:
    newest = store(awaiting(t0, "U1", 30))
    oldest = store(awaiting(t0, "U2", 10))
    middle = store(awaiting(t0, "U1", 20))
    own = store(awaiting(t0, "USUP", 5))
    store(awaiting(t0, "U1", 1, state="collecting"))
    with db.reader() as uow:
        first = uow.requests.awaiting_decision("USUP", False, limit=2)
        second = uow.requests.awaiting_decision("USUP", False, limit=2, offset=2)
        as_someone_else = uow.requests.awaiting_decision("UX", False, limit=10)
    assert [r.request_id for r in first.items] == [oldest.request_id, middle.request_id]
    assert (first.total, first.has_previous, first.has_next) == (3, False, True)
    assert [r.request_id for r in second.items] == [newest.request_id]
    assert (second.has_previous, second.has_next) == (True, False)
    assert own.request_id in [r.request_id for r in as_someone_else.items]


def test_an_offset_past_the_end_gives_the_last_item_rather_than_nothing(
    db: Database, store: Store, t0: datetime
) -> None:
    only = store(awaiting(t0, "U1", 10))
    with db.reader() as uow:
        page = uow.requests.awaiting_decision("USUP", False, limit=10, offset=50)
    assert [r.request_id for r in page.items] == [only.request_id]


def test_an_escalation_approver_sees_only_escalated_requests(
    db: Database, store: Store, t0: datetime
) -> None:
    store(awaiting(t0, "U1", 10, nudges={"approval_reminder": t0.isoformat()}))
    escalated = store(awaiting(t0, "U1", 20, nudges={"escalate": t0.isoformat()}))
    with db.reader() as uow:
        page = uow.requests.awaiting_decision("UESC", True, limit=10)
    assert [r.request_id for r in page.items] == [escalated.request_id]


def test_an_officers_requests_are_newest_first_in_every_state(
    db: Database, store: Store, t0: datetime
) -> None:
    older = store(awaiting(t0, "U1", 10, state="rejected"))
    newer = store(awaiting(t0, "U1", 20))
    store(awaiting(t0, "U2", 20))
    with db.reader() as uow:
        page = uow.requests.for_officer("U1", limit=10)
    assert [r.request_id for r in page.items] == [newer.request_id, older.request_id]
    assert page.total == 2


def test_a_persons_decisions_come_from_the_audit_trail_newest_first(
    db: Database, store: Store, t0: datetime
) -> None:
    first = store(awaiting(t0, "U1", 10))
    second = store(awaiting(t0, "U1", 20))
    with db.uow() as uow:
        uow.audit.append("decided", "USUP", t0, first.request_id, {"outcome": "approved"})
        uow.audit.append("reminded", "USUP", t0, second.request_id, {})
        uow.audit.append("info_requested", "USUP", t0, second.request_id, {"outcome": "x"})
        uow.audit.append("decided", "UOTHER", t0, second.request_id, {"outcome": "rejected"})
        uow.commit()
    with db.reader() as uow:
        decisions = uow.audit.decisions_by("USUP", limit=20)
        latest = uow.audit.decisions_by("USUP", limit=1)
    assert [(rid, e.action) for rid, e in decisions] == [
        (second.request_id, "info_requested"),
        (first.request_id, "decided"),
    ]
    assert len(latest) == 1


def test_a_request_the_decider_answered_or_changed_is_not_in_their_queue(
    db: Database, store: Store, t0: datetime
) -> None:
    helped = store(awaiting(t0, "U1", 10, contributors=["U1", "USUP"]))
    other = store(awaiting(t0, "U1", 20, contributors=["U1", "USUPX"]))
    with db.reader() as uow:
        mine = uow.requests.awaiting_decision("USUP", False, limit=10)
        theirs = uow.requests.awaiting_decision("USUPX", False, limit=10)
        wildcard = uow.requests.awaiting_decision("U%", False, limit=10)
    assert [r.request_id for r in mine.items] == [other.request_id]
    assert [r.request_id for r in theirs.items] == [helped.request_id]
    assert wildcard.total == 2  # a LIKE wildcard in an id matches only itself


def first_approval(by: str, at: datetime, number: int = 1) -> dict[str, object]:
    """A round record holding one approval of two (as flows.approval records it)."""
    return {
        "round": number,
        "submitted_at": at.isoformat(),
        "answers": {},
        "flags": {},
        "approvals": [{"by": by, "at": at.isoformat(), "on_behalf_of": None}],
    }


def queue_of(db: Database, decider: str) -> list[str | None]:
    with db.reader() as uow:
        return [r.request_id for r in uow.requests.awaiting_decision(decider, False, 10).items]


def test_a_first_approver_no_longer_sees_the_request_but_other_deciders_do(
    db: Database, store: Store, t0: datetime
) -> None:
    waiting = store(awaiting(t0, "U1", 10, approval_round=1, rounds=[first_approval("USUP", t0)]))
    with db.uow() as uow:
        loaded = uow.requests.get(str(waiting.request_id))
        assert loaded is not None
        uow.requests.save(loaded)  # the approval was given: the request is saved with it
        uow.commit()
    assert queue_of(db, "USUP") == []
    assert queue_of(db, "USUP2") == [waiting.request_id]
    assert queue_of(db, "US") == [waiting.request_id]  # an approver's id matches only itself


def test_the_approvers_of_a_round_are_saved_with_the_request_or_not_at_all(
    db: Database, store: Store, t0: datetime
) -> None:
    waiting = store(awaiting(t0, "U1", 10, approval_round=1))
    with db.uow() as uow:
        loaded = uow.requests.get(str(waiting.request_id))
        assert loaded is not None
        loaded.rounds = [first_approval("USUP", t0)]
        uow.requests.save(loaded)
        # not committed: the unit of work rolls back, the approval with it
    assert queue_of(db, "USUP") == [waiting.request_id]
    with db.uow() as uow:
        loaded = uow.requests.get(str(waiting.request_id))
        assert loaded is not None
        loaded.rounds = [first_approval("USUP", t0)]
        uow.requests.save(loaded)
        uow.requests.save(loaded)  # saved again: the approver is noted once
        uow.commit()
    assert queue_of(db, "USUP") == []


def test_a_resubmitted_request_is_back_in_the_first_approvers_queue(
    db: Database, store: Store, t0: datetime
) -> None:
    """An approval belongs to its round: after more information and a resubmission, both
    approvals are needed again, and may come from anyone who may decide."""
    waiting = store(awaiting(t0, "U1", 10, approval_round=1))
    with db.uow() as uow:
        loaded = uow.requests.get(str(waiting.request_id))
        assert loaded is not None
        loaded.rounds = [first_approval("USUP", t0)]
        uow.requests.save(loaded)
        uow.commit()
    with db.uow() as uow:
        loaded = uow.requests.get(str(waiting.request_id))
        assert loaded is not None
        loaded.approval_round = 2
        loaded.rounds.append({"round": 2, "submitted_at": t0.isoformat(), "answers": {}})
        uow.requests.save(loaded)
        uow.commit()
    assert queue_of(db, "USUP") == [waiting.request_id]
