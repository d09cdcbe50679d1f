"""What a change says is recorded in the outbox in the change's own transaction, sent at once
by the process that made it, and by the scheduler when that process died first; a post that was
made but never marked sent is found in Slack and not posted again (issue #10, defect 3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot import ids
from bot.services import HOLD_SECONDS
from bot.slack.outbox_delivery import DeliveryCounts
from flows.clock import FixedClock
from storage.repositories import SqlRequestRepository
from tests.e2e.flow import (
    answer_all,
    answers_for,
    card_updates,
    click_card,
    responses,
    start,
    submitted,
)
from tests.support.running_bot import (
    SUP1,
    RunningBot,
    block_ids,
    posts,
    thread_posts,
    ts_of,
    with_block,
)


def pending(app: RunningBot, request_id: str) -> list[str]:
    """The purposes of the request's messages not yet sent, oldest first."""
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT purpose FROM outbox WHERE request_id = :pk AND sent_at IS NULL "
                "AND gave_up_at IS NULL ORDER BY id"
            ),
            {"pk": int(request_id.removeprefix("MR-"))},
        )
        return [row[0] for row in rows]


def die_after_commit(app: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the process "dies" between each commit and its posts: nothing is sent."""
    sender = app.bot.wiring.responder.sender
    assert sender is not None
    monkeypatch.setattr(sender, "deliver_held", lambda messages: DeliveryCounts())


def after_the_hold(app: RunningBot) -> None:
    """The dead process's hold runs out, and the scheduler sweeps."""
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(seconds=HOLD_SECONDS + 1))
    app.bot.sweeper.run_once()


def cards(app: RunningBot, thread: str) -> list[Any]:
    return with_block(thread_posts(app.slack, thread), ids.APPROVAL_ACTIONS_BLOCK)


def test_a_card_recorded_with_its_submission_is_posted_by_the_scheduler_after_a_crash(
    app: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))
    die_after_commit(app, monkeypatch)
    app.reply(thread, "submit")
    assert app.request(request_id).state == "awaiting_approval"
    assert cards(app, thread) == []
    assert "approval_card" in pending(app, request_id)

    # not while the process that made the change may still be sending it
    assert app.bot.sweeper.run_once().sent == 0
    assert cards(app, thread) == []

    after_the_hold(app)
    [card] = cards(app, thread)
    assert pending(app, request_id) == []
    assert app.request(request_id).approval_card_ref == ts_of(card)  # saved on delivery
    monkeypatch.undo()  # started again
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
    assert ids.DECISION_BLOCK in block_ids(card_updates(app, card)[-1])


def test_a_decision_recorded_with_its_card_update_and_notice_survives_a_crash(
    app: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, thread, card = submitted(app, "order")
    die_after_commit(app, monkeypatch)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
    assert card_updates(app, card) == []
    assert pending(app, request_id) == ["card_update", "decision"]

    after_the_hold(app)
    assert ids.DECISION_BLOCK in block_ids(card_updates(app, card)[-1])
    notices = with_block(thread_posts(app.slack, thread), ids.DECISION_NOTICE_BLOCK)
    assert len(notices) == 1
    assert pending(app, request_id) == []


def fail_once(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, fake: Callable[..., Any]
) -> None:
    """Replace `owner.name` for one call (`fake` is called instead), then restore it."""
    real = getattr(owner, name)
    calls = {"n": 0}

    def once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            return fake(*args, **kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, once)


def test_a_post_made_but_never_marked_sent_is_found_in_slack_and_not_posted_again(
    app: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))
    sender = app.bot.wiring.responder.sender
    assert sender is not None
    # the process dies after Slack took the card, before it could mark it sent
    fail_once(monkeypatch, sender, "_mark_sent", lambda posted: None)
    app.reply(thread, "submit")
    [card] = cards(app, thread)
    assert app.request(request_id).approval_card_ref is None
    assert "approval_card" in pending(app, request_id)

    after_the_hold(app)
    assert cards(app, thread) == [card]  # found, not posted twice
    assert app.slack.calls("conversations.replies")
    assert pending(app, request_id) == []
    assert app.request(request_id).approval_card_ref == ts_of(card)


def test_when_saving_the_cards_ts_fails_once_its_clicks_still_decide(
    app: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))

    def blip(*_args: Any) -> bool:
        raise OperationalError("UPDATE requests", {}, Exception("database is locked"))

    fail_once(monkeypatch, SqlRequestRepository, "remember_card", blip)
    app.reply(thread, "submit")
    [card] = cards(app, thread)
    assert app.request(request_id).approval_card_ref is None

    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
    assert ids.DECISION_BLOCK in block_ids(card_updates(app, card)[-1])
    assert app.request(request_id).approval_card_ref == ts_of(card)
    after_the_hold(app)  # the card's message, never marked sent, is found: not posted again
    assert len(with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)) == 1
    assert pending(app, request_id) == []


def test_every_post_from_the_outbox_carries_a_key_of_its_own(app: RunningBot) -> None:
    _request_id, thread, card = submitted(app, "order")
    keys = [
        c.args["metadata"]["event_payload"]["key"]
        for c in thread_posts(app.slack, thread)
        if c.args.get("metadata")
    ]
    assert card.args["metadata"]["event_type"] == "mosovo_outbox"
    assert len(keys) == len(set(keys)) > 1


def test_a_new_thread_slack_will_not_take_closes_its_request_and_nothing_is_posted_later(
    app: RunningBot,
) -> None:
    app.slack.error_next("chat.postMessage", "not_in_channel")
    assert app.command().status == 200
    assert posts(app.slack) == []
    [told] = [r["text"] for r in responses(app)]
    assert "didn't accept the request thread" in told
    with app.database.engine.connect() as connection:
        pk: int = connection.execute(text("SELECT max(id) FROM requests")).scalar_one()
    request = app.request(f"MR-{pk:06d}")
    assert request.state == "withdrawn" and request.thread_ts is None
    assert pending(app, str(request.request_id)) == []  # what it recorded is given up

    after_the_hold(app)  # nothing of it is sent later, neither its parent nor its question
    assert posts(app.slack) == []
