"""The request lifecycle: every allowed transition, refusals that say why, the decision guards,
the diagram generated from the machine, and the state kept on the request itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from statemachine.exceptions import TransitionNotAllowed

from flows.errors import (
    DomainError,
    InvalidTransition,
    NotAuthorised,
    OwnRequest,
    ReasonRequired,
)
from flows.i18n import translator
from flows.models import MonitoringRequest
from flows.request_machine import (
    FINAL_STATES,
    OPEN_STATES,
    RequestLifecycle,
    fire,
    lifecycle,
    mermaid_diagram,
)
from flows.snapshot import from_data, to_data
from flows.waiting import state_words
from tests.support.i18n import assert_translated, marked_translations, plain

OFFICER = "U0OFFICER"
SUPERVISOR = "U0SUPER"
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

STATES = [
    "collecting",
    "confirming",
    "awaiting_approval",
    "info_requested",
    "approved",
    "rejected",
    "installed",
    "not_installed",
    "removed",
    "withdrawn",
    "expired",
    "abandoned",
]
EVENTS = [
    "answers_complete",
    "edit",
    "submit",
    "approve",
    "reject",
    "request_info",
    "mark_installed",
    "mark_not_installed",
    "review",
    "remove",
    "withdraw",
    "expire",
    "abandon",
]
#: (from, event, to): the whole lifecycle of issue 2
ALLOWED = [
    ("collecting", "answers_complete", "confirming"),
    ("collecting", "withdraw", "withdrawn"),
    ("collecting", "abandon", "abandoned"),
    ("confirming", "edit", "collecting"),
    ("confirming", "submit", "awaiting_approval"),
    ("confirming", "withdraw", "withdrawn"),
    ("confirming", "abandon", "abandoned"),
    ("awaiting_approval", "approve", "approved"),
    ("awaiting_approval", "reject", "rejected"),
    ("awaiting_approval", "request_info", "info_requested"),
    ("awaiting_approval", "withdraw", "withdrawn"),
    ("awaiting_approval", "expire", "expired"),
    ("info_requested", "edit", "collecting"),
    ("info_requested", "submit", "awaiting_approval"),
    ("info_requested", "withdraw", "withdrawn"),
    ("info_requested", "expire", "expired"),
    ("approved", "mark_installed", "installed"),
    ("approved", "mark_not_installed", "not_installed"),
    ("installed", "review", "installed"),
    ("installed", "remove", "removed"),
    ("approved", "withdraw", "withdrawn"),
    ("approved", "expire", "expired"),
]
ALLOWED_PAIRS = {(source, event) for source, event, _ in ALLOWED}
ILLEGAL = [(s, e) for s in STATES for e in EVENTS if (s, e) not in ALLOWED_PAIRS]
#: what a good decision carries (the guards look at these)
DECIDING = {"decider": SUPERVISOR, "authorised": True, "reason": "Proportionate."}


def request_in(state: str, request_id: str | None = "MR-3") -> MonitoringRequest:
    return MonitoringRequest(
        officer_id=OFFICER,
        channel_id="C0MOSOVO",
        created_at=T0,
        request_id=request_id,
        state=state,
    )


@pytest.mark.parametrize(("source", "event", "target"), ALLOWED)
def test_every_allowed_transition_moves_the_request(source: str, event: str, target: str) -> None:
    request = request_in(source)

    fire(request, event, **DECIDING)

    assert request.state == target


@pytest.mark.parametrize(("source", "event"), ILLEGAL)
def test_every_other_transition_is_refused_with_a_domain_error(source: str, event: str) -> None:
    request = request_in(source)

    with pytest.raises(InvalidTransition) as refused:
        fire(request, event, **DECIDING)

    english = state_words(source, translator("en"))
    assert refused.value.message.startswith(f"MR-3 is {english}, so it cannot")
    # drawn again in the reader's language, every word of it catalogued
    with marked_translations():
        welsh = refused.value.shown(translator("cy"))
    assert_translated({"text": welsh}, user_data=["MR-3"])
    assert plain(welsh).startswith(f"Mae MR-3 yn y cyflwr {state_words(source, translator('cy'))}")
    assert isinstance(refused.value.__cause__, TransitionNotAllowed)
    assert request.state == source


@pytest.mark.parametrize(
    ("source", "event", "message"),
    [
        ("withdrawn", "submit", "MR-3 is withdrawn, so it cannot be submitted now."),
        ("collecting", "approve", "MR-3 is being written, so it cannot be approved now."),
        ("rejected", "reject", "MR-3 is rejected, so it cannot be rejected now."),
        (
            "approved",
            "request_info",
            "MR-3 is approved, awaiting installation, so it cannot be sent back for more information now.",
        ),
        (
            "info_requested",
            "mark_installed",
            "MR-3 is more information requested, so it cannot be marked as installed now.",
        ),
        ("installed", "withdraw", "MR-3 is installed, review due, so it cannot be withdrawn now."),
        ("expired", "expire", "MR-3 is expired, so it cannot be expired now."),
        (
            "awaiting_approval",
            "abandon",
            "MR-3 is awaiting a decision, so it cannot be abandoned now.",
        ),
        ("awaiting_approval", "edit", "MR-3 is awaiting a decision, so it cannot be edited now."),
        (
            "confirming",
            "answers_complete",
            "MR-3 is ready to submit, so it cannot be summarised now.",
        ),
    ],
)
def test_a_refusal_says_what_state_the_request_is_in_and_what_cannot_happen(
    source: str, event: str, message: str
) -> None:
    request = request_in(source)

    with pytest.raises(InvalidTransition) as refused:
        fire(request, event, **DECIDING)

    assert refused.value.message == message
    assert str(refused.value) == message


def test_a_request_without_an_id_yet_is_called_this_request() -> None:
    request = request_in("collecting", request_id=None)

    with pytest.raises(InvalidTransition) as refused:
        fire(request, "submit")

    assert refused.value.message == "This request is being written, so it cannot be submitted now."


def test_an_unknown_event_is_refused_not_crashed() -> None:
    request = request_in("awaiting_approval")

    with pytest.raises(InvalidTransition):
        fire(request, "teleport")

    assert request.state == "awaiting_approval"


# --- the decision guards -----------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["approve", "reject", "request_info"])
def test_the_requester_cannot_decide_their_own_request(decision: str) -> None:
    request = request_in("awaiting_approval")

    with pytest.raises(OwnRequest) as refused:
        fire(request, decision, decider=OFFICER, authorised=True, reason="Fine.")

    assert refused.value.message == "You made this request, so another supervisor must decide it."
    assert refused.value.audit_action == "unauthorised_decision_attempt"
    assert request.state == "awaiting_approval"


@pytest.mark.parametrize("decision", ["approve", "reject", "request_info"])
def test_only_an_authorised_supervisor_can_decide(decision: str) -> None:
    request = request_in("awaiting_approval")

    with pytest.raises(NotAuthorised) as refused:
        fire(request, decision, decider=SUPERVISOR, authorised=False, reason="Fine.")

    assert refused.value.message == "Only an authorised supervisor can decide monitoring requests."
    assert request.state == "awaiting_approval"


def test_a_decision_without_saying_who_may_decide_is_not_authorised() -> None:
    request = request_in("awaiting_approval")

    with pytest.raises(NotAuthorised):
        fire(request, "approve", decider=SUPERVISOR)

    assert request.state == "awaiting_approval"


@pytest.mark.parametrize("decision", ["reject", "request_info"])
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_reject_and_more_info_need_a_reason(decision: str, reason: str | None) -> None:
    request = request_in("awaiting_approval")

    with pytest.raises(ReasonRequired) as refused:
        fire(request, decision, decider=SUPERVISOR, authorised=True, reason=reason)

    assert refused.value.message == "Give a reason: the officer needs to know what to do next."
    assert request.state == "awaiting_approval"


def test_approve_needs_no_reason() -> None:
    request = request_in("awaiting_approval")

    fire(request, "approve", decider=SUPERVISOR, authorised=True, reason=None)

    assert request.state == "approved"


def test_a_guard_refusal_is_a_domain_error_and_not_a_library_error() -> None:
    for error in (OwnRequest, NotAuthorised, ReasonRequired, InvalidTransition):
        assert issubclass(error, DomainError)
        assert not issubclass(error, TransitionNotAllowed)


def test_a_decision_on_a_request_not_awaiting_approval_is_refused_before_the_guards() -> None:
    request = request_in("confirming")

    with pytest.raises(InvalidTransition):
        fire(request, "approve", decider=OFFICER, authorised=False)


# --- the diagram -------------------------------------------------------------------------------


def test_the_diagram_shows_every_state_and_every_transition() -> None:
    diagram = mermaid_diagram()
    lines = {line.strip() for line in diagram.splitlines()}

    assert diagram.startswith("stateDiagram-v2")
    for state in STATES:
        assert any(line.endswith(f" as {state}") for line in lines), state
    for source, _event, target in ALLOWED:
        assert any(line.startswith(f"{source} --> {target} :") for line in lines), (source, target)
    assert "[*] --> collecting" in lines
    for final in ("rejected", "not_installed", "removed", "withdrawn", "expired", "abandoned"):
        assert f"{final} --> [*]" in lines
    assert "awaiting_approval --> info_requested : Request info" in lines
    assert 'state "Awaiting approval" as awaiting_approval' in lines
    transitions = [line for line in lines if "-->" in line and "[*]" not in line]
    assert len(transitions) == len(ALLOWED)


def test_the_diagram_is_generated_from_the_machine_itself() -> None:
    from_machine = {
        (t.source.id, t.target.id) for s in RequestLifecycle.states for t in s.transitions
    }

    assert from_machine == {(source, target) for source, _event, target in ALLOWED}
    assert [s.id for s in RequestLifecycle.states] == STATES
    assert [e.id for e in lifecycle(request_in("collecting")).events] == EVENTS


# --- the state lives on the request ------------------------------------------------------------


def test_the_models_open_and_final_states_match_the_machine() -> None:
    finals = {s.id for s in RequestLifecycle.states if s.final}

    assert finals == FINAL_STATES
    assert set(STATES) == OPEN_STATES | FINAL_STATES
    assert not OPEN_STATES & FINAL_STATES
    assert [s.id for s in RequestLifecycle.states if s.initial] == ["collecting"]


@pytest.mark.parametrize("state", STATES)
def test_the_machine_binds_to_the_requests_state_field(state: str) -> None:
    request = request_in(state)

    machine = lifecycle(request)

    assert machine.model is request
    assert [s.id for s in machine.configuration] == [state]
    assert request.state == state  # binding never resets a saved state to the initial one
    assert request.is_open is (state in OPEN_STATES)


def test_a_transition_is_persisted_on_the_request_and_survives_a_restore() -> None:
    request = request_in("confirming")

    fire(request, "submit")
    restored = from_data(json.loads(json.dumps(to_data(request))))
    fire(restored, "approve", decider=SUPERVISOR, authorised=True)

    assert request.state == "awaiting_approval"
    assert restored.state == "approved"
    assert [s.id for s in lifecycle(restored).configuration] == ["approved"]


def test_the_machine_keeps_no_state_of_its_own_between_events() -> None:
    request = request_in("confirming")
    machine = lifecycle(request)

    request.state = "approved"  # e.g. another replica saved a decision meanwhile

    with pytest.raises(InvalidTransition, match="MR-3 is approved"):
        fire(request, "submit")
    assert [s.id for s in machine.configuration] == ["approved"]
