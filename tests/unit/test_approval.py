"""Supervisors' decisions and what happens after: the first decision wins, stale cards are refused,
installation, expiry and abandonment each close the request with an audit event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from flows.approval import (
    AlreadyClosed,
    DecisionMade,
    abandon,
    check_decider,
    decide,
    expire,
)
from flows.errors import (
    AlreadyDecided,
    DomainError,
    InvalidTransition,
    NotAuthorised,
    NotRequester,
    OwnRequest,
    ReasonRequired,
)
from flows.installation import RecordRefused, record_installation, record_review
from flows.models import MonitoringRequest
from flows.snapshot import to_data
from flows.timers import Timers, pending

OFFICER = "U0OFFICER"
SUPERVISOR = "U0SUPER"
SECOND_SUPERVISOR = "U0SUPER2"
STRANGER = "U0STRANGER"
CARD = "1764500000.000200"
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=2)
TODAY = date(2026, 11, 30)


def awaiting(round_: int = 1, **changes: Any) -> MonitoringRequest:
    values: dict[str, Any] = {
        "officer_id": OFFICER,
        "channel_id": "C0MOSOVO",
        "created_at": T0,
        "request_id": "MR-3",
        "state": "awaiting_approval",
        "submitted_at": T0,
        "approval_round": round_,
        "approval_card_ref": CARD,
        "nudges": {"approval_reminder": (T0 + timedelta(hours=4)).isoformat()},
        "due_at": T0 + timedelta(hours=24),
    }
    values.update(changes)
    return MonitoringRequest(**values)


def nothing_due(request: MonitoringRequest) -> bool:
    """The schedule, which sets `due_at` before every save, has nothing left to do for it."""
    return pending(request, Timers(), ZoneInfo("Europe/London")) == []


def last_event(request: MonitoringRequest) -> tuple[str, str, datetime, dict[str, Any]]:
    event = request.events[-1]
    return event.action, event.actor, event.at, event.detail


# --- decisions ---------------------------------------------------------------------------------


def test_approve_records_who_decided_and_when() -> None:
    request = awaiting()

    made = decide(request, "approve", SUPERVISOR, True, "  ", LATER)

    assert made == DecisionMade("MR-3", "approved", SUPERVISOR, LATER, None, CARD)
    assert request.state == "approved"
    assert (request.decision, request.decided_by, request.decided_at) == (
        "approved",
        SUPERVISOR,
        LATER,
    )
    assert request.decision_reason is None
    assert request.nudges == {}
    assert request.closed_at is None
    assert request.is_open
    assert last_event(request) == (
        "decided",
        SUPERVISOR,
        LATER,
        {"outcome": "approved", "reason": None, "comment": None, "review_date": None},
    )


def test_an_approval_keeps_its_comment_and_review_date_and_a_rejection_has_neither() -> None:
    approved = awaiting()
    decide(
        approved, "approve", SUPERVISOR, True, None, LATER,
        comment="  Check the browser history too. ", review_date=date(2027, 3, 1),
    )  # fmt: skip
    assert (approved.decision_comment, approved.review_date) == (
        "Check the browser history too.",
        date(2027, 3, 1),
    )
    assert last_event(approved)[3] == {
        "outcome": "approved",
        "reason": None,
        "comment": "Check the browser history too.",
        "review_date": "2027-03-01",
    }
    rejected = awaiting()
    decide(
        rejected, "reject", SUPERVISOR, True, "No.", LATER,
        comment="ignored", review_date=date(2027, 3, 1),
    )  # fmt: skip
    assert (rejected.decision_comment, rejected.review_date) == (None, None)


def test_reject_closes_the_request_with_the_trimmed_reason() -> None:
    request = awaiting()

    made = decide(request, "reject", SUPERVISOR, True, "  Not proportionate.\n", LATER)

    assert made == DecisionMade("MR-3", "rejected", SUPERVISOR, LATER, "Not proportionate.", CARD)
    assert request.state == "rejected"
    assert request.decision_reason == "Not proportionate."
    assert (request.closed_at, request.closed_reason) == (LATER, "rejected")
    assert not request.is_open
    assert last_event(request) == (
        "decided",
        SUPERVISOR,
        LATER,
        {"outcome": "rejected", "reason": "Not proportionate."},
    )


def test_request_info_sends_it_back_to_the_officer() -> None:
    request = awaiting()

    made = decide(request, "request_info", SUPERVISOR, True, "Which court?", LATER)

    assert made.outcome == "info_requested"
    assert request.state == "info_requested"
    assert (request.decision, request.decision_reason) == ("info_requested", "Which court?")
    assert request.closed_at is None
    assert last_event(request) == (
        "info_requested",
        SUPERVISOR,
        LATER,
        {"outcome": "info_requested", "reason": "Which court?"},
    )


@pytest.mark.parametrize("decision", ["reject", "request_info"])
def test_reject_and_more_info_without_a_reason_change_nothing(decision: Any) -> None:
    request = awaiting()
    before = to_data(request)

    with pytest.raises(ReasonRequired):
        decide(request, decision, SUPERVISOR, True, " ", LATER)

    assert to_data(request) == before


def test_an_unknown_decision_is_refused() -> None:
    request = awaiting()

    with pytest.raises(DomainError) as refused:
        decide(request, "maybe", SUPERVISOR, True, None, LATER)  # type: ignore[arg-type]

    assert refused.value.message == "Unknown decision 'maybe'."
    assert request.state == "awaiting_approval"


def test_the_requester_cannot_approve_their_own_request() -> None:
    request = awaiting()

    with pytest.raises(OwnRequest):
        decide(request, "approve", OFFICER, True, None, LATER)

    assert request.state == "awaiting_approval"
    assert request.events == []


def test_someone_not_authorised_cannot_decide() -> None:
    request = awaiting()

    with pytest.raises(NotAuthorised):
        decide(request, "approve", STRANGER, False, None, LATER)

    assert request.state == "awaiting_approval"


# --- the first decision wins -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "outcome", "message"),
    [
        ("approve", "approved", "MR-3 was already approved."),
        ("reject", "rejected", "MR-3 was already rejected."),
        (
            "request_info",
            "info_requested",
            "MR-3 was already sent back for more information.",
        ),
    ],
)
@pytest.mark.parametrize("second", ["approve", "reject", "request_info"])
def test_a_second_decision_is_refused_naming_the_first(
    first: Any, outcome: str, message: str, second: Any
) -> None:
    request = awaiting()
    decide(request, first, SUPERVISOR, True, "Reason one.", LATER)
    before = to_data(request)

    with pytest.raises(AlreadyClosed) as refused:
        decide(request, second, SECOND_SUPERVISOR, True, "Reason two.", LATER + timedelta(1))

    error = refused.value
    assert (error.decided_by, error.decision, error.decided_at) == (SUPERVISOR, outcome, LATER)
    assert error.state == outcome
    assert error.message == message
    assert isinstance(error, AlreadyDecided)
    assert error.audit_action == "late_decision_attempt"
    assert to_data(request) == before


def test_a_click_on_the_card_of_an_earlier_round_is_refused() -> None:
    request = awaiting(round_=2)  # resubmitted after more information was asked for

    with pytest.raises(AlreadyClosed) as refused:
        decide(request, "approve", SUPERVISOR, True, None, LATER, expected_round=1)

    assert refused.value.message == (
        "MR-3 has changed since this card was posted: use the latest card."
    )
    assert (refused.value.decided_by, refused.value.decision) == (None, None)
    assert request.state == "awaiting_approval"
    assert request.events == []

    decide(request, "approve", SUPERVISOR, True, None, LATER, expected_round=2)
    assert request.state == "approved"


def test_a_click_while_the_officer_is_editing_is_refused() -> None:
    request = awaiting(state="collecting")

    with pytest.raises(AlreadyClosed) as refused:
        decide(request, "approve", SUPERVISOR, True, None, LATER, expected_round=1)

    assert refused.value.message == (
        "MR-3 has changed since this card was posted: use the latest card."
    )


def test_a_click_on_a_withdrawn_request_says_there_is_nothing_to_decide() -> None:
    request = awaiting(state="withdrawn")

    with pytest.raises(AlreadyClosed) as refused:
        decide(request, "approve", SUPERVISOR, True, None, LATER)

    assert refused.value.message == "MR-3 is withdrawn: nothing to decide."
    assert refused.value.state == "withdrawn"


def test_check_decider_refuses_without_changing_anything() -> None:
    request = awaiting()
    before = to_data(request)

    check_decider(request, SUPERVISOR, True, expected_round=1)
    with pytest.raises(NotAuthorised):
        check_decider(request, STRANGER, False)
    with pytest.raises(OwnRequest):
        check_decider(request, OFFICER, True)
    with pytest.raises(AlreadyClosed):
        check_decider(request, SUPERVISOR, True, expected_round=0)

    assert to_data(request) == before


def test_who_may_decide_is_checked_before_whether_there_is_anything_to_decide() -> None:
    request = awaiting(state="rejected", decided_by=SUPERVISOR, decision="rejected")

    with pytest.raises(NotAuthorised):
        check_decider(request, STRANGER, False)
    with pytest.raises(OwnRequest):
        check_decider(request, OFFICER, True)


# --- installation ------------------------------------------------------------------------------


def approved() -> MonitoringRequest:
    request = awaiting()
    decide(request, "approve", SUPERVISOR, True, None, T0 + timedelta(hours=1))
    request.nudges = {"install_reminder": T0.isoformat()}
    request.due_at = T0 + timedelta(days=3)
    return request


@pytest.mark.parametrize(("actor", "authorised"), [(OFFICER, False), (SECOND_SUPERVISOR, True)])
def test_the_officer_or_a_supervisor_records_the_installation(actor: str, authorised: bool) -> None:
    request = approved()
    request.review_date = date(2027, 3, 1)

    record_installation(
        request, actor, authorised, "installed", TODAY, " On the phone. ", TODAY, TODAY, LATER
    )

    assert request.state == "installed" and request.is_open
    assert (request.installed_at, request.installation_date, request.installation_notes) == (
        LATER,
        TODAY,
        "On the phone.",
    )
    assert request.closed_at is None
    assert [d.kind for d in pending(request, Timers(), ZoneInfo("Europe/London"))] == ["review_due"]
    assert last_event(request) == (
        "installed",
        actor,
        LATER,
        {"outcome": "installed", "date": TODAY.isoformat(), "notes": "On the phone."},
    )


@pytest.mark.parametrize(
    "outcome", ["failed", "device_not_produced", "person_refused", "not_needed"]
)
def test_any_other_outcome_ends_the_request_as_not_installed(outcome: str) -> None:
    request = approved()
    record_installation(request, OFFICER, False, outcome, TODAY, None, TODAY, TODAY, LATER)
    assert request.state == "not_installed" and not request.is_open
    assert request.installation_outcome == outcome and request.closed_at == LATER
    assert nothing_due(request)
    assert last_event(request)[0] == "not_installed"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (TODAY + timedelta(days=1), "cannot be in the future"),
        (TODAY - timedelta(days=1), "cannot be before the approval on 30 November 2026"),
        (None, "Give the day"),
    ],
)
def test_the_installation_day_is_not_in_the_future_nor_before_the_approval(
    on: date | None, expected: str
) -> None:
    request = approved()
    with pytest.raises(RecordRefused, match=expected):
        record_installation(request, OFFICER, False, "installed", on, None, TODAY, TODAY, LATER)
    assert request.state == "approved"


def test_nobody_else_can_record_the_installation() -> None:
    request = approved()
    with pytest.raises(NotRequester):
        record_installation(request, STRANGER, False, "installed", TODAY, None, TODAY, TODAY, LATER)
    assert request.state == "approved" and request.installed_at is None


def test_a_request_not_yet_approved_cannot_be_recorded_as_installed() -> None:
    request = awaiting()
    with pytest.raises(InvalidTransition, match="cannot be marked as installed now"):
        record_installation(request, OFFICER, False, "installed", TODAY, None, TODAY, TODAY, LATER)


def test_a_review_continues_with_a_new_date_or_records_the_removal() -> None:
    request = approved()
    record_installation(request, OFFICER, False, "installed", TODAY, None, TODAY, TODAY, LATER)
    record_review(
        request, SUPERVISOR, True, "continue", date(2027, 6, 1), "Still needed", TODAY, LATER
    )
    assert (request.state, request.review_date) == ("installed", date(2027, 6, 1))
    assert last_event(request)[3] == {
        "outcome": "continue",
        "review_date": "2027-06-01",
        "notes": "Still needed",
    }
    with pytest.raises(RecordRefused, match="after today"):
        record_review(request, OFFICER, False, "continue", TODAY, None, TODAY, LATER)
    record_review(request, OFFICER, False, "removed", None, None, TODAY, LATER)
    assert request.state == "removed" and not request.is_open and nothing_due(request)


# --- expiry and abandonment --------------------------------------------------------------------


@pytest.mark.parametrize("state", ["awaiting_approval", "info_requested", "approved"])
def test_expire_closes_the_request_with_the_reason(state: str) -> None:
    request = awaiting(state=state)
    reason = "no decision within 7 days"

    expire(request, reason, LATER)

    assert request.state == "expired"
    assert (request.closed_at, request.closed_reason) == (LATER, reason)
    assert nothing_due(request)
    assert not request.is_open
    assert last_event(request) == (
        "expired",
        "system",
        LATER,
        {"from_state": state, "reason": reason},
    )


@pytest.mark.parametrize("state", ["collecting", "confirming", "rejected", "installed"])
def test_expire_is_refused_where_there_is_no_approval_to_lapse(state: str) -> None:
    request = awaiting(state=state)

    with pytest.raises(InvalidTransition):
        expire(request, "lapsed", LATER)

    assert request.state == state
    assert request.closed_at is None
    assert request.events == []


@pytest.mark.parametrize("state", ["collecting", "confirming"])
def test_abandon_closes_a_request_the_officer_stopped_answering(state: str) -> None:
    request = awaiting(state=state, current_field="visor_ref" if state == "collecting" else None)

    abandon(request, LATER)

    assert request.state == "abandoned"
    assert (request.closed_at, request.closed_reason) == (LATER, "no answer from the officer")
    assert request.current_field is None
    assert nothing_due(request)
    assert last_event(request) == ("abandoned", "system", LATER, {})


@pytest.mark.parametrize("state", ["awaiting_approval", "approved", "withdrawn"])
def test_abandon_is_refused_once_the_officer_has_submitted(state: str) -> None:
    request = awaiting(state=state)

    with pytest.raises(InvalidTransition):
        abandon(request, LATER)

    assert request.state == state
    assert request.events == []
