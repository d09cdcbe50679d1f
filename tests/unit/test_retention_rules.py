"""Retention rules: when a request closed, what is due, and what of a request survives erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.retention import (
    DEFAULT_RETENTION,
    ERASED_VALUES,
    Closed,
    closed_on,
    describe,
    due_for_erasure,
    erased_answers,
)

T = datetime(2020, 3, 1, 12, 0, tzinfo=UTC)


def test_an_open_request_never_closed_however_old() -> None:
    assert closed_on("approved", T, T) is None
    assert closed_on("collecting") is None


def test_a_closed_request_closed_at_the_latest_moment_known() -> None:
    assert closed_on("removed", T, None, T + timedelta(days=3)) == T + timedelta(days=3)
    assert closed_on("withdrawn", None) is None


def test_only_requests_past_retention_are_due_longest_overdue_first() -> None:
    now = T + DEFAULT_RETENTION + timedelta(days=10)
    closed = [
        Closed("MR-000003", "rejected", T + timedelta(days=5)),
        Closed("MR-000001", "withdrawn", T),
        Closed("MR-000002", "expired", T + timedelta(days=11)),  # one day short
        Closed("MR-000004", "removed", T + timedelta(days=10)),  # due to the second
    ]
    due = due_for_erasure(closed, DEFAULT_RETENTION, now)
    assert [c.request_id for c in due] == ["MR-000001", "MR-000003", "MR-000004"]


def test_six_years_is_the_default_counting_the_leap_days() -> None:
    assert datetime(2026, 3, 1) - datetime(2020, 3, 1) <= DEFAULT_RETENTION
    assert describe(DEFAULT_RETENTION) == "2192d"
    assert describe(timedelta(days=1, seconds=1)) == "86401s"


def test_erasure_keeps_the_basis_and_nothing_else_said_about_the_person() -> None:
    answers = {"legal_basis": "order", "visor_ref": "AB12/34567", "notes": "lives with mother"}
    assert erased_answers(answers) == {"legal_basis": "order"}
    assert erased_answers({}) == {}
    assert {"flags", "decision_reason", "decision_comment", "rounds", "prefill"} <= set(
        ERASED_VALUES
    )
    assert not any(ERASED_VALUES.values())
