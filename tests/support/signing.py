"""Build requests as Slack sends them to the bot, signed with the app's signing secret.

Payloads start from the samples of Slack's own bolt-python test suite
(``samples/bolt-python`` of the Slack reference, as kept in the digest) with the given fields overridden. Each builder
returns a ``SignedRequest`` (a ``(body, headers)`` tuple) ready for ``post(url, *request)``:

    request = slash_command(SECRET, text="", user_id="W111", channel_id="C111")
    status, body = post(f"{base}/slack/events", *request)
    reply = thread_reply(channel="C111", thread_ts=parent_ts, user="W111", text="yes")
    status, _ = post(url, *event_callback(SECRET, reply))

Pass ``timestamp=`` for a stale request, or a different secret for a forged one.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from tests.support.reference import load_reference_json, reference_text
from tests.support.workspace import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

Json = dict[str, Any]
SAMPLES = "samples/bolt-python"
FORM = "application/x-www-form-urlencoded"
JSON_CONTENT = "application/json"


class SignedRequest(NamedTuple):
    """A request body and the headers Slack would send with it."""

    body: bytes
    headers: dict[str, str]

    def payload(self) -> Json:
        """The decoded payload (JSON body, form ``payload=<json>``, or plain form fields)."""
        if self.headers["Content-Type"] == JSON_CONTENT:
            return dict(json.loads(self.body))
        form = dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        return dict(json.loads(form["payload"])) if "payload" in form else form

    def retried(self, retry_num: int, retry_reason: str = "http_timeout") -> SignedRequest:
        """The same delivery as Slack retries it (same body, ``X-Slack-Retry-*`` headers)."""
        headers = {
            **self.headers,
            "X-Slack-Retry-Num": str(retry_num),
            "X-Slack-Retry-Reason": retry_reason,
        }
        return SignedRequest(self.body, headers)


class HttpResult(NamedTuple):
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


# -- signing ----------------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    body: bytes,
    *,
    content_type: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> dict[str, str]:
    """Headers Slack sends: content type, request timestamp (default now) and signature."""
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(secret, ts, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
    return headers


def _signed_json(secret: str, payload: Json, **options: Any) -> SignedRequest:
    body = json.dumps(payload).encode("utf-8")
    return SignedRequest(body, signed_headers(secret, body, content_type=JSON_CONTENT, **options))


def _signed_form(secret: str, fields: Mapping[str, str], **options: Any) -> SignedRequest:
    body = urlencode(fields).encode("utf-8")
    return SignedRequest(body, signed_headers(secret, body, content_type=FORM, **options))


# -- ids --------------------------------------------------------------------------------------

_lock = threading.Lock()
_ts_counter = itertools.count(int(time.time() * 1_000_000), 100)


def new_ts() -> str:
    """A unique, increasing Slack message timestamp (``"1700000000.000100"`` form)."""
    with _lock:
        micros = next(_ts_counter)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def new_event_id() -> str:
    return "Ev" + secrets.token_hex(5).upper()


def new_trigger_id() -> str:
    return f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"


def _sample(name: str) -> Json:
    return dict(load_reference_json(f"{SAMPLES}/{name}"))


def _sample_event(name: str) -> Json:
    return dict(_sample(name)["event"])


# -- slash commands ---------------------------------------------------------------------------


def slash_command(
    secret: str,
    *,
    command: str = "/monitoring-request",
    text: str = "",
    user_id: str = "W111",
    user_name: str | None = None,
    channel_id: str = "C111",
    channel_name: str | None = None,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
    enterprise_id: str | None = None,
    timestamp: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> SignedRequest:
    """A slash command (form-encoded), from ``slash_command.form.txt``."""
    raw = reference_text(f"{SAMPLES}/slash_command.form.txt")
    fields = dict(parse_qsl(raw.strip(), keep_blank_values=True))
    fields.update(
        command=command,
        text=text,
        user_id=user_id,
        user_name=user_name or user_id.lower(),
        channel_id=channel_id,
        channel_name=channel_name or "privategroup",
        team_id=team_id,
        api_app_id=APP_ID,
        trigger_id=trigger_id or new_trigger_id(),
        response_url=response_url
        or f"https://hooks.slack.com/commands/{team_id}/{secrets.randbelow(10**12)}/{secrets.token_hex(12)}",
        is_enterprise_install="false",
    )
    if enterprise_id is None:
        fields.pop("enterprise_id", None)
        fields.pop("enterprise_name", None)
    else:
        fields["enterprise_id"] = enterprise_id
    fields.update(extra or {})
    return _signed_form(secret, fields, timestamp=timestamp)


# -- Events API -------------------------------------------------------------------------------


def event_callback(
    secret: str,
    event: Json,
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    team_id: str = TEAM_ID,
    bot_user_id: str = BOT_USER_ID,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> SignedRequest:
    """An Events API ``event_callback`` envelope (JSON) around ``event``.

    Keep ``event_id`` to redeliver the same event (or use ``SignedRequest.retried``)."""
    envelope = _sample("event_message_channel_thread_reply.json")
    envelope.pop("enterprise_id", None)
    envelope.update(
        team_id=team_id,
        api_app_id=APP_ID,
        event=event,
        event_id=event_id or new_event_id(),
        event_time=event_time if event_time is not None else int(time.time()),
        authed_users=[bot_user_id],  # deprecated by Slack but still required by its schema
        authorizations=[
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        is_ext_shared_channel=False,
        event_context=f"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJ{secrets.token_hex(8)}",
    )
    return _signed_json(
        secret, envelope, timestamp=timestamp, retry_num=retry_num, retry_reason=retry_reason
    )


def slack_escaped(text: str) -> str:
    """A typed message's `text` as Slack delivers it: `&`, `<` and `>` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rich_text(text: str) -> list[Json]:
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_urlsafe(3),
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def _channel_type(channel: str, channel_type: str | None) -> str:
    """Slack's ``channel_type``: ``im`` for DMs, else ``group`` (private, the bot's case)."""
    if channel_type is not None:
        return channel_type
    return "im" if channel.startswith("D") else "group"


def user_message(
    *,
    channel: str = "C111",
    user: str = "W111",
    text: str,
    thread_ts: str | None = None,
    parent_user_id: str = BOT_USER_ID,
    ts: str | None = None,
    team_id: str = TEAM_ID,
    channel_type: str | None = None,
) -> Json:
    """A message a person typed; a thread reply when ``thread_ts`` is given.

    From ``event_message_channel_thread_reply.json``. ``channel_type`` defaults to ``group``
    (a private channel) or ``im`` for ``D…`` ids; pass ``"channel"`` for a public one."""
    event = _sample_event("event_message_channel_thread_reply.json")
    ts = ts or new_ts()
    event.update(
        user=user,
        ts=ts,
        # Slack sends what a person typed with & < > as entities (the rich text keeps them)
        text=slack_escaped(text),
        team=team_id,
        user_team=team_id,
        source_team=team_id,
        channel=channel,
        event_ts=ts,
        channel_type=_channel_type(channel, channel_type),
        client_msg_id=str(uuid.uuid4()),
        blocks=_rich_text(text),
    )
    if thread_ts is None:
        event.pop("thread_ts")
        event.pop("parent_user_id")
    else:
        event.update(thread_ts=thread_ts, parent_user_id=parent_user_id)
    return event


def app_mention(
    *,
    channel: str = "C111",
    user: str = "W111",
    text: str,
    thread_ts: str | None = None,
    ts: str | None = None,
    team_id: str = TEAM_ID,
) -> Json:
    """``app_mention``: someone mentioned the bot (from ``event_app_mention.json``); the text
    carries the mention as Slack encodes it, e.g. ``<@U0BOT> help``."""
    event = _sample_event("event_app_mention.json")
    ts = ts or new_ts()
    event.update(
        user=user,
        text=text,
        ts=ts,
        event_ts=ts,
        team=team_id,
        channel=channel,
        client_msg_id=str(uuid.uuid4()),
        blocks=_rich_text(text),
    )
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def thread_reply(
    *, channel: str = "C111", thread_ts: str, user: str = "W111", text: str, **options: Any
) -> Json:
    """A person's reply in a thread (see ``user_message`` for the other options)."""
    return user_message(channel=channel, user=user, text=text, thread_ts=thread_ts, **options)


def message_changed(
    *,
    channel: str = "C111",
    ts: str,
    user: str = "W111",
    text: str,
    previous_text: str,
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
    channel_type: str | None = None,
) -> Json:
    """``message_changed``: the message ``ts`` edited to ``text`` (from the bolt sample)."""
    event = _sample_event("event_message_changed.json")
    event_ts = new_ts()
    event["message"].update(
        text=text,
        user=user,
        team=team_id,
        ts=ts,
        edited={"user": user, "ts": event_ts},
        blocks=_rich_text(text),
    )
    event["previous_message"].update(
        text=previous_text, user=user, team=team_id, ts=ts, blocks=_rich_text(previous_text)
    )
    if thread_ts is not None:
        event["message"]["thread_ts"] = thread_ts
        event["previous_message"]["thread_ts"] = thread_ts
    event.update(
        channel=channel,
        ts=event_ts,
        event_ts=event_ts,
        channel_type=_channel_type(channel, channel_type),
    )
    return event


def message_deleted(
    *,
    channel: str = "C111",
    deleted_ts: str,
    user: str = "W111",
    previous_text: str = "",
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
    channel_type: str | None = None,
) -> Json:
    """``message_deleted`` for the message ``deleted_ts`` (from the bolt sample)."""
    event = _sample_event("event_message_deleted.json")
    event_ts = new_ts()
    event["previous_message"].update(text=previous_text, user=user, team=team_id, ts=deleted_ts)
    if thread_ts is not None:
        event["previous_message"]["thread_ts"] = thread_ts
    event.update(
        channel=channel,
        deleted_ts=deleted_ts,
        ts=event_ts,
        event_ts=event_ts,
        channel_type=_channel_type(channel, channel_type),
    )
    return event


def bot_message(
    *,
    channel: str = "C111",
    text: str,
    bot_id: str = BOT_ID,
    user: str = BOT_USER_ID,
    thread_ts: str | None = None,
    ts: str | None = None,
    classic: bool = False,
    team_id: str = TEAM_ID,
    channel_type: str | None = None,
) -> Json:
    """A message posted by an app: by default the bot's own, as Slack echoes it back
    (``bot_id`` + bot user, no subtype); ``classic=True`` gives ``subtype: bot_message``."""
    ts = ts or new_ts()
    if classic:
        event = _sample_event("event_message_classic_bot_message.json")
        event.update(bot_id=bot_id)
    else:
        event = _sample_event("event_message_user_vs_bot__bot.json")
        event.update(bot_id=bot_id, user=user, team=team_id, app_id=APP_ID)
        event["bot_profile"].update(id=bot_id, app_id=APP_ID, team_id=team_id, name="mosovo-bot")
    event.update(
        text=text,
        ts=ts,
        event_ts=ts,
        channel=channel,
        channel_type=_channel_type(channel, channel_type),
    )
    if thread_ts is not None:
        event.update(thread_ts=thread_ts, parent_user_id=BOT_USER_ID)
    return event


def url_verification(secret: str, challenge: str | None = None) -> SignedRequest:
    """Slack's endpoint check when the Request URL is saved (must echo ``challenge``)."""
    payload = _sample("url_verification.json")
    if challenge is not None:
        payload["challenge"] = challenge
    return _signed_json(secret, payload)


# -- interactivity ----------------------------------------------------------------------------


def _user(user_id: str, user_name: str | None, team_id: str) -> Json:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def block_actions(
    secret: str,
    *,
    action_id: str,
    value: str | None = None,
    block_id: str = "b",
    user_id: str = "W111",
    user_name: str | None = None,
    channel_id: str = "C111",
    message_ts: str | None = None,
    thread_ts: str | None = None,
    message: Json | None = None,
    is_ephemeral: bool = False,
    action_type: str = "button",
    selected_option: Json | None = None,
    action: Json | None = None,
    container: Json | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    timestamp: int | None = None,
    view: Json | None = None,
) -> SignedRequest:
    """A ``block_actions`` click (form-encoded ``payload=<json>``), from block_actions_button.json.

    Pass ``view`` (the modal as Slack holds it, with ``id`` and ``hash``) for an action inside a
    modal (e.g. a select with ``dispatch_action``): then there is no message and no channel.

    The clicked message is ``message_ts`` (in thread ``thread_ts``); pass ``message`` to give its
    full content (default: a bot message with no blocks). For a select, give ``action_type``
    (e.g. ``static_select``) and ``value`` or ``selected_option``; ``action`` replaces the
    whole action object."""
    payload = _sample("block_actions_button.json")
    message_ts = message_ts or new_ts()
    payload["user"] = _user(user_id, user_name, team_id)
    payload["team"] = {"id": team_id, "domain": "mosovo-test"}
    payload["api_app_id"] = APP_ID
    payload["channel"] = {"id": channel_id, "name": "privategroup"}
    payload["trigger_id"] = trigger_id or new_trigger_id()
    payload["response_url"] = (
        f"https://hooks.slack.com/actions/{team_id}/{secrets.randbelow(10**12)}/{secrets.token_hex(12)}"
    )
    payload["is_enterprise_install"] = False
    payload["enterprise"] = None
    payload["state"] = {"values": {}}
    payload["container"] = container or {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
        **({"thread_ts": thread_ts} if thread_ts else {}),
    }
    if not is_ephemeral:
        payload["message"] = message or {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": team_id,
            "text": "",
            "ts": message_ts,
            **({"thread_ts": thread_ts} if thread_ts else {}),
            "blocks": [],
        }
    if action is None:
        action = {"action_id": action_id, "block_id": block_id, "type": action_type}
        if action_type == "button":
            action["text"] = {"type": "plain_text", "text": "Button", "emoji": True}
            if value is not None:
                action["value"] = value
        else:
            action["selected_option"] = selected_option or {
                "text": {"type": "plain_text", "text": value or "", "emoji": True},
                "value": value or "",
            }
        action["action_ts"] = new_ts()
    payload["actions"] = [action]
    if view is not None:
        payload.pop("message", None)
        payload.pop("channel", None)
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    return _signed_form(secret, {"payload": json.dumps(payload)}, timestamp=timestamp)


def home_block_actions(
    secret: str,
    *,
    action_id: str,
    value: str,
    user_id: str,
    view: Json,
    team_id: str = TEAM_ID,
    timestamp: int | None = None,
) -> SignedRequest:
    """A button click on a published view (the Home tab): no channel and no message; the
    container and ``view`` name the view it was on (``view`` as ``views.publish`` stored it)."""
    view_id = str(view.get("id") or f"V0{secrets.token_hex(4).upper()}")
    payload = {
        "type": "block_actions",
        "user": _user(user_id, None, team_id),
        "api_app_id": APP_ID,
        "token": "verification_token",
        "container": {"type": "view", "view_id": view_id},
        "trigger_id": new_trigger_id(),
        "team": {"id": team_id, "domain": "mosovo-test"},
        "is_enterprise_install": False,
        "enterprise": None,
        "view": {**view, "id": view_id, "type": view.get("type", "home")},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "type": "button",
                "text": {"type": "plain_text", "text": "Button", "emoji": True},
                "value": value,
                "action_ts": new_ts(),
            }
        ],
    }
    return _signed_form(secret, {"payload": json.dumps(payload)}, timestamp=timestamp)


def home_select(
    secret: str,
    *,
    action_id: str,
    value: str,
    user_id: str,
    view: Json,
    team_id: str = TEAM_ID,
) -> SignedRequest:
    """An option chosen from a ``static_select`` on a published view (the Home tab)."""
    request = home_block_actions(
        secret, action_id=action_id, value=value, user_id=user_id, view=view, team_id=team_id
    )
    payload = request.payload()
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": "b",
            "type": "static_select",
            "selected_option": {
                "text": {"type": "plain_text", "text": value, "emoji": True},
                "value": value,
            },
            "action_ts": new_ts(),
        }
    ]
    return _signed_form(secret, {"payload": json.dumps(payload)})


def view_submission(
    secret: str,
    *,
    callback_id: str,
    values: Mapping[str, Mapping[str, Any]],
    private_metadata: str = "",
    user_id: str = "W111",
    user_name: str | None = None,
    view_id: str | None = None,
    blocks: list[Json] | None = None,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    timestamp: int | None = None,
) -> SignedRequest:
    """A ``view_submission`` (form-encoded ``payload=<json>``).

    ``values`` maps block_id -> action_id -> value; a plain string stands for a
    ``plain_text_input`` value, a dict is used as is (e.g. a ``selected_option``)."""
    state = {
        block: {
            action: (
                {"type": "plain_text_input", "value": entry}
                if isinstance(entry, str) or entry is None
                else dict(entry)
            )
            for action, entry in actions.items()
        }
        for block, actions in values.items()
    }
    view_id = view_id or f"V0{secrets.token_hex(4).upper()}"
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "mosovo-test"},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": APP_ID,
        "token": "verification_token",
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Form", "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Submit", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _signed_form(secret, {"payload": json.dumps(payload)}, timestamp=timestamp)


def view_closed(
    secret: str,
    *,
    view: Json,
    user_id: str = "W111",
    user_name: str | None = None,
    team_id: str = TEAM_ID,
    timestamp: int | None = None,
) -> SignedRequest:
    """A ``view_closed`` (form-encoded ``payload=<json>``): the user closed a modal opened with
    ``notify_on_close``; ``view`` is the modal as it stood."""
    payload = {
        "type": "view_closed",
        "team": {"id": team_id, "domain": "mosovo-test"},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": APP_ID,
        "token": "verification_token",
        "view": {
            "id": f"V0{secrets.token_hex(4).upper()}",
            "team_id": team_id,
            "type": "modal",
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            **view,
        },
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _signed_form(secret, {"payload": json.dumps(payload)}, timestamp=timestamp)


# -- sending ----------------------------------------------------------------------------------


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 10.0) -> HttpResult:
    """POST to the bot (127.0.0.1 only in tests); HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpResult(response.status, response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return HttpResult(error.code, error.read().decode("utf-8"))
