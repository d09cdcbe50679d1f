"""Slack messages as readable text: what a person would read in the channel."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Json = dict[str, Any]

_LINK = re.compile(r"<(?:[^<>|]*)\|([^<>]*)>")
_MENTION = re.compile(r"<[@#!](?:subteam\^)?([A-Z0-9]+)(?:\|[^<>]*)?>")


def readable(mrkdwn: str, people: Mapping[str, str]) -> str:
    """Links and dates as their labels, mentions as names, entities decoded."""
    text = _LINK.sub(r"\1", mrkdwn)
    text = _MENTION.sub(lambda m: "@" + people.get(m.group(1), m.group(1)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def block_lines(block: Json) -> list[str]:
    kind = block.get("type")
    if kind in ("section", "header"):
        lines = [_text(block.get("text"))] if block.get("text") else []
        lines += [_text(f) for f in block.get("fields") or []]
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            lines.append(f"[{_text(accessory.get('text'))}]")
        return lines
    if kind == "context":
        return [_text(e) for e in block.get("elements") or [] if e.get("text")]
    if kind == "actions":
        labels = [_text(e.get("text")) for e in block.get("elements") or []]
        return ["  ".join(f"[{label}]" for label in labels if label)]
    if kind == "rich_text":
        return ["".join(_text(e) for s in block.get("elements") or [] for e in s["elements"])]
    return []


def message_lines(message: Json, people: Mapping[str, str]) -> list[str]:
    """The message's blocks as lines of text (its `text` when it has no blocks)."""
    blocks = message.get("blocks") or []
    lines = [line for b in blocks for line in block_lines(b)] or [message.get("text", "")]
    return [readable(row, people) for line in lines for row in str(line).splitlines()]
