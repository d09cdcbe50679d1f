"""The request's lifecycle, declared in one place; the state lives on the request itself."""

from __future__ import annotations

from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from flows.errors import InvalidTransition, NotAuthorised, OwnRequest, ReasonRequired
from flows.models import MonitoringRequest


class RequestLifecycle(StateMachine):
    """From the first question to installation, with every way a request can end."""

    # An event with no transition from the current state is an error the caller must hear of.
    allow_event_without_transition = False

    collecting = State(initial=True)
    confirming = State()
    awaiting_approval = State()
    info_requested = State()
    approved = State()
    rejected = State(final=True)
    #: monitoring is in place and reviewed from time to time, until it is removed
    installed = State()
    #: approved, but the installation did not happen (the outcome says why)
    not_installed = State(final=True)
    removed = State(final=True)
    withdrawn = State(final=True)
    expired = State(final=True)
    abandoned = State(final=True)

    answers_complete = collecting.to(confirming)
    edit = confirming.to(collecting) | info_requested.to(collecting)
    submit = confirming.to(awaiting_approval) | info_requested.to(awaiting_approval)
    approve = awaiting_approval.to(
        approved, validators=["decider_is_authorised", "decider_is_not_requester"]
    )
    reject = awaiting_approval.to(
        rejected,
        validators=["decider_is_authorised", "decider_is_not_requester", "reason_is_given"],
    )
    request_info = awaiting_approval.to(
        info_requested,
        validators=["decider_is_authorised", "decider_is_not_requester", "reason_is_given"],
    )
    mark_installed = approved.to(installed)
    mark_not_installed = approved.to(not_installed)
    review = installed.to.itself()
    remove = installed.to(removed)
    withdraw = (
        collecting.to(withdrawn)
        | confirming.to(withdrawn)
        | awaiting_approval.to(withdrawn)
        | info_requested.to(withdrawn)
        | approved.to(withdrawn)
    )
    expire = awaiting_approval.to(expired) | info_requested.to(expired) | approved.to(expired)
    abandon = collecting.to(abandoned) | confirming.to(abandoned)

    def decider_is_authorised(self, authorised: bool = False, **_: Any) -> None:
        if not authorised:
            raise NotAuthorised("Only an authorised supervisor can decide monitoring requests.")

    def decider_is_not_requester(self, decider: str = "", **_: Any) -> None:
        if decider == self.model.officer_id:
            raise OwnRequest("You made this request, so another supervisor must decide it.")

    def reason_is_given(self, reason: str | None = None, **_: Any) -> None:
        if not (reason or "").strip():
            raise ReasonRequired("Give a reason: the officer needs to know what to do next.")


#: what each state allows, read once from the machine: {state: {event, ...}}
ALLOWED: dict[str, frozenset[str]] = {
    state.id: frozenset(str(t.event) for t in state.transitions)
    for state in RequestLifecycle.states
}


def may(request: MonitoringRequest, event: str) -> bool:
    """Whether the machine allows `event` in the request's state ("may this be submitted?")."""
    return event in ALLOWED.get(request.state, frozenset())


def is_collecting(request: MonitoringRequest) -> bool:
    """Still asking questions: the answers are not complete yet."""
    return may(request, "answers_complete")


def at_summary(request: MonitoringRequest) -> bool:
    """The answers are shown for checking and may be submitted or edited."""
    return may(request, "submit")


def awaiting_decision(request: MonitoringRequest) -> bool:
    return may(request, "approve")


def lifecycle(request: MonitoringRequest) -> RequestLifecycle:
    """Bind the machine to a request; the request's `state` field is the single source of truth."""
    return RequestLifecycle(request, state_field="state")


def fire(request: MonitoringRequest, event: str, **kwargs: Any) -> None:
    """Send an event; an illegal one becomes a domain error that says why."""
    machine = lifecycle(request)
    try:
        machine.send(event, **kwargs)
    except TransitionNotAllowed as exc:
        raise InvalidTransition(
            f"{request.request_id or 'This request'} is {request.state.replace('_', ' ')}, "
            f"so it cannot be {_PAST.get(event, event.replace('_', ' '))} now."
        ) from exc


_PAST = {
    "answers_complete": "summarised",
    "edit": "edited",
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "request_info": "sent back for more information",
    "mark_installed": "marked as installed",
    "mark_not_installed": "recorded as not installed",
    "review": "reviewed",
    "remove": "recorded as removed",
    "withdraw": "withdrawn",
    "expire": "expired",
    "abandon": "abandoned",
}


def mermaid_diagram() -> str:
    """The lifecycle as Mermaid source, generated from the machine itself."""
    from statemachine.contrib.diagram import MermaidGraphMachine

    return MermaidGraphMachine(RequestLifecycle).get_mermaid()
