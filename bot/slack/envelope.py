"""What a Slack request must look like before Bolt reads it.

Bolt parses a body and walks its fields (the team, user, channel, actions, view) before any
listener runs, and trusts their types: a truncated JSON body, a list where an object belongs or
an ``"actions": "x"`` makes it raise, and the server answers 500. Slack never sends such a
thing, so :func:`problem` refuses it first (the HTTP endpoint answers 400): the body must parse
as Bolt parses it, to an object, and every field the bot or Bolt reads must have the type and,
for Slack ids and message timestamps, the shape Slack gives it. Fields Slack may leave out are
checked only when present; a field nobody reads is not checked at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

#: a check of one value: None when it is acceptable, else what is wrong with it (its path)
Check = Callable[[Any, str], str | None]

_USER = re.compile(r"^[UW][A-Z0-9]{1,31}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{1,31}$")
_TEAM = re.compile(r"^[TE][A-Z0-9]{1,31}$")
_ENTERPRISE_ID = re.compile(r"^E[A-Z0-9]{1,31}$")
_APP = re.compile(r"^A[A-Z0-9]{1,31}$")
_VIEW = re.compile(r"^V[A-Z0-9]{1,31}$")
_TS = re.compile(r"^\d{1,12}\.\d{1,9}$")
#: Slack's trigger ids: "<digits>.<digits>.<hex>"
_TRIGGER = re.compile(r"^\d{1,20}\.\d{1,20}\.[0-9A-Za-z]{1,64}$")
_URL = re.compile(r"^https?://[^\s]{1,2000}$")
#: our own ids and keys (action ids, block ids, callback ids): short, no control characters
_KEY = re.compile(r"^[^\x00-\x1f\x7f]{1,255}$")


def _pattern(regex: re.Pattern[str]) -> Check:
    def check(value: Any, path: str) -> str | None:
        return None if isinstance(value, str) and regex.fullmatch(value) else path

    return check


def _kind(*kinds: type) -> Check:
    def check(value: Any, path: str) -> str | None:
        # bool is an int to Python, never to Slack
        if isinstance(value, bool) and bool not in kinds:
            return path
        return None if isinstance(value, kinds) else path

    return check


def _either(*checks: Check) -> Check:
    def check(value: Any, path: str) -> str | None:
        for one in checks:
            if one(value, path) is None:
                return None
        return path

    return check


def _obj(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return path
        for key in required:
            if key not in value:
                return f"{path}.{key}"
        for key, field in fields.items():
            if key in value:
                found = field(value[key], f"{path}.{key}")
                if found:
                    return found
        return None

    return check


def _items(item: Check, *, nonempty: bool = False) -> Check:
    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, list) or (nonempty and not value):
            return path
        for n, entry in enumerate(value):
            found = item(entry, f"{path}.{n}")
            if found:
                return found
        return None

    return check


def _values(item: Check) -> Check:
    """An object whose every value passes `item` (keys are free)."""

    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return path
        for entry in value.values():
            found = item(entry, f"{path}.*")
            if found:
                return found
        return None

    return check


NONE = _kind(type(None))
STR = _kind(str)
TEXT = _either(STR, NONE)
BOOL = _kind(bool)
FLAG = _either(BOOL, STR, NONE)
NUMBER = _kind(int, float)
OBJECT = _kind(dict)
LIST = _kind(list)
KEY = _pattern(_KEY)
TS = _pattern(_TS)
USER = _pattern(_USER)
CHANNEL = _pattern(_CHANNEL)
TEAM = _pattern(_TEAM)
APP = _pattern(_APP)
ENTERPRISE_ID = _either(_pattern(_ENTERPRISE_ID), NONE)

_ENTERPRISE = _either(NONE, _pattern(_ENTERPRISE_ID), _obj({"id": ENTERPRISE_ID}))
_TEAM_FIELD = _either(NONE, TEAM, _obj({"id": TEAM, "enterprise_id": ENTERPRISE_ID}))
_USER_OBJECT = _obj({"id": USER, "team_id": _either(TEAM, NONE), "name": STR}, ("id",))
_CHANNEL_OBJECT = _obj({"id": CHANNEL, "name": TEXT}, ("id",))
_AUTHORIZATION = _obj(
    {
        "team_id": _either(TEAM, NONE),
        "user_id": _either(USER, NONE),
        "enterprise_id": ENTERPRISE_ID,
        "is_enterprise_install": FLAG,
    }
)
#: a message as Slack gives it inside an event or a click (edited, deleted, the clicked one)
_MESSAGE = _obj(
    {
        "ts": TS,
        "thread_ts": TS,
        "user": USER,
        "channel": CHANNEL,
        "team": _either(TEAM, NONE),
        "text": TEXT,
        "bot_id": TEXT,
        "subtype": TEXT,
        "blocks": _items(OBJECT),
    }
)
_EVENT = _obj(
    {
        "type": KEY,
        "subtype": TEXT,
        "user": USER,
        "channel": CHANNEL,
        "team": TEAM,
        "user_team": TEAM,
        "source_team": TEAM,
        "channel_type": STR,
        "ts": TS,
        "thread_ts": TS,
        "event_ts": TS,
        "deleted_ts": TS,
        "text": TEXT,
        "bot_id": TEXT,
        "tab": TEXT,
        "message": _MESSAGE,
        "previous_message": _MESSAGE,
        "item": _obj({"channel": CHANNEL}),
        "assistant_thread": _obj({"channel_id": CHANNEL, "thread_ts": TS}),
        "view": OBJECT,
        "blocks": _items(OBJECT),
    },
    ("type",),
)
#: what an input in a view's state may hold (plain text, a select, a date picker)
_INPUT = _obj(
    {
        "type": STR,
        "value": TEXT,
        "selected_date": TEXT,
        "selected_option": _either(NONE, _obj({"value": STR}, ("value",))),
    }
)
_VIEW_OBJECT = _obj(
    {
        "id": _pattern(_VIEW),
        "type": STR,
        "callback_id": TEXT,
        "private_metadata": TEXT,
        "hash": TEXT,
        "team_id": _either(TEAM, NONE),
        "app_installed_team_id": _either(TEAM, NONE),
        "blocks": _items(OBJECT),
        "state": _obj({"values": _values(_values(_INPUT))}, ("values",)),
    }
)
_ACTION = _obj(
    {
        "action_id": KEY,
        "block_id": KEY,
        "type": STR,
        "value": STR,
        "action_ts": STR,
        "selected_option": _either(NONE, _obj({"value": STR}, ("value",))),
    },
    ("action_id",),
)
_CONTAINER = _obj(
    {
        "type": STR,
        "message_ts": TS,
        "thread_ts": TS,
        "channel_id": CHANNEL,
        "view_id": _pattern(_VIEW),
        "is_ephemeral": BOOL,
    }
)

#: every top-level field Bolt or a listener reads, in any kind of request
_COMMON: dict[str, Check] = {
    "type": KEY,
    "token": TEXT,
    "api_app_id": APP,
    "team_id": TEAM,
    "team": _TEAM_FIELD,
    "enterprise_id": ENTERPRISE_ID,
    "enterprise": _ENTERPRISE,
    "is_enterprise_install": FLAG,
    "is_ext_shared_channel": BOOL,
    "authorizations": _items(_AUTHORIZATION),
    "user": _either(USER, _USER_OBJECT),
    "user_id": USER,
    "channel": _either(CHANNEL, _CHANNEL_OBJECT),
    "channel_id": CHANNEL,
    "thread_ts": TS,
    "trigger_id": _pattern(_TRIGGER),
    "response_url": _pattern(_URL),
    "response_urls": _items(_obj({"response_url": _pattern(_URL)})),
    "function_execution_id": STR,
    "function_data": OBJECT,
    "bot_access_token": STR,
    "event": _EVENT,
    "event_id": STR,
    "event_time": NUMBER,
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "container": _CONTAINER,
    "view": _VIEW_OBJECT,
    "actions": _items(_ACTION, nonempty=True),
    "state": _obj({"values": OBJECT}),
    "item": OBJECT,
    "assistant_thread": OBJECT,
    "command": KEY,
    "text": STR,
    "challenge": STR,
}
_ENVELOPE = _obj(_COMMON)

#: what each kind of request must carry (the listeners read these without a default)
_REQUIRED: dict[str, Check] = {
    "command": _obj({}, ("command", "user_id", "channel_id", "response_url", "trigger_id")),
    "event_callback": _obj({"event": _obj({}, ("type",))}, ("event", "event_id")),
    "block_actions": _obj({"user": _USER_OBJECT}, ("user", "actions", "trigger_id")),
    "view_submission": _obj(
        {"user": _USER_OBJECT, "view": _obj({}, ("id", "type", "callback_id", "state"))},
        ("user", "view"),
    ),
    "view_closed": _obj(
        {"user": _USER_OBJECT, "view": _obj({}, ("id", "type", "callback_id"))}, ("user", "view")
    ),
}


def _unstorable(value: Any) -> bool:
    """A string no database or Slack call can carry: a lone surrogate (JSON's ``\\ud800`` is
    valid JSON but not Unicode text) or NUL. Slack sends neither."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


def parse(body: str, content_type: str | None) -> Any:
    """The body as Bolt parses it (slack_bolt.request.internals.parse_body); raises ValueError."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        return json.loads(body)
    if "payload" in body:
        payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
        return {} if payload is None else json.loads(payload)
    return dict(parse_qsl(body, keep_blank_values=True))


def problem(body: str, content_type: str | None) -> str | None:
    """None when Bolt may read the request; else where it goes wrong (a path such as
    ``body.actions.0.action_id``: the bot's field names only, never a value)."""
    try:
        payload = parse(body, content_type)
    except ValueError:
        return "body"
    return payload_problem(payload)


def payload_problem(payload: Any) -> str | None:
    """As :func:`problem`, for a payload already decoded (Socket Mode gives one)."""
    found = _ENVELOPE(payload, "body")
    if found:
        return found
    if _unstorable(payload):
        return "body.text"
    kind = "command" if "command" in payload else payload.get("type")
    if kind is None:  # every request Slack sends is a command or says its type
        return "body.type"
    required = _REQUIRED.get(kind)
    return required(payload, "body") if required else None
