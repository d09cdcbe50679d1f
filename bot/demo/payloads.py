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


def _trigger() -> str:
    return f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"


def _user(user: str) -> Json:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID}


def slash_command(secret: str, command: str, user: str, channel: str) -> BoltRequest:
    fields = {
        "token": "demo",
        "team_id": TEAM_ID,
        "team_domain": "mosovo-demo",
        "channel_id": channel,
        "channel_name": "privategroup",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": "",
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": RESPONSE_URL,
        "trigger_id": _trigger(),
    }
    return _form(secret, fields)


def thread_reply(
    secret: str, user: str, channel: str, thread_ts: str, text: str, ts: str
) -> BoltRequest:
    """What a person typed in a thread; & < > arrive as entities, as Slack sends them."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    event = {
        "type": "message",
        "user": user,
        "text": escaped,
        "ts": ts,
        "event_ts": ts,
        "thread_ts": thread_ts,
        "parent_user_id": BOT_USER_ID,
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
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    if message.get("thread_ts"):
        container["thread_ts"] = message["thread_ts"]
    payload: Json = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "demo",
        "container": container,
        "trigger_id": _trigger(),
        "team": {"id": TEAM_ID, "domain": "mosovo-demo"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "privategroup"},
        "message": message,
        "state": {"values": {}},
        "response_url": RESPONSE_URL,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "type": "button",
                "value": value,
                "text": {"type": "plain_text", "text": "Button"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return _interaction(secret, payload)


def view_submission(secret: str, user: str, view: Json, values: Json) -> BoltRequest:
    """The modal `view` (as views.open answered) submitted with `values` as its state."""
    payload: Json = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "mosovo-demo"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": "demo",
        "trigger_id": _trigger(),
        "view": {
            **view,
            "team_id": TEAM_ID,
            "state": {"values": values},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "app_id": APP_ID,
            "bot_id": "B0DEMOBOT",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interaction(secret, payload)
