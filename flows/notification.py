"""The notification duty of a court order: by when the person had to tell police of a device.

The Sexual Offences Act 2003 counts "within N days beginning with" the day (that day is day 1);
a force may instead count N days after it. MOSOVO_NOTIFICATION_COUNTING chooses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flows.fields import stored_date
from flows.i18n import translator
from flows.parsers import MONTH_NAMES, format_date, month_name

BEGINNING_WITH = "beginning_with"
AFTER = "after"
COUNTING_RULES = (BEGINNING_WITH, AFTER)


def notification_deadline(acquired: date, notify_days: int, counting: str = BEGINNING_WITH) -> date:
    """The last day to notify police."""
    if counting not in COUNTING_RULES:
        raise ValueError(f"unknown counting rule {counting!r}")
    return acquired + timedelta(days=notify_days - 1 if counting == BEGINNING_WITH else notify_days)


@dataclass(frozen=True)
class NotificationDuty:
    acquired: date
    days: int
    counting: str = BEGINNING_WITH

    @property
    def deadline(self) -> date:
        return notification_deadline(self.acquired, self.days, self.counting)

    @property
    def rule(self) -> str:
        """The rule in words, e.g. "3 days beginning with 20 November"."""
        days = f"{self.days} day{'s' if self.days != 1 else ''}"
        start = f"{self.acquired.day} {MONTH_NAMES[self.acquired.month - 1]}"
        if self.acquired.year != self.deadline.year:
            start += f" {self.acquired.year}"
        how = "beginning with" if self.counting == BEGINNING_WITH else "after"
        return f"{days} {how} {start}"

    def __str__(self) -> str:
        """e.g. "by 22 November 2026: 3 days beginning with 20 November"."""
        return f"by {format_date(self.deadline)}: {self.rule}"

    def rule_in(self, language: str = "en") -> str:
        """`rule` in `language`, e.g. "3 diwrnod gan ddechrau ar 20 Tachwedd"."""
        return rule_words(self.days, self.acquired, self.deadline.year, self.counting, language)

    def describe(self, language: str = "en") -> str:
        """`str(self)` in `language`, e.g. "erbyn 22 Tachwedd 2026: 3 diwrnod gan ddechrau ar
        20 Tachwedd"."""
        t = translator(language)
        return t(
            "by {deadline}: {rule}",
            deadline=format_date(self.deadline, t.language),
            rule=self.rule_in(t.language),
        )


def rule_words(days: int, acquired: date, deadline_year: int, counting: str, language: str) -> str:
    """A notification period's rule in words in `language` (the year of the first day only
    when it is not the deadline's)."""
    t = translator(language)
    start = f"{acquired.day} {month_name(acquired.month, t.language)}"
    if acquired.year != deadline_year:
        start += f" {acquired.year}"
    if counting == BEGINNING_WITH:
        return t.ngettext(
            "{n} day beginning with {start}", "{n} days beginning with {start}", days, start=start
        )
    return t.ngettext("{n} day after {start}", "{n} days after {start}", days, start=start)


_RULE = re.compile(
    r"(?P<days>[0-9]+) days? (?P<how>beginning with|after) (?P<day>[0-9]{1,2}) (?P<month>[A-Za-z]+)"
    r"(?: (?P<year>[0-9]{4}))?"
)


def rule_in(rule: str, language: str) -> str:
    """A rule as stored in a flag (English, `NotificationDuty.rule`) in `language`, worded by
    the catalogue in English too (the same words); a rule in another form is returned as it is."""
    match = _RULE.fullmatch(rule)
    if match is None or match["month"] not in MONTH_NAMES:
        return rule
    month = MONTH_NAMES.index(match["month"]) + 1
    # the year is shown only when it differs from the deadline's; any year other than the
    # deadline's keeps it shown
    year = int(match["year"]) if match["year"] else 2000
    deadline_year = year + 1 if match["year"] else year
    counting = BEGINNING_WITH if match["how"] == "beginning with" else AFTER
    try:
        first = date(year, month, int(match["day"]))
    except ValueError:
        return rule
    return rule_words(int(match["days"]), first, deadline_year, counting, language)


def notification_duty(answers: Mapping[str, Any], counting: str) -> NotificationDuty | None:
    """The order's duty for this device, once the acquisition date and the period are known."""
    if answers.get("legal_basis") != "order":
        return None
    acquired = stored_date(answers, "date_acquired")
    notify_days = answers.get("order_notify_days")
    # bool is an int subclass; a stray True must not count as one day
    if acquired is None or type(notify_days) is not int:
        return None
    return NotificationDuty(acquired, notify_days, counting)
