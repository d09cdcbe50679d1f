"""Working time: hours, bank holidays of each UK nation, and idle time counted only at work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.calendar import BankHolidays, WorkingCalendar, WorkingHours

LONDON = ZoneInfo("Europe/London")
OFFICE = WorkingHours.parse("Mon-Fri 08:00-18:00")


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("region", "day", "holiday"),
    [
        ("england-and-wales", date(2026, 12, 25), True),
        ("england-and-wales", date(2026, 12, 28), True),  # Boxing Day observed
        ("england-and-wales", date(2026, 8, 31), True),
        ("england-and-wales", date(2026, 11, 30), False),
        ("scotland", date(2026, 11, 30), True),  # St Andrew's Day
        ("scotland", date(2026, 1, 2), True),
        ("scotland", date(2026, 8, 31), False),
        ("northern-ireland", date(2026, 3, 17), True),  # St Patrick's Day
        ("northern-ireland", date(2026, 7, 13), True),  # Battle of the Boyne (observed)
        ("none", date(2026, 12, 25), False),
    ],
)
def test_each_nation_has_its_own_bank_holidays(region: str, day: date, holiday: bool) -> None:
    assert (day in BankHolidays(region)) is holiday


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="england-and-wales, scotland, northern-ireland, none"):
        BankHolidays("wales")


def test_a_bank_holiday_is_not_working_time() -> None:
    calendar = WorkingCalendar(OFFICE, LONDON, BankHolidays())
    assert not calendar.is_open(london(2026, 12, 25, 10, 0))
    assert calendar.is_open(london(2026, 12, 29, 10, 0))
    # Christmas Eve after hours: Christmas Day, the weekend and Boxing Day (observed) skipped
    assert calendar.next_open(london(2026, 12, 24, 18, 0)) == london(2026, 12, 29, 8, 0)
    assert WorkingCalendar(OFFICE, LONDON).next_open(london(2026, 12, 24, 18, 0)) == london(
        2026, 12, 25, 8, 0
    )


def test_working_time_is_added_only_inside_working_hours() -> None:
    calendar = WorkingCalendar(OFFICE, LONDON)
    monday_9 = london(2026, 11, 30, 9, 0)
    assert calendar.add(monday_9, timedelta(hours=2)) == london(2026, 11, 30, 11, 0)
    assert calendar.add(monday_9, timedelta(hours=9)) == london(2026, 11, 30, 18, 0)
    assert calendar.add(monday_9, timedelta(hours=10)) == london(2026, 12, 1, 9, 0)
    assert calendar.add(monday_9, timedelta(hours=24)) == london(2026, 12, 2, 13, 0)
    # from outside working hours the count starts at the next opening
    assert calendar.add(london(2026, 12, 5, 12, 0), timedelta(minutes=30)) == london(
        2026, 12, 7, 8, 30
    )


def test_always_adds_wall_clock_time() -> None:
    calendar = WorkingCalendar(WorkingHours.always(), LONDON, BankHolidays("none"))
    start = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert calendar.add(start, timedelta(hours=24)) == start + timedelta(hours=24)
    assert calendar.next_open(start) == start


def test_working_time_across_the_clocks_going_back_counts_real_hours() -> None:
    calendar = WorkingCalendar(WorkingHours.parse("Mon-Sun 00:00-24:00"), LONDON)
    # Sunday 25 October 2026 has 25 hours in London
    start = london(2026, 10, 25, 0, 0)
    assert calendar.add(start, timedelta(hours=25)) == london(2026, 10, 26, 0, 0)
