"""Dialogs that only say something: what replaces a dialog the user turned out not to be
allowed to use (it is opened before the check, while Slack's trigger is still valid)."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.text import marking, section
from flows.i18n import DEFAULT_LANGUAGE, translator


def refused_dialog(text: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """`text` (already in the reader's language) in a dialog worded in `language`."""
    t = translator(language)
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": t("Not possible")},
        "close": {"type": "plain_text", "text": t("Close")},
        "blocks": [section(f"{marking(t)}\n{text}", ids.DIALOG_REFUSED_BLOCK)],
    }
