"""Requests as Slack sends them to the bot, signed with the app's signing secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest

from bot.demo.workspace import APP_ID, BOT_USER_ID, TEAM_ID

Json = dict[str, Any]

#: where Bolt would answer a slash command or a click; the scripted path never uses it
RESPONSE_URL = "http://127.0.0.1:9/demo/response"


def signed(secret: str, body: str, content_type: str) -> BoltRequest:
    """Slack's signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    headers: dict[str, str | Sequence[str]] = {
        "content-type": content_type,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
    }
    return BoltRequest(body=body, headers=headers)


def _form(secret: str, fields: dict[str, str]) -> BoltRequest:
    return signed(secret, urlencode(fields), "application/x-www-form-urlencoded")


def _interaction(secret: str, payload: Json) -> BoltRequest:
    return _form(secret, {"payload": json.dumps(payload)})


def new_trigger() -> str:
    """A trigger id as Slack issues one with each command and click (a modal needs it)."""
    return f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"


def _user(user: str) -> Json:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID}


def slash_command(
    secret: str,
    command: str,
    user: str,
    channel: str,
    text: str = "",
    response_url: str = RESPONSE_URL,
    trigger_id: str | None = None,
) -> BoltRequest:
    """A slash command; & < > in `text` arrive as entities, as Slack sends them."""
    fields = {
        "token": "demo",
        "team_id": TEAM_ID,
        "team_domain": "mosovo-demo",
        "channel_id": channel,
        "channel_name": "privategroup",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": _entities(text),
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger(),
    }
    return _form(secret, fields)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def thread_reply(
    secret: str, user: str, channel: str, thread_ts: str, text: str, ts: str
) -> BoltRequest:
    """What a person typed in a thread; & < > arrive as entities, as Slack sends them."""
    return channel_message(secret, user, channel, text, ts, thread_ts)


def channel_message(
    secret: str,
    user: str,
    channel: str,
    text: str,
    ts: str,
    thread_ts: str | None = None,
    mention_bot: bool = False,
) -> BoltRequest:
    """What a person typed in the channel or (with `thread_ts`) a thread: a ``message`` event,
    or an ``app_mention`` when it begins by mentioning the bot (written ``<@bot>`` by Slack)."""
    escaped = _entities(text)
    event: Json = {
        "type": "app_mention" if mention_bot else "message",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {escaped}" if mention_bot else escaped,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "channel_type": "group",
        "blocks": [
            {
                "type": "rich_text",
                "block_id": secrets.token_urlsafe(3),
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER_ID
    return event_callback(secret, event)


def app_home_opened(secret: str, user: str) -> BoltRequest:
    """The person opened the app's Home tab."""
    ts = f"{time.time():.6f}"
    event = {"type": "app_home_opened", "user": user, "channel": "D0" + user, "tab": "home"}
    return event_callback(secret, {**event, "event_ts": ts})


def event_callback(secret: str, event: Json) -> BoltRequest:
    """The Events API envelope around `event`, signed."""
    envelope = {
        "token": "demo",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return signed(secret, json.dumps(envelope), "application/json")


def button_click(
    secret: str, user: str, channel: str, message: Json, action_id: str, value: str
) -> BoltRequest:
    """A click on a button of `message` (as the channel holds it)."""
    action = {
        "action_id": action_id,
        "block_id": "b",
        "type": "button",
        "value": value,
        "text": {"type": "plain_text", "text": "Button"},
    }
    return block_action(secret, user, action, message=message, channel=channel)


def block_action(
    secret: str,
    user: str,
    action: Json,
    *,
    message: Json | None = None,
    channel: str | None = None,
    view: Json | None = None,
    values: Json | None = None,
    trigger_id: str | None = None,
    response_url: str = RESPONSE_URL,
) -> BoltRequest:
    """One interactive element used (`action`: its type, ids and what was picked) in `message`
    of `channel`, or in `view` (a modal or a Home tab); `values` is the surface's input state."""
    payload: Json = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "demo",
        "trigger_id": trigger_id or new_trigger(),
        "team": {"id": TEAM_ID, "domain": "mosovo-demo"},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = {**_as_submitted(view, values or {}), "type": view.get("type", "modal")}
    else:
        assert message is not None and channel is not None
        container = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        }
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        payload.update(
            container=container,
            channel={"id": channel, "name": "privategroup"},
            message=message,
            state={"values": values or {}},
            response_url=response_url,
        )
    return _interaction(secret, payload)


def _as_submitted(view: Json, values: Json) -> Json:
    """`view` (as views.open answered) with `values` as its state, as Slack sends it back."""
    return {
        **view,
        "team_id": TEAM_ID,
        "state": {"values": values},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "app_id": APP_ID,
        "bot_id": "B0DEMOBOT",
    }


def view_submission(
    secret: str, user: str, view: Json, values: Json, trigger_id: str | None = None
) -> BoltRequest:
    """The modal `view` (as views.open answered) submitted with `values` as its state."""
    payload: Json = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "mosovo-demo"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "demo",
        "trigger_id": trigger_id or new_trigger(),
        "view": _as_submitted(view, values),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(secret, payload)


def view_closed(secret: str, user: str, view: Json, values: Json) -> BoltRequest:
    """The person closed the modal `view` (sent only when it asked: ``notify_on_close``)."""
    payload: Json = {
        "type": "view_closed",
        "team": {"id": TEAM_ID, "domain": "mosovo-demo"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "demo",
        "view": _as_submitted(view, values),
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(secret, payload)
