"""Officers' replies in a request's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks.text import from_slack
from bot.responder import Asker
from bot.wiring import Wiring

#: the only message subtype that is an officer typing in a thread ("also send to channel")
ANSWER_SUBTYPES = {None, "thread_broadcast"}


def register(app: App, wiring: Wiring) -> None:
    @app.event("message")
    def thread_reply(body: dict[str, Any], event: dict[str, Any]) -> None:
        if not is_answer(event):
            return
        result = wiring.service.message(
            event["channel"],
            event["thread_ts"],
            event["user"],
            from_slack(event.get("text") or ""),  # decoded once, here; escaped once on output
            f"event:{body['event_id']}",
        )
        wiring.responder.respond(result, Asker(event["user"], event["channel"], event["thread_ts"]))


def is_answer(event: dict[str, Any]) -> bool:
    """A person's new message inside a thread: never edits, deletions or bots."""
    return (
        event.get("subtype") in ANSWER_SUBTYPES
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("channel"))
        and bool(event.get("thread_ts"))
        and event.get("thread_ts") != event.get("ts")
    )
