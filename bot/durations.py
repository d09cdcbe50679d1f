"""Durations like ``30m`` / ``1d12h`` and working hours like ``Mon-Fri 08:00-18:00``.

Pure helpers for the settings and the scheduler: no I/O, no clock. Working hours are wall-clock
times in a time zone, so every calculation goes through :mod:`zoneinfo` and stays correct across
the clock changes (Europe/London moves between GMT and BST twice a year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_UNITS: dict[str, int] = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_UNIT_ORDER = "dhms"
_DURATION = re.compile(r"(?:\d+[a-zA-Z])+")
_DURATION_PART = re.compile(r"(\d+)([a-zA-Z])")
_DURATION_EXAMPLES = "e.g. 90s, 30m, 4h, 2d or 1d12h"
#: timedelta's own limit; beyond it Python raises OverflowError, not ValueError
_LONGEST_SECONDS = int(timedelta.max.total_seconds())
#: "1d23h59m59s" is 11 characters; longer text is a mistake, and is not echoed back
_LONGEST_SPEC = 24


def parse_duration(text: str) -> timedelta:
    """Parse ``<number><unit>`` parts (units d, h, m, s, largest first) into a positive timedelta.

    >>> parse_duration("1d12h")
    datetime.timedelta(days=1, seconds=43200)
    """
    spec = text.strip()
    if not spec:
        raise ValueError(f"a duration is needed ({_DURATION_EXAMPLES})")
    if len(spec) > _LONGEST_SPEC:
        raise ValueError(f"that is too long to be a duration ({_DURATION_EXAMPLES})")
    if spec.isdigit():
        raise ValueError(f"{text!r} has no unit: use d, h, m or s ({_DURATION_EXAMPLES})")
    if _DURATION.fullmatch(spec) is None:
        raise ValueError(
            f"{text!r} is not a duration: whole numbers with units d, h, m, s "
            f"({_DURATION_EXAMPLES})"
        )
    seconds = 0
    last_unit = -1
    for number, unit in _DURATION_PART.findall(spec):
        if unit not in _UNITS:
            raise ValueError(f"{text!r} has an unknown unit {unit!r}: use d, h, m or s")
        order = _UNIT_ORDER.index(unit)
        if order <= last_unit:
            raise ValueError(
                f"{text!r} repeats a unit or puts a smaller one first: write it like 1d12h"
            )
        last_unit = order
        seconds += int(number) * _UNITS[unit]
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    if seconds > _LONGEST_SECONDS:
        raise ValueError(f"{text!r} is longer than any date can reach")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of :func:`parse_duration`, in whole seconds: 36 hours → ``1d12h``."""
    remaining = int(delta.total_seconds())
    if remaining <= 0:
        return "0s"
    parts = []
    for unit in _UNIT_ORDER:
        count, remaining = divmod(remaining, _UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


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
