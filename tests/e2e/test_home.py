"""App Home through signed requests: the decision queue across supervisors and a group, paging a
1,000-request queue, View (audited), the channel's dashboard line and Home refreshes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot import ids
from flows.clock import FixedClock
from flows.models import MonitoringRequest
from tests.e2e.flow import approval_submission, open_home, published_view, start, submitted
from tests.support import signing
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    OFFICER2,
    PRIVATE,
    SECRET,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    running_bot,
)
from tests.support.slack_double import SlackDouble

LEAD = "U0LEAD"
LEADS = "S0LEADS"


@pytest.fixture
def home_app(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    """Two supervisors named one by one, and a third through a user group."""
    slack.add_user(LEAD)
    slack.set_usergroup(LEADS, [LEAD])
    with running_bot(slack, db_url, MOSOVO_SUPERVISORS=f"{SUP1},{SUP2},{LEADS}") as bot:
        yield bot


def home_click(app: RunningBot, view: dict[str, Any], action_id: str, user: str) -> None:
    value = next(
        e["value"]
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    app.send(
        signing.home_block_actions(
            SECRET, action_id=action_id, value=value, user_id=user, view=view
        )
    )


def text_of(view: dict[str, Any], block_id: str) -> str:
    for b in view["blocks"]:
        if b.get("block_id") == block_id:
            return str(b["text"]["text"])
    raise AssertionError(f"no block {block_id!r}")


def has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


def homes_published_since(app: RunningBot, before: int) -> dict[str, dict[str, Any]]:
    """The latest Home published for each user since call number `before`."""
    return {c.args["user_id"]: published_view(c) for c in app.slack.calls("views.publish")[before:]}


def viewed_by(app: RunningBot, request_id: str) -> list[str]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT actor FROM audit_events WHERE request_id = :pk AND action = 'viewed' "
                "ORDER BY id"
            ),
            {"pk": int(request_id.removeprefix("MR-"))},
        )
        return [row[0] for row in rows]


def parent_updates(app: RunningBot, thread: str) -> list[str]:
    return [
        c.args["blocks"][0]["text"]["text"]
        for c in app.slack.calls("chat.update")
        if c.args.get("ts") == thread and c.ok
    ]


def test_every_decider_sees_the_queue_oldest_first_and_an_officer_sees_their_own(
    home_app: RunningBot,
) -> None:
    app = home_app
    first, first_thread, first_card = submitted(app, "order")
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(minutes=5))
    second, _, _ = submitted(app, "voluntary")
    for decider in (SUP1, SUP2, LEAD):
        queue = text_of(open_home(app, decider), ids.HOME_QUEUE_BLOCK)
        assert "1–2 of 2, oldest first" in queue
        assert queue.index(first) < queue.index(second)
        assert f"<@{OFFICER}> · court order" in queue and "consent" in queue
        assert ":triangular_flag_on_post: The order has no clause allowing monitoring" in queue
        link = f"https://mosovo-test.slack.com/archives/{PRIVATE}/p{first_card.response['ts'].replace('.', '')}"  # type: ignore[index]
        assert f"*<{link}" in queue
    stranger = open_home(app, STRANGER)
    assert not has_block(stranger, ids.HOME_QUEUE_BLOCK)
    assert "You have no requests." in text_of(stranger, ids.HOME_MINE_BLOCK)
    mine = text_of(open_home(app, OFFICER), ids.HOME_MINE_BLOCK)
    assert f"{second}" in mine and "awaiting a decision" in mine
    assert f"waiting on <@{SUP1}> <@{SUP2}> <!subteam^{LEADS}>" in mine
    app.send(approval_submission(first, first_card, SUP1))
    decided = open_home(app, SUP1)
    assert f"*{first}* approved" in text_of(decided, ids.HOME_DECIDED_BLOCK)
    assert first not in text_of(decided, ids.HOME_QUEUE_BLOCK)
    assert first_thread


def test_a_supervisors_own_request_is_not_in_their_queue(home_app: RunningBot) -> None:
    app = home_app
    request_id, thread = start(app, user=SUP2)
    assert request_id and thread
    store_awaiting(app, 1)
    queue = text_of(open_home(app, SUP2), ids.HOME_QUEUE_BLOCK)
    assert request_id not in queue


def store_awaiting(app: RunningBot, count: int) -> list[str]:
    """`count` requests awaiting approval, straight into the database, a minute apart."""
    made = []
    with app.database.uow() as uow:
        for n in range(count):
            request = MonitoringRequest(OFFICER2, PRIVATE, created_at=MONDAY_10AM)
            request.state = "awaiting_approval"
            request.answers = {"legal_basis": "licence"}
            request.submitted_at = MONDAY_10AM - timedelta(minutes=count - n)
            request.thread_ts = app.slack.add_message(PRIVATE, text="parent", user="UBOT")
            uow.requests.add(request)
            made.append(str(request.request_id))
        uow.commit()
    return made


def test_a_queue_of_a_thousand_is_paged_ten_at_a_time(home_app: RunningBot) -> None:
    app = home_app
    made = store_awaiting(app, 1000)
    home = open_home(app, SUP1)
    queue = text_of(home, ids.HOME_QUEUE_BLOCK)
    assert "1–10 of 1000, oldest first" in queue
    assert made[0] in queue and made[9] in queue and made[10] not in queue
    assert len(home["blocks"]) < 100
    before = len(app.slack.calls("views.publish"))
    home_click(app, home, "home_page:queue:next", SUP1)
    page_two = homes_published_since(app, before)[SUP1]
    assert "11–20 of 1000" in text_of(page_two, ids.HOME_QUEUE_BLOCK)
    assert made[10] in text_of(page_two, ids.HOME_QUEUE_BLOCK)
    before = len(app.slack.calls("views.publish"))
    home_click(app, page_two, "home_page:queue:previous", SUP1)
    assert "1–10 of 1000" in text_of(homes_published_since(app, before)[SUP1], ids.HOME_QUEUE_BLOCK)
    # ten links asked for a page, whatever the length of the queue
    assert len(app.slack.calls("chat.getPermalink")) == 20


def test_view_opens_the_whole_request_and_each_opening_is_audited(home_app: RunningBot) -> None:
    app = home_app
    request_id, _, _ = submitted(app, "order")
    home = open_home(app, SUP2)
    home_click(app, home, ids.home_view_action(request_id), SUP2)
    home_click(app, home, ids.home_view_action(request_id), SUP2)
    opened = app.slack.calls("views.open")
    assert len(opened) == 2 and all(c.ok for c in opened)
    modal = opened[-1].args["view"]
    assert modal["callback_id"] == ids.REQUEST_VIEW
    everything = json.dumps(modal)
    assert request_id in everything and "SHPO/2025/0042" in everything
    assert "ending 7518" in everything and "490154203237518" not in everything
    assert viewed_by(app, request_id) == [SUP2, SUP2]
    own = open_home(app, OFFICER)
    home_click(app, own, ids.home_view_action(request_id), OFFICER)
    assert viewed_by(app, request_id) == [SUP2, SUP2, OFFICER]


def test_someone_who_may_not_see_a_request_is_told_so_and_nothing_is_audited(
    home_app: RunningBot,
) -> None:
    app = home_app
    request_id, _, _ = submitted(app, "order")
    home = open_home(app, OFFICER)
    forged = {**home, "blocks": home["blocks"]}
    home_click(app, forged, ids.home_view_action(request_id), OFFICER)
    app.send(
        signing.home_block_actions(
            SECRET,
            action_id=ids.home_view_action(request_id),
            value=request_id,
            user_id=STRANGER,
            view=home,
        )
    )
    refusal = app.slack.calls("views.open")[-1].args["view"]
    assert "Only the officer" in json.dumps(refusal)
    assert viewed_by(app, request_id) == [OFFICER]


def test_the_parent_message_is_redrawn_on_every_state_change(home_app: RunningBot) -> None:
    app = home_app
    request_id, thread, card = submitted(app, "order")
    lines = parent_updates(app, thread)
    assert len(lines) == 2  # collecting → confirming → awaiting approval
    assert "*State:* ready to submit" in lines[0]
    assert f"*{request_id}*" in lines[1] and f"<@{OFFICER}>" in lines[1]
    assert "*Basis:* court order" in lines[1] and "*State:* awaiting a decision" in lines[1]
    assert f"waiting on <@{SUP1}>" in lines[1]
    assert "The order has no clause allowing monitoring software." in lines[1]
    app.send(approval_submission(request_id, card, SUP1))
    lines = parent_updates(app, thread)
    assert len(lines) == 3
    assert "*State:* approved, awaiting installation" in lines[-1]
    assert f"waiting on <@{OFFICER}>" in lines[-1]
    stored = app.slack.message(PRIVATE, thread)
    assert stored is not None and "approved" in stored["blocks"][0]["text"]["text"]


def test_homes_are_refreshed_for_the_deciders_on_submit_and_for_officer_and_decider_on_decision(
    home_app: RunningBot,
) -> None:
    app = home_app
    before = len(app.slack.calls("views.publish"))
    request_id, _, card = submitted(app, "order")
    refreshed = homes_published_since(app, before)
    assert set(refreshed) == {OFFICER, SUP1, SUP2, LEAD}
    assert request_id in text_of(refreshed[LEAD], ids.HOME_QUEUE_BLOCK)
    before = len(app.slack.calls("views.publish"))
    app.send(approval_submission(request_id, card, SUP2))
    refreshed = homes_published_since(app, before)
    assert set(refreshed) == {OFFICER, SUP2}
    assert f"*{request_id}* approved" in text_of(refreshed[SUP2], ids.HOME_DECIDED_BLOCK)
    assert "approved, awaiting installation" in text_of(refreshed[OFFICER], ids.HOME_MINE_BLOCK)


def test_timers_redraw_the_dashboard_and_an_escalation_reaches_the_approvers_home(
    slack: SlackDouble, sqlite_url: str
) -> None:
    chief = "U0CHIEF"
    slack.add_user(chief)
    with running_bot(slack, sqlite_url, MOSOVO_ESCALATION_APPROVERS=chief) as app:
        request_id, thread, _ = submitted(app, "order")
        clock = app.clock
        assert isinstance(clock, FixedClock)
        before = len(app.slack.calls("views.publish"))
        clock.advance(timedelta(hours=24))
        app.bot.sweeper.run_once()
        assert "(escalated)" in parent_updates(app, thread)[-1]
        refreshed = homes_published_since(app, before)
        assert request_id in text_of(refreshed[chief], ids.HOME_QUEUE_BLOCK)
        clock.advance(timedelta(days=7))
        app.bot.sweeper.run_once()
        assert app.request(request_id).state == "expired"
        line = parent_updates(app, thread)[-1]
        assert "*State:* expired" in line and "closed" in line
