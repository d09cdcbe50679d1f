"""Socket Mode (SLACK_APP_TOKEN set): the real bot gets its WebSocket URL from the Web API double
(``apps.connections.open`` at SLACK_API_URL, with the app-level token), connects to a local
stand-in for Slack's Socket Mode endpoint, and handles commands and events delivered over it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.app import Bot, create_bot
from bot.cli import run as run_command
from bot.settings import load_settings
from bot.slack.socket_mode import GuardedSocketModeHandler
from flows.clock import FixedClock
from tests.support import signing
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    PRIVATE,
    SECRET,
    TrackingExecutor,
    current_question,
    posts,
    settings_env,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackDouble
from tests.support.socket_mode_double import Ack, SocketModeDouble, new_app_token

pytestmark = pytest.mark.timeout(90)

APP_TOKEN = new_app_token()
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture
def socket(slack: SlackDouble, monkeypatch: pytest.MonkeyPatch) -> Iterator[SocketModeDouble]:
    for name in PROXY_VARIABLES:  # slack_sdk would tunnel the WebSocket through one: stay local
        monkeypatch.delenv(name, raising=False)
    with SocketModeDouble() as double:
        double.attach(slack, app_token=APP_TOKEN)
        yield double
        assert double.problems() == []
        assert double.unacknowledged() == []


class SocketModeBot:
    """The real bot, built from Socket Mode settings, driven through the Socket Mode double."""

    def __init__(self, slack: SlackDouble, socket: SocketModeDouble, database_url: str) -> None:
        self.slack = slack
        self.socket = socket
        self.executor = TrackingExecutor()
        env = settings_env(slack, database_url, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
        self.settings = load_settings(env)
        self.bot: Bot = create_bot(
            self.settings, clock=FixedClock(MONDAY_10AM), listener_executor=self.executor
        )
        self.bot.database.upgrade()

    def settle(self) -> None:
        self.executor.wait_idle()
        if self.executor.errors:
            raise AssertionError(f"a Slack handler crashed: {self.executor.errors!r}")

    def command(self, text: str = "", user: str = OFFICER, channel: str = PRIVATE) -> Ack:
        payload = signing.slash_command(
            SECRET,
            text=text,
            user_id=user,
            channel_id=channel,
            response_url=self.slack.response_url(),
        ).payload()
        return self._acknowledged(self.socket.slash_command(payload))

    def reply(
        self, thread_ts: str, text: str, user: str = OFFICER, **options: Any
    ) -> tuple[Ack, dict[str, Any]]:
        """An officer's thread reply as an events_api envelope; its ack and event_callback."""
        event = signing.thread_reply(channel=PRIVATE, thread_ts=thread_ts, user=user, text=text)
        payload = signing.event_callback(SECRET, event).payload()
        return self._acknowledged(self.socket.event(payload, **options)), payload

    def redeliver(self, payload: dict[str, Any], attempt: int) -> Ack:
        envelope_id = self.socket.event(payload, retry_attempt=attempt, retry_reason="timeout")
        return self._acknowledged(envelope_id)

    def _acknowledged(self, envelope_id: str) -> Ack:
        ack = self.socket.wait_for_ack(envelope_id, timeout=10)
        self.settle()
        return ack

    def stop(self) -> None:
        self.executor.shutdown(wait=True)
        self.bot.close()


@pytest.fixture
def socket_bot(
    slack: SlackDouble, socket: SocketModeDouble, sqlite_url: str
) -> Iterator[SocketModeBot]:
    threads_before = set(threading.enumerate())
    bot = SocketModeBot(slack, socket, sqlite_url)
    handler = GuardedSocketModeHandler(bot.bot.app, APP_TOKEN)
    try:
        handler.connect()
        socket.wait_connected(timeout=10)
        yield bot
        bot.settle()
    finally:
        handler.close()
        bot.stop()
    socket.wait_disconnected(timeout=10)
    assert_no_thread_left(threads_before)


def assert_no_thread_left(before: set[threading.Thread], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == [], f"threads still running after shutdown: {left}"


def start_request(app: SocketModeBot) -> str:
    """Run the slash command over the socket; the parent message's ts (the thread)."""
    ack = app.command()
    assert ack.latency < 3.0, "Slack gives up on envelopes not acknowledged within 3 seconds"
    [parent] = [c for c in posts(app.slack) if not c.args.get("thread_ts")]
    assert "Monitoring software request MR-" in parent.args["text"]
    assert f"<@{OFFICER}>" in parent.args["text"]
    return ts_of(parent)


def test_the_bot_connects_with_its_app_token_through_the_configured_api_url(
    socket_bot: SocketModeBot, slack: SlackDouble, socket: SocketModeDouble
) -> None:
    settings = socket_bot.settings  # Socket Mode needs no signing secret
    assert settings.socket_mode and settings.slack_signing_secret is None
    [opened] = slack.calls("apps.connections.open")
    assert opened.ok and opened.token == APP_TOKEN
    assert opened.response is not None
    [path] = socket.connection_paths()
    assert opened.response["url"].endswith(path), "the bot connected to the URL it was given"
    # every other Web API call is made with the bot token, never the app-level one
    assert all(c.token == "xoxb-test" for c in slack.calls() if c is not opened)


def test_a_request_starts_and_continues_over_socket_mode(
    socket_bot: SocketModeBot, slack: SlackDouble
) -> None:
    thread = start_request(socket_bot)
    [first] = thread_posts(slack, thread)
    assert with_block([first], "q:visor_ref") == [first]
    assert current_question(slack, thread) == "visor_ref"

    ack, _ = socket_bot.reply(thread, "NOM/1234567")
    assert ack.payload is None and ack.latency < 3.0
    assert current_question(slack, thread) == "pnc_id"
    assert len(with_block(thread_posts(slack, thread), "q:pnc_id")) == 1


def test_a_redelivered_event_changes_nothing(socket_bot: SocketModeBot, slack: SlackDouble) -> None:
    thread = start_request(socket_bot)
    _, payload = socket_bot.reply(thread, "NOM/1234567")
    asked = len(thread_posts(slack, thread))
    for attempt in (1, 2):
        socket_bot.redeliver(payload, attempt)
    assert len(thread_posts(slack, thread)) == asked
    assert current_question(slack, thread) == "pnc_id"


def test_an_immediate_reply_travels_in_the_acknowledgement(
    socket_bot: SocketModeBot, slack: SlackDouble
) -> None:
    ack = socket_bot.command("help")
    assert ack.payload is not None
    assert ack.payload.get("response_type") == "ephemeral"
    assert "/monitoring-request" in ack.payload.get("text", "")
    assert slack.calls("chat.postMessage") == []


def test_mosovo_bot_run_serves_socket_mode_until_stopped(
    slack: SlackDouble,
    socket: SocketModeDouble,
    sqlite_url: str,
) -> None:
    """``bot.cli.run.run_socket_mode`` itself: connects, serves, and returns once told to stop."""
    threads_before = set(threading.enumerate())
    stop = threading.Event()
    app = SocketModeBot(slack, socket, sqlite_url)
    returned: list[int] = []
    runner = threading.Thread(
        target=lambda: returned.append(run_command.run_socket_mode(app.bot, stop)),
        name="run-socket-mode",
    )
    runner.start()
    try:
        socket.wait_connected(timeout=10)
        thread = start_request(app)
        assert current_question(slack, thread) == "visor_ref"
    finally:
        stop.set()
        runner.join(timeout=15)
        app.stop()
    assert not runner.is_alive() and returned == [0]
    socket.wait_disconnected(timeout=10)
    assert_no_thread_left(threads_before)


def test_a_silent_socket_mode_link_is_replaced_by_the_watchdog(
    slack: SlackDouble,
    socket: SocketModeDouble,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 10, defect 14: nothing arrives (no envelope, no pong) for longer than
    MOSOVO_SOCKET_MODE_SILENCE, so the bot reconnects to a new endpoint, logs and counts it."""
    from datetime import timedelta

    from bot.metrics import METRICS

    stop = threading.Event()
    app = SocketModeBot(slack, socket, sqlite_url)
    app.bot.settings = app.bot.settings.model_copy(
        update={"socket_mode_silence": timedelta(seconds=1)}
    )
    before = METRICS.socket_reconnects._value.get()
    runner = threading.Thread(target=lambda: run_command.run_socket_mode(app.bot, stop))
    runner.start()
    try:
        socket.wait_connected(timeout=10)
        socket.wait_connected(count=2, timeout=10)  # a second connection, nobody closed the first
    finally:
        stop.set()
        runner.join(timeout=15)
        app.stop()
    assert METRICS.socket_reconnects._value.get() > before
    assert any("socket mode link silent" in r.getMessage() for r in caplog.records)
