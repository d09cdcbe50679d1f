"""The yardstick for bench/load.py: a bare Bolt app that does the least the same contract needs.

    python -m bench.bare_app --port PORT     (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL)

Served as the bot is (waitress, as many threads, Bolt's own WSGI adapter), with Bolt's own
listener executor, and with a Web API client configured as the bot's (connections kept open). It
acknowledges every command, event and click and posts one message in the thread per answer: no
database, no rules, no Block Kit.
"""

from __future__ import annotations

import argparse
import os
import re
import threading
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from waitress.server import create_server

from bot.http import SERVER_THREADS, SLACK_PATH, serve_until_stopped
from bot.listeners.messages import is_answer
from bot.slack.web_client import KeepAliveWebClient


def kept_alive_client(token: str, api_url: str) -> KeepAliveWebClient:
    """A Web API client configured as the bot's: connections kept open, slack_sdk's retries."""
    return KeepAliveWebClient(
        token=token,
        base_url=api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def bare_app(token: str, signing_secret: str, api_url: str) -> App:
    client = kept_alive_client(token, api_url)
    app = App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=False,
    )

    # Each listener posts through `client`, the app's own, as the bot posts through its one: the
    # client Bolt passes a listener is a new plain WebClient per request, whose connections are
    # not kept.

    @app.command(re.compile(".*"))
    def command(ack: Ack, command: dict[str, Any]) -> None:
        ack()
        channel = command["channel_id"]
        parent = client.chat_postMessage(channel=channel, text="Request started")
        client.chat_postMessage(channel=channel, thread_ts=parent["ts"], text="First question?")

    @app.event("message")
    def message(event: dict[str, Any]) -> None:
        if is_answer(event):
            client.chat_postMessage(
                channel=event["channel"], thread_ts=event["thread_ts"], text="Next question?"
            )

    answer_clicks(app, client)
    return app


def answer_clicks(app: App, client: KeepAliveWebClient) -> None:
    """Every click acknowledged, and answered with one message in its thread."""

    @app.action(re.compile(".*"))
    def action(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        container = body.get("container") or {}
        client.chat_postMessage(
            channel=body["channel"]["id"],
            thread_ts=container.get("thread_ts") or container.get("message_ts"),
            text="Done.",
        )


def serve(app: App, ident: str, description: str) -> None:
    """Serve `app` as the bot is served (waitress, as many threads) on --host/--port, with a
    /healthz, until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    slack = SlackRequestHandler(app, path=SLACK_PATH)

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status":"ok"}']
        return slack(environ, start_response)

    server = create_server(
        application, host=args.host, port=args.port, threads=SERVER_THREADS, ident=ident
    )
    serve_until_stopped(server, stop_on_sigterm())


def stop_on_sigterm() -> threading.Event:
    import signal

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    return stopped


def main() -> None:
    app = bare_app(
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_API_URL"],
    )
    serve(app, "bare-bolt", __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
