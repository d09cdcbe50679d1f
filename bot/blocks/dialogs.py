"""What the dialogs are made of (the modal itself, a long text input), and the dialog that only
says something: what replaces a dialog the user turned out not to be allowed to use (it is
opened before the check, while Slack's trigger is still valid)."""

from __future__ import annotations

import json
from typing import Any

from bot import ids
from bot.blocks.text import marking, section
from flows.i18n import DEFAULT_LANGUAGE, translator


def modal(
    title: str,
    blocks: list[dict[str, Any]],
    close: str,
    submit: str | None = None,
    callback_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A modal view; one that is submitted has a `submit` label, a `callback_id` and the
    `metadata` its listener reads back (bot/listeners/payloads.py)."""
    view: dict[str, Any] = {"type": "modal"}
    if callback_id is not None:
        view["callback_id"] = callback_id
    if metadata is not None:
        view["private_metadata"] = json.dumps(metadata)
    view["title"] = {"type": "plain_text", "text": title}
    if submit is not None:
        view["submit"] = {"type": "plain_text", "text": submit}
    view["close"] = {"type": "plain_text", "text": close}
    view["blocks"] = blocks
    return view


def long_text_input(
    block_id: str, action_id: str, label: str, optional: bool = False
) -> dict[str, Any]:
    """An input for a few lines of free text (a comment, a reason, notes)."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {
            "type": "plain_text_input",
            "action_id": action_id,
            "multiline": True,
            "max_length": 2000,
        },
    }
    if optional:
        block["optional"] = True
    return block


def refused_dialog(text: str, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """`text` (already in the reader's language) in a dialog worded in `language`."""
    t = translator(language)
    blocks = [section(f"{marking(t)}\n{text}", ids.DIALOG_REFUSED_BLOCK)]
    return modal(t("Not possible"), blocks, close=t("Close"))
