"""The monthly figures of `mosovo-bot report`: aggregates only, computed from plain facts.

A request counts in a period when it was opened in it. Time to decision runs from the latest
submission to the approval or rejection (a request sent back for more information counts from
its resubmission, the wait the supervisors control). Percentiles use the nearest-rank method, so
every figure is a duration some request really took.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flows.catalogue import LEGAL_BASIS_OPTIONS
from flows.request_machine import RequestLifecycle, Stage

#: outcome (state) labels in the lifecycle's own order, as the diagram names them
OUTCOMES: dict[str, str] = {state.id: state.name for state in RequestLifecycle.states}
BASES: dict[str, str] = {option.value: option.label for option in LEGAL_BASIS_OPTIONS}
NO_BASIS = "Not yet given"
#: what became of an approved request
INSTALLATIONS: dict[str, str] = {
    Stage.installed: "Installed",
    Stage.approved: "Awaiting installation",
    Stage.withdrawn: "Withdrawn after approval",
    Stage.expired: "Expired before installation",
}
EXPIRY_STAGES: dict[str, str] = {
    "before_decision": "Before a decision",
    "after_approval": "After approval, not installed",
}


@dataclass(frozen=True)
class RequestFacts:
    """What the figures need of one request: no ids, people or free text."""

    state: str
    basis: str | None
    submitted_at: datetime | None
    decided_at: datetime | None
    decision: str | None
    late_notification: bool


@dataclass(frozen=True)
class Figures:
    since: datetime
    until: datetime
    total: int
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_basis: dict[str, int] = field(default_factory=dict)
    decisions: int = 0
    median_to_decision: timedelta | None = None
    p90_to_decision: timedelta | None = None
    late_notifications: int = 0
    expiries: dict[str, int] = field(default_factory=dict)
    installations: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, str]]:
        """(section, item, value) rows: what the table, the CSV and the chart all show."""
        rows: list[tuple[str, str, str]] = [("requests", "opened in the period", str(self.total))]
        rows += [("by outcome", OUTCOMES[k], str(v)) for k, v in self.by_outcome.items()]
        rows += [("by basis", BASES.get(k, k), str(v)) for k, v in self.by_basis.items()]
        rows += [
            ("time to decision", "decisions (approved or rejected)", str(self.decisions)),
            ("time to decision", "median", format_span(self.median_to_decision)),
            ("time to decision", "90th percentile", format_span(self.p90_to_decision)),
            ("late notifications", "notified after the order's deadline", str(self.late_notifications)),
        ]  # fmt: skip
        rows += [("expiries", EXPIRY_STAGES[k], str(v)) for k, v in self.expiries.items()]
        rows += [("installations", INSTALLATIONS[k], str(v)) for k, v in self.installations.items()]
        return rows


def nearest_rank(values: Sequence[timedelta], percent: float) -> timedelta | None:
    """The smallest value with at least `percent` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def format_span(span: timedelta | None) -> str:
    """``3d 4h``, ``2h 05m``, ``12m``; a dash when there is nothing to measure."""
    if span is None:
        return "-"
    minutes = round(span.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def summarise(facts: Iterable[RequestFacts], since: datetime, until: datetime) -> Figures:
    """The figures for the requests opened in [since, until)."""
    requests = list(facts)
    states = Counter(f.state for f in requests)
    bases = Counter(f.basis or NO_BASIS for f in requests)
    waits = [
        f.decided_at - f.submitted_at
        for f in requests
        if f.decision in (Stage.approved, Stage.rejected) and f.decided_at and f.submitted_at
    ]
    approved = [f for f in requests if f.decision == Stage.approved]
    expired = [f for f in requests if f.state == Stage.expired]
    return Figures(
        since=since,
        until=until,
        total=len(requests),
        by_outcome={state: states[state] for state in OUTCOMES if states[state]},
        by_basis={
            basis: bases[basis] for basis in (*BASES, NO_BASIS, *sorted(bases)) if bases[basis]
        },
        decisions=len(waits),
        median_to_decision=nearest_rank(waits, 50),
        p90_to_decision=nearest_rank(waits, 90),
        late_notifications=sum(f.late_notification for f in requests),
        expiries={
            "before_decision": sum(f.decision != Stage.approved for f in expired),
            "after_approval": sum(f.decision == Stage.approved for f in expired),
        },
        installations={state: sum(f.state == state for f in approved) for state in INSTALLATIONS},
    )
