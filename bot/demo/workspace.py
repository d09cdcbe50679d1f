"""An in-process Slack Web API: the methods the bot calls, answered as Slack documents them.

It is served on 127.0.0.1 by a thread of this process (nothing reaches slack.com), so everything
above it (Bolt, slack_sdk's clients, the bot's own code) runs unchanged. It
knows one private channel, its people and one supervisors' user group, and keeps the messages
posted so that updates land on them.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]

TEAM_ID = "T0DEMO"
APP_ID = "A0DEMO"
BOT_USER_ID = "U0DEMOBOT"
BOT_ID = "B0DEMOBOT"


@dataclass
class Call:
    """One Web API call and Slack's answer."""

    method: str
    args: Json
    answer: Json


@dataclass
class Workspace:
    """Who is in the demo workspace: ``people`` maps user ids to real names."""

    channel_id: str
    channel_name: str
    people: dict[str, str]
    groups: dict[str, list[str]] = field(default_factory=dict)


class SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class DemoSlack:
    """Serves the Web API on 127.0.0.1 (a port of its own) from a thread of this process: Bolt
    builds a WebClient of its own for each request, so the API must be reachable by URL."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.calls: list[Call] = []
        #: (channel, ts) -> the message as stored (updates change it in place)
        self.messages: dict[tuple[str, str], Json] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1_764_583_200_000_100, 100)
        self._views = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def __enter__(self) -> DemoSlack:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, args: Json) -> Json:
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        with self._lock:
            try:
                answer = handler(args) if handler else {"ok": False, "error": "unknown_method"}
            except SlackError as error:
                answer = {"ok": False, "error": error.error}
            self.calls.append(Call(method, args, answer))
        return answer

    def _next_ts(self) -> str:
        micros = next(self._ts)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _known_channel(self, channel: Any) -> str:
        if channel != self.workspace.channel_id:
            raise SlackError("channel_not_found")
        return str(channel)

    # -- the methods ----------------------------------------------------------------------------

    def _auth_test(self, _args: Json) -> Json:
        return {
            "ok": True,
            "url": "https://mosovo-demo.slack.com/",
            "team": "MOSOVO demo",
            "user": "mosovo-bot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _chat_postMessage(self, args: Json) -> Json:
        channel = self._known_channel(args.get("channel"))
        ts = self._next_ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": args.get("text", ""),
            "blocks": args.get("blocks") or [],
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: Json) -> Json:
        channel = self._known_channel(args.get("channel"))
        message = self.messages.get((channel, str(args.get("ts"))))
        if message is None:
            raise SlackError("message_not_found")
        message.update({k: args[k] for k in ("text", "blocks") if k in args})
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _chat_postEphemeral(self, args: Json) -> Json:
        self._known_channel(args.get("channel"))
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_getPermalink(self, args: Json) -> Json:
        channel = self._known_channel(args.get("channel"))
        ts = str(args.get("message_ts"))
        link = f"https://mosovo-demo.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _conversations_info(self, args: Json) -> Json:
        channel = self._known_channel(args.get("channel"))
        info = {
            "id": channel,
            "name": self.workspace.channel_name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": True,
            "is_archived": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": True,
            "context_team_id": TEAM_ID,
        }
        return {"ok": True, "channel": info}

    def _usergroups_users_list(self, args: Json) -> Json:
        users = self.workspace.groups.get(str(args.get("usergroup")))
        if users is None:
            raise SlackError("no_such_subteam")
        return {"ok": True, "users": list(users)}

    def _users_info(self, args: Json) -> Json:
        user = str(args.get("user"))
        name = self.workspace.people.get(user)
        if name is None:
            raise SlackError("user_not_found")
        profile = {"real_name": name, "display_name": name}
        return {
            "ok": True,
            "user": {
                "id": user,
                "team_id": TEAM_ID,
                "name": user.lower(),
                "real_name": name,
                "deleted": False,
                "is_bot": False,
                "tz": "Europe/London",
                "profile": profile,
            },
        }

    def _views_open(self, args: Json) -> Json:
        view = args.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        view_id = f"V0DEMO{next(self._views)}"
        return {"ok": True, "view": {**view, "id": view_id, "root_view_id": view_id}}

    _views_push = _views_open

    def _views_update(self, args: Json) -> Json:
        view = args.get("view")
        if not isinstance(view, dict) or not (args.get("view_id") or args.get("external_id")):
            raise SlackError("invalid_arguments")
        return {"ok": True, "view": {**view, "id": args.get("view_id") or "V0DEMO0"}}

    def _views_publish(self, args: Json) -> Json:
        return self._views_update({**args, "view_id": "V0DEMOHOME"})

    def _conversations_open(self, args: Json) -> Json:
        return {"ok": True, "channel": {"id": "D0" + str(args.get("users", "")).split(",")[0]}}


def _arguments(content_type: str, body: bytes, query: str) -> Json:
    """A call's arguments, sent as JSON or as form fields (whose blocks and views are JSON)."""
    args: Json = dict(parse_qsl(query))
    if content_type.startswith("application/json"):
        args.update(json.loads(body or b"{}"))
        return args
    for key, value in parse_qsl(body.decode("utf-8")):
        is_json = key in ("blocks", "view") and value[:1] in "[{"
        args[key] = json.loads(value) if is_json else value
    return args


def _handler(slack: DemoSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._reply()

        def do_GET(self) -> None:
            self._reply()

        def _reply(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            args = _arguments(self.headers.get("Content-Type", ""), body, url.query)
            answer = json.dumps(slack.answer(url.path.rsplit("/", 1)[-1], args)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:
            """Quiet: the transcript is the output."""

    return Handler
