"""HTTP mode: Slack's endpoint, health and metrics, served by waitress (a production WSGI server)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import Bot
from bot.metrics import METRICS

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
SLACK_PATH = "/slack/events"
#: waitress worker threads (its own default is 4)
SERVER_THREADS = 8


def wsgi_app(bot: Bot) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(bot.app, path=SLACK_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SLACK_PATH and method == "POST":
            return slack(environ, start_response)
        if path == "/healthz" and method == "GET":
            healthy = bot.database.ping()
            status = "200 OK" if healthy else "503 Service Unavailable"
            body = b'{"status":"ok"}' if healthy else b'{"status":"database unavailable"}'
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        if path == "/metrics" and method == "GET":
            refresh_outbox_gauge(bot)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(METRICS.registry)]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return application


def refresh_outbox_gauge(bot: Bot) -> None:
    try:
        with bot.database.reader() as uow:
            stats = uow.outbox.stats()
        METRICS.outbox_pending.set(stats.pending)
        METRICS.outbox_given_up.set(stats.given_up)
    except Exception as error:  # metrics must never take the endpoint down
        log.warning("outbox stats unavailable", extra={"error": type(error).__name__})


def make_server(bot: Bot, host: str, port: int, threads: int = SERVER_THREADS) -> Any:
    """A waitress server (not started); `.run()` serves, `.close()` stops, `.effective_port`."""
    from waitress.server import create_server

    return create_server(wsgi_app(bot), host=host, port=port, threads=threads, ident="mosovo-bot")


def serve_until_stopped(server: Any, stopped: threading.Event) -> None:
    """waitress's loop, in short turns, so a stop request ends it cleanly (SIGTERM, tests)."""
    try:
        while not stopped.is_set():
            server.asyncore.loop(
                timeout=0.2, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )
    finally:
        server.close()
