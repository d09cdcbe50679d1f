"""Durations like ``30m`` / ``1d12h`` for the settings. Working hours and bank holidays are
domain rules and live in flows.calendar (re-exported here for the settings' parsers)."""

from __future__ import annotations

import re
from datetime import timedelta

from flows.calendar import WorkingHours

__all__ = ["WorkingHours", "format_duration", "parse_duration"]

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
