"""The notification duty of a court order: by when the person had to tell police of a device.

The Sexual Offences Act 2003 counts "within N days beginning with" the day (that day is day 1);
a force may instead count N days after it. MOSOVO_NOTIFICATION_COUNTING chooses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flows.fields import stored_date
from flows.parsers import MONTH_NAMES, format_date

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
