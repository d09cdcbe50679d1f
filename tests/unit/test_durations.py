from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.durations import WorkingHours, format_duration, parse_duration

LONDON = ZoneInfo("Europe/London")
OFFICE = WorkingHours.parse("Mon-Fri 08:00-18:00")


def london(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("2d", timedelta(days=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1h30m15s", timedelta(hours=1, minutes=30, seconds=15)),
        (" 7d ", timedelta(days=7)),
    ],
)
def test_parse_duration_reads_units_largest_first(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "a duration is needed"),
        ("30", "'30' has no unit"),
        ("3w", "unknown unit 'w'"),
        ("30M", "unknown unit 'M'"),
        ("1.5h", "'1.5h' is not a duration"),
        ("1h 30m", "is not a duration"),
        ("-5m", "is not a duration"),
        ("12h1d", "smaller one first"),
        ("1h1h", "repeats a unit"),
        ("0s", "must be longer than zero"),
    ],
)
def test_parse_duration_explains_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["30m", "4h", "2d", "1d12h", "1d1h1m1s"])
def test_format_duration_round_trips(text: str) -> None:
    assert format_duration(parse_duration(text)) == text


def test_format_duration_uses_the_largest_units() -> None:
    assert format_duration(timedelta(seconds=90)) == "1m30s"
    assert format_duration(timedelta(hours=48)) == "2d"


def test_working_hours_parse_days_and_times() -> None:
    assert WorkingHours(frozenset({0, 1, 2, 3, 4}), 8 * 60, 18 * 60) == OFFICE
    assert WorkingHours.parse("Mon,Wed 09:00-17:30") == WorkingHours(
        frozenset({0, 2}), 9 * 60, 17 * 60 + 30
    )
    assert WorkingHours.parse("fri-mon 00:00-24:00").days == frozenset({4, 5, 6, 0})
    assert WorkingHours.parse("  ALWAYS ").is_always
    assert str(WorkingHours.parse("Mon,Wed-Fri 09:00-17:30")) == "Mon,Wed-Fri 09:00-17:30"
    assert str(WorkingHours.parse("always")) == "always"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri", "is not working hours"),
        ("weekdays 08:00-18:00", "unknown day 'weekdays'"),
        ("Mon-Fri 18:00-08:00", "must start before they end"),
        ("Mon-Fri 08:00-08:00", "must start before they end"),
        ("Mon-Fri 08:00-25:00", "impossible time '25:00'"),
        ("Mon-Fri 24:00-24:00", "impossible time '24:00'"),
        ("Mon-Fri 8am-6pm", "is not working hours"),
    ],
)
def test_working_hours_parse_errors_are_clear(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        WorkingHours.parse(text)
    assert message in str(caught.value)


def test_is_open_uses_local_wall_clock_time() -> None:
    assert OFFICE.is_open(london(2024, 6, 3, 8, 0), LONDON)  # Monday 08:00 BST
    assert OFFICE.is_open(london(2024, 6, 3, 17, 59, 59), LONDON)
    assert not OFFICE.is_open(london(2024, 6, 3, 18, 0), LONDON)  # end is exclusive
    assert not OFFICE.is_open(london(2024, 6, 3, 7, 59), LONDON)
    assert not OFFICE.is_open(london(2024, 6, 1, 12, 0), LONDON)  # Saturday
    # 07:30 UTC is 08:30 BST in June: open
    assert OFFICE.is_open(datetime(2024, 6, 3, 7, 30, tzinfo=UTC), LONDON)


def test_is_open_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        OFFICE.is_open(datetime(2024, 6, 3, 9), LONDON)


def test_saturday_waits_until_monday_0800() -> None:
    saturday = london(2024, 6, 1, 10, 15)
    assert OFFICE.next_open(saturday, LONDON) == london(2024, 6, 3, 8, 0)


def test_friday_evening_waits_until_monday_and_monday_early_until_0800() -> None:
    assert OFFICE.next_open(london(2024, 6, 7, 18, 0), LONDON) == london(2024, 6, 10, 8, 0)
    assert OFFICE.next_open(london(2024, 6, 10, 6, 0), LONDON) == london(2024, 6, 10, 8, 0)


def test_next_open_is_the_same_instant_when_already_open() -> None:
    inside = datetime(2024, 6, 4, 9, 0, tzinfo=UTC)
    assert OFFICE.next_open(inside, LONDON) is inside


def test_always_is_always_open() -> None:
    always = WorkingHours.parse("always")
    sunday_night = london(2024, 3, 31, 1, 30)
    assert always.is_open(sunday_night, LONDON)
    assert always.next_open(sunday_night, LONDON) is sunday_night


def test_clocks_going_forward_weekend_opens_at_0800_bst_on_monday() -> None:
    # Clocks went forward on Sunday 31 March 2024 (01:00 GMT → 02:00 BST).
    saturday_gmt = datetime(2024, 3, 30, 12, 0, tzinfo=UTC)
    opening = OFFICE.next_open(saturday_gmt, LONDON)
    assert opening == datetime(2024, 4, 1, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert opening.astimezone(LONDON).hour == 8


def test_clocks_going_back_weekend_opens_at_0800_gmt_on_monday() -> None:
    # Clocks went back on Sunday 27 October 2024 (02:00 BST → 01:00 GMT).
    friday_evening_bst = datetime(2024, 10, 25, 17, 30, tzinfo=UTC)  # 18:30 BST
    opening = OFFICE.next_open(friday_evening_bst, LONDON)
    assert opening == datetime(2024, 10, 28, 8, 0, tzinfo=UTC)  # 08:00 GMT


def test_every_day_of_a_dst_week_opens_at_local_0800() -> None:
    # Friday 29 March → Friday 5 April 2024, across the change to BST.
    start = datetime(2024, 3, 29, 19, 0, tzinfo=UTC)
    openings = []
    moment = start
    for _ in range(5):
        opening = OFFICE.next_open(moment, LONDON)
        openings.append(opening.astimezone(LONDON))
        moment = opening + timedelta(hours=12)  # closed again by then
    assert [(o.date().isoformat(), o.hour, o.minute) for o in openings] == [
        ("2024-04-01", 8, 0),
        ("2024-04-02", 8, 0),
        ("2024-04-03", 8, 0),
        ("2024-04-04", 8, 0),
        ("2024-04-05", 8, 0),
    ]
    assert openings[0].utcoffset() == timedelta(hours=1)


def test_an_opening_time_skipped_by_the_clocks_opens_at_the_jump() -> None:
    # 01:30 did not exist in London on 31 March 2024: the first open instant is 01:00 UTC,
    # when the clocks jumped to 02:00 BST.
    night = WorkingHours.parse("Sun 01:30-03:00")
    opening = night.next_open(datetime(2024, 3, 30, 12, 0, tzinfo=UTC), LONDON)
    assert opening == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    assert night.is_open(opening, LONDON)
    # (arithmetic on a London datetime is wall-clock arithmetic: step back in UTC)
    assert not night.is_open(opening.astimezone(UTC) - timedelta(seconds=1), LONDON)


def test_an_opening_time_repeated_by_the_clocks_opens_at_the_first_one() -> None:
    # 01:30 happened twice in London on 27 October 2024; the first was 00:30 UTC (BST).
    night = WorkingHours.parse("Sun 01:30-03:00")
    opening = night.next_open(datetime(2024, 10, 26, 12, 0, tzinfo=UTC), LONDON)
    assert opening == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert opening.tzinfo is UTC  # the caller's zone: a London 01:30 would never compare equal


def test_next_open_answers_in_the_callers_time_zone() -> None:
    opening = OFFICE.next_open(london(2024, 6, 1, 10, 15), LONDON)
    assert opening.tzinfo is LONDON
    assert OFFICE.next_open(datetime(2024, 6, 1, 9, 15, tzinfo=UTC), LONDON).tzinfo is UTC
