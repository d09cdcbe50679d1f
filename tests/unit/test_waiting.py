"""Where a request stands, in words: whose move, since when, its basis and flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.i18n import translator
from flows.models import MonitoringRequest
from flows.request_machine import Stage
from flows.waiting import (
    STATE_WORDS,
    age_words,
    basis_words,
    flag_words,
    state_words,
    waiting_on,
    waiting_since,
)
from tests.support.i18n import assert_translated, marked_translations

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
EN, CY = translator("en"), translator("cy")


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
    assert age_words(age, EN) == words


def test_basis_and_flags_in_words() -> None:
    assert basis_words(request("collecting"), EN) == "basis not given yet"
    assert basis_words(request("collecting", answers={"legal_basis": "licence"}), EN) == (
        "licence condition"
    )
    assert flag_words({"late_notification": {"days_late": 2}, "new_flag": True}, EN) == [
        "The person notified police of the device late",
        "New flag",
    ]


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=30), "llai na munud"),
        (timedelta(minutes=40), "40 mun"),
        (timedelta(hours=3), "3 awr"),
        (timedelta(hours=3, minutes=5), "3 awr 5 mun"),
        (timedelta(days=1), "1 diwrnod"),
        (timedelta(days=2, hours=4, minutes=59), "2 ddiwrnod 4 awr"),
        (timedelta(days=3), "3 diwrnod"),
    ],
)
def test_an_age_reads_as_a_welsh_speaker_says_it(age: timedelta, words: str) -> None:
    assert age_words(age, CY) == words


def test_states_bases_and_flags_in_welsh() -> None:
    assert state_words(Stage.awaiting_approval, CY) == "yn aros am benderfyniad"
    assert basis_words(request("collecting", answers={"legal_basis": "order"}), CY) == (
        "gorchymyn llys"
    )
    assert basis_words(request("collecting"), CY) == "sail heb ei rhoi eto"
    assert flag_words({"late_notification": {}}, CY) == [
        "Hysbysodd y person yr heddlu am y ddyfais yn hwyr"
    ]


@pytest.mark.parametrize("language", ["en", "cy"])
def test_every_waiting_word_is_catalogued(language: str) -> None:
    with marked_translations():
        t = translator(language)
        shown = [state_words(state, t) for state in Stage]
        shown += [basis_words(request("collecting"), t)]
        shown += [
            basis_words(request("collecting", answers={"legal_basis": b}), t)
            for b in ("order", "licence", "voluntary")
        ]
        shown += flag_words({"late_notification": {}, "possible_duplicate": {}}, t)
        shown += [
            age_words(timedelta(**age), t)
            for age in (
                {"seconds": 1},
                {"minutes": 5},
                {"hours": 2},
                {"hours": 2, "minutes": 1},
                {"days": 1},
                {"days": 4, "hours": 1},
            )
        ]
    assert set(STATE_WORDS) == set(Stage)
    assert_translated([{"text": words} for words in shown])
