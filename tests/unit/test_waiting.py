"""Where a request stands, in words: whose move, since when, its basis and flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.models import MonitoringRequest
from flows.waiting import age_words, basis_words, flag_words, waiting_on, waiting_since

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def request(state: str, **fields: object) -> MonitoringRequest:
    made = MonitoringRequest("U1", "G1", created_at=T0, state=state)
    for name, value in fields.items():
        setattr(made, name, value)
    return made


@pytest.mark.parametrize(
    ("state", "who"),
    [
        ("collecting", "officer"),
        ("confirming", "officer"),
        ("awaiting_approval", "deciders"),
        ("info_requested", "officer"),
        ("approved", "officer"),
        ("rejected", "nobody"),
        ("installed", "officer"),
        ("not_installed", "nobody"),
        ("removed", "nobody"),
        ("withdrawn", "nobody"),
        ("expired", "nobody"),
        ("abandoned", "nobody"),
    ],
)
def test_whose_move_it_is_follows_the_state(state: str, who: str) -> None:
    assert waiting_on(request(state)) == who


def test_a_decision_has_been_awaited_since_submission() -> None:
    submitted = T0 + timedelta(hours=1)
    assert waiting_since(request("awaiting_approval", submitted_at=submitted)) == submitted
    moved = T0 + timedelta(hours=2)
    assert waiting_since(request("collecting", last_activity_at=moved)) == moved
    assert waiting_since(request("collecting")) == T0


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=30), "under a minute"),
        (timedelta(minutes=40), "40 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(hours=3, minutes=5), "3 h 5 min"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=2, hours=4, minutes=59), "2 days 4 h"),
    ],
)
def test_an_age_reads_as_a_person_says_it(age: timedelta, words: str) -> None:
    assert age_words(age) == words


def test_basis_and_flags_in_words() -> None:
    assert basis_words(request("collecting")) == "basis not given yet"
    assert basis_words(request("collecting", answers={"legal_basis": "licence"})) == (
        "licence condition"
    )
    assert flag_words({"late_notification": {"days_late": 2}, "new_flag": True}) == [
        "The person notified police of the device late",
        "New flag",
    ]
