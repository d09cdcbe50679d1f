"""The slash command: start a request, `help`, `list`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.conversation import parent_message
from bot.blocks.text import escape
from bot.metrics import METRICS
from bot.responder import Asker
from bot.services import Reply
from bot.wiring import Wiring

log = logging.getLogger(__name__)


def help_text(command: str) -> str:
    return (
        f"*{command}* starts a monitoring software request in this private channel. "
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
        start_request(wiring, user, channel, respond)


def start_request(wiring: Wiring, user: str, channel: str, respond: Respond) -> None:
    refusal = wiring.channels.refusal(channel)
    if refusal is None and not wiring.authority.can_start(user):
        refusal = "You're not on the list of officers who can make monitoring requests. Ask your supervisor."
    if refusal:
        log.info("start refused", extra={"user": user, "channel": channel})
        respond(text=refusal, response_type="ephemeral")
        return
    reply = wiring.service.open_request(user, channel)
    METRICS.requests_opened.inc()
    request_id = str(reply.request.request_id)
    ts = wiring.messenger.post(
        channel, parent_message(reply.request), keep=False, request_id=request_id
    )
    if ts is None:
        wiring.service.could_not_post(request_id)
        respond(
            text="Slack didn't accept the request thread, so nothing was started. Try again shortly.",
            response_type="ephemeral",
        )
        return
    request = wiring.service.attach_thread(request_id, ts)
    wiring.responder.respond(Reply(request, reply.outputs), Asker(user, channel, ts))


def open_requests_text(wiring: Wiring, user: str) -> str:
    requests = wiring.service.open_requests(user)
    if not requests:
        return "You have no open monitoring requests."
    lines = [f"• *{r.request_id}*: {r.state.replace('_', ' ')}" for r in requests]
    return "Your open monitoring requests:\n" + "\n".join(lines)
