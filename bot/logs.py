"""Logging as JSON lines on stderr, built so that offender data cannot reach the log.

One object per line: ``ts``, ``level``, ``logger``, ``message``, then whitelisted extra fields
(``logger.info("posted", extra={"request_id": ..., "channel": ...})``) and, for exceptions, the type
and the frames (file, line, function), never the exception's message or local values.

What is kept is decided by :data:`SAFE_EXTRA_KEYS` and by the value itself: an extra whose key is
not listed, or whose value is free text (spaces, punctuation, long digit runs such as an IMEI or a
phone number), is dropped. ``%``-style arguments are treated the same way: a message whose
arguments are not all safe is logged as its unformatted template. Messages that look like a data
dump (``{…}`` / ``[…]``, an 11+ digit run, or very long, as some libraries log request bodies
with f-strings) are replaced by a placeholder.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

#: extra keys that may be logged: identifiers and counters, never free text
SAFE_EXTRA_KEYS: frozenset[str] = frozenset(
    {
        "request_id",
        "user",
        "channel",
        "team",
        "usergroup",
        "ts",
        "thread_ts",
        "action",
        "action_id",
        "callback_id",
        "event_id",
        "event_type",
        "command",
        "method",
        "path",
        "status",
        "http_status",
        "attempts",
        "duration_ms",
        "retry_after",
        "error",
        "error_code",
        "job",
        "count",
    }
)

_SAFE_TEXT = re.compile(r"^[A-Za-z0-9_.:/\-]{1,128}$")
_LONG_DIGITS = re.compile(r"\d{11,}")
_MAX_SAFE_NUMBER = 10**10  # larger numbers could be an IMEI or a phone number
_MAX_LIST = 50
_MAX_MESSAGE = 300
_HANDLER_NAME = "mosovo-json"

#: attributes every LogRecord has; anything else on a record came from ``extra=``
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName"}
)


def configure_logging(
    level: str | int = "INFO", *, stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record, as a JSON line, to ``stream`` (default: stderr) at ``level``.

    Idempotent: a handler installed by an earlier call is replaced. Returns the handler.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    logging.captureWarnings(True)
    return handler


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object keeping only data known to be safe."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": safe_message(record),
        }
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key not in SAFE_EXTRA_KEYS or key in entry:
                continue
            safe = _safe_value(value)
            if safe is not _DROP:
                entry[key] = safe
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = describe_exception(record.exc_info[1], record.exc_info[2])
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def safe_message(record: logging.LogRecord) -> str:
    """The record's message, with arguments only when they are all safe, and no data dumps."""
    template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
    message = template
    if record.args:
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        if all(_safe_value(arg) is not _DROP for arg in args):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                message = template
    if _looks_like_data(message):
        return f"[message withheld: {len(message)} characters that look like data]"
    return message


def describe_exception(
    error: BaseException | None, tb: TracebackType | None
) -> dict[str, Any] | None:
    """An exception as its type and frames, following ``raise … from`` causes; no message."""
    if error is None:
        return None
    described: dict[str, Any] = {
        "type": _type_name(error),
        "frames": [
            {"file": frame.filename, "line": frame.lineno, "function": frame.name}
            for frame in traceback.extract_tb(tb)
        ],
    }
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None and cause is not error:
        described["cause"] = describe_exception(cause, cause.__traceback__)
    return described


def _type_name(error: BaseException) -> str:
    kind = type(error)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


_DROP = object()


def _safe_value(value: Any) -> Any:
    """``value`` if it is an identifier or a number, a list of those, else ``_DROP``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if abs(value) < _MAX_SAFE_NUMBER else _DROP
    if isinstance(value, str):
        if _SAFE_TEXT.match(value) and not _LONG_DIGITS.search(value):
            return value
        return _DROP
    if isinstance(value, list | tuple | set | frozenset) and len(value) <= _MAX_LIST:
        items = [_safe_value(item) for item in value]
        if all(item is not _DROP and not isinstance(item, list) for item in items):
            return items
    return _DROP


def _looks_like_data(message: str) -> bool:
    return (
        len(message) > _MAX_MESSAGE
        or "{" in message
        or "[" in message
        or _LONG_DIGITS.search(message) is not None
    )
