"""The slash command: start a request, `help`, `list`, `delegate`, `language` (`iaith`)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.language import language_current_text, language_set_text, language_unknown_text
from bot.blocks.text import escape
from bot.languages import LANGUAGE_COMMANDS, language_named
from bot.services import Refused
from bot.starting import start_request
from bot.wiring import Wiring

log = logging.getLogger(__name__)

#: a user as Slack writes one in a command's text (the command escapes users)
_USER = r"<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>"
DELEGATE = re.compile(rf"^delegate\s+{_USER}\s+until\s+(?P<until>.+)$", re.IGNORECASE)
REVOKE = re.compile(rf"^delegate\s+revoke\s+{_USER}\s*$", re.IGNORECASE)


def help_text(command: str) -> str:
    return (
        f"*{command}* (or mentioning me) starts a monitoring software request in this private "
        "channel. "
        "I open a thread and ask one question at a time; a supervisor approves it in the same thread.\n"
        "In the thread you can type `back`, `skip` (optional questions), `help` or `cancel`; "
        "at the summary `submit`, `edit &lt;question&gt;` or `cancel`.\n"
        f"`{command} list` shows your open requests. `{command} help` shows this.\n"
        f"Supervisors: `{command} delegate @user until 24/12/2026` lets someone decide on your "
        f"behalf until the end of that day; `{command} delegate revoke @user` ends it sooner.\n"
        f"`{command} language cymraeg|english` (or `{command} iaith cymraeg|saesneg`) chooses "
        "the language I use with you."
    )


def register(app: App, wiring: Wiring) -> None:
    @app.command(wiring.command)
    def monitoring_request(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip().lower()
        if text in ("help", "cymorth"):
            ack(text=help_text(wiring.command), response_type="ephemeral")
            return
        ack()
        user, channel = command["user_id"], command["channel_id"]
        if text.startswith("delegate"):
            said = delegation(wiring, user, (command.get("text") or "").strip())
            respond(text=said, response_type="ephemeral")
            return
        words = text.split()
        if words and words[0] in LANGUAGE_COMMANDS:
            respond(text=language_text(wiring, user, words[1:]), response_type="ephemeral")
            return
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

        start_request(wiring, user, channel, tell, command_delivery(command))


def command_delivery(command: dict[str, Any]) -> str:
    """The delivery key of one slash command: its trigger id, which Slack issues afresh for each
    invocation and which is inside the signed body, so a request replayed within Slack's
    5-minute signature window opens nothing new."""
    trigger = command.get("trigger_id")
    if trigger:
        return f"command:{trigger}"
    signed = json.dumps(command, sort_keys=True, default=str).encode()
    return f"command:{hashlib.sha256(signed).hexdigest()}"


def language_text(wiring: Wiring, user: str, words: list[str]) -> str:
    """`language cymraeg|english` or `iaith cymraeg|saesneg`: set (audited), answered in the
    language chosen; with no language named, which one is in use."""
    if not words:
        return language_current_text(wiring.languages.language_for(user), wiring.command)
    chosen = language_named(words[0]) if len(words) == 1 else None
    if chosen is None:
        said = " ".join(words)
        return language_unknown_text(wiring.languages.language_for(user), wiring.command, said)
    wiring.languages.set_language(user, chosen, "command")
    wiring.home.refresh([user])  # Home shows the chosen language too
    return language_set_text(chosen, wiring.command)


def open_requests_text(wiring: Wiring, user: str) -> str:
    requests = wiring.service.open_requests(user)
    if not requests:
        return "You have no open monitoring requests."
    lines = [f"• *{r.request_id}*: {r.state.replace('_', ' ')}" for r in requests]
    return "Your open monitoring requests:\n" + "\n".join(lines)


def delegation(wiring: Wiring, user: str, text: str) -> str:
    """`delegate @user until <date>` or `delegate revoke @user`: what to tell the supervisor."""
    revoke = REVOKE.match(text)
    give = DELEGATE.match(text)
    if revoke:
        other = revoke["user"]
        result = wiring.service.revoke_delegation(user, other)
    elif give:
        other = give["user"]
        result = wiring.service.delegate(user, other, give["until"])
    else:
        return (
            f"Write `{wiring.command} delegate @user until 24/12/2026` or "
            f"`{wiring.command} delegate revoke @user`."
        )
    if isinstance(result, Refused):
        return wiring.responder.refusal_text(result)
    # both people's Homes list the delegations in force
    wiring.home.refresh([user, other])
    return result
