"""When an approved installation must be looked at again: the review period and its date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flows.errors import Words

_PERIOD = re.compile(r"^\s*(\d+)\s*(months?|mo|weeks?|w|days?|d)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ReviewPeriod:
    """A number of calendar months or of days (months are not a fixed number of days)."""

    months: int = 3
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> ReviewPeriod:
        """ "3 months", "6mo", "12 weeks", "90d"."""
        match = _PERIOD.match(text)
        if match is None:
            raise ValueError(
                f"{text!r} is not a review period: write e.g. 3 months, 12 weeks or 90 days"
            )
        number, unit = int(match[1]), match[2].lower()
        if number <= 0 or number > 1000:
            raise ValueError(f"{text!r} must be between 1 and 1000 {unit}")
        if unit.startswith("mo"):
            return cls(months=number)
        return cls(months=0, days=number * 7 if unit.startswith("w") else number)

    def after(self, day: date) -> date:
        return add_months(day, self.months) + timedelta(days=self.days)

    def __str__(self) -> str:
        if self.months:
            return f"{self.months} month{'s' if self.months != 1 else ''}"
        return f"{self.days} day{'s' if self.days != 1 else ''}"


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (31 January + 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_date_problem(review: date | None, today: date) -> Words | None:
    """Why a chosen review date will not do (in the reader's language), or None."""
    if review is None:
        return lambda t: t("Choose a review date.")
    if review <= today:
        return lambda t: t("The review date must be after today.")
    if review > add_months(today, 60):
        return lambda t: t("The review date must be within five years.")
    return None
