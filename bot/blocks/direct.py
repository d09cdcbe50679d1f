"""What the bot says in a direct message: how and where to start, and links to the officer's
own open requests. A DM is not a request channel, so it never shows offender data: request ids,
their stage and a link to the thread, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from bot import ids
from bot.blocks.text import MARKING, Message, context, section

STAGES = {
    "collecting": "being filled in",
    "confirming": "at its summary, waiting for you to submit",
    "awaiting_approval": "waiting for a supervisor",
    "info_requested": "a supervisor asked you for more information",
    "approved": "approved: mark it installed once it is",
}
#: a DM lists this many open requests at most (a section holds 3000 characters)
LISTED = 20


@dataclass(frozen=True)
class OpenRequest:
    request_id: str
    state: str
    #: the thread's permalink; None when Slack would not give one
    link: str | None


def guidance(command: str, bot_user_id: str | None, requests: list[OpenRequest]) -> Message:
    mention = f"<@{bot_user_id}>" if bot_user_id else "me"
    how = (
        f"{MARKING}\n*Monitoring software requests are made in your unit's private channel, "
        "not here.* In that channel, type "
        f"`{command}` or mention {mention}: I open a thread there and ask the questions one at "
        "a time (or you can fill in a form). Do not send offender details in this conversation."
    )
    blocks = [section(how, ids.DM_GUIDANCE_BLOCK)]
    if requests:
        lines = [_line(r) for r in requests[:LISTED]]
        if len(requests) > LISTED:
            lines.append(f"…and {len(requests) - LISTED} more: see the Home tab.")
        blocks.append(section("*Your open requests*\n" + "\n".join(lines), ids.DM_OPEN_BLOCK))
    else:
        blocks.append(section("You have no open requests.", ids.DM_OPEN_BLOCK))
    blocks.append(context(f"`{command} help` in the channel explains the commands."))
    return Message(text="How to make a monitoring software request", blocks=blocks)


def _line(request: OpenRequest) -> str:
    stage = STAGES.get(request.state, request.state.replace("_", " "))
    name = f"<{request.link}|{request.request_id}>" if request.link else request.request_id
    return f"• *{name}*: {stage}"
