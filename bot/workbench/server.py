"""The workbench's web page and its JSON API, served by the standard library on one address.

``GET /`` is the page (plain HTML, CSS and JavaScript from ``static/``); ``GET /api/state?as=U…``
is what that person sees; each ``POST /api/…`` is one thing a person does (``as`` names them) and
answers with what they see afterwards. POSTs must be JSON (a page on another site cannot send
that without asking first, and is never answered) and the Host must be this machine's.
"""

from __future__ import annotations

import json
import logging
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.workbench import words
from bot.workbench.bench import PEOPLE, Workbench, WorkbenchError

log = logging.getLogger(__name__)

Json = dict[str, Any]

MAX_BODY = 1 << 20
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/workbench.js": ("workbench.js", "text/javascript; charset=utf-8"),
    "/workbench.css": ("workbench.css", "text/css; charset=utf-8"),
}
#: nothing but the page's own files runs or loads in it
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def _str(body: Json, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise WorkbenchError(words.MISSING, key=key)
    return value


def _dict(body: Json, key: str) -> Json:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise WorkbenchError(words.NOT_AN_OBJECT, key=key)
    return value


def perform(bench: Workbench, action: str, body: Json) -> None:
    """One POST /api/<action>: what the person named by ``as`` did."""
    who = _str(body, "as")
    if action == "command":
        bench.command(who, str(body.get("text") or ""))
    elif action == "say":
        thread = body.get("thread_ts")
        bench.say(who, _str(body, "text"), str(thread) if thread else None)
    elif action == "act":
        where = _dict(body, "where")
        bench.act(who, where, _str(body, "block_id"), _str(body, "action_id"), body.get("picked"))
    elif action == "submit":
        bench.submit(who, _str(body, "view_id"), _dict(body, "values"))
    elif action == "close":
        bench.close(who, _str(body, "view_id"), _dict(body, "values"))
    elif action == "home":
        bench.open_home(who)
    elif action == "language":
        bench.set_language(who, _str(body, "language"))
    else:
        raise WorkbenchError(words.NO_SUCH_ACTION)


def page(html: str, language: str) -> str:
    """index.html in `language` before its first state arrives: its `lang`, its title and what
    it says if that state never comes (the state brings the rest of its words)."""
    shown = words.ui(language)
    filled = {"lang": language, "title": shown["title"], "failed": shown["failed"]}
    for key, value in filled.items():
        html = html.replace("{{" + key + "}}", escape(value, quote=True))
    return html


def make_server(bench: Workbench, host: str, port: int) -> ThreadingHTTPServer:
    allowed_hosts = LOCAL_HOSTS | {host}

    class Handler(BaseHTTPRequestHandler):
        server_version = "mosovo-workbench"

        def do_GET(self) -> None:
            if not self._host_ok():
                return
            url = urlsplit(self.path)
            who = (parse_qs(url.query).get("as") or [""])[0] or PEOPLE[0].id
            if url.path in STATIC:
                name, content_type = STATIC[url.path]
                content = files("bot.workbench").joinpath("static").joinpath(name).read_bytes()
                if name == "index.html":
                    content = page(content.decode(), bench.language_of(who)).encode()
                self._send(200, content, content_type)
            elif url.path == "/api/state":
                self._answer(lambda: bench.view_for(who), who)
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            if not self._host_ok():
                return
            url = urlsplit(self.path)
            if not url.path.startswith("/api/"):
                self._json(404, {"error": "not found"})
                return
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                self._json(415, {"error": "send JSON"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(413, {"error": "too large"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json(400, {"error": "not JSON"})
                return
            if not isinstance(body, dict):
                self._json(400, {"error": "not an object"})
                return

            def act() -> Json:
                perform(bench, url.path.removeprefix("/api/"), body)
                return bench.view_for(_str(body, "as"))

            self._answer(act, body.get("as"))

        def _host_ok(self) -> bool:
            """Only this machine's names: a page elsewhere renaming itself (DNS rebinding) is
            refused."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            if host in allowed_hosts:
                return True
            self._json(421, {"error": "wrong host"})
            return False

        def _answer(self, make: Any, who: Any = None) -> None:
            try:
                self._json(200, make())
            except WorkbenchError as error:  # in the words of the person who tried
                language = bench.language_of(who if isinstance(who, str) else None)
                self._json(400, {"error": error.shown(language)})
            except Exception as error:  # the page says so; the log names the class only
                log.exception("workbench request failed", extra={"error": type(error).__name__})
                self._json(500, {"error": type(error).__name__})

        def _json(self, status: int, body: Json) -> None:
            self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

        def _send(self, status: int, content: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *_args: Any) -> None:
            """Quiet: paths carry no secrets, but the log is JSON lines from bot.logs."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="workbench-http", daemon=True)
    thread.start()
    return thread
