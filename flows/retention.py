"""Retention (MoPI; DPA 2018 Part 3): how long a closed request's content is kept, and what of it
survives erasure.

Erasure removes what was said about the person (answers, flags, reasons, comments, the answers
recorded for each approval round, answers offered for reuse) and keeps the record that a request
existed and how it ended: its id, dates, legal basis, outcome and decider, so that figures and
audits still add up. The audit trail keeps every event's who, what and when; only the events'
details go (storage/audit.py seals a digest of them, so the chain still verifies).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flows.request_machine import FINAL_STATES, Stage

#: six years after a request closes (a timers' duration: 6 × 365 days and the leap days in them)
DEFAULT_RETENTION = timedelta(days=2192)
#: the answers kept after erasure: the basis is metadata, not a fact about the person
KEPT_ANSWERS = ("legal_basis",)
#: the audit actions that close a request (or close it for good, like an installation)
CLOSING_ACTIONS = frozenset(
    {
        "decided",
        Stage.withdrawn,
        Stage.expired,
        Stage.abandoned,
        Stage.installed,
        Stage.not_installed,
        "reviewed",
    }
)

#: the fields of a request kept in full: ids, Slack references, dates, outcome, decider
KEPT_FIELDS = frozenset(
    {
        "id", "officer_id", "channel_id", "thread_ts", "state", "current_field", "strikes",
        "created_at", "submitted_at", "decided_at", "decided_by", "decided_on_behalf_of",
        "decision", "review_date", "contributors",
        "installed_at", "installation_outcome", "installation_date", "closed_at", "last_activity_at", "approval_round", "approval_card_ref",
        "question_ref", "restarted_from", "restarted_as", "due_at", "lease_until", "version",
        "erased_at",
    }
)  # fmt: skip
#: each content field of a request and the value it has once erased
ERASED_VALUES: dict[str, Any] = {
    "flags": {},
    "decision_reason": None,
    "decision_comment": None,
    "installation_notes": None,
    "closed_reason": None,
    "rounds": [],
    "prefill": {},
    "nudges": {},
}


@dataclass(frozen=True)
class Closed:
    """A closed request as retention sees it: metadata only."""

    request_id: str
    state: str
    closed: datetime

    def due(self, retention: timedelta, now: datetime) -> bool:
        return self.closed + retention <= now

    def due_since(self, retention: timedelta) -> datetime:
        return self.closed + retention


def closed_on(state: str, *moments: datetime | None) -> datetime | None:
    """When a request in `state` closed: the latest of the moments known for it (its closing
    audit events, `closed_at`, `decided_at`, `installed_at`). None while it is still open: an
    open request is never due, however old."""
    if state not in FINAL_STATES:
        return None
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def describe(retention: timedelta) -> str:
    """The retention as recorded in the audit trail: whole days, as the setting is written."""
    days, seconds = divmod(int(retention.total_seconds()), 86_400)
    return f"{days}d" if not seconds else f"{days * 86_400 + seconds}s"


def erased_answers(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: answers[key] for key in KEPT_ANSWERS if key in answers}


def due_for_erasure(closed: Iterable[Closed], retention: timedelta, now: datetime) -> list[Closed]:
    """The closed requests whose retention has run out, longest overdue first."""
    return sorted(
        (c for c in closed if c.due(retention, now)), key=lambda c: (c.closed, c.request_id)
    )
