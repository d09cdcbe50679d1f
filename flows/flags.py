"""Flags: facts about a request that the decider must see, computed from the stored answers.

A flag never blocks a request (rules that block are in the field parsers); it draws the decider's
attention. Only flags that apply are present, and their values are JSON-serialisable.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flows.config import FlowConfig
from flows.fields import stored_date


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
    if answers.get("legal_basis") == "order":
        if answers.get("order_monitoring_clause") is False:
            flags["order_lacks_monitoring_clause"] = True
        late = _late_notification(answers)
        if late is not None:
            flags["late_notification"] = late
    return flags


def notification_deadline(acquired: date, notify_days: int) -> date:
    """The last day to notify: the period "begins with" the day of acquisition (day 1)."""
    return acquired + timedelta(days=notify_days - 1)


def _late_notification(answers: Mapping[str, Any]) -> dict[str, Any] | None:
    acquired = stored_date(answers, "date_acquired")
    notified = stored_date(answers, "date_notified")
    notify_days = answers.get("order_notify_days")
    # bool is an int subclass; a stray True must not count as one day
    if acquired is None or notified is None or type(notify_days) is not int:
        return None
    deadline = notification_deadline(acquired, notify_days)
    if notified <= deadline:
        return None
    return {"days_late": (notified - deadline).days, "deadline": deadline.isoformat()}


def subtract_months(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (31 March - 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months_between(earlier: date, later: date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months
