"""The bot process killed (SIGKILL) between a change's commit and its posts, then started again:
every state change gets its message, exactly once, and no request is left awaiting approval
without a card (issue #10, defect 3 and the standing crash-recovery suite).

The answers are given to an in-process bot; the step that crashes is sent to `mosovo-bot run` in
a process of its own, killed at a crash point (the test-only MOSOVO_TEST_CRASH_AT) or while the
Slack double holds back its answer to the post; a second process, on the same database and
Slack, recovers."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot import ids
from bot.services import THREADLESS
from bot.slack.outbox_delivery import CRASH_AT
from flows.clock import FixedClock, SystemClock
from flows.request_machine import Stage
from storage.audit import verify_chain
from storage.unit_of_work import Database
from tests.e2e.flow import (
    answer_all,
    answers_around,
    approval_submission,
    choose_basis,
    form_answers_around,
    form_inputs,
    form_state,
    open_form,
    real_today,
    review_date_around,
    start,
    submit,
    submit_page,
    submitted,
)
from tests.support import signing
from tests.support.bot_process import bot_process
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    SECRET,
    SUP1,
    SUP_GROUP,
    block_ids,
    posts,
    running_bot,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall, SlackDouble

#: nothing may fall due while the processes run on the real clock
QUIET = {
    "MOSOVO_IDLE_REMINDER": "300d",
    "MOSOVO_IDLE_EXPIRY": "365d",
    "MOSOVO_APPROVAL_REMINDER": "300d",
    "MOSOVO_APPROVAL_ESCALATION": "330d",
    "MOSOVO_APPROVAL_EXPIRY": "365d",
    "MOSOVO_INSTALL_REMINDER": "300d",
}


def on_the_real_clock(slack: SlackDouble, db_url: str) -> Any:
    """An in-process bot on the real clock, as the killed processes run, with nothing falling
    due: a request it answers (dated around `real_today()`) is as valid to them, on any day."""
    return running_bot(slack, db_url, SystemClock(), **QUIET)


def settings(db_url: str, **more: str) -> dict[str, str]:
    return {
        "SLACK_SIGNING_SECRET": SECRET,
        "DATABASE_URL": db_url,
        "MOSOVO_SUPERVISORS": SUP_GROUP,
        "MOSOVO_WORKING_HOURS": "always",
        "MOSOVO_SCHEDULER_INTERVAL": "1s",
        **QUIET,
        **more,
    }


def send(url: str, request: signing.SignedRequest) -> None:
    result = signing.post(f"{url}/slack/events", request.body, request.headers)
    assert result.status == 200, result


def submit_in_thread(thread: str) -> Callable[[str], None]:
    event = signing.thread_reply(channel=PRIVATE, thread_ts=thread, user=OFFICER, text="submit")
    return lambda url: send(url, signing.event_callback(SECRET, event))


def approve(request_id: str, card: SlackCall) -> Callable[[str], None]:
    return lambda url: send(
        url,
        approval_submission(request_id, card, SUP1, review_date=review_date_around(real_today())),
    )


def killed(process: subprocess.Popen[str]) -> None:
    assert process.wait(timeout=60) == -signal.SIGKILL


def hold_runs_out(db_url: str) -> None:
    """Time passes: the dead process's hold on what it had not marked sent runs out."""
    past = datetime.now(UTC) - timedelta(hours=1)
    database = Database(db_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text("UPDATE outbox SET lease_until = :past WHERE sent_at IS NULL"),
                {"past": past},
            )
    finally:
        database.dispose()


def recovered(slack: SlackDouble, tmp_path: Path, db_url: str, request_id: str) -> dict[str, Any]:
    """Start the bot again and wait until it has sent what the request's changes recorded;
    the request as stored then."""
    hold_runs_out(db_url)
    database = Database(db_url)
    pk = int(request_id.removeprefix("MR-"))
    try:
        with bot_process(slack.url, tmp_path, **settings(db_url)):
            deadline = time.monotonic() + 60
            while True:
                with database.engine.connect() as connection:
                    left: int = connection.execute(
                        text(
                            "SELECT count(*) FROM outbox WHERE request_id = :pk "
                            "AND sent_at IS NULL AND gave_up_at IS NULL"
                        ),
                        {"pk": pk},
                    ).scalar_one()
                if left == 0:
                    break
                assert time.monotonic() < deadline, f"{left} message(s) never sent"
                time.sleep(0.2)
        with database.read_session_factory() as session:
            chain = verify_chain(session)
        assert chain.ok, chain
        with database.engine.connect() as connection:
            row = connection.execute(
                text("SELECT state, approval_card_ref FROM requests WHERE id = :pk"), {"pk": pk}
            ).one()
        return {"state": row[0], "card": row[1]}
    finally:
        database.dispose()


def cards(slack: SlackDouble, thread: str) -> list[SlackCall]:
    return [
        c
        for c in thread_posts(slack, thread)
        if c.ok and ids.APPROVAL_ACTIONS_BLOCK in json.dumps(c.args.get("blocks"))
    ]


def notices(slack: SlackDouble, thread: str) -> list[SlackCall]:
    return [
        c
        for c in thread_posts(slack, thread)
        if c.ok and ids.DECISION_NOTICE_BLOCK in json.dumps(c.args.get("blocks"))
    ]


def answered(slack: SlackDouble, db_url: str) -> tuple[str, str]:
    """A request answered to its summary (by an in-process bot): its id and thread."""
    with on_the_real_clock(slack, db_url) as app:
        request_id, thread = start(app)
        answer_all(app, thread, answers_around(real_today(), "order"))
    return request_id, thread


@pytest.mark.parametrize("crash", ["committed:approval_card", "posted:approval_card"])
def test_a_submission_killed_before_its_card_is_marked_sent_gets_exactly_one_card(
    slack: SlackDouble, db_url: str, tmp_path: Path, crash: str
) -> None:
    request_id, thread = answered(slack, db_url)
    with bot_process(slack.url, tmp_path, **settings(db_url, **{CRASH_AT: crash})) as (url, bot):
        submit_in_thread(thread)(url)
        killed(bot)
    assert len(cards(slack, thread)) == (1 if crash.startswith("posted") else 0)

    stored = recovered(slack, tmp_path, db_url, request_id)
    [card] = cards(slack, thread)
    assert stored == {"state": "awaiting_approval", "card": ts_of(card)}

    # and it finishes: the card decides, and the decision is told once
    with bot_process(slack.url, tmp_path, **settings(db_url)) as (url, _bot):
        approve(request_id, card)(url)
        slack.wait_for("chat.update", lambda c: c.args.get("ts") == ts_of(card), timeout=30)
        slack.wait_for(
            "chat.postMessage",
            lambda c: ids.DECISION_NOTICE_BLOCK in json.dumps(c.args.get("blocks")),
            timeout=30,
        )
    assert len(notices(slack, thread)) == 1


def test_a_submission_killed_while_slack_holds_the_cards_answer_is_not_posted_twice(
    slack: SlackDouble, db_url: str, tmp_path: Path
) -> None:
    request_id, thread = answered(slack, db_url)
    release = slack.hold_next(
        "chat.postMessage",
        lambda args: ids.APPROVAL_ACTIONS_BLOCK in json.dumps(args.get("blocks")),
    )
    try:
        with bot_process(slack.url, tmp_path, **settings(db_url)) as (url, bot):
            submit_in_thread(thread)(url)
            slack.wait_for(
                "chat.postMessage",
                lambda c: ids.APPROVAL_ACTIONS_BLOCK in json.dumps(c.args.get("blocks")),
                timeout=30,
            )
            bot.kill()  # Slack has posted the card; the bot never hears back
            killed(bot)
    finally:
        release.set()
    stored = recovered(slack, tmp_path, db_url, request_id)
    [card] = cards(slack, thread)  # found by its key, not posted again
    assert stored == {"state": "awaiting_approval", "card": ts_of(card)}


@pytest.mark.parametrize("crash", ["committed:card_update", "posted:decision"])
def test_a_decision_killed_before_its_messages_are_marked_sent_is_told_exactly_once(
    slack: SlackDouble, db_url: str, tmp_path: Path, crash: str
) -> None:
    with on_the_real_clock(slack, db_url) as app:
        request_id, thread, card = submitted(app, "order")
    with bot_process(slack.url, tmp_path, **settings(db_url, **{CRASH_AT: crash})) as (url, bot):
        approve(request_id, card)(url)
        killed(bot)
    assert len(notices(slack, thread)) == (1 if crash.startswith("posted") else 0)

    stored = recovered(slack, tmp_path, db_url, request_id)
    assert stored["state"] == "approved"
    assert len(notices(slack, thread)) == 1
    shown = slack.message(PRIVATE, ts_of(card))
    assert shown is not None
    assert ids.DECISION_BLOCK in [b.get("block_id") for b in shown["blocks"]]
    assert ids.APPROVAL_ACTIONS_BLOCK not in [b.get("block_id") for b in shown["blocks"]]


def command(slack: SlackDouble) -> Callable[[str], None]:
    signed = signing.slash_command(
        SECRET, user_id=OFFICER, channel_id=PRIVATE, response_url=slack.response_url()
    )
    return lambda url: send(url, signed)


def parents(slack: SlackDouble, request_id: str) -> list[SlackCall]:
    """The request's parent messages in the channel (its thread's first)."""
    return [
        c
        for c in posts(slack)
        if not c.args.get("thread_ts") and re.search(rf"\b{request_id}\b", c.args["text"])
    ]


def newest_request(db_url: str) -> str:
    database = Database(db_url)
    try:
        with database.engine.connect() as connection:
            pk: int | None = connection.execute(text("SELECT max(id) FROM requests")).scalar_one()
    finally:
        database.dispose()
    assert pk is not None, "no request was made"
    return f"MR-{pk:06d}"


def thread_of(db_url: str, request_id: str) -> str | None:
    database = Database(db_url)
    try:
        with database.engine.connect() as connection:
            found: str | None = connection.execute(
                text("SELECT thread_ts FROM requests WHERE id = :pk"),
                {"pk": int(request_id.removeprefix("MR-"))},
            ).scalar_one()
    finally:
        database.dispose()
    return found


def questions(slack: SlackDouble, thread: str) -> list[SlackCall]:
    return [c for c in thread_posts(slack, thread) if any(b.startswith("q:") for b in block_ids(c))]


@pytest.mark.parametrize(
    "crash", ["committed:thread_parent", "posted:thread_parent", "committed:question"]
)
def test_a_new_request_killed_before_its_thread_is_marked_sent_gets_one_thread_and_goes_on(
    slack: SlackDouble, db_url: str, tmp_path: Path, crash: str
) -> None:
    with bot_process(slack.url, tmp_path, **settings(db_url, **{CRASH_AT: crash})) as (url, bot):
        command(slack)(url)
        killed(bot)
    request_id = newest_request(db_url)  # made, with its thread recorded beside it
    assert len(parents(slack, request_id)) == (0 if crash == "committed:thread_parent" else 1)

    recovered(slack, tmp_path, db_url, request_id)
    [parent] = parents(slack, request_id)
    thread = ts_of(parent)
    assert thread_of(db_url, request_id) == thread
    [first] = questions(slack, thread)  # the first question, once, in the thread
    assert thread_posts(slack, thread) == [first]

    # and it goes on in that thread, to its summary
    with on_the_real_clock(slack, db_url) as app:
        answer_all(app, thread, answers_around(real_today(), "order"))
    assert len(parents(slack, request_id)) == 1


def test_a_new_requests_thread_slack_never_takes_is_given_up_and_the_request_closed(
    slack: SlackDouble, db_url: str, tmp_path: Path
) -> None:
    """After a crash, the scheduler's last attempt at the parent fails too: the request is
    closed (as one Slack refuses at once is), not left open with no thread until it expires."""
    with bot_process(
        slack.url, tmp_path, **settings(db_url, **{CRASH_AT: "committed:thread_parent"})
    ) as (url, bot):
        command(slack)(url)
        killed(bot)
    request_id = newest_request(db_url)
    hold_runs_out(db_url)
    clock = FixedClock(datetime.now(UTC))
    slack.error_next("chat.postMessage", "channel_not_found", times=2)
    with running_bot(slack, db_url, clock, MOSOVO_OUTBOX_MAX_ATTEMPTS="2") as app:
        app.bot.sweeper.run_once()
        assert app.request(request_id).is_open  # one failed attempt: tried again later
        # what follows the parent waits for it: never posted in the channel instead
        assert [c.args["text"][:11] for c in slack.calls("chat.postMessage")] == ["OFFICIAL-SE"]
        clock.advance(timedelta(hours=1))
        app.bot.sweeper.run_once()
        closed = app.request(request_id)
        assert closed.state == Stage.withdrawn
        assert closed.closed_reason == THREADLESS
        clock.advance(timedelta(hours=1))
        app.bot.sweeper.run_once()  # nothing it recorded is posted later
    assert parents(slack, request_id) == []
    assert [c for c in slack.calls("chat.postMessage") if c.ok] == []
    database = Database(db_url)
    try:
        with database.read_session_factory() as session:
            assert verify_chain(session).ok
    finally:
        database.dispose()


def test_a_new_request_killed_while_slack_holds_its_parents_answer_is_not_posted_twice(
    slack: SlackDouble, db_url: str, tmp_path: Path
) -> None:
    release = slack.hold_next("chat.postMessage", lambda args: not args.get("thread_ts"))
    try:
        with bot_process(slack.url, tmp_path, **settings(db_url)) as (url, bot):
            command(slack)(url)
            slack.wait_for("chat.postMessage", lambda c: not c.args.get("thread_ts"), timeout=30)
            bot.kill()  # Slack has posted the parent; the bot never hears back
            killed(bot)
    finally:
        release.set()
    request_id = newest_request(db_url)
    recovered(slack, tmp_path, db_url, request_id)
    [parent] = parents(slack, request_id)  # found by its key, not posted again
    assert thread_of(db_url, request_id) == ts_of(parent)
    assert len(questions(slack, ts_of(parent))) == 1


def withdrawn(slack: SlackDouble, db_url: str) -> tuple[str, SlackCall]:
    """A request answered, then withdrawn (by an in-process bot): its id and closing message,
    which offers a restart."""
    with on_the_real_clock(slack, db_url) as app:
        request_id, thread = start(app)
        answer_all(app, thread, answers_around(real_today(), "voluntary"))
        app.reply(thread, "cancel")
    [closing] = with_block(thread_posts(slack, thread), ids.RESTART_ACTIONS_BLOCK)
    return request_id, closing


def restart(request_id: str, closing: SlackCall) -> Callable[[str], None]:
    signed = signing.block_actions(
        SECRET,
        action_id=ids.REQUEST_RESTART,
        value=request_id,
        user_id=OFFICER,
        channel_id=PRIVATE,
        message_ts=ts_of(closing),
        thread_ts=closing.args["thread_ts"],
        message={**closing.response["message"]},  # type: ignore[index]
    )
    return lambda url: send(url, signed)


def restarted_lines(slack: SlackDouble, closing: SlackCall) -> list[SlackCall]:
    """The updates of the closing message that say where the request went on."""
    return [
        c
        for c in slack.calls("chat.update")
        if c.ok
        and c.args.get("ts") == ts_of(closing)
        and ids.RESTARTED_BLOCK in json.dumps(c.args.get("blocks"))
    ]


@pytest.mark.parametrize(
    "crash", ["committed:thread_parent", "posted:thread_parent", "committed:restarted"]
)
def test_a_restart_killed_before_its_messages_are_marked_sent_opens_one_linked_thread(
    slack: SlackDouble, db_url: str, tmp_path: Path, crash: str
) -> None:
    old_id, closing = withdrawn(slack, db_url)
    with bot_process(slack.url, tmp_path, **settings(db_url, **{CRASH_AT: crash})) as (url, bot):
        restart(old_id, closing)(url)
        killed(bot)
    new_id = newest_request(db_url)
    assert new_id != old_id
    assert len(parents(slack, new_id)) == (0 if crash == "committed:thread_parent" else 1)
    assert not restarted_lines(slack, closing)

    recovered(slack, tmp_path, db_url, new_id)
    [parent] = parents(slack, new_id)
    thread = ts_of(parent)
    assert f"restarted from {old_id}" in parent.args["text"]
    assert thread_of(db_url, new_id) == thread
    [summary] = with_block(thread_posts(slack, thread), ids.SUMMARY_BLOCK)
    assert thread_posts(slack, thread) == [summary]  # at its summary, said once

    # the closing message says where it went on, once, linking the new thread
    [line] = restarted_lines(slack, closing)
    link = f"/archives/{PRIVATE}/p{thread.replace('.', '')}|{new_id}>"
    assert link in json.dumps(line.args["blocks"])
    shown = slack.message(PRIVATE, ts_of(closing))
    assert shown is not None
    assert ids.RESTART_ACTIONS_BLOCK not in [b.get("block_id") for b in shown["blocks"]]


def form_at_its_last_page(slack: SlackDouble, db_url: str) -> tuple[str, str, dict[str, Any]]:
    """A request whose form was filled in up to its last page (by an in-process bot): its id,
    its thread and the last page, as open in Slack."""
    answers = form_answers_around(real_today(), "order")
    with on_the_real_clock(slack, db_url) as app:
        request_id, thread = start(app)
        view = open_form(app, request_id, thread)
        for _ in range(FORM_PAGES - 1):
            if "legal_basis" in form_inputs(view):
                view = choose_basis(app, view, "order")
            response = submit_page(app, view, answers)
            assert response.get("response_action") == "update", response
            view = {**response["view"], "id": view["id"]}
    return request_id, thread, view


#: the order basis's form: person, basis (with its branch), risk, device, software
FORM_PAGES = 5


def last_page(view: dict[str, Any]) -> Callable[[str], None]:
    signed = signing.view_submission(
        SECRET,
        callback_id=view["callback_id"],
        values=form_state(view, form_answers_around(real_today(), "order")),
        private_metadata=view.get("private_metadata", ""),
        user_id=OFFICER,
        blocks=view["blocks"],
        view_id=view["id"],
    )

    def submit_it(url: str) -> None:
        # killed after its ack, perhaps before the answer reached the wire: saved all the same
        with contextlib.suppress(http.client.RemoteDisconnected, ConnectionError):
            send(url, signed)

    return submit_it


@pytest.mark.parametrize("crash", ["committed:question", "posted:question"])
def test_a_form_page_killed_before_its_output_is_marked_sent_shows_it_exactly_once(
    slack: SlackDouble, db_url: str, tmp_path: Path, crash: str
) -> None:
    request_id, thread, view = form_at_its_last_page(slack, db_url)
    assert not with_block(thread_posts(slack, thread), ids.SUMMARY_BLOCK)
    with bot_process(slack.url, tmp_path, **settings(db_url, **{CRASH_AT: crash})) as (url, bot):
        last_page(view)(url)
        killed(bot)
    summaries = with_block(thread_posts(slack, thread), ids.SUMMARY_BLOCK)
    assert len(summaries) == (1 if crash.startswith("posted") else 0)

    stored = recovered(slack, tmp_path, db_url, request_id)
    assert stored["state"] == "confirming"
    [summary] = with_block(thread_posts(slack, thread), ids.SUMMARY_BLOCK)
    assert thread_posts(slack, thread)[-1] is summary

    # and it goes on from there
    with on_the_real_clock(slack, db_url) as app:
        submit(app, thread)
        assert app.request(request_id).state == "awaiting_approval"


def offered(slack: SlackDouble, db_url: str) -> tuple[str, SlackCall]:
    """A request about a person the unit asked about before, offered that request's answers
    (by an in-process bot): its id and the offer."""
    with on_the_real_clock(slack, db_url) as app:
        submitted(app, "order")
        request_id, thread = start(app)
        app.reply(thread, "NOM/1234567")
    [offer] = with_block(thread_posts(slack, thread), ids.PREFILL_BLOCK)
    return request_id, offer


def accept(offer: SlackCall) -> Callable[[str], None]:
    [button] = [
        e
        for b in offer.args["blocks"]
        if b.get("block_id") == ids.PREFILL_ACTIONS_BLOCK
        for e in b["elements"]
        if e["action_id"] == ids.PREFILL_ACCEPT
    ]
    signed = signing.block_actions(
        SECRET,
        action_id=ids.PREFILL_ACCEPT,
        value=button["value"],
        user_id=OFFICER,
        channel_id=PRIVATE,
        message_ts=ts_of(offer),
        thread_ts=offer.args["thread_ts"],
        message={**offer.response["message"]},  # type: ignore[index]
    )
    return lambda url: send(url, signed)


def test_an_accepted_offer_killed_before_it_is_marked_answered_says_so_after_a_restart(
    slack: SlackDouble, db_url: str, tmp_path: Path
) -> None:
    request_id, offer = offered(slack, db_url)
    crash = {CRASH_AT: "committed:prefill_offer"}
    with bot_process(slack.url, tmp_path, **settings(db_url, **crash)) as (url, bot):
        accept(offer)(url)
        killed(bot)

    def shown() -> list[str]:
        message = slack.message(PRIVATE, ts_of(offer))
        assert message is not None
        return [str(b.get("block_id")) for b in message["blocks"]]

    assert ids.PREFILL_ACTIONS_BLOCK in shown()  # the choice is saved; the offer not yet told

    recovered(slack, tmp_path, db_url, request_id)
    assert ids.PREFILL_ACTIONS_BLOCK not in shown() and ids.PREFILL_DONE_BLOCK in shown()
