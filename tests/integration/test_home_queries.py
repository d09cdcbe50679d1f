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
