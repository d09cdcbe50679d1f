"""A local stand-in for Slack's Web API, for end-to-end tests.

``SlackDouble`` is a real HTTP server on 127.0.0.1. Point ``slack_sdk.WebClient`` (or the bot's
``SLACK_API_URL``) at ``double.url``. It records every call and answers like Slack: it rejects
unknown methods, missing required arguments (per Slack's Web API spec), bad tokens and Block Kit
that breaks Slack's limits, and it answers realistic successes for the methods the bot uses.
Faults (429 with ``Retry-After``, 5xx, a Slack-level error, an outage) can be injected.

    with SlackDouble() as slack:
        slack.add_channel("C111", is_private=True, name="mosovo-requests")
        client = slack.client()            # WebClient(base_url=slack.url, token=slack.token)
        client.chat_postMessage(channel="C111", text="hello")
        [call] = slack.wait_for("chat.postMessage")
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import itertools
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, urlsplit

from slack_sdk import WebClient

from tests.support.block_kit import (
    MAX_ATTACHMENTS,
    MAX_MESSAGE_TEXT,
    validate_attachments,
    validate_blocks,
    validate_view,
)
from tests.support.web_api_spec import MethodSpec, method_spec
from tests.support.workspace import APP_ID, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID

Json = dict[str, Any]

# Arguments Slack takes as a JSON string in form bodies; recorded decoded.
JSON_STRING_FIELDS = ("blocks", "attachments", "view", "metadata", "files", "unfurls")
# Fields whose strings Slack renders as text (where a broadcast mention would go live).
RENDERED_TEXT_KEYS = frozenset({"text", "fallback", "pretext", "title", "footer", "author_name"})
BROADCAST_MENTION = re.compile(r"<!(channel|here|everyone)(\|[^>]*)?>")
TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xoxa-", "xoxe.")
_TS = re.compile(r"^\d+\.\d+$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_TRUTHY = (True, 1, "1", "true", "True", "TRUE")
_CHANNEL_SCOPE_FAMILY = {"public": "channels", "private": "groups", "im": "im", "mpim": "mpim"}
APP_TOKEN_PREFIX = "xapp-"
# Methods called with an app-level token (xapp-…), missing from the 2021 spec snapshot. Their
# scopes (connections:write) belong to the app-level token, so the bot's `scopes` do not apply.
APP_LEVEL_METHODS: Mapping[str, MethodSpec] = {
    "apps.connections.open": MethodSpec(
        name="apps.connections.open",
        required=frozenset(),
        needs_token=True,
        scopes=frozenset({"connections:write"}),
    ),
}


@dataclass(frozen=True)
class SlackCall:
    """One request the double received, with the answer it gave."""

    method: str
    args: Json  # form/JSON/query arguments, JSON-string fields decoded, token removed
    headers: dict[str, str]
    token: str | None
    time: float  # time.time() when it arrived
    status: int  # HTTP status answered (0: connection dropped)
    response: Json | None  # JSON body answered (None for non-JSON faults)
    injected: bool = False  # answered by fail_next / error_next / set_down
    body: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")

    def summary(self, width: int = 160) -> str:
        outcome = "ok" if self.ok else f"{self.status} {self.error or ''}".strip()
        args = json.dumps(self.args, default=str, ensure_ascii=False)
        if len(args) > width:
            args = args[: width - 3] + "..."
        return f"{self.method} -> {outcome} {args}"


def rendered_texts(args: Mapping[str, Any]) -> Iterator[str]:
    """Every string of a call that Slack renders as text: the top-level ``text`` and the
    ``text``/``title``/``fallback``… strings inside ``blocks``, ``attachments`` and ``view``."""

    def walk(value: Any, rendered: bool) -> Iterator[str]:
        if isinstance(value, str):
            if rendered:
                yield value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, key in RENDERED_TEXT_KEYS)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, rendered)

    yield from walk(args.get("text"), True)
    for key in ("blocks", "attachments", "view"):
        yield from walk(args.get(key), False)


def broadcast_mentions(args: Mapping[str, Any]) -> list[str]:
    """Live ``<!channel>``/``<!here>``/``<!everyone>`` mentions in the rendered text of a call."""
    return [m.group(0) for text in rendered_texts(args) for m in BROADCAST_MENTION.finditer(text)]


class _SlackError(Exception):
    """Ends a call with ``{"ok": false, "error": ...}`` (plus extra fields)."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.body: Json = {"ok": False, "error": error, **extra}


def _invalid(error: str, messages: list[str]) -> _SlackError:
    """An error carrying Slack-style ``response_metadata.messages``."""
    return _SlackError(
        error,
        errors=[m.removeprefix("[ERROR] ") for m in messages],
        response_metadata={"messages": messages},
    )


@dataclass
class _Fault:
    method: str | None  # None: any method
    remaining: int
    status: int = 200
    retry_after: int | None = None
    error: str | None = None


@dataclass
class _Answer:
    status: int
    body: Json | None
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    drop: bool = False  # close the connection without answering
    injected: bool = False


class SlackDouble:
    """A Slack Web API double served at ``url`` (``http://127.0.0.1:<port>/api/``).

    ``token``: the only token accepted (None: any ``xox…`` token); ``scopes``: when given, a
    call needing a scope outside them gets ``missing_scope``, and every answer says them in its
    ``x-oauth-scopes`` header as Slack's do; ``extra_methods``: methods to
    accept beyond Slack's spec, as name -> required arguments.

    App-level methods (``apps.connections.open``) take only an ``xapp-`` token, and bot methods
    refuse one (``not_allowed_token_type``); ``enable_socket_mode`` says which WebSocket URL
    ``apps.connections.open`` hands out (see ``tests.support.socket_mode_double``).
    """

    def __init__(
        self,
        *,
        token: str | None = BOT_TOKEN,
        team_id: str = TEAM_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        app_id: str = APP_ID,
        scopes: Iterable[str] | None = None,
        extra_methods: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.scopes = None if scopes is None else frozenset(scopes)
        self._extra_methods = {
            name: MethodSpec(name, frozenset(req), True, frozenset())
            for name, req in (extra_methods or {}).items()
        }
        self._cond = threading.Condition()
        self._calls: list[SlackCall] = []
        self._faults: list[_Fault] = []
        self._holds: list[tuple[str, Callable[[Json], bool] | None, threading.Event]] = []
        self._down: Literal["503", "disconnect"] | None = None
        self._channels: dict[str, Json] = {}
        self._users: dict[str, Json] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._messages: dict[str, dict[str, Json]] = {}  # channel -> ts -> message
        self._views: dict[str, Json] = {}
        self._ts_counter = itertools.count(1_700_000_000_000_100, 100)  # microseconds
        self._id_counter = itertools.count(1)
        self._socket_mode_url: str | Callable[[], str] | None = None
        self._app_token: str | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Callable[[Json], Json]] = {
            "apps.connections.open": self._apps_connections_open,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.info": self._conversations_info,
            "conversations.replies": self._conversations_replies,
            "conversations.history": self._conversations_history,
            "conversations.open": self._conversations_open,
            "usergroups.users.list": self._usergroups_users_list,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackDouble:
        if self._server is None:
            self._server = _Server(("127.0.0.1", 0), _Handler, self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},  # shutdown() waits up to one interval
                name="slack-double",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> SlackDouble:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SlackDouble is not started (use it as a context manager)")
        return int(self._server.server_address[1])

    @property
    def connections(self) -> int:
        """How many connections clients have opened to the double so far."""
        if self._server is None:
            raise RuntimeError("SlackDouble is not started (use it as a context manager)")
        return self._server.accepted

    @property
    def url(self) -> str:
        """Web API base URL, for ``WebClient(base_url=...)`` / ``SLACK_API_URL``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def client(self, **kwargs: Any) -> WebClient:
        """A ``WebClient`` aimed at the double with its token (kwargs go to WebClient)."""
        kwargs.setdefault("token", self.token or BOT_TOKEN)
        return WebClient(base_url=self.url, **kwargs)

    # -- workspace state -------------------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        *,
        is_private: bool = False,
        name: str | None = None,
        is_mpim: bool = False,
        is_archived: bool = False,
        is_member: bool = True,
        members: Iterable[str] = (),
        user: str | None = None,
    ) -> Json:
        """Register a channel for ``conversations.info`` and posting.

        ``D…`` ids are DMs (``is_im``; ``user`` is the other party). Unregistered ``C…``/``G…``
        ids answer ``channel_not_found``; a channel with ``is_member=False`` answers
        ``not_in_channel`` to posts; a non-empty ``members`` makes ``chat.postEphemeral`` to
        anyone else answer ``user_not_in_channel``."""
        if channel_id.startswith("D"):
            channel: Json = {
                "id": channel_id,
                "created": 1_700_000_000,
                "is_im": True,
                "is_org_shared": False,
                "user": user or "U0OTHER",
                "is_user_deleted": False,
                "priority": 0,
            }
        else:
            channel_name = name or channel_id.lower()
            channel = {
                "id": channel_id,
                "name": channel_name,
                "name_normalized": channel_name,
                "is_channel": not is_mpim,
                "is_group": False,
                "is_im": False,
                "is_mpim": is_mpim,
                "is_private": is_private or is_mpim,
                "is_archived": is_archived,
                "is_general": False,
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": is_member,
                "created": 1_700_000_000,
                "creator": "U0ADMIN",
                "unlinked": 0,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        with self._cond:
            channel["_members"] = list(members)
            self._channels[channel_id] = channel
        return self._public(channel)

    def set_channel_flags(self, channel_id: str, **flags: bool) -> None:
        """Change a registered channel's ``conversations.info`` flags, e.g. ``is_ext_shared=True``
        when it is shared through Slack Connect after the bot joined it."""
        with self._cond:
            self._channels[channel_id].update(flags)

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
        tz: str = "Europe/London",
        locale: str | None = None,
    ) -> Json:
        """Register a user for ``users.info`` (unregistered ``U…``/``W…`` ids get a default).
        ``locale`` (e.g. ``en-GB``) is answered only to ``include_locale=true``, as Slack does;
        None: Slack gives no locale for this user."""
        user = self._user_object(user_id, name=name, real_name=real_name, is_bot=is_bot, tz=tz)
        user["deleted"] = deleted
        if locale is not None:
            user["locale"] = locale
        with self._cond:
            self._users[user_id] = user
        return user

    def set_usergroup(self, usergroup_id: str, users: Iterable[str]) -> None:
        """Members of a user group, for ``usergroups.users.list`` (others: ``no_such_subteam``)."""
        with self._cond:
            self._usergroups[usergroup_id] = list(users)

    def add_message(
        self,
        channel: str,
        *,
        text: str,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        **fields: Any,
    ) -> str:
        """Store a message someone else posted (e.g. an officer's thread reply); returns its ts."""
        with self._cond:
            message: Json = {
                "type": "message",
                "user": user,
                "text": text,
                "ts": ts or self._next_ts(),
                "team": self.team_id,
                **fields,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._messages.setdefault(channel, {})[message["ts"]] = message
            return cast(str, message["ts"])

    def message(self, channel: str, ts: str) -> Json | None:
        """The current state of a stored message (after any ``chat.update``), or None."""
        with self._cond:
            found = self._messages.get(channel, {}).get(ts)
            return None if found is None else json.loads(json.dumps(found))

    def messages(self, channel: str, *, thread_ts: str | None = None) -> list[Json]:
        """Stored messages of a channel (or of one thread, root first), oldest first."""
        with self._cond:
            return cast(
                list[Json], json.loads(json.dumps(self._channel_messages(channel, thread_ts)))
            )

    def view(self, view_id: str) -> Json | None:
        """The current state of a view opened through the double, or None."""
        with self._cond:
            found = self._views.get(view_id)
            return None if found is None else json.loads(json.dumps(found))

    def enable_socket_mode(
        self, url: str | Callable[[], str], *, app_token: str | None = None
    ) -> None:
        """Answer ``apps.connections.open`` with ``url`` (or a fresh one from the callable, as
        Slack issues a new ticket per call). ``app_token``: the only app-level token accepted
        (None: any ``xapp-`` token)."""
        with self._cond:
            self._socket_mode_url = url
            self._app_token = app_token

    # -- fault injection -------------------------------------------------------------------

    def fail_next(
        self, method: str | None, *, status: int = 429, retry_after: int = 1, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any) with an HTTP error.

        429 carries ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``
        as Slack does; other statuses (500, 503…) answer a plain-text error page."""
        with self._cond:
            self._faults.append(_Fault(method, times, status=status, retry_after=retry_after))

    def error_next(self, method: str | None, error: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 200 ``{"ok": false, "error"}``
        (e.g. ``expired_trigger_id``, ``channel_not_found``)."""
        with self._cond:
            self._faults.append(_Fault(method, times, error=error))

    def hold_next(self, method: str, when: Callable[[Json], bool] | None = None) -> threading.Event:
        """The next call of ``method`` (whose arguments satisfy ``when``) takes effect (a post is
        stored, as Slack would) but its answer is held back until the returned event is set: the
        caller never hears back if it dies meanwhile."""
        release = threading.Event()
        with self._cond:
            self._holds.append((method, when, release))
        return release

    def set_down(self, down: bool = True, *, mode: Literal["503", "disconnect"] = "503") -> None:
        """Simulate an outage: every call gets HTTP 503, or (``disconnect``) the connection
        is closed without an answer (``RemoteDisconnected`` in the client)."""
        with self._cond:
            self._down = mode if down else None

    # -- inspection ------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Calls received so far (of one method when given), in arrival order."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def clear_calls(self) -> None:
        with self._cond:
            self._calls.clear()

    def wait_for(
        self,
        method: str,
        predicate: Callable[[SlackCall], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[SlackCall]:
        """Block until ``count`` calls of ``method`` matching ``predicate`` arrived; return
        all matching calls. Rejected calls count too: check ``call.ok`` or ``rejected()``."""

        def matching() -> list[SlackCall]:
            return [
                c for c in self._calls if c.method == method and (predicate is None or predicate(c))
            ]

        with self._cond:
            if self._cond.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            recorded = "\n".join(f"  {c.summary()}" for c in self._calls) or "  (none)"
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} {method} call(s)"
                f"{' matching the predicate' if predicate else ''}; got {len(matching())}."
                f" Recorded calls:\n{recorded}"
            )

    def rejected(self) -> list[SlackCall]:
        """Calls Slack would have refused (``ok: false``), excluding injected faults."""
        with self._cond:
            return [c for c in self._calls if not c.ok and not c.injected]

    def mentions_everyone(self) -> list[SlackCall]:
        """Calls whose rendered text carries a live ``<!channel>``, ``<!here>`` or
        ``<!everyone>`` (escaped ``&lt;!channel&gt;`` is harmless and not reported)."""
        with self._cond:
            return [c for c in self._calls if broadcast_mentions(c.args)]

    # -- request handling (server threads) -------------------------------------------------

    def response_url(self, name: str = "cmd") -> str:
        """A slash command's `response_url` that lands here (recorded as method "response_url")."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def _record_response_url(self, path: str, body: bytes) -> None:
        try:
            args = json.loads(body or b"{}")
        except ValueError:
            args = {"raw": body.decode("utf-8", "replace")}
        with self._cond:
            self._calls.append(
                SlackCall(
                    method="response_url",
                    args=args,
                    headers={},
                    token=None,
                    time=time.time(),
                    status=200,
                    response={"ok": True},
                )
            )
            self._cond.notify_all()

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        parts = urlsplit(path)
        method = parts.path.removeprefix("/api/")
        token = None
        try:
            args = _parse_args(headers, body, parts.query)
            authorization = _header(headers, "Authorization") or ""
            if authorization.startswith("Bearer "):
                token = authorization.removeprefix("Bearer ").strip()
                args.pop("token", None)
            else:
                token = args.pop("token", None)
            parse_error = None
        except _SlackError as error:
            args, parse_error = {}, error
        with self._cond:
            answer = self._answer(method, args, token, parse_error)
            held = None
            for hold in self._holds:
                if hold[0] == method and (hold[1] is None or hold[1](args)):
                    self._holds.remove(hold)
                    held = hold[2]
                    break
            self._calls.append(
                SlackCall(
                    method=method,
                    args=args,
                    headers=headers,
                    token=token,
                    time=time.time(),
                    status=0 if answer.drop else answer.status,
                    response=answer.body,
                    injected=answer.injected,
                    body=body,
                )
            )
            self._cond.notify_all()
        if held is not None:
            held.wait(timeout=60)
        return answer

    def _answer(
        self, method: str, args: Json, token: str | None, parse_error: _SlackError | None
    ) -> _Answer:
        injected = self._injected_fault(method)
        if injected is not None:
            return injected
        try:
            if parse_error is not None:
                raise parse_error
            spec = (
                self._extra_methods.get(method)
                or APP_LEVEL_METHODS.get(method)
                or method_spec(method)
            )
            if spec is None:
                raise _SlackError("unknown_method", req_method=method)
            self._check_token(spec, token)
            self._check_scopes(spec, args)
            missing = sorted(a for a in spec.required if args.get(a) in (None, ""))
            if missing:
                raise _invalid(
                    "invalid_arguments", [f"[ERROR] missing required field: {a}" for a in missing]
                )
            self._check_security_rule(args)
            handler = self._handlers.get(method)
            return _Answer(200, handler(args) if handler else {"ok": True})
        except _SlackError as error:
            return _Answer(200, error.body)

    def _injected_fault(self, method: str) -> _Answer | None:
        if self._down == "disconnect":
            return _Answer(0, None, drop=True, injected=True)
        if self._down == "503":
            return _Answer(503, None, text="Service Unavailable", injected=True)
        fault = next((f for f in self._faults if f.method in (None, method)), None)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.remove(fault)
        if fault.error is not None:
            return _Answer(200, {"ok": False, "error": fault.error}, injected=True)
        if fault.status == 429:
            return _Answer(
                429,
                {"ok": False, "error": "ratelimited"},
                headers={"Retry-After": str(fault.retry_after)},
                injected=True,
            )
        return _Answer(fault.status, None, text="Internal Server Error", injected=True)

    def _check_token(self, spec: MethodSpec, token: str | None) -> None:
        if not spec.needs_token:
            return
        if not token:
            raise _SlackError("not_authed")
        app_level = spec.name in APP_LEVEL_METHODS
        if app_level != token.startswith(APP_TOKEN_PREFIX):
            raise _SlackError("not_allowed_token_type")
        if app_level:
            if self._app_token is not None and token != self._app_token:
                raise _SlackError("invalid_auth")
            return
        valid = token == self.token if self.token is not None else token.startswith(TOKEN_PREFIXES)
        if not valid:
            raise _SlackError("invalid_auth")

    def _check_scopes(self, spec: MethodSpec, args: Json) -> None:
        if self.scopes is None or not spec.scopes or spec.name in APP_LEVEL_METHODS:
            return
        needed = set(spec.scopes)
        families = {scope.split(":")[0] for scope in needed}
        channel = self._channels.get(str(args.get("channel", "")))
        if channel is not None and families == set(_CHANNEL_SCOPE_FAMILY.values()):
            suffix = next(iter(needed)).split(":", 1)[1]
            needed = {f"{_CHANNEL_SCOPE_FAMILY[_channel_kind(channel)]}:{suffix}"}
        if not needed & self.scopes:
            raise _SlackError(
                "missing_scope",
                needed=",".join(sorted(needed)),
                provided=",".join(sorted(self.scopes)),
            )

    @staticmethod
    def _check_security_rule(args: Json) -> None:
        """MOSOVO rule: never let Slack turn names into mentions (link_names, parse=full)."""
        problems = []
        if args.get("link_names") in _TRUTHY:
            problems.append(
                "[ERROR] link_names is forbidden (MOSOVO rule) [json-pointer:/link_names]"
            )
        if args.get("parse") == "full":
            problems.append("[ERROR] parse=full is forbidden (MOSOVO rule) [json-pointer:/parse]")
        if problems:
            raise _invalid("invalid_arguments", problems)

    # -- helpers for method handlers (called with the lock held) ----------------------------

    def _next_ts(self) -> str:
        micros = next(self._ts_counter)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._id_counter):08X}"

    @staticmethod
    def _public(channel: Json) -> Json:
        return {k: v for k, v in channel.items() if not k.startswith("_")}

    def _channel(self, channel_id: Any) -> Json:
        """The registered channel (DMs are created on demand) or ``channel_not_found``."""
        channel_id = str(channel_id or "")
        if channel_id not in self._channels:
            if not channel_id.startswith("D"):
                raise _SlackError("channel_not_found")
            self._channels[channel_id] = {
                "id": channel_id,
                "created": 1_700_000_000,
                "is_im": True,
                "is_org_shared": False,
                "user": "U0OTHER",
                "is_user_deleted": False,
                "priority": 0,
                "_members": [],
            }
        return self._channels[channel_id]

    def _postable_channel(self, channel_id: Any) -> Json:
        """The channel a chat.* call lands in (a user id means their DM with the bot)."""
        channel_id = str(channel_id or "")
        if _USER_ID.match(channel_id):
            dm = f"D{channel_id[1:]}"
            if dm not in self._channels:
                self._channels[dm] = {**self._channel(dm), "user": channel_id}
            return self._channels[dm]
        channel = self._channel(channel_id)
        if channel.get("is_archived"):
            raise _SlackError("is_archived")
        if channel.get("is_member") is False:
            raise _SlackError("not_in_channel")
        return channel

    def _channel_messages(self, channel: str, thread_ts: str | None = None) -> list[Json]:
        """Stored messages of a channel or of one thread (root first), oldest first."""
        stored = list(self._messages.get(channel, {}).values())
        if thread_ts is not None:
            stored = [m for m in stored if thread_ts in (m["ts"], m.get("thread_ts"))]
        return sorted(stored, key=lambda m: float(m["ts"]))

    def _stored(self, channel: str, ts: Any) -> Json:
        message = self._messages.get(channel, {}).get(str(ts))
        if message is None:
            raise _SlackError("message_not_found")
        return message

    def _check_message_content(self, args: Json, *, require_content: bool) -> None:
        text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
        if require_content and not (text or blocks or attachments):
            raise _SlackError("no_text")
        if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
            raise _SlackError("msg_too_long")
        if blocks is not None:
            if not isinstance(blocks, list):
                raise _SlackError("invalid_blocks_format")
            problems = validate_blocks(blocks, surface="message")
            if problems:
                raise _invalid("invalid_blocks", problems)
        if attachments is not None:
            if not isinstance(attachments, list):
                raise _SlackError("invalid_attachments")
            if len(attachments) > MAX_ATTACHMENTS:
                raise _SlackError("too_many_attachments")
            problems = validate_attachments(attachments)
            if problems:
                raise _invalid("invalid_blocks", problems)
        thread_ts = args.get("thread_ts")
        if thread_ts not in (None, "") and not _TS.match(str(thread_ts)):
            raise _SlackError("invalid_thread_ts")

    def _bot_message(self, args: Json, ts: str) -> Json:
        message: Json = {
            "type": "message",
            "text": args.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if args.get(key) not in (None, ""):
                message[key] = args[key]
        return message

    def _user_object(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        is_bot: bool = False,
        tz: str = "Europe/London",
    ) -> Json:
        name = name or user_id.lower()
        real_name = real_name or name
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "is_admin": False,
            "tz": tz,
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "real_name": real_name,
                "display_name": name,
                "real_name_normalized": real_name,
                "display_name_normalized": name,
                "team": self.team_id,
            },
        }

    # -- method handlers -------------------------------------------------------------------

    def _apps_connections_open(self, args: Json) -> Json:
        url = self._socket_mode_url
        if url is None:  # the double's own error: no Socket Mode endpoint was set up
            raise _SlackError("socket_mode_not_enabled")
        return {"ok": True, "url": url() if callable(url) else url}

    def _auth_test(self, args: Json) -> Json:
        return {
            "ok": True,
            "url": "https://mosovo-test.slack.com/",
            "team": "MOSOVO Test",
            "user": "mosovo-bot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: Json) -> Json:
        channel = self._postable_channel(args["channel"])
        self._check_message_content(args, require_content=True)
        message = self._bot_message(args, self._next_ts())
        self._messages.setdefault(channel["id"], {})[message["ts"]] = message
        return {"ok": True, "channel": channel["id"], "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, args: Json) -> Json:
        channel = self._postable_channel(args["channel"])
        self._check_message_content(args, require_content=True)
        members = channel.get("_members") or []
        if members and args["user"] not in members:
            raise _SlackError("user_not_in_channel")
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, args: Json) -> Json:
        channel = self._channel(args["channel"])
        message = self._stored(channel["id"], args["ts"])
        if message.get("bot_id") != self.bot_id:
            raise _SlackError("cant_update_message")
        self._check_message_content(args, require_content=True)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel["id"],
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": message,
        }

    def _chat_delete(self, args: Json) -> Json:
        channel = self._channel(args["channel"])
        message = self._stored(channel["id"], args["ts"])
        if message.get("bot_id") != self.bot_id:
            raise _SlackError("cant_delete_message")
        del self._messages[channel["id"]][message["ts"]]
        return {"ok": True, "channel": channel["id"], "ts": message["ts"]}

    def _chat_get_permalink(self, args: Json) -> Json:
        channel = self._channel(args["channel"])
        ts = str(args["message_ts"])
        permalink = f"https://mosovo-test.slack.com/archives/{channel['id']}/p{ts.replace('.', '')}"
        stored = self._messages.get(channel["id"], {}).get(ts)
        if stored and stored.get("thread_ts") not in (None, ts):
            permalink += f"?thread_ts={stored['thread_ts']}&cid={channel['id']}"
        return {"ok": True, "channel": channel["id"], "permalink": permalink}

    def _conversations_info(self, args: Json) -> Json:
        channel = self._public(self._channel(args["channel"]))
        if args.get("include_num_members") in _TRUTHY and not channel.get("is_im"):
            channel["num_members"] = len(self._channels[channel["id"]]["_members"])
        return {"ok": True, "channel": channel}

    def _conversations_replies(self, args: Json) -> Json:
        channel = self._channel(args["channel"])
        thread = self._channel_messages(channel["id"], str(args["ts"]))
        if not thread:
            raise _SlackError("thread_not_found")
        return {
            "ok": True,
            "messages": _with_metadata_if_asked(thread, args),
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_history(self, args: Json) -> Json:
        channel = self._channel(args["channel"])
        top_level = [
            m
            for m in self._messages.get(channel["id"], {}).values()
            if m.get("thread_ts") in (None, m["ts"])
        ]
        top_level.sort(key=lambda m: float(m["ts"]), reverse=True)
        return {
            "ok": True,
            "messages": _with_metadata_if_asked(top_level, args),
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_open(self, args: Json) -> Json:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": self._channel(args["channel"])["id"]}}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise _invalid("invalid_arguments", ["[ERROR] must provide users or channel"])
        return {"ok": True, "channel": {"id": self._postable_channel(users[0])["id"]}}

    def _usergroups_users_list(self, args: Json) -> Json:
        users = self._usergroups.get(str(args["usergroup"]))
        if users is None:
            raise _SlackError("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _users_info(self, args: Json) -> Json:
        user_id = str(args["user"])
        if user_id in self._users:
            user = dict(self._users[user_id])
            if str(args.get("include_locale", "")).lower() not in ("true", "1"):
                user.pop("locale", None)
            return {"ok": True, "user": user}
        if user_id == self.bot_user_id:
            return {"ok": True, "user": self._user_object(user_id, name="mosovo-bot", is_bot=True)}
        if not _USER_ID.match(user_id):
            raise _SlackError("user_not_found")
        return {"ok": True, "user": self._user_object(user_id)}

    def _view_arg(self, args: Json, *, expected_type: str | None) -> Json:
        view = args.get("view")
        problems = validate_view(view)
        if not problems and expected_type and cast(Json, view)["type"] != expected_type:
            problems = [f"[ERROR] must be {expected_type} [json-pointer:/view/type]"]
        if problems:
            raise _invalid("invalid_arguments", problems)
        return cast(Json, view)

    def _stored_view(self, view: Json, view_id: str, *, root_view_id: str | None) -> Json:
        stored: Json = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "previous_view_id": None,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        return stored

    def _views_open(self, args: Json) -> Json:
        view = self._view_arg(args, expected_type="modal")
        return {"ok": True, "view": self._stored_view(view, self._next_id("V"), root_view_id=None)}

    def _views_publish(self, args: Json) -> Json:
        view = self._view_arg(args, expected_type="home")
        return {"ok": True, "view": self._stored_view(view, self._next_id("V"), root_view_id=None)}

    def _views_update(self, args: Json) -> Json:
        view = self._view_arg(args, expected_type=None)
        if args.get("view_id"):
            current = self._views.get(str(args["view_id"]))
        elif args.get("external_id"):
            current = next(
                (v for v in self._views.values() if v["external_id"] == args["external_id"]), None
            )
        else:
            raise _invalid("invalid_arguments", ["[ERROR] must provide view_id or external_id"])
        if current is None:
            raise _SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        updated = self._stored_view(view, current["id"], root_view_id=current["root_view_id"])
        return {"ok": True, "view": updated}


def _with_metadata_if_asked(messages: list[Json], args: Json) -> list[Json]:
    """As Slack: a message's metadata is read back only with ``include_all_metadata``."""
    if str(args.get("include_all_metadata", "")).lower() in ("true", "1"):
        return messages
    return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]


def _channel_kind(channel: Json) -> str:
    if channel.get("is_im"):
        return "im"
    if channel.get("is_mpim"):
        return "mpim"
    return "private" if channel.get("is_private") else "public"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _parse_args(headers: Mapping[str, str], body: bytes, query: str) -> Json:
    """Arguments of a Web API request: query string, then the form / JSON / multipart body."""
    args: Json = dict(parse_qsl(query, keep_blank_values=True))
    content_type = (_header(headers, "Content-Type") or "").lower()
    if body and content_type.startswith("application/json"):
        try:
            parsed = json.loads(body)
        except ValueError:
            raise _SlackError("invalid_json") from None
        if not isinstance(parsed, dict):
            raise _SlackError("invalid_json")
        args.update(parsed)
    elif body and content_type.startswith("multipart/form-data"):
        args.update(_parse_multipart(_header(headers, "Content-Type") or "", body))
    elif body:
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_STRING_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # else left as a string for validation
                args[key] = json.loads(value)
    return args


def _parse_multipart(content_type: str, body: bytes) -> Json:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    args: Json = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        if part.get_filename() is None and isinstance(payload, bytes):
            args[name] = payload.decode("utf-8")
        else:
            args[name] = payload
    return args


class _Server(ThreadingHTTPServer):
    """Keeps connections open between calls (HTTP/1.1 keep-alive), as Slack does; `stop()`
    closes those still open, so a client cannot go on talking to a double that has stopped."""

    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], double: SlackDouble
    ) -> None:
        self.double = double
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        #: connections accepted so far
        self.accepted = 0
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
            self.accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server_version = "SlackDouble/1.0"
    #: keep-alive: a connection serves call after call until the client closes it
    protocol_version = "HTTP/1.1"
    #: an idle connection is closed after this many seconds (Slack closes idle ones too)
    timeout = 30
    #: headers and body are written apart: without this a kept connection waits for the
    #: client's delayed ACK (40 ms) before the body goes out
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read calls()
        pass

    def _serve(self) -> None:
        if self.path.startswith("/response/"):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            cast(_Server, self.server).double._record_response_url(self.path, body)
            self._write(200, b"ok", "text/plain", {})
            return
        if not self.path.startswith("/api/"):
            self._write(404, b"Not Found", "text/plain", {})
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        double = cast(_Server, self.server).double
        answer = double._handle(self.path, dict(self.headers.items()), body)
        if answer.drop:
            self.close_connection = True
            return
        headers = {"X-Slack-Req-Id": secrets.token_hex(16), **answer.headers}
        if double.scopes is not None:
            # as Slack does on every answer: the scopes the calling token was granted
            headers["x-oauth-scopes"] = ",".join(sorted(double.scopes))
        if answer.body is not None:
            payload = json.dumps(answer.body).encode("utf-8")
            self._write(answer.status, payload, "application/json; charset=utf-8", headers)
        else:
            self._write(answer.status, answer.text.encode(), "text/plain; charset=utf-8", headers)

    def _write(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
