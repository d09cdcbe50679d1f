"""An order's notification deadline, counted either way, and said in words."""

from __future__ import annotations

from datetime import date

import pytest

from flows.notification import NotificationDuty, notification_deadline, notification_duty


def test_beginning_with_counts_the_day_of_acquisition_as_day_one() -> None:
    assert notification_deadline(date(2026, 11, 20), 3) == date(2026, 11, 22)
    assert notification_deadline(date(2026, 11, 20), 1) == date(2026, 11, 20)


def test_after_counts_from_the_next_day() -> None:
    assert notification_deadline(date(2026, 11, 20), 3, "after") == date(2026, 11, 23)


def test_an_unknown_rule_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        notification_deadline(date(2026, 11, 20), 3, "within")


def test_the_duty_reads_as_the_issue_says() -> None:
    duty = NotificationDuty(date(2026, 11, 20), 3)
    assert str(duty) == "by 22 November 2026: 3 days beginning with 20 November"
    after = NotificationDuty(date(2026, 11, 20), 3, "after")
    assert str(after) == "by 23 November 2026: 3 days after 20 November"


def test_a_period_over_new_year_names_the_first_day_in_full() -> None:
    duty = NotificationDuty(date(2026, 12, 30), 3)
    assert str(duty) == "by 1 January 2027: 3 days beginning with 30 December 2026"
    assert NotificationDuty(date(2026, 12, 30), 1).rule == "1 day beginning with 30 December"


def test_the_duty_needs_an_order_a_date_and_a_period() -> None:
    answers = {"legal_basis": "order", "date_acquired": "2026-11-20", "order_notify_days": 3}
    assert notification_duty(answers, "beginning_with") == NotificationDuty(date(2026, 11, 20), 3)
    assert notification_duty({**answers, "legal_basis": "voluntary"}, "beginning_with") is None
    assert notification_duty({**answers, "order_notify_days": True}, "beginning_with") is None
    assert notification_duty({"legal_basis": "order"}, "beginning_with") is None
