"""Slack is acknowledged before a listener thread is free (bot/acks.py): a slash command and a
click get their HTTP 200 at once while every listener thread is busy, and are acted on once one
is free. `help` is still answered in its acknowledgement."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bot import ids
from flows.request_machine import Stage
from tests.e2e.flow import start
from tests.support import signing
from tests.support.running_bot import OFFICER, PRIVATE, SECRET, RunningBot, posts

#: well under Bolt's own wait for an ack() (3 s), after which it gives up on the request
PROMPT_SECONDS = 1.5


@contextmanager
def every_listener_busy(app: RunningBot) -> Iterator[None]:
    """Every listener thread held until the block ends; then the bot is let finish."""
    release = threading.Event()
    workers = app.executor._max_workers
    holding = threading.Barrier(workers + 1)

    def hold() -> None:
        holding.wait(timeout=10)
        release.wait(timeout=30)

    for _ in range(workers):
        app.executor.submit(hold)
    holding.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
    app.settle()


def timed(app: RunningBot, request: signing.SignedRequest) -> tuple[signing.HttpResult, float]:
    began = time.monotonic()
    result = app.send(request, settle=False)
    return result, time.monotonic() - began


def test_a_slash_command_is_acknowledged_while_every_listener_is_busy(app: RunningBot) -> None:
    before = len(posts(app.slack))
    with every_listener_busy(app):
        result, took = timed(
            app,
            signing.slash_command(
                SECRET, user_id=OFFICER, channel_id=PRIVATE, response_url=app.slack.response_url()
            ),
        )
        assert result.status == 200
        assert took < PROMPT_SECONDS
        assert len(posts(app.slack)) == before  # nothing done yet: no listener was free
    parents = [c for c in posts(app.slack)[before:] if not c.args.get("thread_ts")]
    assert len(parents) == 1  # then the request was started, once


def test_a_click_is_acknowledged_while_every_listener_is_busy(app: RunningBot) -> None:
    request_id, thread_ts = start(app)
    with every_listener_busy(app):
        result, took = timed(
            app,
            signing.block_actions(
                SECRET,
                action_id=ids.REQUEST_CANCEL,
                value=request_id,
                user_id=OFFICER,
                channel_id=PRIVATE,
                message_ts=thread_ts,
                thread_ts=thread_ts,
            ),
        )
        assert result.status == 200
        assert took < PROMPT_SECONDS
        assert app.request(request_id).state == Stage.collecting  # not yet acted on
    assert app.request(request_id).state == Stage.withdrawn  # then cancelled


def test_help_is_still_answered_in_the_acknowledgement(app: RunningBot) -> None:
    result = app.command("help")
    assert result.status == 200
    assert "starts a monitoring software request" in result.body
