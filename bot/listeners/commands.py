"""The slash command: start a request, `help`, `list`, `delegate`, `language` (`iaith`)."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.acks import acknowledge_unless
from bot.blocks.language import language_current_text, language_set_text, language_unknown_text
from bot.blocks.text import escape
from bot.languages import LANGUAGE_COMMANDS, language_named
from bot.services import Refused
from bot.starting import start_request
from bot.wiring import Wiring
from flows.i18n import DEFAULT_LANGUAGE, translator
from flows.waiting import state_words

log = logging.getLogger(__name__)

#: a user as Slack writes one in a command's text (the command escapes users)
_USER = r"<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>"
#: the subcommands, in English and in Welsh (either is understood whatever the reader's language)
HELP_WORDS = ("help", "cymorth")
LIST_WORDS = ("list", "rhestr")
DELEGATE_WORDS = ("delegate", "dirprwyo")
_DELEGATE = r"(?:delegate|dirprwyo)"
DELEGATE = re.compile(rf"^{_DELEGATE}\s+{_USER}\s+(?:until|tan)\s+(?P<until>.+)$", re.IGNORECASE)
REVOKE = re.compile(rf"^{_DELEGATE}\s+(?:revoke|dirymu)\s+{_USER}\s*$", re.IGNORECASE)
#: how long the help waits for the reader's language before it is acknowledged without it (and
#: follows through response_url): Slack wants the acknowledgement within three seconds
HELP_LANGUAGE_WAIT_SECONDS = 1.0


def help_text(command: str, language: str = DEFAULT_LANGUAGE) -> str:
    """What the command does and the words it takes, in the reader's language (the commands
    as they are typed in it: `cymorth`, `rhestr`, `nôl`, … in Welsh)."""
    t = translator(language)
    return "\n".join(
        [
            t(
                "*{command}* (or mentioning me) starts a monitoring software request in this "
                "private channel. I open a thread and ask one question at a time; a supervisor "
                "approves it in the same thread.",
                command=command,
            ),
            t(
                "In the thread you can type `back`, `skip` (optional questions), `help` or "
                "`cancel`; at the summary `submit`, `edit &lt;question&gt;` or `cancel`."
            ),
            t(
                "`{command} list` shows your open requests. `{command} help` shows this.",
                command=command,
            ),
            t(
                "Supervisors: `{command} delegate @user until 24/12/2026` lets someone decide "
                "on your behalf until the end of that day; `{command} delegate revoke @user` "
                "ends it sooner.",
                command=command,
            ),
            t(
                "`{command} language cymraeg|english` (or `{command} iaith cymraeg|saesneg`) "
                "chooses the language I use with you.",
                command=command,
            ),
        ]
    )


def answered_in_ack(command: dict[str, Any]) -> bool:
    """`help` may be answered in its acknowledgement; every other use is acknowledged at once,
    before a listener thread is free (bot/acks.py)."""
    return (command.get("text") or "").strip().lower() in HELP_WORDS


def register(app: App, wiring: Wiring) -> None:
    @app.command(wiring.command, middleware=[acknowledge_unless(answered_in_ack)])
    def monitoring_request(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        text = (command.get("text") or "").strip().lower()
        user, channel = command["user_id"], command["channel_id"]
        if text in HELP_WORDS:
            language = language_soon(wiring, user, HELP_LANGUAGE_WAIT_SECONDS)
            if language is not None:
                ack(text=help_text(wiring.command, language), response_type="ephemeral")
                return
            ack()
            language = wiring.languages.language_for(user)
            respond(text=help_text(wiring.command, language), response_type="ephemeral")
            return
        ack()
        words = text.split()
        if words and words[0] in DELEGATE_WORDS:
            said = delegation(wiring, user, (command.get("text") or "").strip())
            respond(text=said, response_type="ephemeral")
            return
        if words and words[0] in LANGUAGE_COMMANDS:
            respond(text=language_text(wiring, user, words[1:]), response_type="ephemeral")
            return
        if text in LIST_WORDS:
            respond(text=open_requests_text(wiring, user), response_type="ephemeral")
            return
        if text not in ("", "new", "start"):
            respond(text=unknown_text(wiring, user, text), response_type="ephemeral")
            return

        def tell(said: str) -> None:
            respond(text=said, response_type="ephemeral")

        start_request(wiring, user, channel, tell, command_delivery(command))


def language_soon(wiring: Wiring, user: str, seconds: float) -> str | None:
    """The reader's language if it is found within `seconds` (their choice is read from the
    database; their Slack locale may have to be asked for), else None."""
    found: list[str] = []
    lookup = threading.Thread(
        target=lambda: found.append(wiring.languages.language_for(user)),
        name="help-language",
        daemon=True,
    )
    lookup.start()
    lookup.join(seconds)
    return found[0] if found else None


def unknown_text(wiring: Wiring, user: str, text: str) -> str:
    language = wiring.languages.language_for(user)
    t = translator(language)
    unknown = t("I don't know `{words}`.", words=escape(text[:50]))
    return unknown + "\n" + help_text(wiring.command, language)


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
    """The officer's open requests and where each stands, in their language."""
    requests = wiring.service.open_requests(user)
    t = translator(wiring.languages.language_for(user))
    if not requests:
        return t("You have no open monitoring requests.")
    lines = [
        t("• *{request}*: {state}", request=r.request_id, state=state_words(r.state, t))
        for r in requests
    ]
    return t("Your open monitoring requests:") + "\n" + "\n".join(lines)


def delegation(wiring: Wiring, user: str, text: str) -> str:
    """`delegate @user until <date>` or `delegate revoke @user` (in Welsh `dirprwyo @user tan
    <date>`, `dirprwyo dirymu @user`): what to tell the supervisor, in their language."""
    language = wiring.languages.language_for(user)
    revoke = REVOKE.match(text)
    give = DELEGATE.match(text)
    if revoke:
        other = revoke["user"]
        result = wiring.service.revoke_delegation(user, other, language)
    elif give:
        other = give["user"]
        result = wiring.service.delegate(user, other, give["until"], language)
    else:
        t = translator(language)
        return t(
            "Write `{command} delegate @user until 24/12/2026` or "
            "`{command} delegate revoke @user`.",
            command=wiring.command,
        )
    if isinstance(result, Refused):
        return wiring.responder.refusal_text(result, user)
    # both people's Homes list the delegations in force
    wiring.home.refresh([user, other])
    return result
