"""The slash command: start a request, `help`, `list`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.text import escape
from bot.starting import start_request
from bot.wiring import Wiring

log = logging.getLogger(__name__)


def help_text(command: str) -> str:
    return (
        f"*{command}* (or mentioning me) starts a monitoring software request in this private "
        "channel. "
        "I open a thread and ask one question at a time; a supervisor approves it in the same thread.\n"
        "In the thread you can type `back`, `skip` (optional questions), `help` or `cancel`; "
        "at the summary `submit`, `edit &lt;question&gt;` or `cancel`.\n"
        f"`{command} list` shows your open requests. `{command} help` shows this."
    )


def register(app: App, wiring: Wiring) -> None:
    @app.command(wiring.command)
    def monitoring_request(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip().lower()
        if text == "help":
            ack(text=help_text(wiring.command), response_type="ephemeral")
            return
        ack()
        user, channel = command["user_id"], command["channel_id"]
        if text == "list":
            respond(text=open_requests_text(wiring, user), response_type="ephemeral")
            return
        if text not in ("", "new", "start"):
            respond(
                text=f"I don't know `{escape(text[:50])}`.\n{help_text(wiring.command)}",
                response_type="ephemeral",
            )
            return

        def tell(said: str) -> None:
            respond(text=said, response_type="ephemeral")

        start_request(wiring, user, channel, tell)


def open_requests_text(wiring: Wiring, user: str) -> str:
    requests = wiring.service.open_requests(user)
    if not requests:
        return "You have no open monitoring requests."
    lines = [f"• *{r.request_id}*: {r.state.replace('_', ' ')}" for r in requests]
    return "Your open monitoring requests:\n" + "\n".join(lines)
