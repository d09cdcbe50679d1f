"""After approval, through signed requests: recording the installation (every outcome) and the
review reminder with the review that answers it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import click_card, ephemerals, last_view, submit_view, submitted
from tests.support import signing
from tests.support.running_bot import (
    OFFICER,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    block,
    block_text,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall


def approved(app: RunningBot) -> tuple[str, str, SlackCall]:
    """An order request approved by SUP1 (review date as proposed: 28 February 2027); the
    request id, its thread and the notice with the Record installation button."""
    request_id, thread, card = submitted(app, "order")
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
    notice = with_block(thread_posts(app.slack, thread), ids.INSTALL_ACTIONS_BLOCK)[-1]
    return request_id, thread, notice


def click(app: RunningBot, message: SlackCall, action_id: str, request_id: str, user: str) -> None:
    app.click(
        action_id,
        request_id,
        user=user,
        message_ts=ts_of(message),
        thread_ts=message.args["thread_ts"],
    )


def submit_form(
    app: RunningBot, view: dict[str, Any], user: str, values: dict[str, dict[str, Any]]
) -> signing.HttpResult:
    return submit_view(app, view, values, user, view_id=view.get("id"))


def installation(outcome: str | None, on: str | None, notes: str | None = None) -> dict[str, Any]:
    chosen = {"type": "radio_buttons", "selected_option": {"value": outcome} if outcome else None}
    return {
        ids.INSTALL_OUTCOME_BLOCK: {ids.INSTALL_OUTCOME_ACTION: chosen},
        ids.INSTALL_DATE_BLOCK: {
            ids.INSTALL_DATE_ACTION: {"type": "datepicker", "selected_date": on}
        },
        ids.INSTALL_NOTES_BLOCK: {ids.INSTALL_NOTES_ACTION: notes},
    }


def review(outcome: str, next_review: str | None, notes: str | None = None) -> dict[str, Any]:
    return {
        ids.REVIEW_OUTCOME_BLOCK: {
            ids.REVIEW_OUTCOME_ACTION: {
                "type": "radio_buttons",
                "selected_option": {"value": outcome},
            }
        },
        ids.REVIEW_NEXT_BLOCK: {
            ids.REVIEW_NEXT_ACTION: {"type": "datepicker", "selected_date": next_review}
        },
        ids.REVIEW_NOTES_BLOCK: {ids.REVIEW_NOTES_ACTION: notes},
    }


def review_falls_due(app: RunningBot, thread: str) -> SlackCall:
    """Move to the review date (28 February 2027, as the approval proposed) and sweep; the
    reminder with the Review button."""
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2027, 2, 28, 9, 0, tzinfo=UTC))
    app.bot.sweeper.run_once()
    return with_block(thread_posts(app.slack, thread), ids.REVIEW_DUE_BLOCK)[-1]


def open_installation(
    app: RunningBot, notice: SlackCall, request_id: str, user: str
) -> dict[str, Any]:
    click(app, notice, ids.INSTALLATION_CONFIRM, request_id, user)
    view = last_view(app)
    assert view["callback_id"] == ids.INSTALLATION_VIEW
    return view


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        ("installed", "installed"),
        ("failed", "not_installed"),
        ("device_not_produced", "not_installed"),
        ("person_refused", "not_installed"),
        ("not_needed", "not_installed"),
    ],
)
def test_every_installation_outcome_is_recorded(app: RunningBot, outcome: str, state: str) -> None:
    request_id, thread, notice = approved(app)
    view = open_installation(app, notice, request_id, OFFICER)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    options = [o["value"] for o in by_id[ids.INSTALL_OUTCOME_BLOCK]["element"]["options"]]
    assert options == ["installed", "failed", "device_not_produced", "person_refused", "not_needed"]
    assert by_id[ids.INSTALL_DATE_BLOCK]["element"]["initial_date"] == "2026-11-30"

    submit_form(
        app, view, OFFICER, installation(outcome, "2026-11-30", "Done at the <b>station</b>")
    )

    request = app.request(request_id)
    assert (request.state, request.installation_outcome, str(request.installation_date)) == (
        state,
        outcome,
        "2026-11-30",
    )
    told = with_block(thread_posts(app.slack, thread), ids.INSTALLED_BLOCK)[-1]
    text = block_text(told, ids.INSTALLED_BLOCK)
    assert f"<@{OFFICER}>" in text and "&lt;b&gt;station&lt;/b&gt;" in text
    if outcome == "installed":
        assert "Review due 28 February 2027" in text and request.is_open
    else:
        assert "not installed" in text and not request.is_open and request.due_at is None


def test_a_date_in_the_future_or_before_the_approval_is_refused_in_the_dialog(
    app: RunningBot,
) -> None:
    request_id, _thread, notice = approved(app)
    view = open_installation(app, notice, request_id, SUP2)
    for on, expected in (("2026-12-01", "future"), ("2026-11-29", "before the approval")):
        refused = submit_form(app, view, SUP2, installation("installed", on))
        assert refused.json()["response_action"] == "errors"
        assert expected in refused.json()["errors"][ids.INSTALL_DATE_BLOCK]
    missing = submit_form(app, view, SUP2, installation(None, "2026-11-30"))
    assert ids.INSTALL_OUTCOME_BLOCK in missing.json()["errors"]
    assert app.request(request_id).state == "approved"
    # the corrected form is not mistaken for the refused one
    submit_form(app, view, SUP2, installation("installed", "2026-11-30"))
    assert app.request(request_id).state == "installed"


def test_only_the_officer_or_a_decider_may_record_the_installation(app: RunningBot) -> None:
    request_id, _thread, notice = approved(app)
    opened = len(app.slack.calls("views.open"))
    click(app, notice, ids.INSTALLATION_CONFIRM, request_id, STRANGER)
    assert len(app.slack.calls("views.open")) == opened
    assert "Only the requesting officer or a supervisor" in ephemerals(app, STRANGER)[-1]
    assert app.request(request_id).state == "approved"


def test_the_review_reminder_comes_on_the_review_date_and_the_review_is_recorded(
    app: RunningBot,
) -> None:
    request_id, thread, notice = approved(app)
    submit_form(app, open_installation(app, notice, request_id, OFFICER), OFFICER,
                installation("installed", "2026-11-30"))  # fmt: skip
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2027, 2, 27, 23, 0, tzinfo=UTC))
    app.bot.sweeper.run_once()
    assert not with_block(thread_posts(app.slack, thread), ids.REVIEW_DUE_BLOCK)

    clock.set(datetime(2027, 2, 28, 9, 0, tzinfo=UTC))
    app.bot.sweeper.run_once()
    app.bot.sweeper.run_once()  # once only
    [due] = with_block(thread_posts(app.slack, thread), ids.REVIEW_DUE_BLOCK)
    text = block_text(due, ids.REVIEW_DUE_BLOCK)
    assert f"<@{OFFICER}>" in text and "<!subteam^S0SUPS>" in text
    assert "still necessary" in text
    [button] = block(due, ids.REVIEW_ACTIONS_BLOCK)["elements"]
    assert button["action_id"] == ids.REVIEW_CONFIRM

    click(app, due, ids.REVIEW_CONFIRM, request_id, SUP2)
    view = last_view(app)
    assert view["callback_id"] == ids.REVIEW_VIEW
    submit_form(app, view, SUP2, review("continue", "2027-05-31"))
    request = app.request(request_id)
    assert (request.state, str(request.review_date)) == ("installed", "2027-05-31")
    reviewed = with_block(thread_posts(app.slack, thread), ids.REVIEWED_BLOCK)[-1]
    assert "Next review due 31 May 2027" in block_text(reviewed, ids.REVIEWED_BLOCK)

    clock.set(datetime(2027, 5, 31, 9, 0, tzinfo=UTC))
    app.bot.sweeper.run_once()
    second = with_block(thread_posts(app.slack, thread), ids.REVIEW_DUE_BLOCK)[-1]
    click(app, second, ids.REVIEW_CONFIRM, request_id, OFFICER)
    submit_form(app, last_view(app), OFFICER, review("removed", None))
    request = app.request(request_id)
    assert request.state == "removed" and request.due_at is None

    from sqlalchemy import text as sql

    with app.database.engine.connect() as connection:
        reviews = connection.execute(
            sql("SELECT actor FROM audit_events WHERE action = 'reviewed' ORDER BY id")
        ).all()
    assert [r[0] for r in reviews] == [SUP2, OFFICER]
