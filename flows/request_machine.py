"""The request's lifecycle, declared in one place; the state lives on the request itself.

`Stage` names the states as they are stored; the machine declares which is initial, which are
final and every transition. Everything else asks this module ("may this be submitted?", "is it
open?") or names a state through `Stage`, never by spelling it (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States

from flows.errors import InvalidTransition, NotAuthorised, OwnRequest, ReasonRequired
from flows.i18n import Translator


def not_authorised(t: Translator) -> str:
    """A decision refused to someone who may not decide, in the reader's language."""
    return t("Only an authorised supervisor can decide monitoring requests.")


def own_request(t: Translator) -> str:
    """A decision refused to the officer who made the request, in the reader's language."""
    return t("You made this request, so another supervisor must decide it.")


class Stage(StrEnum):
    """A request's states, each named as stored (`requests.state`): a member's name is its
    value, so a member and the stored text are the same string."""

    collecting = "collecting"
    confirming = "confirming"
    awaiting_approval = "awaiting_approval"
    info_requested = "info_requested"
    approved = "approved"
    rejected = "rejected"
    #: monitoring is in place and reviewed from time to time, until it is removed
    installed = "installed"
    #: approved, but the installation did not happen (the outcome says why)
    not_installed = "not_installed"
    removed = "removed"
    withdrawn = "withdrawn"
    expired = "expired"
    abandoned = "abandoned"


class Tracked(Protocol):
    """What the machine binds to: a request (flows.models.MonitoringRequest), whose `state`
    field holds its state as stored."""

    state: str
    request_id: str | None
    officer_id: str


class RequestLifecycle(StateMachine):
    """From the first question to installation, with every way a request can end."""

    # An event with no transition from the current state is an error the caller must hear of.
    allow_event_without_transition = False

    # the states, from Stage; the model keeps the plain stored text (use_enum_instance=False)
    s = States.from_enum(
        Stage,
        initial=Stage.collecting,
        final={
            Stage.rejected,
            Stage.not_installed,
            Stage.removed,
            Stage.withdrawn,
            Stage.expired,
            Stage.abandoned,
        },
        use_enum_instance=False,
    )
    answers_complete = s.collecting.to(s.confirming)
    edit = s.confirming.to(s.collecting) | s.info_requested.to(s.collecting)
    submit = s.confirming.to(s.awaiting_approval) | s.info_requested.to(s.awaiting_approval)
    approve = s.awaiting_approval.to(
        s.approved, validators=["decider_is_authorised", "decider_is_not_requester"]
    )
    reject = s.awaiting_approval.to(
        s.rejected,
        validators=["decider_is_authorised", "decider_is_not_requester", "reason_is_given"],
    )
    request_info = s.awaiting_approval.to(
        s.info_requested,
        validators=["decider_is_authorised", "decider_is_not_requester", "reason_is_given"],
    )
    mark_installed = s.approved.to(s.installed)
    mark_not_installed = s.approved.to(s.not_installed)
    review = s.installed.to.itself()
    remove = s.installed.to(s.removed)
    withdraw = (
        s.collecting.to(s.withdrawn)
        | s.confirming.to(s.withdrawn)
        | s.awaiting_approval.to(s.withdrawn)
        | s.info_requested.to(s.withdrawn)
        | s.approved.to(s.withdrawn)
    )
    expire = (
        s.awaiting_approval.to(s.expired)
        | s.info_requested.to(s.expired)
        | s.approved.to(s.expired)
    )
    abandon = s.collecting.to(s.abandoned) | s.confirming.to(s.abandoned)

    def decider_is_authorised(self, authorised: bool = False, **_: Any) -> None:
        if not authorised:
            raise NotAuthorised(not_authorised)

    def decider_is_not_requester(self, decider: str = "", **_: Any) -> None:
        if decider == self.model.officer_id:
            raise OwnRequest(own_request)

    def reason_is_given(self, reason: str | None = None, **_: Any) -> None:
        if not (reason or "").strip():
            raise ReasonRequired(
                lambda t: t("Give a reason: the officer needs to know what to do next.")
            )


#: what each state allows, read once from the machine: {state: {event, ...}}
ALLOWED: dict[str, frozenset[str]] = {
    state.id: frozenset(str(t.event) for t in state.transitions)
    for state in RequestLifecycle.states
}


def states_allowing(event: str) -> frozenset[Stage]:
    """The states in which the machine allows `event`."""
    return frozenset(Stage(state) for state, events in ALLOWED.items() if event in events)


#: still going somewhere: not in a final state
OPEN_STATES = frozenset(Stage(s.id) for s in RequestLifecycle.states if not s.final)
#: the ways a request ends
FINAL_STATES = frozenset(Stage(s.id) for s in RequestLifecycle.states if s.final)
#: submitted and not yet finished with (still able to lapse): a second request for the same
#: device is suspicious
PENDING_STATES = states_allowing("expire")
#: what a decision on a card makes of a request, by the decider's event
DECIDED: dict[str, Stage] = {
    str(t.event): Stage(t.target.id)
    for t in RequestLifecycle.s.awaiting_approval.transitions
    if str(t.event) in ("approve", "reject", "request_info")
}
#: the outcomes a decision may have, as stored (`requests.decision`)
DECISIONS = tuple(DECIDED.values())


def may(request: Tracked, event: str) -> bool:
    """Whether the machine allows `event` in the request's state ("may this be submitted?")."""
    return event in ALLOWED.get(request.state, frozenset())


def is_collecting(request: Tracked) -> bool:
    """Still asking questions: the answers are not complete yet."""
    return may(request, "answers_complete")


def at_summary(request: Tracked) -> bool:
    """The answers are shown for checking and may be submitted or edited."""
    return may(request, "submit")


def awaiting_decision(request: Tracked) -> bool:
    return may(request, "approve")


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def lifecycle(request: Tracked) -> RequestLifecycle:
    """Bind the machine to a request; the request's `state` field is the single source of truth."""
    return RequestLifecycle(request, state_field="state")


def fire(request: Tracked, event: str, **kwargs: Any) -> None:
    """Send an event; an illegal one becomes a domain error that says why."""
    machine = lifecycle(request)
    try:
        machine.send(event, **kwargs)
    except TransitionNotAllowed as exc:
        request_id, state = request.request_id, request.state
        raise InvalidTransition(lambda t: _cannot(request_id, state, event, t)) from exc


def _cannot(request_id: str | None, state: str, event: str, t: Translator) -> str:
    """Why an event cannot happen in a state, in the reader's language."""
    from flows.waiting import state_words  # flows.waiting reads the stages from here

    done = _PAST.get(event)
    values = {"state": state_words(state, t), "done": done(t) if done else event.replace("_", " ")}
    if not request_id:
        return t("This request is {state}, so it cannot be {done} now.", **values)
    return t("{request} is {state}, so it cannot be {done} now.", request=request_id, **values)


#: what an event does, as in "it cannot be … now" (the context tells a translator so)
_PAST: dict[str, Callable[[Translator], str]] = {
    "answers_complete": lambda t: t.pgettext("it cannot be …", "summarised"),
    "edit": lambda t: t.pgettext("it cannot be …", "edited"),
    "submit": lambda t: t.pgettext("it cannot be …", "submitted"),
    "approve": lambda t: t.pgettext("it cannot be …", "approved"),
    "reject": lambda t: t.pgettext("it cannot be …", "rejected"),
    "request_info": lambda t: t.pgettext("it cannot be …", "sent back for more information"),
    "mark_installed": lambda t: t.pgettext("it cannot be …", "marked as installed"),
    "mark_not_installed": lambda t: t.pgettext("it cannot be …", "recorded as not installed"),
    "review": lambda t: t.pgettext("it cannot be …", "reviewed"),
    "remove": lambda t: t.pgettext("it cannot be …", "recorded as removed"),
    "withdraw": lambda t: t.pgettext("it cannot be …", "withdrawn"),
    "expire": lambda t: t.pgettext("it cannot be …", "expired"),
    "abandon": lambda t: t.pgettext("it cannot be …", "abandoned"),
}


def mermaid_diagram() -> str:
    """The lifecycle as Mermaid source, generated from the machine itself."""
    from statemachine.contrib.diagram import MermaidGraphMachine

    return MermaidGraphMachine(RequestLifecycle).get_mermaid()
