"""The review period a force sets and the review date an approval may choose."""

from __future__ import annotations

from datetime import date

import pytest

from flows.i18n import translator
from flows.review import ReviewPeriod, add_months, review_date_problem

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("3 months", ReviewPeriod(months=3)),
        ("1 month", ReviewPeriod(months=1)),
        ("6mo", ReviewPeriod(months=6)),
        ("12 weeks", ReviewPeriod(months=0, days=84)),
        ("90d", ReviewPeriod(months=0, days=90)),
        ("  45 Days ", ReviewPeriod(months=0, days=45)),
    ],
)
def test_review_periods_are_read_in_months_weeks_or_days(text: str, period: ReviewPeriod) -> None:
    assert ReviewPeriod.parse(text) == period


@pytest.mark.parametrize("text", ["", "3", "3m", "0 months", "-1 months", "three months", "2y"])
def test_anything_else_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 3 months|between 1 and"):
        ReviewPeriod.parse(text)


def test_months_are_calendar_months_that_keep_to_the_end_of_a_short_month() -> None:
    assert ReviewPeriod(months=3).after(TODAY) == date(2027, 2, 28)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 15), 2) == date(2028, 1, 15)
    assert ReviewPeriod(months=0, days=10).after(TODAY) == date(2026, 12, 10)


def problem(review: date | None, language: str = "en") -> str | None:
    found = review_date_problem(review, TODAY)
    return found(translator(language)) if found else None


def test_a_review_date_must_be_after_today_and_within_five_years() -> None:
    assert problem(date(2026, 12, 1)) is None
    assert problem(TODAY) == "The review date must be after today."
    assert problem(date(2026, 1, 1)) == "The review date must be after today."
    assert problem(date(2032, 1, 1)) == "The review date must be within five years."
    assert problem(None) == "Choose a review date."
    assert problem(TODAY, "cy") == "Rhaid i'r dyddiad adolygu fod ar ôl heddiw."
