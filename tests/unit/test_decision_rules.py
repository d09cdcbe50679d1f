"""The rules a force sets, without I/O: two-person approval, delegation, no self-approval."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from flows.approval import PARTLY_APPROVED, check_decider, decide
from flows.delegation import Delegation, DelegationRefused, check_revoker, delegate
from flows.errors import ApprovedAlready, OwnRequest, SelfApproval
from flows.models import MonitoringRequest
from flows.rounds import begin_round, round_of
from flows.second_approval import Condition, SecondApproval

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)
OFFICER, SUP1, SUP2 = "U0OFFICER", "U0SUP1", "U0SUP2"


def awaiting(**answers: Any) -> MonitoringRequest:
    request = MonitoringRequest(OFFICER, "G0", T0, request_id="MR-9", state="awaiting_approval")
    request.answers = {"rosh_level": "high", "legal_basis": "order", **answers}
    request.approval_round = 1
    request.approval_card_ref = "1.2"
    begin_round(request, T0)
    return request


# -- MOSOVO_SECOND_APPROVAL --------------------------------------------------------------------


def test_conditions_are_read_and_checked_against_what_the_rules_know() -> None:
    rules = SecondApproval.parse("rosh:very_high, flag:no_monitoring_clause,basis:voluntary")
    assert rules.conditions == (
        Condition("rosh", "very_high"),
        Condition("flag", "no_monitoring_clause"),
        Condition("basis", "voluntary"),
    )
    assert SecondApproval.parse("").conditions == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rosh", "is not a condition"),
        ("colour:red", "is not a condition"),
        ("rosh:extreme", "unknown rosh"),
        ("flag:bad_vibes", "unknown flag"),
        ("basis:hunch", "unknown basis"),
    ],
)
def test_an_unknown_condition_is_refused(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        SecondApproval.parse(text)


def test_any_condition_that_holds_asks_for_two_approvals() -> None:
    rules = SecondApproval.parse("rosh:very_high,flag:no_monitoring_clause,basis:voluntary")
    assert rules.approvals_needed({"rosh_level": "high", "legal_basis": "order"}, {}) == 1
    assert rules.approvals_needed({"rosh_level": "very_high"}, {}) == 2
    assert rules.approvals_needed({}, {"order_lacks_monitoring_clause": True}) == 2
    assert rules.reasons({"legal_basis": "voluntary"}, {}) == ["basis:voluntary"]
    assert SecondApproval().approvals_needed({"rosh_level": "very_high"}, {}) == 1


# -- two approvals --------------------------------------------------------------------------------


def test_the_first_of_two_approvals_is_recorded_and_the_request_still_waits() -> None:
    request = awaiting()
    made = decide(request, "approve", SUP1, True, None, T0, 1, comment="ok", approvals_needed=2)
    assert made.outcome == PARTLY_APPROVED
    assert request.state == "awaiting_approval" and request.decided_by is None
    assert [a["by"] for a in round_of(request).approvals] == [SUP1]
    assert request.events[-1].action == "approval_recorded"
    with pytest.raises(ApprovedAlready):
        decide(request, "approve", SUP1, True, None, T0, 1, approvals_needed=2)
    second = decide(
        request, "approve", SUP2, True, None, T0, 1,
        review_date=date(2027, 1, 1), approvals_needed=2,
    )  # fmt: skip
    assert second.outcome == "approved" and request.state == "approved"
    assert request.events[-1].detail["approved_by"] == [SUP1, SUP2]
    assert request.review_date == date(2027, 1, 1) and request.decision_comment == "ok"


def test_the_earlier_of_two_review_dates_binds() -> None:
    request = awaiting()
    decide(request, "approve", SUP1, True, None, T0, 1, review_date=date(2027, 3, 1),
           approvals_needed=2)  # fmt: skip
    decide(request, "approve", SUP2, True, None, T0, 1, review_date=date(2027, 2, 1),
           approvals_needed=2)  # fmt: skip
    assert request.review_date == date(2027, 2, 1)


def test_after_a_first_approval_either_may_reject_or_ask_for_more() -> None:
    for decision, state in (("reject", "rejected"), ("request_info", "info_requested")):
        request = awaiting()
        decide(request, "approve", SUP1, True, None, T0, 1, approvals_needed=2)
        decide(request, decision, SUP1, True, "No.", T0, 1, approvals_needed=2)  # type: ignore[arg-type]
        assert request.state == state


# -- no self-approval -------------------------------------------------------------------------


def test_whoever_answered_or_changed_a_request_may_not_approve_it() -> None:
    request = awaiting()
    request.record("answer_changed", SUP1, T0, field="notes", before=None, after="x")
    request.record("reminded", "system", T0)
    assert request.contributors == [SUP1]
    with pytest.raises(SelfApproval):
        check_decider(request, SUP1, True, 1, "approve")
    check_decider(request, SUP1, True, 1, "reject")  # they may still say no
    with pytest.raises(OwnRequest):
        check_decider(request, OFFICER, True, 1, "approve")


def test_the_officers_own_answers_make_them_a_contributor() -> None:
    request = MonitoringRequest(OFFICER, "G0", T0)
    request.record("created", OFFICER, T0)
    request.record("answered", OFFICER, T0, field="visor_ref")
    assert request.contributors == [OFFICER]


# -- delegation ---------------------------------------------------------------------------------


def test_a_supervisor_delegates_until_the_end_of_a_day() -> None:
    given = delegate(SUP1, True, "U0DEPUTY", "24/12/2026", TODAY, T0)
    assert (given.delegate_id, given.delegator_id, given.until) == (
        "U0DEPUTY",
        SUP1,
        date(2026, 12, 24),
    )
    assert given.active_on(date(2026, 12, 24)) and not given.active_on(date(2026, 12, 25))


def test_a_revoked_delegation_is_not_in_force() -> None:
    given = Delegation("U0DEPUTY", SUP1, date(2026, 12, 24), T0)
    given.revoked_at = T0 + timedelta(hours=1)
    assert not given.active_on(TODAY)


@pytest.mark.parametrize(
    ("by_supervisor", "to", "until", "expected"),
    [
        (False, "U0DEPUTY", "24/12/2026", "Only a supervisor"),
        (True, SUP1, "24/12/2026", "yourself"),
        (True, "U0DEPUTY", "29/11/2026", "has passed"),
        (True, "U0DEPUTY", "1/1/2028", "a year at most"),
        (True, "U0DEPUTY", "when I'm back", "The end date"),
    ],
)
def test_a_delegation_that_may_not_be_given_says_why(
    by_supervisor: bool, to: str, until: str, expected: str
) -> None:
    with pytest.raises(DelegationRefused, match=expected):
        delegate(SUP1, by_supervisor, to, until, TODAY, T0)


def test_only_a_supervisor_revokes() -> None:
    check_revoker(True)
    with pytest.raises(DelegationRefused):
        check_revoker(False)
