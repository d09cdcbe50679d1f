"""`report`'s figures from a real database, and the `reported` audit event each run leaves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from flows.models import MonitoringRequest
from storage.audit import verify_chain
from storage.report import ReportRefused, ReportRequest, gather_figures
from storage.tables import audit_events_table as events
from storage.unit_of_work import Database

Store = Callable[[MonitoringRequest], MonitoringRequest]
NewRequest = Callable[..., MonitoringRequest]
SINCE = datetime(2026, 3, 1, tzinfo=UTC)
UNTIL = datetime(2026, 4, 1, tzinfo=UTC)


def request(**overrides: object) -> ReportRequest:
    fields: dict[str, object] = {
        "operator": "DS Smith",
        "reason": "monthly figures",
        "since": SINCE,
        "until": UNTIL,
    }
    fields.update(overrides)
    return ReportRequest(**fields)  # type: ignore[arg-type]


def test_figures_count_the_requests_opened_in_the_period(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    store(full_request(thread_ts="1", state="installed", answers={"legal_basis": "order"},
                       flags={"late_notification": {"days_late": 2}}))  # fmt: skip
    store(full_request(thread_ts="2", state="rejected", decision="rejected",
                       answers={"legal_basis": "voluntary"}, flags={}))  # fmt: skip
    store(full_request(thread_ts="3", state="collecting", decision=None, decided_at=None,
                       submitted_at=None, answers={}, flags={}))  # fmt: skip
    store(full_request(thread_ts="4", created_at=UNTIL, state="approved"))  # next month
    store(full_request(thread_ts="5", created_at=SINCE - timedelta(microseconds=1)))

    figures = gather_figures(db, request())

    assert figures.total == 3
    assert figures.by_outcome == {"collecting": 1, "rejected": 1, "installed": 1}
    assert figures.by_basis == {"order": 1, "voluntary": 1, "Not yet given": 1}
    assert figures.late_notifications == 1
    assert figures.decisions == 2
    assert figures.median_to_decision == timedelta(days=1, hours=1, microseconds=1)
    assert figures.installations["installed"] == 1


def test_each_run_is_audited_with_who_why_and_the_period(db: Database) -> None:
    gather_figures(db, request(output="csv"))
    with db.uow() as uow:
        assert verify_chain(uow.connection).ok
        [event] = uow.connection.execute(select(events).where(events.c.action == "reported")).all()
    assert event.actor == "operator:DS Smith"
    assert event.detail == {
        "operator": "DS Smith",
        "reason": "monthly figures",
        "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "output": "csv",
        "requests": 0,
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"operator": " "}, "--operator"),
        ({"reason": ""}, "--reason"),
        ({"until": SINCE}, "--until"),
        ({"since": datetime(2026, 3, 1)}, "timezone"),
    ],
)
def test_a_report_without_who_why_or_a_period_is_refused(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ReportRefused, match=message):
        request(**overrides)
