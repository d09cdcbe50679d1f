"""Public request ids: "MR-" and the database identity, zero-padded to six digits."""

from __future__ import annotations

import re

_PUBLIC_ID = re.compile(r"MR-(\d{1,18})")


def format_request_id(pk: int) -> str:
    return f"MR-{pk:06d}"


def parse_request_id(request_id: str) -> int | None:
    """The row id behind a public id, or None when the text is not one (never raises)."""
    match = _PUBLIC_ID.fullmatch(request_id.strip().upper())
    return int(match.group(1)) if match else None
