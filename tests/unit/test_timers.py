"""What falls due and when, for each state: reminders, escalation, expiry, install follow-up and
lapse; reminders sent once; closing timers win; working hours hold reminders but not expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from flows.calendar import BankHolidays, WorkingCalendar, WorkingHours
from flows.models import MonitoringRequest
from flows.timers import Due, Timers, TimerSchedule, basis_expiry, due_now, next_due, pending

LONDON = ZoneInfo("Europe/London")
TIMERS = Timers()
#: Monday 30 November 2026, 10:00 (London is on GMT, so this is also 10:00 UTC)
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
OFFICE = WorkingHours.parse("Mon-Fri 08:00-18:00")


def request_in(state: str, **changes: Any) -> MonitoringRequest:
    values: dict[str, Any] = {
        "officer_id": "U0OFFICER",
        "channel_id": "C0MOSOVO",
        "created_at": T0 - timedelta(hours=1),
        "request_id": "MR-5",
        "state": state,
    }
    values.update(changes)
    return MonitoringRequest(**values)


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def kinds(request: MonitoringRequest, now: datetime, **kwargs: Any) -> list[str]:
    return [due.kind for due in due_now(request, TIMERS, LONDON, now, **kwargs)]


# --- while the officer is answering ------------------------------------------------------------


@pytest.mark.parametrize("state", ["collecting", "confirming"])
def test_an_idle_officer_is_reminded_after_30_minutes_and_abandoned_after_24_hours(
    state: str,
) -> None:
    request = request_in(state, last_activity_at=T0)

    # never abandoned before the reminder has gone out: only the reminder is pending
    assert pending(request, TIMERS, LONDON) == [Due("idle_reminder", T0 + timedelta(minutes=30))]
    assert next_due(request, TIMERS, LONDON) == T0 + timedelta(minutes=30)
    assert kinds(request, T0 + timedelta(minutes=30) - timedelta(seconds=1)) == []
    assert kinds(request, T0 + timedelta(minutes=30)) == ["idle_reminder"]
    assert kinds(request, T0 + timedelta(hours=48)) == ["idle_reminder"]
    request.nudges["idle_reminder"] = (T0 + timedelta(minutes=30)).isoformat()
    assert kinds(request, T0 + timedelta(hours=24) - MINUTE) == []
    assert kinds(request, T0 + timedelta(hours=24)) == ["abandon"]


def test_an_idle_reminder_already_sent_is_not_due_again() -> None:
    sent = (T0 + timedelta(minutes=30)).isoformat()
    request = request_in("collecting", last_activity_at=T0, nudges={"idle_reminder": sent})

    assert pending(request, TIMERS, LONDON) == [Due("abandon", T0 + timedelta(hours=24))]
    assert next_due(request, TIMERS, LONDON) == T0 + timedelta(hours=24)
    assert kinds(request, T0 + timedelta(hours=2)) == []


def test_an_answer_moves_the_idle_clock_on() -> None:
    request = request_in("collecting", last_activity_at=T0 + timedelta(minutes=20))

    assert kinds(request, T0 + timedelta(minutes=30)) == []
    assert next_due(request, TIMERS, LONDON) == T0 + timedelta(minutes=50)


def test_no_activity_recorded_means_nothing_is_due() -> None:
    assert pending(request_in("collecting"), TIMERS, LONDON) == []
    assert next_due(request_in("collecting"), TIMERS, LONDON) is None


def test_the_durations_come_from_the_configuration() -> None:
    timers = Timers(idle_reminder=timedelta(seconds=90), idle_expiry=timedelta(minutes=5))
    request = request_in("collecting", last_activity_at=T0)

    assert pending(request, timers, LONDON) == [Due("idle_reminder", T0 + timedelta(seconds=90))]
    request.nudges["idle_reminder"] = (T0 + timedelta(seconds=90)).isoformat()
    assert pending(request, timers, LONDON) == [Due("abandon", T0 + timedelta(minutes=5))]


def test_an_officer_reminded_late_still_gets_an_idle_reminders_time_to_answer() -> None:
    # the reminder went out late (the bot was down): abandonment waits 30 minutes after it
    reminded = T0 + timedelta(hours=30)
    request = request_in(
        "confirming", last_activity_at=T0, nudges={"idle_reminder": reminded.isoformat()}
    )

    assert pending(request, TIMERS, LONDON) == [Due("abandon", reminded + timedelta(minutes=30))]


# --- waiting for a decision --------------------------------------------------------------------


def test_an_approval_is_reminded_at_4_hours_escalated_at_24_and_expires_after_7_days() -> None:
    request = request_in("awaiting_approval", submitted_at=T0, last_activity_at=T0)

    assert pending(request, TIMERS, LONDON) == [
        Due("approval_reminder", T0 + timedelta(hours=4)),
        Due("escalate", T0 + timedelta(hours=24)),
        Due("expire", T0 + timedelta(days=7)),
    ]
    assert kinds(request, T0 + timedelta(hours=4) - MINUTE) == []
    assert kinds(request, T0 + timedelta(hours=4)) == ["approval_reminder"]
    assert kinds(request, T0 + timedelta(hours=24)) == ["approval_reminder", "escalate"]
    assert kinds(request, T0 + timedelta(days=7) - MINUTE) == ["approval_reminder", "escalate"]


def test_sent_approval_reminders_are_not_due_again() -> None:
    reminded = {"approval_reminder": (T0 + timedelta(hours=4)).isoformat()}
    request = request_in("awaiting_approval", submitted_at=T0, nudges=reminded)

    assert [due.kind for due in pending(request, TIMERS, LONDON)] == ["escalate", "expire"]
    assert kinds(request, T0 + timedelta(hours=5)) == []

    request.nudges["escalate"] = (T0 + timedelta(hours=24)).isoformat()

    assert pending(request, TIMERS, LONDON) == [Due("expire", T0 + timedelta(days=7))]
    assert kinds(request, T0 + timedelta(days=2)) == []


def test_expiry_wins_over_reminders_due_at_the_same_sweep() -> None:
    request = request_in("awaiting_approval", submitted_at=T0)

    assert kinds(request, T0 + timedelta(days=7)) == ["expire"]
    assert kinds(request, T0 + timedelta(days=30)) == ["expire"]


def test_while_more_information_is_awaited_the_officer_is_reminded_and_the_approval_clock_runs() -> (
    None
):
    decided = T0 + timedelta(hours=2)
    request = request_in("info_requested", submitted_at=T0, last_activity_at=T0, decided_at=decided)

    assert pending(request, TIMERS, LONDON) == [
        Due("idle_reminder", decided + timedelta(minutes=30)),
        Due("expire", T0 + timedelta(days=7)),
    ]
    assert kinds(request, T0 + timedelta(days=3)) == ["idle_reminder"]
    assert kinds(request, T0 + timedelta(days=7)) == ["expire"]


def test_a_reply_while_more_information_is_awaited_moves_the_reminder_on() -> None:
    replied = T0 + timedelta(hours=3)
    request = request_in(
        "info_requested",
        submitted_at=T0,
        decided_at=T0 + timedelta(hours=2),
        last_activity_at=replied,
    )

    assert next_due(request, TIMERS, LONDON) == replied + timedelta(minutes=30)


# --- after approval ----------------------------------------------------------------------------


def test_an_install_not_confirmed_is_followed_up_two_days_after_the_proposed_date() -> None:
    request = request_in(
        "approved",
        submitted_at=T0,
        decided_at=T0 + timedelta(hours=1),
        answers={"legal_basis": "voluntary", "proposed_install_date": "2026-12-01"},
    )
    due = london(2026, 12, 3, 0, 0)

    assert pending(request, TIMERS, LONDON) == [Due("install_reminder", due)]
    assert kinds(request, due - MINUTE) == []
    assert kinds(request, due) == ["install_reminder"]

    request.nudges["install_reminder"] = due.isoformat()
    assert pending(request, TIMERS, LONDON) == []
    assert next_due(request, TIMERS, LONDON) is None


def test_the_install_follow_up_is_at_local_midnight_in_summer_time() -> None:
    request = request_in("approved", answers={"proposed_install_date": "2027-06-10"})

    (due,) = pending(request, TIMERS, LONDON)

    assert due.kind == "install_reminder"
    assert due.at == datetime(2027, 6, 11, 23, 0, tzinfo=UTC)  # 12 June 00:00 BST


def test_an_approval_without_a_proposed_date_has_no_follow_up() -> None:
    request = request_in("approved", answers={"legal_basis": "voluntary"})

    assert pending(request, TIMERS, LONDON) == []


@pytest.mark.parametrize(
    ("answers", "lapses"),
    [
        ({"legal_basis": "licence", "licence_expiry": "2026-12-05"}, date(2026, 12, 5)),
        ({"legal_basis": "order", "order_expiry": "2027-03-01"}, date(2027, 3, 1)),
        ({"legal_basis": "order", "order_expiry": "indefinite"}, None),
        ({"legal_basis": "voluntary"}, None),
        # an answer left over from another basis is not this request's expiry
        ({"legal_basis": "voluntary", "licence_expiry": "2026-12-05"}, None),
        ({}, None),
    ],
)
def test_the_basis_expiry_is_the_order_or_licence_end_date(
    answers: dict[str, Any], lapses: date | None
) -> None:
    assert basis_expiry(request_in("approved", answers=answers)) == lapses


@pytest.mark.parametrize("state", ["awaiting_approval", "info_requested", "approved"])
def test_an_approval_lapses_when_the_licence_expires_before_installation(state: str) -> None:
    answers = {
        "legal_basis": "licence",
        "licence_expiry": "2026-12-05",
        "proposed_install_date": "2026-12-01",
    }
    request = request_in(
        state, submitted_at=T0, decided_at=T0, last_activity_at=T0, answers=answers
    )
    lapse = london(2026, 12, 5, 0, 0)

    assert Due("lapse", lapse) in pending(request, TIMERS, LONDON)
    assert "lapse" not in kinds(request, lapse - MINUTE)
    assert kinds(request, lapse) == ["lapse"]


def test_a_lapse_and_an_expiry_both_due_close_once_with_the_earlier() -> None:
    answers = {"legal_basis": "order", "order_expiry": "2026-12-02"}
    request = request_in("awaiting_approval", submitted_at=T0, answers=answers)

    assert pending(request, TIMERS, LONDON)[-2:] == [
        Due("lapse", london(2026, 12, 2, 0, 0)),
        Due("expire", T0 + timedelta(days=7)),
    ]
    assert kinds(request, T0 + timedelta(days=8)) == ["lapse"]


def test_a_request_still_being_written_does_not_lapse() -> None:
    answers = {"legal_basis": "licence", "licence_expiry": "2026-12-05"}
    request = request_in("confirming", last_activity_at=T0, answers=answers)

    assert [due.kind for due in pending(request, TIMERS, LONDON)] == ["idle_reminder"]


@pytest.mark.parametrize("state", ["rejected", "installed", "withdrawn", "expired", "abandoned"])
def test_nothing_is_due_for_a_closed_request(state: str) -> None:
    request = request_in(
        state,
        submitted_at=T0,
        decided_at=T0,
        last_activity_at=T0,
        answers={
            "legal_basis": "licence",
            "licence_expiry": "2026-12-05",
            "proposed_install_date": "2026-12-01",
        },
    )

    assert pending(request, TIMERS, LONDON) == []
    assert next_due(request, TIMERS, LONDON) is None
    assert kinds(request, T0 + timedelta(days=365)) == []


# --- working hours -----------------------------------------------------------------------------


def working_hours(at: datetime) -> datetime:
    """Mon-Fri 08:00-18:00 in London: anything outside waits for the next working morning."""
    local = at.astimezone(LONDON)
    weekday = local.weekday() < 5
    if weekday and time(8) <= local.time() < time(18):
        return at
    day = local.date()
    if not (weekday and local.time() < time(8)):
        day += timedelta(days=1)  # after hours or a weekend day: from the next day on
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=LONDON)


def test_the_working_hours_hold_used_here_postpones_to_monday_morning() -> None:
    assert working_hours(london(2026, 12, 4, 20, 0)) == london(2026, 12, 7, 8, 0)  # Friday night
    assert working_hours(london(2026, 12, 5, 16, 0)) == london(2026, 12, 7, 8, 0)  # Saturday
    assert working_hours(london(2026, 12, 8, 6, 0)) == london(2026, 12, 8, 8, 0)  # Tuesday early
    assert working_hours(london(2026, 12, 8, 9, 0)) == london(2026, 12, 8, 9, 0)


def test_reminders_and_escalation_are_held_until_monday_but_expiry_is_not() -> None:
    friday = london(2026, 12, 4, 16, 0)
    monday = london(2026, 12, 7, 8, 0)
    request = request_in("awaiting_approval", submitted_at=friday)

    assert pending(request, TIMERS, LONDON, working_hours) == [
        Due("approval_reminder", monday),
        Due("escalate", monday),
        Due("expire", friday + timedelta(days=7)),
    ]
    assert next_due(request, TIMERS, LONDON, working_hours) == monday
    assert kinds(request, london(2026, 12, 5, 12, 0), hold=working_hours) == []
    assert kinds(request, monday - MINUTE, hold=working_hours) == []
    assert kinds(request, monday, hold=working_hours) == ["approval_reminder", "escalate"]


def test_an_idle_officer_on_friday_evening_is_reminded_on_monday_and_never_abandoned_first() -> (
    None
):
    friday = london(2026, 12, 4, 17, 45)
    request = request_in("collecting", last_activity_at=friday)
    schedule = TimerSchedule(TIMERS, WorkingCalendar(OFFICE, LONDON, BankHolidays()))

    assert schedule.due_at(request) == london(2026, 12, 7, 8, 0)
    assert schedule.due_now(request, friday + timedelta(hours=24)) == []
    request.nudges["idle_reminder"] = london(2026, 12, 7, 8, 0).isoformat()
    # 24 working hours: 15 minutes on Friday, then 10 hours on Monday and Tuesday, and the
    # rest on Wednesday from 08:00: 3 hours 45 minutes, so 11:45
    assert schedule.due_at(request) == london(2026, 12, 9, 11, 45)


def test_idle_time_skips_bank_holidays() -> None:
    # Thursday 24 December 2026 at 17:00; Christmas Day and Boxing Day (observed Monday 28th)
    christmas_eve = london(2026, 12, 24, 17, 0)
    reminded = london(2026, 12, 29, 8, 0)
    request = request_in(
        "collecting", last_activity_at=christmas_eve, nudges={"idle_reminder": reminded.isoformat()}
    )
    england = TimerSchedule(TIMERS, WorkingCalendar(OFFICE, LONDON, BankHolidays()))
    none = TimerSchedule(TIMERS, WorkingCalendar(OFFICE, LONDON, BankHolidays("none")))

    # one hour on the 24th, then 10 on the 29th, 10 on the 30th, and 3 on the 31st
    assert england.due_at(request) == london(2026, 12, 31, 11, 0)
    # without bank holidays the 25th and the 28th count: one hour, then the 25th, 28th, 29th
    assert none.due_at(request) == london(2026, 12, 29, 11, 0)


def test_the_install_follow_up_falling_on_a_sunday_waits_for_monday() -> None:
    request = request_in("approved", answers={"proposed_install_date": "2026-12-04"})

    # 4 December is a Friday: two days later is Sunday 00:00, held to Monday 08:00
    assert pending(request, TIMERS, LONDON, working_hours) == [
        Due("install_reminder", london(2026, 12, 7, 8, 0))
    ]


def test_a_lapse_is_never_held() -> None:
    answers = {"legal_basis": "licence", "licence_expiry": "2026-12-06"}  # a Sunday
    request = request_in("approved", answers=answers)

    assert pending(request, TIMERS, LONDON, working_hours) == [
        Due("lapse", london(2026, 12, 6, 0, 0))
    ]


def test_an_expiry_falling_at_the_weekend_is_not_held() -> None:
    saturday = london(2026, 12, 5, 10, 0)
    reminded = {"approval_reminder": saturday.isoformat(), "escalate": saturday.isoformat()}
    request = request_in("awaiting_approval", submitted_at=saturday, nudges=reminded)

    assert pending(request, TIMERS, LONDON, working_hours) == [
        Due("expire", london(2026, 12, 12, 10, 0))  # the next Saturday
    ]
    assert kinds(request, london(2026, 12, 12, 10, 0), hold=working_hours) == ["expire"]
