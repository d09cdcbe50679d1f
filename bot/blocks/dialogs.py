"""Dialogs that only say something: what replaces a dialog the user turned out not to be
allowed to use (it is opened before the check, while Slack's trigger is still valid)."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import MARKING, section


def refused_dialog(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Not possible"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(f"{MARKING}\n{text}", ids.DIALOG_REFUSED_BLOCK)],
    }
