"""Text helpers for Slack mrkdwn: escaping, masking and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flows.fields import Field
from flows.i18n import N_, Translator, translator
from flows.parsers import mask_last4

SECTION_LIMIT = 3000
#: the Government Security Classification marking on whatever shows a request's data, shown in
#: each reader's language with `marking(t)` (SWYDDOGOL-SENSITIF in Welsh)
MARKING = N_(":lock: *OFFICIAL-SENSITIVE*")


@dataclass
class Message:
    """One Slack message: fallback text (notifications, screen readers) and blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def marking(t: Translator) -> str:
    """The protective marking in the reader's language (SWYDDOGOL-SENSITIF in Welsh)."""
    return t(MARKING)


def escape(text: str) -> str:
    """Neutralise mrkdwn control characters so user text can never ping, link or format.

    Exactly once, on the way out: what is stored is what the person typed (see `from_slack`).
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_ENTITY = re.compile(r"&(amp|lt|gt);")
_DECODED = {"amp": "&", "lt": "<", "gt": ">"}


def from_slack(text: str) -> str:
    """A message's text as the person typed it: Slack sends a typed `&`, `<` and `>` as
    `&amp;`, `&lt;` and `&gt;`. Decoded once, in one pass, at the adapter boundary (a typed
    `&lt;` arrives as `&amp;lt;` and comes back as `&lt;`)."""
    return _SLACK_ENTITY.sub(lambda match: _DECODED[match[1]], text)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def escape_within(text: str, limit: int) -> str:
    """User text escaped and, if need be, shortened to `limit` characters (with its "…"),
    cutting between whole characters so an entity such as `&amp;` is never cut in half."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept = ""
    for char in text:
        piece = escape(char)
        if len(kept) + len(piece) > limit - 1:
            break
        kept += piece
    return kept + "…"


def mask_imei(imei: str, language: str = "en") -> str:
    return mask_last4(imei, language)


def shown(field: Field, value: Any, t: Translator | None = None) -> str:
    """An answer as Slack shows it: labels for choices, IMEIs and serials masked, escaped; in
    `t`'s language (None: the field's own, as `field.display` words answers)."""
    language = t.language if t else getattr(field, "language", None)
    if field.masked and isinstance(value, list):
        if not value:
            return translator(language)("None")
        return ", ".join(escape(mask_last4(str(v), language or "en")) for v in value)
    if field.masked and isinstance(value, str):
        return escape(mask_last4(value, language or "en"))
    return escape(field.display(value))


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def mention_any(slack_id: str) -> str:
    """A user or a user group, as Slack mentions them."""
    return f"<!subteam^{slack_id}>" if slack_id.startswith("S") else f"<@{slack_id}>"


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)},
    }
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, 2000)}],
    }
    if block_id:
        block["block_id"] = block_id
    return block


def button(
    text: str,
    action_id: str,
    value: str,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, 75), "emoji": False},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def long_text_blocks(title: str, text: str, block_id: str) -> list[dict[str, Any]]:
    """Free text too long for one section, split across sections with distinct block ids.

    Split before escaping, so an entity such as `&amp;` is never cut in half.
    """
    room = SECTION_LIMIT - len(title) - 10
    parts: list[str] = []
    current = ""
    for char in text:
        piece = escape(char)
        if len(current) + len(piece) > room:
            parts.append(current)
            current = ""
        current += piece
    parts.append(current)
    return [
        section(f"*{title}*\n{part}" if n == 0 else part, f"{block_id}:{n}")
        for n, part in enumerate(parts)
    ]
