"""Flags: facts about a request that the decider must see, computed from the stored answers.

A flag never blocks a request (rules that block are in the field parsers); it draws the decider's
attention. Only flags that apply are present, and their values are JSON-serialisable.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

from flows.config import FlowConfig
from flows.fields import stored_date
from flows.i18n import N_, translator
from flows.notification import notification_duty, rule_in
from flows.parsers import format_date


def compute_flags(answers: Mapping[str, Any], today: date, config: FlowConfig) -> dict[str, Any]:
    """The flags for these answers; partial answers give the flags known so far."""
    flags: dict[str, Any] = {}
    assessed = stored_date(answers, "risk_assessment_date")
    months = config.risk_assessment_stale_months
    if assessed is not None and assessed < subtract_months(today, months):
        flags["risk_assessment_stale"] = {"months_old": whole_months_between(assessed, today)}
    ownership = answers.get("device_ownership")
    if ownership is not None and ownership != "subject":
        flags["device_not_solely_owned"] = {"ownership": ownership}
    if answers.get("other_users_informed") is False and ownership not in (None, "subject"):
        flags["other_users_not_informed"] = True
    if answers.get("legal_basis") == "order":
        if answers.get("order_monitoring_clause") is False:
            flags["order_lacks_monitoring_clause"] = True
        late = _late_notification(answers, config.notification_counting)
        if late is not None:
            flags["late_notification"] = late
    if answers.get("legal_basis") == "voluntary" and answers.get("consent_informed") is False:
        flags["consent_not_informed"] = True
    return flags


def _late_notification(answers: Mapping[str, Any], counting: str) -> dict[str, Any] | None:
    duty = notification_duty(answers, counting)
    notified = stored_date(answers, "date_notified")
    if duty is None or notified is None or notified <= duty.deadline:
        return None
    return {
        "days_late": (notified - duty.deadline).days,
        "deadline": duty.deadline.isoformat(),
        "rule": duty.rule,
    }


#: each flag in words a decider reads; its facts are added by describe_flag
FLAG_WORDS = {
    "risk_assessment_stale": N_("The latest risk assessment is older than the force's limit"),
    "device_not_solely_owned": N_(
        "The device is not solely the person's, so others' privacy is affected"
    ),
    "order_lacks_monitoring_clause": N_("The order has no clause allowing monitoring software"),
    "late_notification": N_("The person notified police of the device late"),
    "other_users_not_informed": N_(
        "The device's other users have not been told it will be monitored"
    ),
    "consent_not_informed": N_(
        "The person was not told what is monitored and that they can withdraw consent"
    ),
    "possible_duplicate": N_("Possible duplicate: another pending request is for the same device"),
}


def describe_flag(key: str, detail: Any, language: str = "en") -> str:
    """A flag as a sentence with its facts, for the summary, the card, App Home and reminders,
    in `language`. Plain text, not escaped for any markup; an unknown key still reads as words.
    """
    t = translator(language)
    known = FLAG_WORDS.get(key)
    words = t(known) if known else key.replace("_", " ").capitalize()
    facts = detail if isinstance(detail, dict) else {}
    if key == "risk_assessment_stale" and "months_old" in facts:
        months = facts["months_old"]
        if isinstance(months, int):
            return t.ngettext(
                "{words}: it is {n} month old.",
                "{words}: it is {n} months old.",
                months,
                words=words,
            )
        return t("{words}: it is {n} months old.", words=words, n=months)
    if key == "device_not_solely_owned" and "ownership" in facts:
        owned = _OWNERSHIP_WORDS.get(str(facts["ownership"]))
        owner = t(owned) if owned else str(facts["ownership"])
        return t("{words}: {owner}.", words=words, owner=owner)
    if key == "late_notification" and "days_late" in facts:
        days = facts["days_late"]
        deadline = stored_date(facts, "deadline")
        due = t("by {date}", date=format_date(deadline, t.language)) if deadline else t("earlier")
        rule = rule_in(str(facts["rule"]), t.language) if facts.get("rule") else ""
        values = {"words": words, "due": due, "rule": rule}
        if rule:
            return t.ngettext(
                "{words}: {n} day after the deadline, {due} ({rule}).",
                "{words}: {n} days after the deadline, {due} ({rule}).",
                days,
                **values,
            )
        return t.ngettext(
            "{words}: {n} day after the deadline, {due}.",
            "{words}: {n} days after the deadline, {due}.",
            days,
            **values,
        )
    if key == "possible_duplicate" and facts.get("request_id"):
        return t("{words}: {requests}.", words=words, requests=facts["request_id"])
    return t("{words}.", words=words)


def describe_flags(flags: Mapping[str, Any], language: str = "en") -> list[str]:
    return [describe_flag(key, detail, language) for key, detail in flags.items()]


_OWNERSHIP_WORDS = {
    "third_party": N_("owned by a third party"),
    "shared": N_("shared with others"),
    "employer": N_("owned by an employer"),
}


def subtract_months(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (31 March - 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months
