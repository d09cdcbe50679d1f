"""Where a request stands for the people around it: whose move it is, since when, and its flags
in words. The queue, the officer's list and the channel's dashboard all read it from here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from flows.flags import FLAG_WORDS
from flows.i18n import N_, Translator
from flows.models import MonitoringRequest
from flows.request_machine import Stage, awaiting_decision

#: whose move it is: the officer (answering, more information, installation), the people who
#: may decide, or nobody (closed)
WaitingOn = Literal["officer", "deciders", "nobody"]

#: where a request stands, in words (the stored state stays the neutral name)
STATE_WORDS: dict[str, str] = {
    Stage.collecting: N_("being written"),
    Stage.confirming: N_("ready to submit"),
    Stage.awaiting_approval: N_("awaiting a decision"),
    Stage.info_requested: N_("more information requested"),
    Stage.approved: N_("approved, awaiting installation"),
    Stage.rejected: N_("rejected"),
    Stage.installed: N_("installed, review due"),
    Stage.not_installed: N_("not installed"),
    Stage.removed: N_("monitoring removed"),
    Stage.withdrawn: N_("withdrawn"),
    Stage.expired: N_("expired"),
    Stage.abandoned: N_("abandoned"),
}
BASIS_WORDS = {
    "order": N_("court order"),
    "licence": N_("licence condition"),
    "voluntary": N_("consent"),
}
NO_BASIS = N_("basis not given yet")


def waiting_on(request: MonitoringRequest) -> WaitingOn:
    if awaiting_decision(request):
        return "deciders"
    return "officer" if request.is_open else "nobody"


def waiting_since(request: MonitoringRequest) -> datetime:
    """When the current wait began: submission for a decision, otherwise the last move."""
    if awaiting_decision(request) and request.submitted_at:
        return request.submitted_at
    return request.last_activity_at or request.created_at


def state_words(state: str, t: Translator) -> str:
    """Where a request stands, in `t`'s language."""
    words = STATE_WORDS.get(state)
    return t(words) if words else state.replace("_", " ")


def basis_words(request: MonitoringRequest, t: Translator) -> str:
    basis = request.answers.get("legal_basis")
    words = BASIS_WORDS.get(str(basis)) if basis else None
    return t(words or NO_BASIS)


def flag_words(flags: Mapping[str, Any], t: Translator) -> list[str]:
    """Each flag named in words, without its facts (a list line has room for no more)."""
    named = [(FLAG_WORDS.get(key), key) for key in flags]
    return [t(words) if words else key.replace("_", " ").capitalize() for words, key in named]


def age_words(age: timedelta, t: Translator) -> str:
    """A wait as a person says it: "under a minute", "40 min", "3 h 5 min", "2 days 4 h"."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return t("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        if hours:
            return t.ngettext("{n} day {hours} h", "{n} days {hours} h", days, hours=hours)
        return t.ngettext("{n} day", "{n} days", days)
    if hours:
        if minutes:
            return t("{hours} h {minutes} min", hours=hours, minutes=minutes)
        return t("{hours} h", hours=hours)
    return t("{minutes} min", minutes=minutes)
