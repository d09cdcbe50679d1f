"""`@mosovo-bot` mentioned in a channel: starts a request there, as the slash command does."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot.listeners.commands import help_text, open_requests_text
from bot.starting import start_request
from bot.wiring import Wiring

#: a user mention as Slack encodes it: <@U123> or <@U123|name>
USER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def register(app: App, wiring: Wiring) -> None:
    @app.event("app_mention")
    def mentioned(body: dict[str, Any], event: dict[str, Any]) -> None:
        user, channel = event.get("user"), event.get("channel")
        if not user or not channel or event.get("bot_id"):
            return
        if event.get("thread_ts"):
            return  # inside a thread it is a reply: the thread's message listener has it
        messenger = wiring.messenger

        def tell(said: str) -> None:
            messenger.ephemeral(channel, user, said)

        words = USER_MENTION.sub(" ", event.get("text") or "").strip().lower()
        if words == "help":
            tell(help_text(wiring.command))
        elif words == "list":
            tell(open_requests_text(wiring, user))
        else:
            start_request(wiring, user, channel, tell, delivery=f"event:{body['event_id']}")
