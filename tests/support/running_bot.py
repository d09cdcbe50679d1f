"""The real bot, served over HTTP by waitress on 127.0.0.1, talking to a SlackDouble.

Tests post signed Slack requests to it and read what it sent to the double. `settle()` waits until
every listener Bolt started after its ack has finished, so tests never sleep and hope.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bot.app import Bot, create_bot
from bot.http import make_metrics_server, make_server, serve_in_background, serve_until_stopped
from bot.listener_pool import CountingListenerPool
from bot.settings import load_settings
from flows.clock import Clock, FixedClock
from flows.models import MonitoringRequest
from storage.unit_of_work import Database
from tests.support import signing
from tests.support.slack_double import SlackCall, SlackDouble

SECRET = "e2e-signing-secret"
PRIVATE = "G0PRIVATE"
OTHER_PRIVATE = "G0OTHER"
PUBLIC = "C0PUBLIC"
DM = "D0DIRECT"
OFFICER = "U0OFFICER"
OFFICER2 = "U0OFFICER2"
SUP1 = "U0SUP1"
SUP2 = "U0SUP2"
SUP_GROUP = "S0SUPS"
STRANGER = "U0STRANGER"
#: a Monday morning in London, so working hours never hold anything unexpectedly
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


class TrackingExecutor(CountingListenerPool):
    """Bolt's listener pool, counting work in flight so tests can wait for it to finish."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="bolt-listener")

    def wait_idle(self, timeout: float = 20.0) -> None:
        if not self.became_idle(timeout):
            raise AssertionError(f"{self.pending} Slack handler(s) still running after {timeout}s")


def settings_env(slack: SlackDouble, database_url: str, **overrides: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": database_url,
        "MOSOVO_SUPERVISORS": SUP_GROUP,
        "MOSOVO_WORKING_HOURS": "always",
    }
    env.update(overrides)
    return env


def prepare_workspace(slack: SlackDouble) -> None:
    slack.add_channel(PRIVATE, is_private=True, name="mosovo-requests")
    slack.add_channel(OTHER_PRIVATE, is_private=True, name="other-team")
    slack.add_channel(PUBLIC, is_private=False, name="general")
    for user in (OFFICER, OFFICER2, SUP1, SUP2, STRANGER):
        slack.add_user(user)
    slack.set_usergroup(SUP_GROUP, [SUP1, SUP2])


class RunningBot:
    def __init__(self, slack: SlackDouble, database_url: str, clock: Clock, **env: str) -> None:
        self.slack = slack
        self.clock = clock
        self.executor = TrackingExecutor()
        settings = load_settings(settings_env(slack, database_url, **env))
        self.bot: Bot = create_bot(settings, clock=clock, listener_executor=self.executor)
        self.bot.database.upgrade()
        self.server = make_server(self.bot, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=serve_until_stopped, args=(self.server, self._stopped), daemon=True
        )
        self._thread.start()
        metrics = make_metrics_server(self.bot, "127.0.0.1", 0)
        #: /metrics, served apart from /slack/events as `mosovo-bot run` does
        self.metrics_url = f"http://127.0.0.1:{metrics.effective_port}"
        self._metrics_thread = serve_in_background(metrics, self._stopped)

    @property
    def database(self) -> Database:
        return self.bot.database

    def metric(self, name: str) -> float:
        """A value from GET /metrics, as Prometheus would scrape it."""
        with urllib.request.urlopen(f"{self.metrics_url}/metrics", timeout=5) as response:
            body = response.read().decode()
        for line in body.splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
        raise AssertionError(f"{name} is not exported")

    def request(self, request_id: str) -> MonitoringRequest:
        """The request as stored now."""
        request = self.bot.wiring.service.get(request_id)
        assert request is not None, f"{request_id} is not stored"
        return request

    def stop(self) -> None:
        self.executor.wait_idle()
        self._stopped.set()
        self._thread.join(timeout=10)
        self._metrics_thread.join(timeout=10)
        self.executor.shutdown(wait=True)
        self.bot.close()

    # -- sending signed requests --------------------------------------------------------------------

    def send(self, request: signing.SignedRequest, settle: bool = True) -> signing.HttpResult:
        result = signing.post(f"{self.url}/slack/events", request.body, request.headers)
        if settle:
            self.settle()
        return result

    def settle(self) -> None:
        self.executor.wait_idle()
        if self.executor.errors:
            raise AssertionError(f"a Slack handler crashed: {self.executor.errors!r}")

    def command(
        self, text: str = "", user: str = OFFICER, channel: str = PRIVATE
    ) -> signing.HttpResult:
        return self.send(
            signing.slash_command(
                SECRET,
                text=text,
                user_id=user,
                channel_id=channel,
                response_url=self.slack.response_url(),
            )
        )

    def reply(
        self, thread_ts: str, text: str, user: str = OFFICER, channel: str = PRIVATE, **options: Any
    ) -> signing.HttpResult:
        event = signing.thread_reply(channel=channel, thread_ts=thread_ts, user=user, text=text)
        return self.send(signing.event_callback(SECRET, event, **options))

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        message_ts: str,
        thread_ts: str | None,
        channel: str = PRIVATE,
        **options: Any,
    ) -> signing.HttpResult:
        return self.send(
            signing.block_actions(
                SECRET,
                action_id=action_id,
                value=value,
                user_id=user,
                channel_id=channel,
                message_ts=message_ts,
                thread_ts=thread_ts,
                **options,
            )
        )

    def submit_view(
        self, view: dict[str, Any], reason: str | None, user: str
    ) -> signing.HttpResult:
        return self.send(
            signing.view_submission(
                SECRET,
                callback_id=view["callback_id"],
                values={"reason": {"reason": reason}},
                private_metadata=view.get("private_metadata", ""),
                user_id=user,
            )
        )


@contextmanager
def running_bot(
    slack: SlackDouble, database_url: str, clock: Clock | None = None, **env: str
) -> Iterator[RunningBot]:
    bot = RunningBot(slack, database_url, clock or FixedClock(MONDAY_10AM), **env)
    try:
        yield bot
    finally:
        bot.stop()


# -- reading what the bot said ----------------------------------------------------------------------


def block_ids(call: SlackCall) -> list[str]:
    return [b.get("block_id", "") for b in call.args.get("blocks") or []]


def posts(slack: SlackDouble, channel: str = PRIVATE) -> list[SlackCall]:
    return [c for c in slack.calls("chat.postMessage") if c.args.get("channel") == channel and c.ok]


def thread_posts(slack: SlackDouble, thread_ts: str) -> list[SlackCall]:
    return [c for c in posts(slack) if c.args.get("thread_ts") == thread_ts]


def with_block(calls: list[SlackCall], block_id: str) -> list[SlackCall]:
    return [c for c in calls if block_id in block_ids(c)]


def block(call: SlackCall, block_id: str) -> dict[str, Any]:
    for b in call.args.get("blocks") or []:
        if b.get("block_id") == block_id:
            return dict(b)
    raise AssertionError(f"no block {block_id!r} in {block_ids(call)}")


def block_text(call: SlackCall, block_id: str) -> str:
    return str(block(call, block_id)["text"]["text"])


def card_text(call: SlackCall) -> str:
    """All the text of a message's sections, their fields included."""
    texts = []
    for b in call.args.get("blocks") or []:
        if b.get("type") == "section":
            texts.append(b["text"]["text"])
            texts += [f["text"] for f in b.get("fields", [])]
    return "\n".join(texts)


def current_question(slack: SlackDouble, thread_ts: str) -> str:
    """The field key of the last question the bot asked in the thread."""
    for call in reversed(thread_posts(slack, thread_ts)):
        for block_id in reversed(block_ids(call)):
            if block_id.startswith("q:"):
                return block_id[2:]
    raise AssertionError("no question was asked in the thread")


def ts_of(call: SlackCall) -> str:
    assert call.response is not None
    return str(call.response["ts"])


def dumps(call: SlackCall) -> str:
    return json.dumps(call.args)
