"""HTTP mode: Slack's endpoint, health and metrics, served by waitress (a production WSGI server)."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import Bot
from bot.metrics import METRICS
from bot.slack.envelope import problem

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
SLACK_PATH = "/slack/events"
#: waitress worker threads (its own default is 4)
SERVER_THREADS = 8
#: Slack's own payloads are far smaller; anything bigger is refused before it is read
MAX_BODY_BYTES = 1024 * 1024


def _plain(start_response: StartResponse, status: str, text: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def guarded(slack: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> Any:
    """Refuse what Bolt would choke on, before it reads anything: a body over MAX_BODY_BYTES
    (413), a length that is not a number, a body that is not UTF-8 or not a Slack request Bolt
    can read (400, `bot.slack.envelope`), a timestamp that is not a number or missing (401: it
    cannot be a signed Slack request). Bolt then checks the signature."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length_header = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not length_header.isdigit():
            return _plain(start_response, "400 Bad Request", "Bad Content-Length")
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            log.warning("request body too large", extra={"count": length})
            return _plain(start_response, "413 Payload Too Large", "Request body too large")
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return _plain(start_response, "401 Unauthorized", "Invalid request")
        body = environ["wsgi.input"].read(length) if length else b""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _plain(start_response, "400 Bad Request", "Body is not UTF-8")
        content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip() or None
        wrong = problem(text, content_type)
        if wrong is not None:
            log.warning("malformed Slack request", extra={"path": wrong})
            return _plain(start_response, "400 Bad Request", "Not a Slack request")
        checked = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return slack(checked, start_response)

    return application


def wsgi_app(bot: Bot) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = guarded(SlackRequestHandler(bot.app, path=SLACK_PATH))

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == SLACK_PATH and method == "POST":
            return slack(environ, start_response)
        if path == "/healthz" and method == "GET":
            return health(bot, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return application


def health(bot: Bot, start_response: StartResponse) -> Iterable[bytes]:
    """200 when the database answers and the scheduler (if it runs here) swept recently."""
    sweeps = bot.sweeper.health
    age = round(sweeps.age_seconds(), 1)
    if not bot.database.ping():
        status, problem = "503 Service Unavailable", "database unavailable"
    elif sweeps.stalled():
        status, problem = "503 Service Unavailable", "scheduler stalled"
    else:
        status, problem = "200 OK", "ok"
    body = json.dumps({"status": problem, "last_sweep_age_seconds": age})
    start_response(status, [("Content-Type", "application/json")])
    return [body.encode()]


def metrics_app(bot: Bot) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Prometheus metrics, served on an address of their own (MOSOVO_METRICS_ADDRESS, loopback
    by default) and never beside /slack/events, which faces Slack and the internet."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            refresh_outbox_gauge(bot)
            METRICS.sweep_age.set(bot.sweeper.health.age_seconds())
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(METRICS.registry)]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return application


def make_metrics_server(bot: Bot, host: str, port: int) -> Any:
    from waitress.server import create_server

    return create_server(
        metrics_app(bot), host=host, port=port, threads=2, ident="mosovo-bot-metrics"
    )


def serve_in_background(server: Any, stopped: threading.Event) -> threading.Thread:
    thread = threading.Thread(
        target=serve_until_stopped, args=(server, stopped), name="metrics", daemon=True
    )
    thread.start()
    return thread


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

    return create_server(
        wsgi_app(bot),
        host=host,
        port=port,
        threads=threads,
        ident="mosovo-bot",
        # waitress refuses a larger body itself (413), even chunked, before buffering it all
        max_request_body_size=MAX_BODY_BYTES,
    )


def serve_until_stopped(server: Any, stopped: threading.Event) -> None:
    """waitress's loop, in short turns, so a stop request ends it cleanly (SIGTERM, tests)."""
    try:
        while not stopped.is_set():
            server.asyncore.loop(
                timeout=0.2, map=server._map, use_poll=server.adj.asyncore_use_poll, count=1
            )
    finally:
        server.close()
