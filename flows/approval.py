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
    Words,
)
from flows.i18n import N_
from flows.models import MonitoringRequest
from flows.request_machine import (
    DECIDED,
    Stage,
    awaiting_decision,
    fire,
    not_authorised,
    own_request,
)
from flows.waiting import state_words

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
        raise NotAuthorised(not_authorised)
    if decider == request.officer_id:
        raise OwnRequest(own_request)
    stale_card = expected_round is not None and expected_round != request.approval_round
    if not awaiting_decision(request) or stale_card:
        raise already_decided(request)
    if decision == "approve":
        if decider in request.contributors:
            raise SelfApproval(
                lambda t: t(
                    "You answered or changed {request}, so someone else must approve it.",
                    request=request.request_id,
                )
            )
        if any(a.get("by") == decider for a in rounds.round_of(request).approvals):
            raise ApprovedAlready(
                lambda t: t(
                    "You have already approved {request}: a second supervisor must give the "
                    "other approval.",
                    request=request.request_id,
                )
            )


class AlreadyClosed(AlreadyDecided):
    """Raised with who decided and when, so the refusal can name them."""

    def __init__(
        self, message: str | Words, request: MonitoringRequest, decided_as: str | None = None
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
#: a decision that came too late, by the decision made first (who and when: bot.responder)
_ALREADY: dict[str, str] = {
    Stage.approved: N_("{request} was already approved."),
    Stage.rejected: N_("{request} was already rejected."),
    Stage.info_requested: N_("{request} was already sent back for more information."),
}


def already_decided(request: MonitoringRequest) -> AlreadyClosed:
    """Why a decision comes too late, judged by where the request is now."""
    request_id, state = request.request_id, request.state
    if state in (*DECIDED.values(), Stage.installed) and request.decision:
        verb = _DECIDED_AS.get(request.decision, request.decision.replace("_", " "))
        sentence = _ALREADY.get(request.decision, N_("{request} was already decided."))
        return AlreadyClosed(lambda t: t(sentence, request=request_id), request, verb)
    if state in (Stage.confirming, Stage.collecting, Stage.awaiting_approval):
        # awaiting approval yet refused: the click came from a superseded round's card
        return AlreadyClosed(
            lambda t: t(
                "{request} has changed since this card was posted: use the latest card.",
                request=request_id,
            ),
            request,
        )
    return AlreadyClosed(
        lambda t: t(
            "{request} is {state}: nothing to decide.",
            request=request_id,
            state=state_words(state, t),
        ),
        request,
    )


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
