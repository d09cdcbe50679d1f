"""Where a request stands for the people around it: whose move it is, since when, and its flags
in words. The queue, the officer's list and the channel's dashboard all read it from here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from flows.flags import FLAG_WORDS
from flows.models import MonitoringRequest
from flows.request_machine import Stage, awaiting_decision

#: whose move it is: the officer (answering, more information, installation), the people who
#: may decide, or nobody (closed)
WaitingOn = Literal["officer", "deciders", "nobody"]

STATE_WORDS: dict[str, str] = {
    Stage.collecting: "being written",
    Stage.confirming: "ready to submit",
    Stage.awaiting_approval: "awaiting a decision",
    Stage.info_requested: "more information requested",
    Stage.approved: "approved, awaiting installation",
    Stage.rejected: "rejected",
    Stage.installed: "installed, review due",
    Stage.not_installed: "not installed",
    Stage.removed: "monitoring removed",
    Stage.withdrawn: "withdrawn",
    Stage.expired: "expired",
    Stage.abandoned: "abandoned",
}
BASIS_WORDS = {"order": "court order", "licence": "licence condition", "voluntary": "consent"}


def waiting_on(request: MonitoringRequest) -> WaitingOn:
    if awaiting_decision(request):
        return "deciders"
    return "officer" if request.is_open else "nobody"


def waiting_since(request: MonitoringRequest) -> datetime:
    """When the current wait began: submission for a decision, otherwise the last move."""
    if awaiting_decision(request) and request.submitted_at:
        return request.submitted_at
    return request.last_activity_at or request.created_at


def state_words(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " "))


def basis_words(request: MonitoringRequest) -> str:
    basis = request.answers.get("legal_basis")
    return BASIS_WORDS.get(str(basis), "basis not given yet") if basis else "basis not given yet"


def flag_words(flags: Mapping[str, Any]) -> list[str]:
    """Each flag named in words, without its facts (a list line has room for no more)."""
    return [FLAG_WORDS.get(key) or key.replace("_", " ").capitalize() for key in flags]


def age_words(age: timedelta) -> str:
    """A wait as a person says it: "under a minute", "40 min", "3 h 5 min", "2 days 4 h"."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        unit = "day" if days == 1 else "days"
        return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
