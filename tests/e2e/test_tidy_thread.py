"""A tidy thread: answered questions show their answer and lose their buttons, old buttons are
answered privately, a bad answer gets a short reply, and Cancel asks first."""

from __future__ import annotations

import time

from bot import ids
from tests.e2e.flow import answer_all, answers_for, ephemerals, start
from tests.support import signing
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    SECRET,
    RunningBot,
    block,
    block_ids,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackDouble


def question_post(app: RunningBot, thread: str, key: str) -> str:
    [post] = with_block(thread_posts(app.slack, thread), ids.question_block(key))
    return ts_of(post)


def test_an_answered_question_shows_its_answer_and_keeps_no_buttons(app: RunningBot) -> None:
    request_id, thread = start(app)
    app.reply(thread, "nom/1234567")
    app.reply(thread, "skip")
    category_ts = question_post(app, thread, "legal_basis")
    app.click(
        ids.answer_action("legal_basis", "licence"),
        "licence",
        user=OFFICER,
        message_ts=category_ts,
        thread_ts=thread,
    )

    for key, shown in (("visor_ref", "NOM/1234567"), ("pnc_id", "(skipped)")):
        message = app.slack.message("G0PRIVATE", question_post(app, thread, key))
        assert message is not None and "edited" in message
        assert [b["block_id"] for b in message["blocks"]] == [ids.answered_block(key)]
        assert shown in message["blocks"][0]["text"]["text"]
    category = app.slack.message("G0PRIVATE", category_ts)
    assert category is not None
    assert [b["type"] for b in category["blocks"]] == ["section"]  # no buttons left
    assert "Licence condition" in category["blocks"][0]["text"]["text"]
    assert app.request(request_id).question_ref == question_post(app, thread, "licence_expiry")


def test_a_question_answered_before_its_post_returned_is_still_tidied(app: RunningBot) -> None:
    """The officer answers the moment the question appears, before the bot has heard back from
    Slack where it was posted: the answer's own transaction cannot tidy a message it has no ts
    for, so the post's return does it."""
    request_id, thread = start(app)
    asking_pnc = app.slack.hold_next(
        "chat.postMessage", lambda args: ids.question_block("pnc_id") in str(args.get("blocks"))
    )
    answer = signing.thread_reply(
        channel=PRIVATE, thread_ts=thread, user=OFFICER, text="nom/1234567"
    )
    app.send(signing.event_callback(SECRET, answer), settle=False)
    app.slack.wait_for(
        "chat.postMessage", lambda call: ids.question_block("pnc_id") in block_ids(call)
    )
    skipped = signing.thread_reply(channel=PRIVATE, thread_ts=thread, user=OFFICER, text="skip")
    app.send(signing.event_callback(SECRET, skipped), settle=False)
    deadline = time.monotonic() + 10
    while "pnc_id" not in app.request(request_id).answers:  # accepted while the post is held
        assert time.monotonic() < deadline, "the second answer was not accepted"
        time.sleep(0.02)

    asking_pnc.set()
    app.settle()

    message = app.slack.message(PRIVATE, question_post(app, thread, "pnc_id"))
    assert message is not None and "edited" in message
    assert [b["block_id"] for b in message["blocks"]] == [ids.answered_block("pnc_id")]
    assert "(skipped)" in message["blocks"][0]["text"]["text"]
    assert app.request(request_id).question_ref == question_post(app, thread, "legal_basis")


def test_a_click_on_an_old_question_is_answered_privately_never_in_the_thread(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    for text in ("nom/1234567", "skip", "1"):
        app.reply(thread, text)
    posted = len(thread_posts(app.slack, thread))
    app.click(
        ids.answer_action("legal_basis", "voluntary"),
        "voluntary",
        user=OFFICER,
        message_ts=question_post(app, thread, "legal_basis"),
        thread_ts=thread,
    )
    assert len(thread_posts(app.slack, thread)) == posted
    assert any("already been answered" in text for text in ephemerals(app, OFFICER))
    assert app.request(request_id).answers["legal_basis"] == "order"


def test_a_rejected_answer_gets_a_short_reply_and_the_question_is_not_posted_again(
    app: RunningBot,
) -> None:
    _, thread = start(app)
    app.reply(thread, "nom/1234567")
    app.reply(thread, "skip")
    app.reply(thread, "category nine")
    reply = thread_posts(app.slack, thread)[-1]
    assert block_ids(reply) == [ids.error_block("legal_basis")]
    assert "example" in reply.args["blocks"][0]["text"]["text"].lower()
    assert len(with_block(thread_posts(app.slack, thread), "q:legal_basis")) == 1


def test_the_cancel_button_asks_for_confirmation(app: RunningBot) -> None:
    _, thread = start(app)
    summary = answer_all(app, thread, answers_for("voluntary"))
    cancel = next(
        e
        for e in block(summary, ids.SUMMARY_ACTIONS_BLOCK)["elements"]
        if e["action_id"] == ids.REQUEST_CANCEL
    )
    confirm = cancel["confirm"]
    assert {"title", "text", "confirm", "deny"} <= confirm.keys()
    assert confirm["style"] == "danger"


def test_a_question_delivered_late_from_the_outbox_is_still_tidied(
    app: RunningBot, slack: SlackDouble
) -> None:
    request_id, thread = start(app)
    slack.fail_next("chat.postMessage", status=500, times=3)  # beyond slack_sdk's retries
    app.reply(thread, "nom/1234567")
    assert app.request(request_id).question_ref is None
    app.bot.sweeper.run_once()
    pnc_ts = question_post(app, thread, "pnc_id")
    assert app.request(request_id).question_ref == pnc_ts
    app.reply(thread, "skip")
    message = app.slack.message("G0PRIVATE", pnc_ts)
    assert message is not None
    assert [b["block_id"] for b in message["blocks"]] == [ids.answered_block("pnc_id")]
