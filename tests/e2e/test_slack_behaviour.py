"""How the bot behaves as a Slack app: retries, redeliveries, escaping, concurrency, restarts."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import (
    answer_all,
    answers_for,
    approval_submission,
    card_updates,
    ephemerals,
    send_at_once,
    start,
    submit,
    submitted,
)
from tests.support import signing
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    PRIVATE,
    SECRET,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    block_text,
    card_text,
    current_question,
    running_bot,
    thread_posts,
    with_block,
)
from tests.support.slack_double import SlackDouble


def test_broadcast_mentions_typed_into_answers_are_escaped_everywhere(app: RunningBot) -> None:
    _, thread = start(app)
    answers = answers_for("order", device_make_model="<!channel> <@U0SUP1> Nokia & co")
    summary = answer_all(app, thread, answers)
    assert "&lt;!channel&gt; &lt;@U0SUP1&gt; Nokia &amp; co" in block_text(
        summary, ids.SUMMARY_BLOCK
    )
    card = submit(app, thread)
    assert "&lt;!channel&gt;" in card_text(card)
    everything = json.dumps([c.args for c in app.slack.calls()])
    assert "<!channel>" not in everything
    for call in app.slack.calls("chat.postMessage"):
        assert "link_names" not in call.args and call.args.get("parse") != "full"


def test_an_event_delivered_three_times_is_answered_once(app: RunningBot) -> None:
    _, thread = start(app)
    event = signing.thread_reply(
        channel=PRIVATE, thread_ts=thread, user=OFFICER, text="NOM/1234567"
    )
    first = signing.event_callback(SECRET, event)
    before = len(thread_posts(app.slack, thread))
    assert app.send(first).status == 200
    for attempt in (1, 2, 3):
        assert app.send(first.retried(attempt)).status == 200
    assert len(thread_posts(app.slack, thread)) == before + 1
    assert current_question(app.slack, thread) == "pnc_id"


def test_messages_that_are_not_the_officers_new_replies_are_ignored(app: RunningBot) -> None:
    _, thread = start(app)
    before = len(app.slack.calls())
    app.reply(thread, "NOM/9999999", user=STRANGER)
    app.send(
        signing.event_callback(
            SECRET, signing.bot_message(channel=PRIVATE, text="NOM/1", thread_ts=thread)
        )
    )
    app.send(
        signing.event_callback(
            SECRET,
            signing.message_changed(
                channel=PRIVATE, ts=thread, text="NOM/2", previous_text="x", thread_ts=thread
            ),
        )
    )
    app.send(
        signing.event_callback(
            SECRET, signing.message_deleted(channel=PRIVATE, deleted_ts=thread, thread_ts=thread)
        )
    )
    # nothing is said or changed in Slack, and nothing is asked of it either (not even the
    # stranger's language: it is looked up only for the officer's own messages)
    assert app.slack.calls()[before:] == []
    assert current_question(app.slack, thread) == "visor_ref"


def test_two_supervisors_clicking_at_once_produce_exactly_one_decision(
    slack: SlackDouble, db_url: str
) -> None:
    with running_bot(slack, db_url) as app:
        request_id, _, card = submitted(app, "order")
        send_at_once([(app, approval_submission(request_id, card, user)) for user in (SUP1, SUP2)])
        request = app.bot.wiring.service.get(request_id)
        assert request is not None and request.state == "approved"
        assert len(card_updates(app, card)) == 1
        loser = SUP2 if request.decided_by == SUP1 else SUP1
        assert ephemerals(app, loser) == [
            f"{request_id} was already approved by <@{request.decided_by}> at 10:00."
        ]


def test_a_restarted_bot_continues_the_conversation_where_it_was(
    slack: SlackDouble, db_url: str
) -> None:
    clock = FixedClock(MONDAY_10AM)
    with running_bot(slack, db_url, clock) as first:
        request_id, thread = start(first)
        for text in ("NOM/1234567", "skip", "2"):
            first.reply(thread, text)
        assert current_question(slack, thread) == "licence_expiry"
    with running_bot(slack, db_url, clock) as second:
        second.reply(thread, "30/06/2030")
        assert current_question(slack, thread) == "probation_practitioner"
        request = second.bot.wiring.service.get(request_id)
        assert request is not None
        assert request.answers == {
            "visor_ref": "NOM/1234567",
            "pnc_id": None,
            "legal_basis": "licence",
            "licence_expiry": "2030-06-30",
        }


def test_a_rate_limited_post_is_retried_after_retry_after(app: RunningBot) -> None:
    _, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    app.reply(thread, "NOM/1234567")
    attempts = [c for c in app.slack.calls("chat.postMessage") if c.args.get("thread_ts") == thread]
    assert [c.status for c in attempts[-2:]] == [429, 200]
    assert attempts[-1].time - attempts[-2].time >= 0.9
    assert current_question(app.slack, thread) == "pnc_id"


def test_a_message_slack_will_not_take_is_kept_and_posted_by_the_next_sweep(
    app: RunningBot,
) -> None:
    _, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=500, times=3)  # the first try and both retries
    app.reply(thread, "NOM/1234567")
    with app.database.uow() as uow:
        assert uow.outbox.stats().pending == 1
    assert current_question(app.slack, thread) == "visor_ref"  # not posted yet
    report = app.bot.sweeper.run_once()
    assert report.sent == 1
    assert current_question(app.slack, thread) == "pnc_id"
    with app.database.uow() as uow:
        assert uow.outbox.stats().pending == 0


def test_health_and_metrics_are_served(app: RunningBot) -> None:
    with urllib.request.urlopen(f"{app.url}/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read())["status"] == "ok"
    opened_before = app.metric("mosovo_requests_opened_total")
    start(app)
    assert app.metric("mosovo_requests_opened_total") == opened_before + 1
    assert app.metric("mosovo_outbox_pending") == 0


def test_two_replicas_on_one_database_behave_as_one_bot(slack: SlackDouble, db_url: str) -> None:
    clock = FixedClock(MONDAY_10AM)
    with running_bot(slack, db_url, clock) as first, running_bot(slack, db_url, clock) as second:
        request_id, thread = start(first)
        answers = answers_for("licence")
        replicas = [second, first]
        turn = 0
        while not with_block(thread_posts(slack, thread), ids.SUMMARY_BLOCK):
            replicas[turn % 2].reply(thread, answers[current_question(slack, thread)])
            turn += 1
        card = submit(second, thread)
        send_at_once(
            [
                (first, approval_submission(request_id, card, SUP1)),
                (second, approval_submission(request_id, card, SUP2)),
            ]
        )
        assert len(card_updates(first, card)) == 1
        request = first.bot.wiring.service.get(request_id)
        assert request is not None and request.state == "approved"
        assert len(with_block(thread_posts(slack, thread), "decision_notice")) == 1


def test_health_check_fails_when_the_database_does_not_answer(slack: SlackDouble) -> None:
    from bot.app import create_bot
    from bot.http import make_server, serve_until_stopped
    from bot.settings import load_settings
    from tests.support.running_bot import settings_env

    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=1"
    bot = create_bot(load_settings(settings_env(slack, unreachable)))
    server = make_server(bot, "127.0.0.1", 0)
    stopped = threading.Event()
    runner = threading.Thread(target=serve_until_stopped, args=(server, stopped), daemon=True)
    runner.start()
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{server.effective_port}/healthz", timeout=10
        ):
            raise AssertionError("expected 503")
    except urllib.error.HTTPError as error:
        assert error.code == 503
    finally:
        stopped.set()
        runner.join(timeout=10)
        bot.database.dispose()


def test_slacks_url_verification_challenge_is_answered(app: RunningBot) -> None:
    result = app.send(signing.url_verification(SECRET, "challenge-token-123"))
    assert result.status == 200 and "challenge-token-123" in result.body
