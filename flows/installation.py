"""After approval: what happened at the installation, and the reviews that follow it.

Only the requesting officer or someone who may decide records either; every record is audited.
"""

from __future__ import annotations

from datetime import date, datetime

from flows.approval import close
from flows.errors import DomainError, NotRequester, Words
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.request_machine import Stage, fire
from flows.review import review_date_problem

#: an installation record's outcomes; all but `installed` end the request as not_installed
OUTCOMES = {
    Stage.installed.value: "Installed",
    "failed": "Installation failed",
    "device_not_produced": "The device was not produced",
    "person_refused": "The person refused",
    "not_needed": "No longer needed",
}
#: a review's outcomes: monitoring continues (with a new review date) or has been removed
REVIEW_OUTCOMES = {"continue": "Monitoring continues", Stage.removed.value: "Monitoring removed"}


class RecordRefused(DomainError):
    """An installation or review record that does not hold together, with why."""


class NotRecorder(NotRequester):
    """Someone neither the requesting officer nor a decider tried to record an installation or
    a review: evidence, so it is audited like a refused decision."""

    audit_action = "unauthorised_decision_attempt"


def check_recorder(request: MonitoringRequest, actor: str, may_decide: bool) -> None:
    if actor != request.officer_id and not may_decide:
        raise NotRecorder(
            lambda t: t("Only the requesting officer or a supervisor can record the installation.")
        )


def installation_date_problem(
    request: MonitoringRequest, on: date | None, today: date, approved_on: date | None
) -> Words | None:
    """Why the day given for the installation will not do (in the reader's language), or None."""
    if on is None:
        return lambda t: t("Give the day it happened.")
    if on > today:
        return lambda t: t("The date cannot be in the future.")
    if approved_on is not None and on < approved_on:
        return lambda t: t(
            "The date cannot be before the approval on {date}.",
            date=format_date(approved_on, t.language),
        )
    return None


def record_installation(
    request: MonitoringRequest,
    actor: str,
    may_decide: bool,
    outcome: str,
    on: date | None,
    notes: str | None,
    today: date,
    approved_on: date | None,
    now: datetime,
) -> None:
    check_recorder(request, actor, may_decide)
    if outcome not in OUTCOMES:
        raise RecordRefused(lambda t: t("Choose what happened."))
    problem = installation_date_problem(request, on, today, approved_on)
    if problem:
        raise RecordRefused(problem)
    notes = (notes or "").strip() or None
    fire(request, "mark_installed" if outcome == Stage.installed else "mark_not_installed")
    request.installation_outcome = outcome
    request.installation_date = on
    request.installation_notes = notes
    request.nudges = {}
    detail = {"outcome": outcome, "date": on.isoformat() if on else None, "notes": notes}
    if outcome == Stage.installed:
        request.installed_at = now
        request.record(Stage.installed, actor, now, **detail)
    else:
        close(request, OUTCOMES[outcome].lower(), now)
        request.record(Stage.not_installed, actor, now, **detail)


def record_review(
    request: MonitoringRequest,
    actor: str,
    may_decide: bool,
    outcome: str,
    next_review: date | None,
    notes: str | None,
    today: date,
    now: datetime,
) -> None:
    """A review of monitoring in place: it continues until a new review date, or was removed."""
    check_recorder(request, actor, may_decide)
    if outcome not in REVIEW_OUTCOMES:
        raise RecordRefused(lambda t: t("Choose whether monitoring continues or was removed."))
    notes = (notes or "").strip() or None
    if outcome == "continue":
        problem = review_date_problem(next_review, today)
        if problem:
            raise RecordRefused(problem)
        fire(request, "review")
        request.review_date = next_review
    else:
        fire(request, "remove")
        close(request, "monitoring removed", now)
    request.nudges = {}
    request.record(
        "reviewed",
        actor,
        now,
        outcome=outcome,
        review_date=next_review.isoformat() if next_review and outcome == "continue" else None,
        notes=notes,
    )
