"""Slack Web API storms: 429s with Retry-After and bursts of 5xx from the double, in the middle of
a conversation and of the approval. Retries honour Retry-After and are bounded (a long wait is
not held inline: the outbox waits it out); what Slack would not take is redelivered from the
outbox; nothing is lost, nothing is posted twice, the card is posted once and works (issue 10)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import answers_for, click_card, start
from tests.support.running_bot import (
    SUP1,
    RunningBot,
    block_ids,
    current_question,
    posts,
    running_bot,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackDouble

#: slack_sdk makes the first attempt and at most this many retries (bot.app.web_client)
RETRIES = 2


def clock(app: RunningBot) -> FixedClock:
    assert isinstance(app.clock, FixedClock)
    return app.clock


def pending(app: RunningBot) -> int:
    with app.database.uow() as uow:
        return uow.outbox.stats().pending


def drain(app: RunningBot) -> None:
    """Sweep (moving the clock past each backoff) until the outbox is empty."""
    for _ in range(12):
        if not pending(app):
            return
        clock(app).advance(timedelta(minutes=10))
        app.bot.sweeper.run_once()
    raise AssertionError(f"{pending(app)} message(s) still in the outbox")


def assert_nothing_posted_twice(app: RunningBot) -> None:
    seen: dict[str, int] = {}
    for call in posts(app.slack):
        key = json.dumps([call.args.get("thread_ts"), call.args.get("blocks")], sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
    doubled = [k[:120] for k, n in seen.items() if n > 1]
    assert doubled == [], doubled


def test_a_short_rate_limit_is_waited_out_as_slack_asks_and_retried_a_bounded_number_of_times(
    app: RunningBot,
) -> None:
    _, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=RETRIES + 1)
    app.reply(thread, "NOM/1234567")
    tries = [c for c in app.slack.calls("chat.postMessage") if c.args.get("thread_ts") == thread]
    limited = [c for c in tries if c.status == 429]
    assert len(limited) == RETRIES + 1  # the first try and both retries, then it stopped
    for before, after in itertools.pairwise(limited):
        assert after.time - before.time >= 0.9  # Retry-After: 1 was honoured
    assert pending(app) == 1  # not lost: kept for the outbox, due after Retry-After
    assert current_question(app.slack, thread) == "visor_ref"
    clock(app).advance(timedelta(seconds=2))
    assert app.bot.sweeper.run_once().sent == 1
    assert current_question(app.slack, thread) == "pnc_id"
    assert pending(app) == 0
    assert_nothing_posted_twice(app)


def test_a_long_retry_after_is_not_waited_for_inline_and_the_outbox_waits_it_out(
    app: RunningBot,
) -> None:
    _, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=429, retry_after=120)
    app.reply(thread, "NOM/1234567")  # settles at once: no listener sleeps for two minutes
    assert len(app.slack.calls("chat.postMessage")[-1:]) == 1
    assert pending(app) == 1
    sent_before = len(posts(app.slack))
    clock(app).advance(timedelta(seconds=60))
    assert app.bot.sweeper.run_once().sent == 0  # Slack said 120 s: not yet
    assert len(posts(app.slack)) == sent_before
    clock(app).advance(timedelta(seconds=61))
    assert app.bot.sweeper.run_once().sent == 1
    assert current_question(app.slack, thread) == "pnc_id"
    assert_nothing_posted_twice(app)


@pytest.fixture
def patient(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    """The bot with no idle reminder for days, so that hours pass with nothing else to send."""
    with running_bot(slack, db_url, MOSOVO_IDLE_REMINDER="3d", MOSOVO_IDLE_EXPIRY="7d") as bot:
        yield bot


def test_a_rate_limited_outbox_delivery_waits_for_retry_after_before_its_next_attempt(
    patient: RunningBot,
) -> None:
    app = patient
    _, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=500, times=RETRIES + 1)
    app.reply(thread, "NOM/1234567")
    assert pending(app) == 1
    app.slack.fail_next("chat.postMessage", status=429, retry_after=3600)
    assert app.bot.sweeper.run_once().failed == 1
    clock(app).advance(timedelta(minutes=59))  # past the backoff, not past Retry-After
    assert app.bot.sweeper.run_once().sent == 0
    clock(app).advance(timedelta(minutes=2))
    assert app.bot.sweeper.run_once().sent == 1
    assert current_question(app.slack, thread) == "pnc_id"


def test_5xx_bursts_through_a_whole_request_lose_nothing_and_post_nothing_twice(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    answers = answers_for("order")
    for n in range(60):
        summaries = with_block(thread_posts(app.slack, thread), ids.SUMMARY_BLOCK)
        if summaries and summaries[-1] is thread_posts(app.slack, thread)[-1]:
            break
        if n % 4 == 1:  # a burst: every call fails, past slack_sdk's retries
            app.slack.fail_next(None, status=503, times=RETRIES + 1)
        app.reply(thread, answers[current_question(app.slack, thread)])
        drain(app)  # recovered: the sweep delivers what Slack refused
    else:
        raise AssertionError("the conversation never reached the summary")
    app.slack.fail_next(None, status=503, times=RETRIES + 1)  # the card is refused too
    app.reply(thread, "submit")
    assert app.request(request_id).state == "awaiting_approval"
    drain(app)

    [card] = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)  # once, not twice
    assert_nothing_posted_twice(app)
    asked = [b for c in thread_posts(app.slack, thread) for b in block_ids(c) if b.startswith("q:")]
    assert sorted(asked) == sorted(set(asked)), "a question was asked twice"
    app.slack.fail_next("chat.update", status=503, times=RETRIES + 1)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)  # the card delivered late works
    assert app.request(request_id).state == "approved"
    drain(app)
    assert_nothing_posted_twice(app)
    updates = [c for c in app.slack.calls("chat.update") if c.ok and c.args["ts"] == ts_of(card)]
    assert updates, "the card was never updated with the decision"
    with app.database.uow() as uow:
        stats = uow.outbox.stats()
    assert (stats.pending, stats.given_up) == (0, 0)
