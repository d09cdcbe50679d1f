"""Supervisors' decisions and what happens to a request after submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from flows import rounds
from flows.errors import (
    AlreadyDecided,
    ApprovedAlready,
    DomainError,
    NotAuthorised,
    OwnRequest,
    SelfApproval,
)
from flows.models import MonitoringRequest
from flows.request_machine import DECIDED, Stage, awaiting_decision, fire

Decision = Literal["approve", "reject", "request_info"]

#: the outcome of a first approval when the force's rules want two
PARTLY_APPROVED = "partly_approved"

#: the outcome each decision leaves the request in, as stored: the state it moves to
OUTCOME: dict[str, str] = {event: stage.value for event, stage in DECIDED.items()}


@dataclass(frozen=True)
class DecisionMade:
    request_id: str
    outcome: str
    decider: str
    at: datetime
    reason: str | None
    card: str | None
    on_behalf_of: str | None = None


def decide(
    request: MonitoringRequest,
    decision: Decision,
    decider: str,
    authorised: bool,
    reason: str | None,
    now: datetime,
    expected_round: int | None = None,
    comment: str | None = None,
    review_date: date | None = None,
    approvals_needed: int = 1,
    on_behalf_of: str | None = None,
) -> DecisionMade:
    """Apply a supervisor's decision, or raise the domain error that says why not.

    `expected_round` is the approval round the clicked card belongs to: a click on a superseded
    card must not decide the resubmitted request. An approval may carry a comment and the date
    the installation is to be reviewed; where the force's rules want two approvals
    (`approvals_needed`), the first is recorded and the request waits for a second decider.
    `on_behalf_of` names the supervisor whose delegate is deciding.
    """
    if decision not in OUTCOME:
        raise DomainError(f"Unknown decision {decision!r}.")
    check_decider(request, decider, authorised, expected_round, decision)
    reason = (reason or "").strip() or None
    comment = (comment or "").strip() or None
    assert request.request_id is not None
    if decision == "approve":
        given = _approval(request, decider, now, comment, review_date, on_behalf_of)
        if given < approvals_needed:
            # the first of two: audited now, since the decision itself comes with the second
            request.record(
                "approval_recorded",
                decider,
                now,
                approval=given,
                of=approvals_needed,
                comment=comment,
                review_date=_iso(review_date),
                **({"on_behalf_of": on_behalf_of} if on_behalf_of else {}),
            )
            return DecisionMade(
                request.request_id,
                PARTLY_APPROVED,
                decider,
                now,
                None,
                request.approval_card_ref,
                on_behalf_of,
            )
    fire(request, decision, decider=decider, authorised=authorised, reason=reason)
    request.decision = OUTCOME[decision]
    request.decided_by = decider
    request.decided_at = now
    request.decided_on_behalf_of = on_behalf_of
    request.decision_reason = reason
    request.nudges = {}
    rounds.record_outcome(request, OUTCOME[decision], decider, now, reason, on_behalf_of)
    action = Stage.info_requested if decision == "request_info" else "decided"
    detail: dict[str, Any] = {"outcome": OUTCOME[decision], "reason": reason}
    if on_behalf_of:
        detail["on_behalf_of"] = on_behalf_of
    if decision == "approve":
        approvals = rounds.round_of(request).approvals
        dates = [a["review_date"] for a in approvals if a.get("review_date")]
        comments = [a["comment"] for a in approvals if a.get("comment")]
        # two approvers: the earlier review date is the one that binds
        request.review_date = date.fromisoformat(min(dates)) if dates else None
        request.decision_comment = "\n\n".join(comments) or None
        detail |= {"comment": comment, "review_date": _iso(review_date)}
        if len(approvals) > 1:
            detail["approved_by"] = [a["by"] for a in approvals]
    else:
        request.decision_comment = request.review_date = None
    request.record(action, decider, now, **detail)
    if decision == "reject":
        close(request, Stage.rejected.value, now)
    return DecisionMade(
        request.request_id,
        OUTCOME[decision],
        decider,
        now,
        reason,
        request.approval_card_ref,
        on_behalf_of,
    )


def _approval(
    request: MonitoringRequest,
    decider: str,
    now: datetime,
    comment: str | None,
    review_date: date | None,
    on_behalf_of: str | None,
) -> int:
    """Record one approval in the current round; how many the round now has."""
    comment = (comment or "").strip() or None
    given = len(rounds.round_of(request).approvals) + 1
    rounds.record_approval(
        request,
        {
            "by": decider,
            "at": now.isoformat(),
            "on_behalf_of": on_behalf_of,
            "comment": comment,
            "review_date": _iso(review_date),
        },
    )
    return given


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def check_decider(
    request: MonitoringRequest,
    decider: str,
    authorised: bool,
    expected_round: int | None = None,
    decision: str | None = None,
) -> None:
    """Raise why this user may not decide this request now; changes nothing (so a dialog is
    only opened for someone who could use it)."""
    if not authorised:
        raise NotAuthorised("Only an authorised supervisor can decide monitoring requests.")
    if decider == request.officer_id:
        raise OwnRequest("You made this request, so another supervisor must decide it.")
    stale_card = expected_round is not None and expected_round != request.approval_round
    if not awaiting_decision(request) or stale_card:
        raise already_decided(request)
    if decision == "approve":
        if decider in request.contributors:
            raise SelfApproval(
                f"You answered or changed {request.request_id}, so someone else must approve it."
            )
        if any(a.get("by") == decider for a in rounds.round_of(request).approvals):
            raise ApprovedAlready(
                f"You have already approved {request.request_id}: a second supervisor must "
                "give the other approval."
            )


class AlreadyClosed(AlreadyDecided):
    """Raised with who decided and when, so the refusal can name them."""

    def __init__(
        self, message: str, request: MonitoringRequest, decided_as: str | None = None
    ) -> None:
        super().__init__(message)
        self.request_id = request.request_id
        self.state = request.state
        #: how the earlier decision reads ("approved", "sent back for more information"), or None
        #: when the request was closed some other way (withdrawn, expired, superseded card)
        self.decided_as = decided_as
        self.decision = request.decision if decided_as else None
        self.decided_by = request.decided_by if decided_as else None
        self.decided_at = request.decided_at if decided_as else None


_DECIDED_AS: dict[str, str] = {Stage.info_requested: "sent back for more information"}


def already_decided(request: MonitoringRequest) -> AlreadyClosed:
    """Why a decision comes too late, judged by where the request is now."""
    if request.state in (*DECIDED.values(), Stage.installed) and request.decision:
        verb = _DECIDED_AS.get(request.decision, request.decision.replace("_", " "))
        return AlreadyClosed(f"{request.request_id} was already {verb}.", request, verb)
    if request.state in (Stage.confirming, Stage.collecting, Stage.awaiting_approval):
        # awaiting approval yet refused: the click came from a superseded round's card
        message = (
            f"{request.request_id} has changed since this card was posted: use the latest card."
        )
    else:
        message = f"{request.request_id} is {request.state.replace('_', ' ')}: nothing to decide."
    return AlreadyClosed(message, request)


def expire(request: MonitoringRequest, reason: str, now: datetime) -> None:
    """No decision in time, or the legal basis lapsed before installation."""
    from_state = request.state
    fire(request, "expire")
    close(request, reason, now)
    request.record(Stage.expired, "system", now, from_state=from_state, reason=reason)


def abandon(request: MonitoringRequest, now: datetime) -> None:
    """The officer stopped answering: close it so it does not wait for ever."""
    fire(request, "abandon")
    close(request, "no answer from the officer", now)
    request.record(Stage.abandoned, "system", now)


def close(request: MonitoringRequest, reason: str, now: datetime) -> None:
    """The bookkeeping every way of ending a request shares (after its transition has fired):
    when and why it closed, and no question left current. `due_at` is not touched: callers
    recompute it through the schedule before saving, and a closed request has nothing due."""
    request.closed_at = now
    request.closed_reason = reason
    request.current_field = None
