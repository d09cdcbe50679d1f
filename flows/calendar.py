"""Working hours and bank holidays: when reminders may go out and which hours idle time counts.

Pure: no I/O, no clock. Working hours are wall-clock times in a time zone, so every calculation
goes through :mod:`zoneinfo` and stays correct across the clock changes (Europe/London moves
between GMT and BST twice a year). Bank holidays come from the `holidays` package for the
force's nation (MOSOVO_BANK_HOLIDAYS), never from a hand-kept list.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_HOURS_SPEC = re.compile(r"^(?P<days>\S+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$")
_HOURS_EXAMPLES = "e.g. 'Mon-Fri 08:00-18:00', 'Mon,Wed 09:00-17:30' or 'always'"


@dataclass(frozen=True)
class WorkingHours:
    """The same opening window on some weekdays, in local wall-clock time.

    ``days`` holds weekday numbers (Monday 0 … Sunday 6); ``start_minute`` / ``end_minute`` are
    minutes after local midnight, end exclusive (``24:00`` is 1440).
    """

    days: frozenset[int]
    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("working hours need at least one weekday (0 = Monday … 6 = Sunday)")
        if not 0 <= self.start_minute < self.end_minute <= _MINUTES_PER_DAY:
            raise ValueError("working hours must start before they end, within one day")

    @classmethod
    def always(cls) -> WorkingHours:
        return cls(frozenset(range(7)), 0, _MINUTES_PER_DAY)

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Parse ``always`` or ``<days> HH:MM-HH:MM``; days like ``Mon-Fri``, ``Mon,Wed``."""
        spec = " ".join(text.split())
        if spec.lower() == "always":
            return cls.always()
        match = _HOURS_SPEC.match(spec)
        if match is None:
            raise ValueError(f"{text!r} is not working hours ({_HOURS_EXAMPLES})")
        days = _parse_days(match["days"], text)
        start = _parse_clock(match["start"], text, allow_24=False)
        end = _parse_clock(match["end"], text, allow_24=True)
        if start >= end:
            raise ValueError(
                f"{text!r}: working hours must start before they end on the same day "
                f"({_HOURS_EXAMPLES})"
            )
        return cls(days, start, end)

    @property
    def is_always(self) -> bool:
        return (
            len(self.days) == 7 and self.start_minute == 0 and self.end_minute == _MINUTES_PER_DAY
        )

    def is_open(self, at: datetime, tz: ZoneInfo) -> bool:
        """Whether the instant ``at`` (timezone-aware) falls inside working hours in ``tz``."""
        local = _require_aware(at).astimezone(tz)
        if local.weekday() not in self.days:
            return False
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return self.start_minute * 60 <= seconds < self.end_minute * 60

    def next_open(self, at: datetime, tz: ZoneInfo) -> datetime:
        """The first instant at or after ``at`` inside working hours.

        ``at`` itself when it is already inside (always, for ``always``); otherwise the next
        opening time, in the same time zone as ``at`` (a local time repeated when the clocks go
        back would not compare equal to other zones' datetimes: see PEP 495).
        """
        if self.is_open(at, tz):
            return at
        local_day = at.astimezone(tz).date()
        for offset in range(8):
            day = local_day + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opening = _first_instant_at_or_after(day, self.start_minute, tz).astimezone(UTC)
            if opening >= at and self.is_open(opening, tz):
                return opening.astimezone(at.tzinfo)
        raise ValueError(f"no working hours within a week of {at.isoformat()} in {tz.key}")

    def __str__(self) -> str:
        if self.is_always:
            return "always"
        return f"{_format_days(self.days)} {_format_clock(self.start_minute)}-" + _format_clock(
            self.end_minute
        )


def _require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("working hours need a timezone-aware datetime")
    return at


def _parse_days(spec: str, text: str) -> frozenset[int]:
    days: set[int] = set()
    for item in spec.split(","):
        first, sep, last = item.partition("-")
        start = _day_number(first, text)
        end = _day_number(last, text) if sep else start
        day = start
        days.add(day)
        while day != end:  # a range may wrap around the weekend, e.g. Fri-Mon
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def _day_number(name: str, text: str) -> int:
    try:
        return _DAY_NAMES.index(name.strip().lower())
    except ValueError:
        raise ValueError(
            f"{text!r} has an unknown day {name!r}: use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
        ) from None


def _parse_clock(spec: str, text: str, *, allow_24: bool) -> int:
    hours, minutes = (int(part) for part in spec.split(":"))
    if allow_24 and hours == 24 and minutes == 0:
        return _MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} has an impossible time {spec!r} (use 00:00 to 23:59)")
    return hours * 60 + minutes


def _format_days(days: frozenset[int]) -> str:
    ordered = sorted(days)
    runs: list[tuple[int, int]] = []
    for day in ordered:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    names = [
        _DAY_NAMES[a].title() if a == b else f"{_DAY_NAMES[a].title()}-{_DAY_NAMES[b].title()}"
        for a, b in runs
    ]
    return ",".join(names)


def _format_clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _first_instant_at_or_after(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The first instant whose local date is ``day`` and local wall time is at least ``minute``.

    Usually that is simply the wall time; when the clocks jump forward over it (the wall time
    does not exist that day) it is the instant of the jump.
    """
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    if _round_trips(wall, tz):
        return wall  # fold=0: the earlier of two instants when the clocks go back
    # In a gap: fold=1 reads the wall time with the offset before the jump → an instant before
    # it; fold=0 with the offset after → an instant after it. Search for the jump in between.
    low = int(wall.replace(fold=1).timestamp())
    high = int(wall.replace(fold=0).timestamp())
    if low > high:
        low, high = high, low
    target = (day, minute * 60)
    while low < high:
        mid = (low + high) // 2
        local = datetime.fromtimestamp(mid, UTC).astimezone(tz)
        if (local.date(), local.hour * 3600 + local.minute * 60 + local.second) >= target:
            high = mid
        else:
            low = mid + 1
    return datetime.fromtimestamp(high, UTC).astimezone(tz)


def _round_trips(wall: datetime, tz: ZoneInfo) -> bool:
    back = wall.astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == wall.replace(tzinfo=None)


#: MOSOVO_BANK_HOLIDAYS: the nations' calendars by the `holidays` package's UK subdivision
BANK_HOLIDAY_REGIONS: dict[str, str | None] = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
    "none": None,
}


#: (subdivision, year) -> its bank holidays, shared by every BankHolidays of the process
_YEARS: dict[tuple[str | None, int], frozenset[date]] = {}
_YEARS_LOCK = threading.Lock()  # the scheduler and listeners ask from several threads


class BankHolidays:
    """The bank holidays of one UK nation (or none), looked up by local date."""

    def __init__(self, region: str = "england-and-wales") -> None:
        if region not in BANK_HOLIDAY_REGIONS:
            raise ValueError(
                f"unknown bank holiday region {region!r}: use " + ", ".join(BANK_HOLIDAY_REGIONS)
            )
        self.region = region
        self._subdivision = BANK_HOLIDAY_REGIONS[region]

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or self._subdivision is None:
            return False
        return day in self._year(day.year)

    def _year(self, year: int) -> frozenset[date]:
        key = (self._subdivision, year)
        known = _YEARS.get(key)  # no lock once known: every timer of every message asks
        if known is not None:
            return known
        with _YEARS_LOCK:
            if key not in _YEARS:
                calendar = holiday_calendars.country_holidays(
                    "GB", subdiv=self._subdivision, years=year
                )
                _YEARS[key] = frozenset(calendar)
            return _YEARS[key]

    def warm(self, *years: int) -> None:
        """Work out these years now: the first look-up of a year costs the `holidays` package
        about half a second of CPU, which every request asking meanwhile would wait for."""
        if self._subdivision is not None:
            for year in years:
                self._year(year)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BankHolidays) and other.region == self.region

    def __hash__(self) -> int:
        return hash(self.region)

    def __repr__(self) -> str:
        return f"BankHolidays({self.region!r})"


NO_HOLIDAYS = BankHolidays("none")

#: a calendar with no working time for this long is a configuration error, not a wait
_SEARCH_DAYS = 60


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours on working days that are not bank holidays, in the force's time zone."""

    hours: WorkingHours
    tz: ZoneInfo
    holidays: BankHolidays = field(default=NO_HOLIDAYS)

    @property
    def is_always(self) -> bool:
        return self.hours.is_always and self.holidays.region == "none"

    def is_open(self, at: datetime) -> bool:
        local = _require_aware(at).astimezone(self.tz)
        return local.date() not in self.holidays and self.hours.is_open(at, self.tz)

    def next_open(self, at: datetime) -> datetime:
        """The first instant at or after `at` inside working time (`at` itself if inside)."""
        if self.is_open(at):
            return at
        for start, _end in self._windows(at):
            return start
        raise ValueError(f"no working hours within {_SEARCH_DAYS} days of {at.isoformat()}")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of working time has passed since `start`: idle time
        counts only while the unit is at work (24 hours idle is 24 working hours)."""
        if self.is_always:
            # in UTC: aware datetimes in one zone add wall-clock time, not elapsed time
            return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
        remaining = duration
        for window_start, window_end in self._windows(start, days=None):
            available = window_end - window_start
            if remaining <= available:
                return (window_start + remaining).astimezone(start.tzinfo)
            remaining -= available
        raise AssertionError("unreachable: _windows without a day limit never ends")

    def _windows(self, at: datetime, days: int | None = _SEARCH_DAYS):  # type: ignore[no-untyped-def]
        """Working windows (UTC instants) from `at` on, the first cut to start at `at`."""
        local_day = _require_aware(at).astimezone(self.tz).date()
        offset = 0
        empty_days = 0
        while days is None or offset < days:
            day = local_day + timedelta(days=offset)
            offset += 1
            if day.weekday() not in self.hours.days or day in self.holidays:
                empty_days += 1
                if empty_days > 3660:
                    raise ValueError("working hours never open: check MOSOVO_WORKING_HOURS")
                continue
            opening = _first_instant_at_or_after(day, self.hours.start_minute, self.tz)
            if self.hours.end_minute >= _MINUTES_PER_DAY:
                closing = _first_instant_at_or_after(day + timedelta(days=1), 0, self.tz)
            else:
                closing = _first_instant_at_or_after(day, self.hours.end_minute, self.tz)
            opening, closing = opening.astimezone(UTC), closing.astimezone(UTC)
            if closing <= at:
                continue
            empty_days = 0
            yield max(opening, at.astimezone(UTC)), closing
