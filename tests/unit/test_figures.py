"""The report's figures: counts, nearest-rank percentiles, spans; aggregates only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.figures import RequestFacts, format_span, nearest_rank, summarise

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
SUBMITTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def facts(
    state: str,
    basis: str | None = "order",
    *,
    waited: timedelta | None = None,
    decision: str | None = None,
    late: bool = False,
) -> RequestFacts:
    return RequestFacts(
        state=state,
        basis=basis,
        submitted_at=SUBMITTED if waited is not None or decision else None,
        decided_at=SUBMITTED + waited if waited is not None else None,
        decision=decision,
        late_notification=late,
    )


HOURS = [timedelta(hours=h) for h in (1, 2, 3, 4, 5, 6, 7, 8, 9, 30)]


def test_nearest_rank_picks_a_value_some_request_really_took() -> None:
    assert nearest_rank(HOURS, 50) == timedelta(hours=5)
    assert nearest_rank(HOURS, 90) == timedelta(hours=9)
    assert nearest_rank(HOURS, 100) == timedelta(hours=30)
    assert nearest_rank([timedelta(minutes=7)], 90) == timedelta(minutes=7)
    assert nearest_rank([], 50) is None


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (None, "-"),
        (timedelta(minutes=12), "12m"),
        (timedelta(hours=2, minutes=5), "2h 05m"),
        (timedelta(days=3, hours=4, minutes=20), "3d 4h"),
    ],
)
def test_spans_read_as_days_hours_minutes(span: timedelta | None, text: str) -> None:
    assert format_span(span) == text


def test_a_month_summarised() -> None:
    month = [
        facts("installed", "order", waited=timedelta(hours=2), decision="approved", late=True),
        facts("approved", "licence", waited=timedelta(hours=4), decision="approved"),
        facts("rejected", "voluntary", waited=timedelta(hours=30), decision="rejected"),
        facts("expired", "order", waited=timedelta(hours=1), decision="approved"),
        facts("expired", "licence", decision=None),
        facts("withdrawn", "order", decision="info_requested", waited=timedelta(hours=1)),
        facts("collecting", None),
    ]
    figures = summarise(month, SINCE, UNTIL)
    assert figures.total == 7
    assert figures.by_outcome == {
        "collecting": 1,
        "approved": 1,
        "rejected": 1,
        "installed": 1,
        "withdrawn": 1,
        "expired": 2,
    }
    assert figures.by_basis == {"order": 3, "licence": 2, "voluntary": 1, "Not yet given": 1}
    # an information request is not a decision
    assert figures.decisions == 4
    assert figures.median_to_decision == timedelta(hours=2)
    assert figures.p90_to_decision == timedelta(hours=30)
    assert figures.late_notifications == 1
    assert figures.expiries == {"before_decision": 1, "after_approval": 1}
    assert figures.installations == {
        "installed": 1,
        "approved": 1,
        "withdrawn": 0,
        "expired": 1,
    }
    rows = figures.rows()
    assert ("requests", "opened in the period", "7") in rows
    assert ("by outcome", "Awaiting approval", "0") not in rows  # only outcomes that occurred
    assert ("by basis", "Court order (SHPO, SRO, SOPO)", "3") in rows
    assert ("time to decision", "median", "2h 00m") in rows
    assert ("installations", "Expired before installation", "1") in rows


def test_an_empty_period_has_no_times() -> None:
    figures = summarise([], SINCE, UNTIL)
    assert figures.total == 0 and figures.median_to_decision is None
    assert ("time to decision", "median", "-") in figures.rows()
