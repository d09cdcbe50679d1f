"""Nothing retyped: a withdrawn, abandoned or expired request restarts with its answers in a new
thread, and both records (and the audit trail) name each other."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import text

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import answer_all, answers_for, ephemerals, start, submitted
from tests.support.running_bot import (
    OFFICER,
    OFFICER2,
    PRIVATE,
    RunningBot,
    block,
    block_ids,
    current_question,
    posts,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall


def closing_with_restart(app: RunningBot, thread: str) -> SlackCall:
    closing = with_block(thread_posts(app.slack, thread), ids.RESTART_ACTIONS_BLOCK)
    assert closing, "the closing message offers no restart"
    [button] = block(closing[-1], ids.RESTART_ACTIONS_BLOCK)["elements"]
    assert button["action_id"] == ids.REQUEST_RESTART
    assert button["text"]["text"] == "Restart with these answers"
    return closing[-1]


def click_restart(
    app: RunningBot, closing: SlackCall, request_id: str, user: str = OFFICER
) -> None:
    app.click(
        ids.REQUEST_RESTART,
        request_id,
        user=user,
        message_ts=ts_of(closing),
        thread_ts=closing.args["thread_ts"],
        message={**closing.response["message"]},  # type: ignore[index]
    )


def new_parent(app: RunningBot, before: int) -> SlackCall:
    [parent] = [c for c in posts(app.slack)[before:] if not c.args.get("thread_ts")]
    return parent


def audit(app: RunningBot, request_id: str) -> list[tuple[str, dict[str, object]]]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT action, detail FROM audit_events WHERE request_id = :pk ORDER BY id"),
            {"pk": int(request_id.removeprefix("MR-"))},
        )
        return [
            (row[0], row[1] if isinstance(row[1], dict) else json.loads(row[1])) for row in rows
        ]


def test_a_withdrawn_request_restarts_at_its_summary_in_a_new_linked_thread(
    app: RunningBot,
) -> None:
    old_id, old_thread = start(app)
    answer_all(app, old_thread, answers_for("voluntary"))
    app.reply(old_thread, "cancel")
    closing = closing_with_restart(app, old_thread)

    before = len(posts(app.slack))
    click_restart(app, closing, old_id)
    parent = new_parent(app, before)
    new_thread = ts_of(parent)
    assert new_thread != old_thread and f"restarted from {old_id}" in parent.args["text"]
    new_id = app.request(old_id).restarted_as
    assert new_id and new_id != old_id
    new = app.request(new_id)
    assert new.restarted_from == old_id and new.thread_ts == new_thread
    assert new.state == "confirming"
    assert new.answers == app.request(old_id).answers
    assert ids.SUMMARY_BLOCK in block_ids(thread_posts(app.slack, new_thread)[-1])

    assert ("restarted", {"restarted_as": new_id}) in audit(app, old_id)
    created = audit(app, new_id)[0]
    assert created[0] == "created" and created[1]["restarted_from"] == old_id
    carried = [d for a, d in audit(app, new_id) if a == "answered"]
    assert carried and all(d["carried_from"] == old_id for d in carried)

    # the closing message now says where it went on, and offers no second restart
    updated = app.slack.message(PRIVATE, ts_of(closing))
    assert updated is not None
    ids_now = [b.get("block_id") for b in updated["blocks"]]
    assert ids.RESTART_ACTIONS_BLOCK not in ids_now and ids.RESTARTED_BLOCK in ids_now
    click_restart(app, closing, old_id)
    assert any("already restarted" in t for t in ephemerals(app, OFFICER))
    assert app.request(old_id).restarted_as == new_id


def test_an_abandoned_request_restarts_at_the_first_missing_answer(app: RunningBot) -> None:
    old_id, old_thread = start(app)
    for answer in ("nom/1234567", "skip", "1"):
        app.reply(old_thread, answer)
    clock = app.clock
    assert isinstance(clock, FixedClock)
    for hours in (1, 30):
        clock.advance(timedelta(hours=hours))
        app.bot.sweeper.run_once()
    assert app.request(old_id).state == "abandoned"
    closing = closing_with_restart(app, old_thread)

    before = len(posts(app.slack))
    click_restart(app, closing, old_id)
    new_thread = ts_of(new_parent(app, before))
    new_id = app.request(old_id).restarted_as
    assert new_id is not None
    assert app.request(new_id).answers == {
        "visor_ref": "NOM/1234567",
        "pnc_id": None,
        "legal_basis": "order",
    }
    assert current_question(app.slack, new_thread) == app.request(new_id).current_field


def test_an_expired_request_offers_a_restart_and_only_its_officer_may_use_it(
    app: RunningBot,
) -> None:
    old_id, thread, _card = submitted(app, "order")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=8))
    app.bot.sweeper.run_once()
    assert app.request(old_id).state == "expired"
    closing = closing_with_restart(app, thread)
    before = len(posts(app.slack))
    click_restart(app, closing, old_id, user=OFFICER2)
    assert posts(app.slack)[before:] == []
    assert any("Only the officer" in t for t in ephemerals(app, OFFICER2))
    assert app.request(old_id).restarted_as is None


def test_a_restart_drops_answers_that_are_no_longer_valid(app: RunningBot) -> None:
    old_id, old_thread = start(app)
    answer_all(app, old_thread, answers_for("voluntary", proposed_install_date="today"))
    app.reply(old_thread, "cancel")
    closing = closing_with_restart(app, old_thread)
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=2))  # the proposed date is now in the past
    click_restart(app, closing, old_id)
    new_id = app.request(old_id).restarted_as
    assert new_id is not None
    new = app.request(new_id)
    assert "proposed_install_date" not in new.answers
    assert new.current_field == "proposed_install_date" and new.state == "collecting"
