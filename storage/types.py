"""Column types that make both databases give back exactly what the domain stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

# Tags for the non-JSON values a normalised answer may hold (a date field parses to a `date`).
# A tagged object is a dict with exactly one of these keys, which no answer or flag uses.
_DATE_TAG = "$date"
_DATETIME_TAG = "$datetime"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on every database.

    PostgreSQL keeps the instant (`timestamptz`) but answers in the session's time zone; SQLite
    keeps text with no zone at all. Storing UTC and re-attaching it makes both behave the same,
    and SQLite's fixed-width text then sorts and compares in time order.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # a naive time is ambiguous: refuse it rather than guess the zone
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def to_jsonable(value: Any) -> Any:
    """The value as plain JSON data, dates tagged so that `from_jsonable` restores them."""
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.isoformat()}
    if isinstance(value, date):
        return {_DATE_TAG: value.isoformat()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def from_jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            if _DATE_TAG in value:
                return date.fromisoformat(value[_DATE_TAG])
            if _DATETIME_TAG in value:
                return datetime.fromisoformat(value[_DATETIME_TAG])
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


class JSONValue(TypeDecorator[Any]):
    """JSON that round-trips dates too. Plain `json` on PostgreSQL (not `jsonb`), which keeps the
    text as written: key order survives, so answers come back in the order they were given."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else to_jsonable(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else from_jsonable(value)


def canonical_json(value: Any) -> str:
    """One byte-for-byte encoding of a value, for hashing: sorted keys, no spaces, UTF-8 text."""
    return json.dumps(
        to_jsonable(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
