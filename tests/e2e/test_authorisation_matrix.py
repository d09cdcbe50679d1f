"""The authorisation matrix (issue 10, "the standing suite"): every decision path, tried by every
user who may not take it, through signed requests to the running bot, is refused, told to the
user, audited as an unauthorised attempt, and changes nothing: the request, its card and thread,
the delegations."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from bot import ids
from flows.clock import FixedClock
from tests.e2e.flow import (
    answer_all,
    answers_for,
    approval_submission,
    click_card,
    ephemerals,
    last_view,
    metadata,
    start,
    submit_approval,
    submitted,
)
from tests.e2e.test_after_approval import (
    approved,
    click,
    installation,
    open_installation,
    review,
    review_falls_due,
    submit_form,
)
from tests.e2e.test_deciding_rules import trail
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    OFFICER2,
    STRANGER,
    SUP1,
    SUP2,
    SUP_GROUP,
    RunningBot,
    running_bot,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall, SlackDouble

#: a supervisor who is also an officer, and makes requests of their own
SUP_OFFICER = "U0SUPOFFICER"
#: may decide a request only once it has been escalated
ESCALATOR = "U0ESCALATOR"
#: was a delegate of SUP1 until yesterday
LAPSED = "U0LAPSED"
REFUSED = "unauthorised_decision_attempt"

#: who may never decide a request OFFICER made (and why they are wrong)
NOT_DECIDERS = {
    "the requester": OFFICER,
    "a stranger": STRANGER,
    "an officer who is not a supervisor": OFFICER2,
    "an escalation approver before escalation": ESCALATOR,
    "a lapsed delegate": LAPSED,
}
#: who may not record an installation or a review of a request OFFICER made
NOT_RECORDERS = {k: v for k, v in NOT_DECIDERS.items() if v != OFFICER}


@pytest.fixture
def app(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    for user in (SUP_OFFICER, ESCALATOR, LAPSED):
        slack.add_user(user)
    slack.set_usergroup(SUP_GROUP, [SUP1, SUP2, SUP_OFFICER])
    clock = FixedClock(MONDAY_10AM - timedelta(days=1))
    with running_bot(slack, db_url, clock, MOSOVO_ESCALATION_APPROVERS=ESCALATOR) as bot:
        bot.command(f"delegate <@{LAPSED}> until today", user=SUP1)
        clock.set(MONDAY_10AM)  # the delegation ended at midnight
        assert bot.bot.wiring.service.active_delegations() == []
        yield bot


@dataclass
class Attempt:
    """What the bot had before a wrong user tried something, to compare with after."""

    app: RunningBot
    request_id: str | None
    user: str

    def __post_init__(self) -> None:
        self.request = self.app.request(self.request_id) if self.request_id else None
        self.events = len(trail(self.app, self.request_id))
        self.calls = len(self.app.slack.calls())
        self.told = len(ephemerals(self.app, self.user)) + len(self.app.slack.calls("response_url"))
        self.delegations = self.app.bot.wiring.service.active_delegations()

    def refused(self, attempts: int = 1, action: str = REFUSED) -> None:
        app, user = self.app, self.user
        if self.request_id:
            assert app.request(self.request_id) == self.request, f"{user} changed the request"
        events = trail(app, self.request_id)[self.events :]
        assert [(a, actor) for a, actor, _ in events] == [(action, user)] * attempts, events
        new = app.slack.calls()[self.calls :]
        posted = [c for c in new if c.method in ("chat.postMessage", "chat.update") and c.ok]
        assert posted == [], [c.summary() for c in posted]
        told = len(ephemerals(app, user)) + len(app.slack.calls("response_url"))
        assert told > self.told, f"{user} was not told why"
        assert app.bot.wiring.service.active_delegations() == self.delegations


def opened(app: RunningBot) -> int:
    return len(app.slack.calls("views.open"))


# -- deciding ---------------------------------------------------------------------------------


def approve_button(app: RunningBot, request_id: str, card: SlackCall, user: str) -> int:
    before = opened(app)
    click_card(app, card, ids.APPROVAL_APPROVE, user=user)
    assert opened(app) == before, "the Approve dialog opened for a user who may not approve"
    return 1


def approve_modal(app: RunningBot, request_id: str, card: SlackCall, user: str) -> int:
    """The Approve dialog's submission, forged by a user it was never opened for."""
    assert app.send(approval_submission(request_id, card, user, comment="ok")).status == 200
    return 1


def reason_path(action_id: str) -> Callable[[RunningBot, str, SlackCall, str], int]:
    def attempt(app: RunningBot, request_id: str, card: SlackCall, user: str) -> int:
        """Reject and More info open their dialog before the check; it is replaced by the
        refusal, and a submission of it anyway is refused again."""
        updates = len(app.slack.calls("views.update"))
        click_card(app, card, action_id, user=user)
        view = last_view(app)
        assert view["callback_id"] == ids.REASON_VIEW and metadata(view)["id"] == request_id
        assert len(app.slack.calls("views.update")) == updates + 1, "the dialog was not replaced"
        app.submit_view(view, "Forged after the refusal.", user=user)
        return 2

    return attempt


DECISIONS = {
    "approve (button)": approve_button,
    "approve (approval_approve dialog)": approve_modal,
    "reject": reason_path(ids.APPROVAL_REJECT),
    "more info": reason_path(ids.APPROVAL_MORE_INFO),
}


@pytest.mark.parametrize("path", list(DECISIONS))
def test_every_decision_by_every_wrong_user_is_refused_audited_and_changes_nothing(
    app: RunningBot, path: str
) -> None:
    request_id, _thread, card = submitted(app, "order")
    for who, user in NOT_DECIDERS.items():
        attempt = Attempt(app, request_id, user)
        attempts = DECISIONS[path](app, request_id, card, user)
        attempt.refused(attempts)
        assert app.request(request_id).state == "awaiting_approval", who


@pytest.mark.parametrize("path", list(DECISIONS))
def test_a_supervisor_may_not_decide_their_own_request(app: RunningBot, path: str) -> None:
    request_id, thread = start_as(app, SUP_OFFICER)
    card = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)[-1]
    attempt = Attempt(app, request_id, SUP_OFFICER)
    attempts = DECISIONS[path](app, request_id, card, SUP_OFFICER)
    attempt.refused(attempts)
    assert "another supervisor must decide it" in ephemerals(app, SUP_OFFICER)[-1]


def start_as(app: RunningBot, user: str) -> tuple[str, str]:
    """A request `user` made and submitted: its id and thread."""
    request_id, thread = start(app, user)
    answer_all(app, thread, answers_for("order"), user=user)
    app.reply(thread, "submit", user=user)
    assert with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)
    return request_id, thread


def test_a_supervisor_who_answered_may_not_approve(app: RunningBot) -> None:
    """Whoever answered or changed a request is a contributor and never its approver (they may
    still say no). Only the requester answers through Slack today, so the contribution is
    recorded on the stored request, as any future path would record it."""
    request_id, _thread, card = submitted(app, "order")

    def contributed(uow: Any, request: Any) -> None:
        request.record("answer_changed", SUP2, MONDAY_10AM, field="notes", before=None, after="x")

    app.bot.wiring.service._with_request(request_id, contributed)
    for path in ("approve (button)", "approve (approval_approve dialog)"):
        attempt = Attempt(app, request_id, SUP2)
        DECISIONS[path](app, request_id, card, SUP2)
        attempt.refused()
        assert "someone else must approve it" in ephemerals(app, SUP2)[-1]


# -- after approval ---------------------------------------------------------------------------


def test_recording_the_installation_by_every_wrong_user_is_refused_and_audited(
    app: RunningBot,
) -> None:
    request_id, _thread, notice = approved(app)
    real = open_installation(app, notice, request_id, OFFICER)  # opened, never submitted
    for who, user in NOT_RECORDERS.items():
        attempt = Attempt(app, request_id, user)
        before = opened(app)
        click(app, notice, ids.INSTALLATION_CONFIRM, request_id, user)
        assert opened(app) == before, who
        submit_form(app, real, user, installation("installed", "2026-11-30", "forged"))
        attempt.refused(2)
        assert app.request(request_id).state == "approved", who


def test_recording_the_review_by_every_wrong_user_is_refused_and_audited(
    app: RunningBot,
) -> None:
    request_id, thread, notice = approved(app)
    view = open_installation(app, notice, request_id, OFFICER)
    submit_form(app, view, OFFICER, installation("installed", "2026-11-30"))
    due = review_falls_due(app, thread)
    click(app, due, ids.REVIEW_CONFIRM, request_id, OFFICER)
    real = last_view(app)
    assert real["callback_id"] == ids.REVIEW_VIEW
    for who, user in NOT_RECORDERS.items():
        attempt = Attempt(app, request_id, user)
        before = opened(app)
        click(app, due, ids.REVIEW_CONFIRM, request_id, user)
        assert opened(app) == before, who
        submit_form(app, real, user, review("removed", None))
        attempt.refused(2)
        assert app.request(request_id).state == "installed", who


# -- delegation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [f"delegate <@{STRANGER}> until 24/12/2026", f"delegate revoke <@{SUP2}>"]
)
def test_delegating_or_revoking_by_every_non_supervisor_is_refused_and_audited(
    app: RunningBot, command: str
) -> None:
    app.command(f"delegate <@{SUP2}> until 24/12/2026", user=SUP1)  # one to try to revoke
    for user in NOT_DECIDERS.values():
        attempt = Attempt(app, None, user)
        app.command(command, user=user)
        attempt.refused()
        assert "Only a supervisor can" in str(app.slack.calls("response_url")[-1].args["text"])
    assert [d.delegate_id for d in app.bot.wiring.service.active_delegations()] == [SUP2]


# -- forged dialogs -----------------------------------------------------------------------------


def forged(view: dict[str, Any], **changes: str) -> dict[str, Any]:
    return {**view, "private_metadata": json.dumps({**metadata(view), **changes})}


def test_an_approval_dialog_forged_with_another_requests_id_is_refused_for_that_request(
    app: RunningBot,
) -> None:
    """SUP_OFFICER may decide OFFICER's request, opens its Approve dialog, and submits it with
    the id (and card) of their own request instead."""
    mine, mine_thread = start_as(app, SUP_OFFICER)
    mine_card = with_block(thread_posts(app.slack, mine_thread), ids.APPROVAL_BLOCK)[-1]
    theirs, _thread, card = submitted(app, "order")
    before = opened(app)
    click(app, card, ids.APPROVAL_APPROVE, theirs, SUP_OFFICER)
    assert opened(app) == before + 1
    view = last_view(app)
    untouched = app.request(theirs)

    attempt = Attempt(app, mine, SUP_OFFICER)
    assert_ok(app, forged(view, id=mine, card=ts_of(mine_card)), SUP_OFFICER)
    attempt.refused()
    assert app.request(theirs) == untouched


def test_a_dialog_forged_with_another_requests_id_but_its_own_card_is_refused_as_stale(
    app: RunningBot,
) -> None:
    """A supervisor who may decide both: the dialog's card belongs to the first request, so it
    cannot decide the second (a superseded or foreign card never decides)."""
    first, _thread, first_card = submitted(app, "order")
    second, _thread, _card = submitted(app, "order")
    click(app, first_card, ids.APPROVAL_APPROVE, first, SUP1)
    view = last_view(app)
    untouched = app.request(first)
    attempt = Attempt(app, second, SUP1)
    assert_ok(app, forged(view, id=second), SUP1)
    attempt.refused(action="late_decision_attempt")
    assert app.request(first) == untouched


def test_a_reason_dialog_forged_with_another_requests_id_is_refused_for_that_request(
    app: RunningBot,
) -> None:
    mine, mine_thread = start_as(app, SUP_OFFICER)
    mine_card = with_block(thread_posts(app.slack, mine_thread), ids.APPROVAL_BLOCK)[-1]
    theirs, _thread, card = submitted(app, "order")
    click(app, card, ids.APPROVAL_REJECT, theirs, SUP_OFFICER)
    view = last_view(app)
    untouched = app.request(theirs)
    attempt = Attempt(app, mine, SUP_OFFICER)
    app.submit_view(forged(view, id=mine, card=ts_of(mine_card)), "Forged.", user=SUP_OFFICER)
    attempt.refused()
    assert app.request(theirs) == untouched


def test_an_installation_dialog_forged_with_another_requests_id_is_refused(
    app: RunningBot,
) -> None:
    """OFFICER may record their own installation; the dialog is sent back with the id of a
    request another officer made."""
    theirs, _thread, _notice = approved_for(app, OFFICER2)
    mine, _thread, notice = approved(app)
    view = open_installation(app, notice, mine, OFFICER)
    untouched = app.request(mine)
    attempt = Attempt(app, theirs, OFFICER)
    submit_form(app, forged(view, id=theirs), OFFICER, installation("installed", "2026-11-30"))
    attempt.refused()
    assert app.request(mine) == untouched


def assert_ok(app: RunningBot, view: dict[str, Any], user: str) -> None:
    """Submit an Approve dialog as proposed; Slack got its answer (the refusal comes after)."""
    assert submit_approval(app, view, user).status == 200


def approved_for(app: RunningBot, officer: str) -> tuple[str, str, SlackCall]:
    request_id, thread = start_as(app, officer)
    card = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)[-1]
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert app.request(request_id).state == "approved"
    notice = with_block(thread_posts(app.slack, thread), ids.INSTALL_ACTIONS_BLOCK)[-1]
    return request_id, thread, notice
