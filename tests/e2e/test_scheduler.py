"""Timers through the running bot with an injected clock: each fires once, at the right time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot import ids
from bot.scheduler import start_scheduler
from bot.sweeps import SweepReport
from flows.clock import FixedClock, SystemClock
from tests.e2e.flow import (
    answer_all,
    answers_for,
    card_updates,
    click_card,
    start,
    submit,
    submitted,
)
from tests.support.running_bot import (
    MONDAY_10AM,
    OFFICER,
    SUP1,
    RunningBot,
    block_ids,
    running_bot,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackDouble

ESCALATION = "U0CHIEF"


def clock_of(app: RunningBot) -> FixedClock:
    assert isinstance(app.clock, FixedClock)
    return app.clock


def advance(app: RunningBot, **delta: float) -> list[tuple[str, str]]:
    clock_of(app).advance(timedelta(**delta))
    return app.bot.sweeper.run_once().actions


def texts(app: RunningBot, thread: str, block_id: str) -> list[str]:
    return [
        b["text"]["text"]
        for c in thread_posts(app.slack, thread)
        for b in c.args["blocks"]
        if b.get("block_id") == block_id
    ]


def audit_actions(app: RunningBot) -> list[str]:
    with app.database.engine.connect() as connection:
        return [
            r[0] for r in connection.execute(text("SELECT action FROM audit_events ORDER BY id"))
        ]


def test_an_idle_officer_is_reminded_once_then_the_request_is_abandoned(app: RunningBot) -> None:
    request_id, thread = start(app)
    assert advance(app, minutes=29) == []
    assert advance(app, minutes=1) == [(request_id, "idle_reminder")]
    reminder = thread_posts(app.slack, thread)[-1]
    assert f"<@{OFFICER}>" in reminder.args["blocks"][0]["text"]["text"]
    assert "q:visor_ref" in block_ids(reminder)  # the question, repeated
    assert advance(app, hours=1) == []
    assert advance(app, hours=23) == [(request_id, "abandon")]
    assert "had no answer for too long" in texts(app, thread, "abandoned")[0]
    assert app.request(request_id).state == "abandoned"
    assert advance(app, days=3) == []
    assert audit_actions(app).count("reminded") == 1 and "abandoned" in audit_actions(app)


def test_an_answer_cancels_the_pending_reminder(app: RunningBot) -> None:
    _, thread = start(app)
    advance(app, minutes=20)
    app.reply(thread, "NOM/1234567")
    assert advance(app, minutes=15) == []  # 35 minutes after the start, 15 after the answer
    assert [kind for _, kind in advance(app, minutes=15)] == ["idle_reminder"]
    assert "q:pnc_id" in block_ids(thread_posts(app.slack, thread)[-1])


def test_supervisors_are_reminded_then_escalation_then_the_request_expires(
    slack: SlackDouble, sqlite_url: str
) -> None:
    slack.add_user(ESCALATION)
    with running_bot(slack, sqlite_url, MOSOVO_ESCALATION_APPROVERS=ESCALATION) as app:
        request_id, thread, card = submitted(app, "order")
        assert advance(app, hours=3, minutes=59) == []
        assert advance(app, minutes=1) == [(request_id, "approval_reminder")]
        reminder = texts(app, thread, "reminder")[-1]
        assert "<!subteam^S0SUPS>" in reminder
        # how long it has waited, its flags in words, and a link to the card
        link = f"<https://mosovo-test.slack.com/archives/G0PRIVATE/p{ts_of(card).replace('.', '')}"
        assert "It has waited 4 hours for a decision." in reminder
        assert "The person notified police of the device late" in reminder
        assert "The order has no clause allowing monitoring software" in reminder
        assert link in reminder and "|the approval card>" in reminder
        assert advance(app, hours=20) == [(request_id, "escalate")]
        escalation = texts(app, thread, "escalation")[-1]
        assert f"<@{ESCALATION}>" in escalation
        assert "It has waited 1 day for a decision." in escalation and link in escalation
        assert "notified police of the device late" in escalation
        assert advance(app, days=5, hours=23) == []
        assert advance(app, hours=1) == [(request_id, "expire")]
        assert app.request(request_id).state == "expired"
        assert "Expired" in card_updates(app, card)[-1].args["blocks"][-1]["text"]["text"]
        expired = texts(app, thread, "expired")[-1]
        # the deciders are told too: the supervisors and, since it was escalated, the approver
        assert f"<@{OFFICER}>" in expired and "<!subteam^S0SUPS>" in expired
        assert f"<@{ESCALATION}>" in expired
        actions = audit_actions(app)
        assert (
            actions.count("reminded") == 1
            and actions.count("escalated") == 1
            and actions.count("expired") == 1
        )


def test_after_escalation_the_escalation_approver_may_decide(
    slack: SlackDouble, sqlite_url: str
) -> None:
    slack.add_user(ESCALATION)
    with running_bot(slack, sqlite_url, MOSOVO_ESCALATION_APPROVERS=ESCALATION) as app:
        request_id, _thread, card = submitted(app, "order")
        click_card(app, card, ids.APPROVAL_APPROVE, user=ESCALATION)
        assert app.request(request_id).state == "awaiting_approval"
        advance(app, hours=24)
        click_card(app, card, ids.APPROVAL_APPROVE, user=ESCALATION)
        assert app.request(request_id).state == "approved"


def test_a_decision_cancels_the_pending_approval_reminder(app: RunningBot) -> None:
    _, thread, card = submitted(app, "order")
    advance(app, hours=3)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert advance(app, hours=2) == []
    assert texts(app, thread, "reminder") == []


def test_working_hours_hold_a_reminder_until_monday_morning(
    slack: SlackDouble, sqlite_url: str
) -> None:
    friday_evening = FixedClock(datetime(2026, 11, 27, 17, 50, tzinfo=UTC))  # London is on GMT
    with running_bot(
        slack, sqlite_url, friday_evening, MOSOVO_WORKING_HOURS="Mon-Fri 08:00-18:00"
    ) as app:
        request_id, thread = start(app)
        answer_all(
            app,
            thread,
            answers_for(
                "order",
                date_acquired="2026-11-20",
                date_notified="2026-11-25",
                proposed_install_date="2026-12-01",
            ),
        )
        submit(app, thread)
        assert advance(app, hours=4) == []  # Friday 21:50: held
        assert advance(app, days=2) == []  # Sunday 21:50: still held
        clock_of(app).set(datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
        assert app.bot.sweeper.run_once().actions == []
        # the reminder (due Friday 21:50) and the escalation (Saturday 17:50) both waited
        assert advance(app, minutes=1) == [
            (request_id, "approval_reminder"),
            (request_id, "escalate"),
        ]


def test_an_approved_request_not_installed_is_followed_up_and_lapses_with_its_licence(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    answer_all(
        app,
        thread,
        answers_for("licence", licence_expiry="2026-12-10", proposed_install_date="2026-12-02"),
    )
    card = submit(app, thread)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    # the install reminder is due two days after the proposed date (local midnight of 2 Dec)
    clock_of(app).set(datetime(2026, 12, 3, 23, 59, tzinfo=UTC))
    assert app.bot.sweeper.run_once().actions == []
    assert advance(app, minutes=1) == [(request_id, "install_reminder")]
    reminder = thread_posts(app.slack, thread)[-1]
    assert ids.INSTALL_ACTIONS_BLOCK in block_ids(reminder)
    clock_of(app).set(datetime(2026, 12, 10, 0, 0, tzinfo=UTC))
    assert app.bot.sweeper.run_once().actions == [(request_id, "lapse")]
    assert app.request(request_id).state == "expired"
    assert "licence expired on 10 December 2026" in texts(app, thread, "lapsed")[-1]


def test_a_reminder_slack_refuses_for_a_while_is_retried_and_posted_later(app: RunningBot) -> None:
    request_id, thread = start(app)
    app.slack.fail_next("chat.postMessage", status=429, retry_after=0, times=3)
    assert advance(app, minutes=30) == [(request_id, "idle_reminder")]
    with app.database.uow() as uow:
        assert uow.outbox.stats().pending == 1
    app.slack.fail_next("chat.postMessage", status=500, times=3)
    advance(app, minutes=1)  # still failing: backoff grows, nothing lost
    with app.database.uow() as uow:
        assert uow.outbox.stats().pending == 1
    report = app.bot.sweeper.run_once()
    assert report.sent == 0  # not due again yet
    advance(app, minutes=5)
    reminders = [
        c
        for c in thread_posts(app.slack, thread)
        if ":wave:" in c.args["blocks"][0]["text"]["text"]
    ]
    assert len(reminders) == 1
    with app.database.uow() as uow:
        assert uow.outbox.stats().pending == 0


def test_a_crash_between_claiming_and_sending_delays_the_message_until_the_lease_expires(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    sweeper = app.bot.sweeper
    clock_of(app).advance(timedelta(minutes=30))
    # the timer sweep queues the reminder; a replica claims it and dies before sending
    assert sweeper.sweep_timers().actions == [(request_id, "idle_reminder")]
    with app.database.uow() as uow:
        assert len(uow.outbox.claim_due(app.clock.now(), sweeper.settings.lease_seconds, 10)) == 1
        uow.commit()
    assert sweeper.run_once().sent == 0  # leased by the dead replica
    advance(app, seconds=sweeper.settings.lease_seconds + 1)
    reminders = [
        c
        for c in thread_posts(app.slack, thread)
        if ":wave:" in c.args["blocks"][0]["text"]["text"]
    ]
    assert len(reminders) == 1
    assert advance(app, minutes=10) == []
    assert (
        len(
            [
                c
                for c in thread_posts(app.slack, thread)
                if ":wave:" in c.args["blocks"][0]["text"]["text"]
            ]
        )
        == 1
    )


def test_two_schedulers_on_one_postgres_post_each_reminder_once(
    slack: SlackDouble, pg_url: str
) -> None:
    clock = FixedClock(MONDAY_10AM)
    with running_bot(slack, pg_url, clock) as first, running_bot(slack, pg_url, clock) as second:
        threads = []
        for _ in range(5):
            start(first)
        clock.advance(timedelta(minutes=31))
        results: list[list[tuple[str, str]]] = []
        for app in (first, second, first, second):
            threads.append(
                threading.Thread(
                    target=lambda a=app: results.append(a.bot.sweeper.run_once().actions)
                )
            )
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        fired = sorted(action for actions in results for action in actions)
        assert len(fired) == 5 and len(set(fired)) == 5
        reminders = [
            c
            for c in slack.calls("chat.postMessage")
            if c.ok and ":wave:" in c.args["blocks"][0]["text"]["text"]
        ]
        assert len(reminders) == 5


def test_the_real_scheduler_posts_reminder_escalation_and_expiry_within_seconds(
    slack: SlackDouble, sqlite_url: str
) -> None:
    timers = {
        "MOSOVO_IDLE_REMINDER": "1s",
        "MOSOVO_IDLE_EXPIRY": "1h",
        "MOSOVO_APPROVAL_REMINDER": "1s",
        "MOSOVO_APPROVAL_ESCALATION": "2s",
        "MOSOVO_APPROVAL_EXPIRY": "4s",
        "MOSOVO_SCHEDULER_INTERVAL": "1s",
    }
    with running_bot(slack, sqlite_url, SystemClock(), **timers) as app:
        request_id, thread = start(app)
        answers = answers_for("order")
        today = datetime.now(UTC).date()
        answers.update(
            date_acquired=str(today - timedelta(days=3)),
            date_notified=str(today - timedelta(days=2)),
            proposed_install_date=str(today + timedelta(days=2)),
            risk_assessment_date=str(today - timedelta(days=30)),
            order_date=str(today - timedelta(days=100)),
        )
        scheduler = start_scheduler(app.bot.sweeper, 1.0)
        try:
            answer_all(app, thread, answers)
            card = submit(app, thread)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and app.request(request_id).state != "expired":
                time.sleep(0.2)
        finally:
            scheduler.shutdown(wait=True)
        assert app.request(request_id).state == "expired"
        for block_id in ("reminder", "escalation", "expired"):
            assert with_block(thread_posts(slack, thread), block_id), block_id
        assert "Expired" in card_updates(app, card)[-1].args["blocks"][-1]["text"]["text"]


def test_a_message_that_never_gets_through_is_reported_and_kept_not_dropped(
    slack: SlackDouble, sqlite_url: str
) -> None:
    with running_bot(slack, sqlite_url, MOSOVO_OUTBOX_MAX_ATTEMPTS="2") as app:
        _, thread = start(app)
        slack.set_down(True)
        # neither the answered question's rewrite nor the next question can be posted
        app.reply(thread, "NOM/1234567")
        first = app.bot.sweeper.run_once()
        assert (first.failed, first.gave_up) == (2, 0)
        second = advance_and_report(app, minutes=10)
        assert (second.failed, second.gave_up) == (2, 2)
        with app.database.uow() as uow:
            stats = uow.outbox.stats()
        assert (stats.pending, stats.given_up) == (0, 2)
        assert app.metric("mosovo_outbox_given_up") == 2
        slack.set_down(False)
        # the message given up on is not retried; the idle reminder re-asks the lost question
        later = advance_and_report(app, minutes=30)
        assert later.actions and later.sent == 1
        assert "q:pnc_id" in block_ids(thread_posts(app.slack, thread)[-1])
        with app.database.uow() as uow:
            assert uow.outbox.stats().given_up == 2


def advance_and_report(app: RunningBot, **delta: float) -> SweepReport:
    clock_of(app).advance(timedelta(**delta))
    return app.bot.sweeper.run_once()


def test_a_request_whose_timer_fails_does_not_hold_up_the_others(
    app: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_id, _ = start(app)
    healthy_id, _ = start(app)
    sweeper = app.bot.sweeper
    real = sweeper._on_idle_reminder

    def fails_for_one(uow: Any, request: Any, now: datetime) -> None:
        if request.request_id == broken_id:
            raise RuntimeError("simulated fault")
        real(uow, request, now)

    monkeypatch.setattr(sweeper, "_on_idle_reminder", fails_for_one)
    assert advance(app, minutes=30) == [(healthy_id, "idle_reminder")]
    assert advance(app, minutes=1) == []  # the failed one keeps its lease for now
    monkeypatch.setattr(sweeper, "_on_idle_reminder", real)
    assert advance(app, seconds=sweeper.settings.lease_seconds) == [(broken_id, "idle_reminder")]
