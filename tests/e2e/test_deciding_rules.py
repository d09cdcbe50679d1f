"""Rules a force sets, through signed requests: two-person approval, delegation with an end, and
no self-approval."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import (
    card_updates,
    click_card,
    ephemerals,
    last_view,
    open_home,
    published_view,
    responses,
    submitted,
)
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    block,
    block_ids,
    block_text,
    running_bot,
    thread_posts,
    with_block,
)
from tests.support.slack_double import SlackDouble


def trail(app: RunningBot, request_id: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, actor, detail) of the audit events, of one request or of none."""
    where = "request_id = :pk" if request_id else "request_id IS NULL"
    pk = int(request_id.removeprefix("MR-")) if request_id else None
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(f"SELECT action, actor, detail FROM audit_events WHERE {where} ORDER BY id"),
            {"pk": pk},
        )
        return [(r[0], r[1], r[2] if isinstance(r[2], dict) else json.loads(r[2])) for r in rows]


@pytest.fixture
def two_person(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    """A force that wants two approvals for high-RoSH requests (the e2e answers say high)."""
    with running_bot(slack, db_url, MOSOVO_SECOND_APPROVAL="rosh:high,basis:voluntary") as bot:
        yield bot


def test_a_high_risk_request_needs_two_different_approvers(two_person: RunningBot) -> None:
    app = two_person
    request_id, thread, card = submitted(app, "order")
    assert "Needs 2 approvals" in block_text(card, ids.APPROVAL_PROGRESS_BLOCK)

    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    intro = next(b for b in last_view(app)["blocks"] if b["block_id"] == ids.APPROVE_INTRO_BLOCK)
    assert "yours is 1 of 2" in intro["text"]["text"]
    assert app.request(request_id).state == "awaiting_approval"
    live = card_updates(app, card)[-1]
    assert "Approved 1 of 2 (by <@U0SUP1>)" in block_text(live, ids.APPROVAL_PROGRESS_BLOCK)
    assert ids.APPROVAL_ACTIONS_BLOCK in block_ids(live)  # still to be decided
    notice = with_block(thread_posts(app.slack, thread), ids.DECISION_NOTICE_BLOCK)[-1]
    assert "approved 1 of 2" in block_text(notice, ids.DECISION_NOTICE_BLOCK)

    # nobody approves twice: the dialog is not even opened the second time
    opened = len(app.slack.calls("views.open"))
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert len(app.slack.calls("views.open")) == opened
    assert "already approved" in ephemerals(app, SUP1)[-1]
    assert app.request(request_id).state == "awaiting_approval"

    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP2)
    request = app.request(request_id)
    assert (request.state, request.decided_by) == ("approved", SUP2)
    decision = block_text(card_updates(app, card)[-1], ids.DECISION_BLOCK)
    assert "Approved* by <@U0SUP1> and <@U0SUP2>" in decision

    events = trail(app, request_id)
    first = [e for e in events if e[0] == "approval_recorded"]
    assert [(a, actor, d["approval"], d["of"]) for a, actor, d in first] == [
        ("approval_recorded", SUP1, 1, 2)
    ]
    [decided] = [e for e in events if e[0] == "decided"]
    assert decided[1] == SUP2 and decided[2]["approved_by"] == [SUP1, SUP2]
    assert ("unauthorised_decision_attempt", SUP1) in [(a, actor) for a, actor, _ in events]


def test_the_first_approver_no_longer_has_it_in_their_home_queue(two_person: RunningBot) -> None:
    app = two_person
    request_id, _thread, card = submitted(app, "order")
    for decider in (SUP1, SUP2):
        assert request_id in home_text(open_home(app, decider), ids.HOME_QUEUE_BLOCK)

    before = len(app.slack.calls("views.publish"))
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "awaiting_approval"
    # redrawn at once for the approver, and the same when they open it again
    refreshed = [c for c in app.slack.calls("views.publish")[before:] if c.args["user_id"] == SUP1]
    assert refreshed, "the first approver's Home was not redrawn"
    assert request_id not in home_text(published_view(refreshed[-1]), ids.HOME_QUEUE_BLOCK)
    assert request_id not in home_text(open_home(app, SUP1), ids.HOME_QUEUE_BLOCK)
    # the other decider still has it to give the second approval
    assert request_id in home_text(open_home(app, SUP2), ids.HOME_QUEUE_BLOCK)

    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP2)
    assert app.request(request_id).state == "approved"
    assert request_id not in home_text(open_home(app, SUP2), ids.HOME_QUEUE_BLOCK)


def home_text(view: dict[str, Any], block_id: str) -> str:
    return " ".join(str(b["text"]["text"]) for b in view["blocks"] if b.get("block_id") == block_id)


def test_either_approver_may_reject_after_the_first_approval(two_person: RunningBot) -> None:
    app = two_person
    request_id, _thread, card = submitted(app, "order")
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    click_card(app, card, ids.APPROVAL_REJECT, user=SUP2)
    app.submit_view(last_view(app), "The order does not cover this device.", user=SUP2)
    request = app.request(request_id)
    assert (request.state, request.decided_by) == ("rejected", SUP2)
    assert "Rejected" in block_text(card_updates(app, card)[-1], ids.DECISION_BLOCK)
    actions = [a for a, _, _ in trail(app, request_id)]
    assert actions.index("approval_recorded") < actions.index("decided")


def test_a_request_the_rules_do_not_name_needs_one_approval(
    slack: SlackDouble, db_url: str
) -> None:
    with running_bot(slack, db_url, MOSOVO_SECOND_APPROVAL="basis:voluntary") as app:
        request_id, _thread, card = submitted(app, "order")
        assert ids.APPROVAL_PROGRESS_BLOCK not in block_ids(card)
        click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
        assert app.request(request_id).state == "approved"


def test_an_officer_who_is_also_a_supervisor_cannot_approve_their_own_request(
    slack: SlackDouble, db_url: str
) -> None:
    slack.set_usergroup("S0SUPS", [SUP1, SUP2, OFFICER])
    with running_bot(slack, db_url) as app:
        request_id, _thread, card = submitted(app, "order")
        click_card(app, card, ids.APPROVAL_APPROVE, user=OFFICER)
        assert app.request(request_id).state == "awaiting_approval"
        assert "another supervisor must decide it" in ephemerals(app, OFFICER)[-1]


# -- delegation -------------------------------------------------------------------------------


def view_of(sent: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(sent) if isinstance(sent, str) else sent


def delegation_homes(app: RunningBot) -> dict[str, str]:
    """The delegations block of each Home published last, by user (a revoked delegate decides
    nothing, so their Home has no such block)."""
    shown = {}
    for call in app.slack.calls("views.publish"):
        view = view_of(call.args["view"])
        found = [b for b in view["blocks"] if b.get("block_id") == ids.HOME_DELEGATIONS_BLOCK]
        shown[call.args["user_id"]] = found[0]["text"]["text"] if found else ""
    return shown


def said(app: RunningBot) -> str:
    return str(responses(app)[-1]["text"])


def test_a_delegate_decides_on_the_supervisors_behalf_until_revoked(app: RunningBot) -> None:
    app.command(f"delegate <@{STRANGER}|stranger> until 24/12/2026", user=SUP1)
    assert f"<@{STRANGER}> may decide" in said(app) and "24 December 2026" in said(app)
    [(action, actor, detail)] = trail(app)
    assert (action, actor) == ("delegated", SUP1)
    assert detail == {"delegate": STRANGER, "delegator": SUP1, "until": "2026-12-24"}
    [active] = app.bot.wiring.service.active_delegations()
    assert (active.delegate_id, active.delegator_id) == (STRANGER, SUP1)
    homes = delegation_homes(app)
    assert set(homes) == {SUP1, STRANGER}  # both Homes are redrawn at once
    assert f"You may decide on behalf of <@{SUP1}> until the end of 24 December" in homes[STRANGER]
    assert f"<@{STRANGER}> may decide on behalf of you" in homes[SUP1]

    before = len(app.slack.calls("views.publish"))
    request_id, _thread, card = submitted(app, "order")
    # the delegate's Home shows the new request at once, like a supervisor's
    [queue] = [
        b["text"]["text"]
        for c in app.slack.calls("views.publish")[before:]
        if c.args["user_id"] == STRANGER
        for b in view_of(c.args["view"])["blocks"]
        if b.get("block_id") == ids.HOME_QUEUE_BLOCK
    ]
    assert request_id in queue
    click_card(app, card, ids.APPROVAL_APPROVE, user=STRANGER)
    request = app.request(request_id)
    assert (request.state, request.decided_by, request.decided_on_behalf_of) == (
        "approved",
        STRANGER,
        SUP1,
    )
    decision = block_text(card_updates(app, card)[-1], ids.DECISION_BLOCK)
    assert f"by <@{STRANGER}> on behalf of <@{SUP1}>" in decision
    [decided] = [e for e in trail(app, request_id) if e[0] == "decided"]
    assert decided[2]["on_behalf_of"] == SUP1

    app.command(f"delegate revoke <@{STRANGER}|stranger>", user=SUP2)
    assert "may no longer decide" in said(app)
    revoked = [e for e in trail(app) if e[0] == "delegation_revoked"]
    assert [(actor, d["delegate"], d["delegator"]) for _, actor, d in revoked] == [
        (SUP2, STRANGER, SUP1)
    ]
    assert app.bot.wiring.service.active_delegations() == []
    assert "Nobody is deciding" in delegation_homes(app)[SUP2]

    second_id, _thread, second_card = submitted(app, "order")
    click_card(app, second_card, ids.APPROVAL_APPROVE, user=STRANGER)
    assert app.request(second_id).state == "awaiting_approval"
    assert "Only an authorised supervisor" in ephemerals(app, STRANGER)[-1]


def test_a_delegation_lapses_at_the_end_of_its_last_day(slack: SlackDouble, db_url: str) -> None:
    clock = FixedClock(MONDAY_10AM)
    with running_bot(slack, db_url, clock) as app:
        app.command(f"delegate <@{STRANGER}> until today", user=SUP1)
        request_id, _thread, card = submitted(app, "order")
        clock.advance(timedelta(hours=13, minutes=59))  # 23:59 in London: still today
        assert app.bot.wiring.service.active_delegations() != []
        clock.advance(timedelta(minutes=2))  # tomorrow: lapsed, with nothing done by anyone
        assert app.bot.wiring.service.active_delegations() == []
        click_card(app, card, ids.APPROVAL_APPROVE, user=STRANGER)
        assert app.request(request_id).state == "awaiting_approval"
        assert "Only an authorised supervisor" in ephemerals(app, STRANGER)[-1]
        assert [a for a, _, _ in trail(app)] == ["delegated"]  # lapsing needs no event


@pytest.mark.parametrize(
    ("user", "command", "expected"),
    [
        (STRANGER, f"delegate <@{SUP2}> until 24/12/2026", "Only a supervisor can delegate"),
        (SUP1, f"delegate <@{SUP1}> until 24/12/2026", "cannot delegate to yourself"),
        (SUP1, f"delegate <@{STRANGER}> until 1/11/2026", "has passed"),
        (SUP1, f"delegate <@{STRANGER}> until 1/1/2029", "a year at most"),
        (SUP1, f"delegate <@{STRANGER}> until someday", "The end date"),
        (SUP1, "delegate everyone", "delegate @user until"),
        (STRANGER, f"delegate revoke <@{SUP2}>", "Only a supervisor can revoke"),
    ],
)
def test_a_delegation_that_may_not_be_given_is_refused_and_not_given(
    app: RunningBot, user: str, command: str, expected: str
) -> None:
    app.command(command, user=user)
    assert expected in said(app)
    # a non-supervisor trying is evidence, audited; a supervisor's slip is not
    attempted = [("unauthorised_decision_attempt", user)] if user == STRANGER else []
    assert [(action, actor) for action, actor, _ in trail(app)] == attempted
    assert app.bot.wiring.service.active_delegations() == []


def test_a_delegate_cannot_delegate_onwards(app: RunningBot) -> None:
    app.command(f"delegate <@{STRANGER}> until 24/12/2026", user=SUP1)
    app.command(f"delegate <@{OFFICER}> until 24/12/2026", user=STRANGER)
    assert "Only a supervisor can delegate" in said(app)
    assert [d.delegate_id for d in app.bot.wiring.service.active_delegations()] == [STRANGER]


__all__ = ["block"]
