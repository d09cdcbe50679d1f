"""Reading what our own views carry back. Slack returns a view's `private_metadata` as we wrote
it, but a request can be forged: what is not a JSON object of strings reads as nothing."""

from __future__ import annotations

import json
from typing import Any


def view_metadata(view: dict[str, Any]) -> dict[str, str]:
    """The metadata we put on a view (`id`, `card`, `channel`, `thread`, …); only its string
    values, and none at all when it is not a JSON object."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    if not isinstance(meta, dict):
        return {}
    return {str(k): v for k, v in meta.items() if isinstance(v, str)}


def view_metadata_list(view: dict[str, Any], key: str) -> list[str] | None:
    """A list of strings we put on a view's metadata (the form's `shown` questions), or None
    when it is missing or not a list of strings (view_metadata keeps only strings)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return None
    value = meta.get(key) if isinstance(meta, dict) else None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None
