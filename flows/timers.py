"""What falls due for a request and when: reminders, escalation, expiry, install follow-up.

Derived from the request's state and timestamps only, so any replica can work it out from the
database after a restart; storage keeps the earliest instant in `due_at` for the sweep to find.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flows.calendar import WorkingCalendar
from flows.fields import stored_date
from flows.models import MonitoringRequest
from flows.request_machine import Stage, at_summary, awaiting_decision, is_collecting, may

#: postpones a reminder to the next instant inside working hours (expiry clocks are never held)
Hold = Callable[[datetime], datetime]

#: kinds that close the request; when one is due, reminders due at the same sweep are moot
CLOSING = ("abandon", "expire", "lapse")


#: the instant when a duration of counted time has passed since a start (see WorkingCalendar.add)
Count = Callable[[datetime, timedelta], datetime]


def no_hold(at: datetime) -> datetime:
    return at


def wall_clock(start: datetime, duration: timedelta) -> datetime:
    """Elapsed time (in UTC: an aware datetime in a zone would add wall-clock time)."""
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


@dataclass(frozen=True)
class Timers:
    idle_reminder: timedelta = timedelta(minutes=30)
    idle_expiry: timedelta = timedelta(hours=24)
    approval_reminder: timedelta = timedelta(hours=4)
    approval_escalation: timedelta = timedelta(hours=24)
    approval_expiry: timedelta = timedelta(days=7)
    install_reminder: timedelta = timedelta(days=2)


@dataclass(frozen=True)
class Due:
    kind: str
    at: datetime


def pending(
    request: MonitoringRequest,
    timers: Timers,
    tz: ZoneInfo,
    hold: Hold = no_hold,
    count: Count = wall_clock,
) -> list[Due]:
    """Every timer still to fire for the request in its current state, earliest first."""
    dues: list[Due] = []

    def reminder(kind: str, at: datetime) -> None:
        if kind not in request.nudges:
            dues.append(Due(kind, hold(at)))

    state = request.state
    # the officer has the next move: answering, at the summary, or replying to a supervisor
    officers_move = is_collecting(request) or at_summary(request)
    if officers_move and request.last_activity_at:
        idle_since = request.last_activity_at
        if state == Stage.info_requested and request.decided_at:
            idle_since = max(idle_since, request.decided_at)
        reminder("idle_reminder", idle_since + timers.idle_reminder)
        reminded = request.nudges.get("idle_reminder")
        # Fair to shifts: idle time counts in working hours only, and nobody is abandoned
        # without the reminder first (at a question or at the summary), nor sooner than an
        # idle-reminder's time after it.
        if may(request, "abandon") and reminded:
            expiry = count(idle_since, timers.idle_expiry)
            grace = count(datetime.fromisoformat(reminded), timers.idle_reminder)
            dues.append(Due("abandon", max(expiry, grace)))
    if awaiting_decision(request) and request.submitted_at:
        reminder("approval_reminder", request.submitted_at + timers.approval_reminder)
        reminder("escalate", request.submitted_at + timers.approval_escalation)
    # submitted and undecided: waiting for a decision, or for the information asked for
    if state in (Stage.awaiting_approval, Stage.info_requested) and request.submitted_at:
        dues.append(Due("expire", request.submitted_at + timers.approval_expiry))
    if may(request, "mark_installed"):
        install = stored_date(request.answers, "proposed_install_date")
        if install is not None:
            reminder("install_reminder", _start_of(install, tz) + timers.install_reminder)
    if may(request, "review") and request.review_date is not None:
        reminder("review_due", _start_of(request.review_date, tz))
    if may(request, "expire"):
        lapses = basis_expiry(request)
        if lapses is not None:
            dues.append(Due("lapse", _start_of(lapses, tz)))
    return sorted(dues, key=lambda due: due.at)


def next_due(
    request: MonitoringRequest,
    timers: Timers,
    tz: ZoneInfo,
    hold: Hold = no_hold,
    count: Count = wall_clock,
) -> datetime | None:
    dues = pending(request, timers, tz, hold, count)
    return dues[0].at if dues else None


def due_now(
    request: MonitoringRequest,
    timers: Timers,
    tz: ZoneInfo,
    now: datetime,
    hold: Hold = no_hold,
    count: Count = wall_clock,
) -> list[Due]:
    """What to do now; a closing timer wins over reminders due at the same time."""
    due = [d for d in pending(request, timers, tz, hold, count) if d.at <= now]
    closing = [d for d in due if d.kind in CLOSING]
    return closing[:1] if closing else due


class TimerSchedule:
    """When the scheduler must next look at a request: reminders held to working time, idle
    time counted in working hours, bank holidays skipped (bot.services.Schedule)."""

    def __init__(self, timers: Timers, calendar: WorkingCalendar) -> None:
        self.timers = timers
        self.calendar = calendar
        self.tz = calendar.tz

    def hold(self, at: datetime) -> datetime:
        return self.calendar.next_open(at)

    def count(self, start: datetime, duration: timedelta) -> datetime:
        return self.calendar.add(start, duration)

    def due_at(self, request: MonitoringRequest) -> datetime | None:
        return next_due(request, self.timers, self.tz, self.hold, self.count)

    def due_now(self, request: MonitoringRequest, now: datetime) -> list[Due]:
        return due_now(request, self.timers, self.tz, now, self.hold, self.count)


def basis_expiry(request: MonitoringRequest) -> date | None:
    """The day the order or licence stops being a lawful basis (None: indefinite or not dated)."""
    basis = request.answers.get("legal_basis")
    key = {"order": "order_expiry", "licence": "licence_expiry"}.get(str(basis))
    return stored_date(request.answers, key) if key else None


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)
