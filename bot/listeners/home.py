"""The App Home tab: a person's open requests (the fuller home is a later issue)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import ids
from bot.blocks.text import MARKING, context, section
from bot.wiring import Wiring


def register(app: App, wiring: Wiring) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user = event["user"]
        requests = wiring.service.open_requests(user)
        lines = [f"• *{r.request_id}*: {r.state.replace('_', ' ')}" for r in requests[:40]]
        blocks = [
            section(f"{MARKING}\n*Your open monitoring requests*", ids.HOME_HEADER_BLOCK),
            section(
                "\n".join(lines) if lines else "You have no open requests.", ids.HOME_OPEN_BLOCK
            ),
            context(f"Start a request with `{wiring.command}` in your unit's private channel."),
        ]
        client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
