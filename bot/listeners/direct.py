"""Direct messages to the bot: guidance on how and where to start, and links to the officer's
own open requests. Nothing an officer types here is read or kept (no offender data in a DM)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.blocks.direct import LISTED, OpenRequest, guidance
from bot.wiring import Wiring

#: only new messages a person typed are answered: edits, deletions and bots are not
ANSWERED_SUBTYPES = {None, "file_share"}


def register(app: App, wiring: Wiring) -> None:
    @app.event("message", matchers=[in_a_dm])
    def direct_message(
        body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
    ) -> None:
        user = event.get("user")
        if (
            not user
            or not event.get("channel")
            or event.get("bot_id")
            or event.get("subtype") not in ANSWERED_SUBTYPES
        ):
            return
        if not wiring.service.first_time(f"event:{body['event_id']}"):
            return
        messenger = wiring.messenger
        requests = [
            OpenRequest(
                str(r.request_id),
                r.state,
                messenger.permalink(r.channel_id, r.thread_ts)
                if r.thread_ts and n < LISTED
                else None,
            )
            for n, r in enumerate(wiring.service.open_requests(user))
        ]
        language = wiring.languages.language_for(user)
        message = guidance(wiring.command, context.get("bot_user_id"), requests, language)
        messenger.post(event["channel"], message, keep=False)


def in_a_dm(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im"
