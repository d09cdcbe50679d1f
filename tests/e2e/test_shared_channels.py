"""Slack Connect: a channel shared with another organisation never carries a request, and a
user-group list is trusted for a bounded time only (issue 10, defects 1 and 8)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot import ids
from bot.blocks.text import Message
from tests.e2e.flow import (
    answer_all,
    answers_for,
    click_card,
    ephemerals,
    responses,
    start,
    submitted,
)
from tests.support.running_bot import OFFICER, PRIVATE, SUP1, RunningBot, thread_posts, with_block


def stored_requests(app: RunningBot) -> int:
    with app.database.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM requests")).scalar_one())


def audit_actions(app: RunningBot, action: str) -> list[str]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT detail FROM audit_events WHERE action = :a ORDER BY id"), {"a": action}
        )
        return [str(r[0]) for r in rows]


def share(app: RunningBot, flag: str = "is_ext_shared") -> None:
    """The channel is connected to another organisation (seen once the cached answer ages)."""
    app.slack.set_channel_flags(PRIVATE, **{flag: True})
    app.bot.wiring.channels.forget(PRIVATE)


@pytest.mark.parametrize(
    "flag", ["is_ext_shared", "is_shared", "is_org_shared", "is_pending_ext_shared"]
)
def test_a_request_in_a_shared_private_channel_is_refused_and_nothing_is_stored(
    app: RunningBot, flag: str
) -> None:
    share(app, flag)
    app.command()
    [reply] = responses(app)
    assert reply["response_type"] == "ephemeral" and "another organisation" in reply["text"]
    assert stored_requests(app) == 0
    assert app.slack.calls("chat.postMessage") == []


def test_a_channel_shared_after_the_request_started_gets_no_card_and_the_officer_is_told(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))
    before = len(app.slack.calls("chat.postMessage"))
    share(app)
    app.reply(thread, "submit")
    assert app.slack.calls("chat.postMessage")[before:] == []
    assert with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK) == []
    [told] = ephemerals(app, OFFICER)
    assert request_id in told and "shared with another organisation" in told
    assert len(audit_actions(app, "withheld_shared_channel")) == 1


def test_a_decision_in_a_channel_shared_since_the_card_posts_nothing(app: RunningBot) -> None:
    request_id, _thread, card = submitted(app)
    share(app, "is_pending_ext_shared")
    before = len(app.slack.calls("chat.postMessage"))
    updated = len(app.slack.calls("chat.update"))  # answered questions, before the share
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.slack.calls("chat.postMessage")[before:] == []
    assert [c for c in app.slack.calls("chat.update")[updated:] if c.ok] == []
    assert request_id in ephemerals(app, OFFICER)[-1]
    assert audit_actions(app, "withheld_shared_channel")


def test_a_queued_reminder_for_a_channel_shared_since_is_not_sent(app: RunningBot) -> None:
    request_id, _thread, _card = submitted(app)
    share(app)
    app.slack.fail_next("chat.postMessage", status=500, times=3)
    before = len([c for c in app.slack.calls("chat.postMessage") if c.ok])
    app.bot.wiring.presenter.say(
        app.request(request_id), Message("a reminder", []), purpose="reminder"
    )
    app.bot.sweeper.run_once()
    assert len([c for c in app.slack.calls("chat.postMessage") if c.ok]) == before
    assert audit_actions(app, "withheld_shared_channel")


class Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_supervisor_group_slack_cannot_confirm_for_ten_minutes_may_not_decide(
    app: RunningBot,
) -> None:
    clock = Monotonic()
    groups = app.bot.wiring.authority.supervisors.group_members.cache
    groups.monotonic = clock
    groups.forget("S0SUPS")
    request_id, _thread, card = submitted(app)
    app.bot.wiring.authority.roles(SUP1)  # the list as Slack gave it at 0s

    app.slack.error_next("usergroups.users.list", "fatal_error", times=100)
    clock.now = 11 * 60.0
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    told = ephemerals(app, SUP1)[-1]
    assert "couldn't check who is in the supervisors' user group" in told
    assert "10 minutes" in told
    assert app.request(request_id).state == "awaiting_approval"


def test_within_ten_minutes_of_an_outage_the_last_group_list_still_counts(
    app: RunningBot,
) -> None:
    clock = Monotonic()
    groups = app.bot.wiring.authority.supervisors.group_members.cache
    groups.monotonic = clock
    groups.forget("S0SUPS")
    request_id, _thread, card = submitted(app)
    app.bot.wiring.authority.roles(SUP1)

    app.slack.error_next("usergroups.users.list", "fatal_error", times=100)
    clock.now = 9 * 60.0
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
