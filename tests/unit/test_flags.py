"""Flags computed from the answers: only those that apply, with JSON values."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.config import FlowConfig
from flows.flags import FLAG_WORDS, compute_flags, describe_flag, describe_flags

TODAY = date(2026, 11, 30)
CONFIG = FlowConfig()

#: order-basis answers that raise no flag
CLEAN: dict[str, Any] = {
    "risk_assessment_date": "2026-06-01",
    "device_ownership": "subject",
    "date_acquired": "2026-03-01",
    "date_notified": "2026-03-03",
    "legal_basis": "order",
    "order_notify_days": 3,
    "order_monitoring_clause": True,
}


def flags(**changes: Any) -> dict[str, Any]:
    return compute_flags({**CLEAN, **changes}, TODAY, CONFIG)


def test_answers_that_raise_no_concern_give_no_flags() -> None:
    assert flags() == {}


def test_partial_or_empty_answers_give_no_flags_and_no_error() -> None:
    assert compute_flags({}, TODAY, CONFIG) == {}
    assert compute_flags({"legal_basis": "order"}, TODAY, CONFIG) == {}


def test_a_risk_assessment_exactly_twelve_months_old_is_not_stale() -> None:
    assert "risk_assessment_stale" not in flags(risk_assessment_date="2025-11-30")


def test_a_risk_assessment_older_than_twelve_months_is_stale_with_its_age() -> None:
    assert flags(risk_assessment_date="2025-11-29")["risk_assessment_stale"] == {"months_old": 12}
    assert flags(risk_assessment_date="2024-05-30")["risk_assessment_stale"] == {"months_old": 30}


def test_the_staleness_threshold_comes_from_the_configuration() -> None:
    config = FlowConfig(risk_assessment_stale_months=6)
    answers = {**CLEAN, "risk_assessment_date": "2026-05-29"}
    assert compute_flags(answers, TODAY, config)["risk_assessment_stale"] == {"months_old": 6}
    assert "risk_assessment_stale" not in compute_flags(
        {**answers, "risk_assessment_date": "2026-05-30"}, TODAY, config
    )


def test_a_month_end_today_compares_with_the_last_day_of_a_shorter_month() -> None:
    # 31 March minus one month is 28 February (2027 is not a leap year)
    config = FlowConfig(risk_assessment_stale_months=1)
    today = date(2027, 3, 31)
    assert compute_flags({"risk_assessment_date": "2027-02-28"}, today, config) == {}
    stale = compute_flags({"risk_assessment_date": "2027-02-27"}, today, config)
    assert stale["risk_assessment_stale"] == {"months_old": 1}


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY))
def test_an_assessment_is_stale_exactly_when_it_predates_the_same_day_a_year_ago(
    assessed: date,
) -> None:
    # TODAY is 30 November, which exists in every year, so "a year ago" is unambiguous here.
    year_ago = TODAY.replace(year=TODAY.year - 1)
    result = compute_flags({"risk_assessment_date": assessed.isoformat()}, TODAY, CONFIG)
    assert ("risk_assessment_stale" in result) is (assessed < year_ago)
    if assessed < year_ago:
        months = (TODAY.year - assessed.year) * 12 + TODAY.month - assessed.month
        months -= TODAY.day < assessed.day
        assert result["risk_assessment_stale"] == {"months_old": months}


@pytest.mark.parametrize("ownership", ["third_party", "shared", "employer"])
def test_a_device_not_solely_the_persons_is_flagged_with_its_ownership(ownership: str) -> None:
    assert flags(device_ownership=ownership)["device_not_solely_owned"] == {"ownership": ownership}


def test_ownership_not_yet_answered_is_not_flagged() -> None:
    answers = {k: v for k, v in CLEAN.items() if k != "device_ownership"}
    assert compute_flags(answers, TODAY, CONFIG) == {}


def test_an_order_without_a_monitoring_clause_is_flagged() -> None:
    assert flags(order_monitoring_clause=False)["order_lacks_monitoring_clause"] is True


def test_the_monitoring_clause_only_counts_for_the_order_basis() -> None:
    assert flags(order_monitoring_clause=False, legal_basis="licence") == {}


def test_notification_on_the_last_day_of_the_period_is_in_time() -> None:
    # acquired 1 March with 3 days: the period begins with 1 March, so 3 March is the last day
    assert "late_notification" not in flags(date_notified="2026-03-03")


@pytest.mark.parametrize(("notified", "days_late"), [("2026-03-04", 1), ("2026-03-10", 7)])
def test_notification_after_the_deadline_is_flagged_with_the_days_late(
    notified: str, days_late: int
) -> None:
    late = flags(date_notified=notified)["late_notification"]
    assert late == {
        "days_late": days_late,
        "deadline": "2026-03-03",
        "rule": "3 days beginning with 1 March",
    }


def test_a_one_day_period_ends_on_the_day_of_acquisition() -> None:
    late = flags(order_notify_days=1, date_notified="2026-03-02")["late_notification"]
    assert late == {
        "days_late": 1,
        "deadline": "2026-03-01",
        "rule": "1 day beginning with 1 March",
    }


@pytest.mark.parametrize("basis", ["licence", "voluntary"])
def test_late_notification_is_only_flagged_for_the_order_basis(basis: str) -> None:
    assert flags(date_notified="2026-11-01", legal_basis=basis) == {}


def test_late_notification_needs_the_notify_days_answered() -> None:
    answers = {k: v for k, v in CLEAN.items() if k != "order_notify_days"}
    assert compute_flags({**answers, "date_notified": "2026-11-01"}, TODAY, CONFIG) == {}


@given(
    acquired=st.dates(min_value=date(2020, 1, 1), max_value=TODAY),
    delay=st.integers(min_value=0, max_value=400),
    notify_days=st.integers(min_value=1, max_value=28),
)
def test_days_late_counts_from_the_last_day_of_the_period(
    acquired: date, delay: int, notify_days: int
) -> None:
    notified = acquired + timedelta(days=delay)
    result = flags(
        date_acquired=acquired.isoformat(),
        date_notified=notified.isoformat(),
        order_notify_days=notify_days,
    )
    # day 1 is the day of acquisition, so day `notify_days` is the last one in time
    days_late = delay + 1 - notify_days
    if days_late > 0:
        last_day = acquired + timedelta(days=notify_days - 1)
        late = result["late_notification"]
        assert (late["days_late"], late["deadline"]) == (days_late, last_day.isoformat())
    else:
        assert "late_notification" not in result


def test_every_flag_at_once_is_json_serialisable() -> None:
    result = flags(
        risk_assessment_date="2020-01-01",
        device_ownership="shared",
        order_monitoring_clause=False,
        date_notified="2026-04-01",
    )
    assert set(result) == {
        "risk_assessment_stale",
        "device_not_solely_owned",
        "order_lacks_monitoring_clause",
        "late_notification",
    }
    assert json.loads(json.dumps(result)) == result


def test_counting_after_the_day_gives_one_more_day() -> None:
    after = FlowConfig(notification_counting="after")
    answers = {**CLEAN, "date_notified": "2026-03-04"}
    assert "late_notification" not in compute_flags(answers, TODAY, after)
    late = compute_flags({**CLEAN, "date_notified": "2026-03-05"}, TODAY, after)
    assert late["late_notification"] == {
        "days_late": 1,
        "deadline": "2026-03-04",
        "rule": "3 days after 1 March",
    }


def test_an_unknown_counting_rule_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="beginning_with or after"):
        FlowConfig(notification_counting="within")


def test_other_users_not_told_of_monitoring_are_flagged_only_when_others_use_it() -> None:
    assert (
        flags(device_ownership="shared", other_users_informed=False)["other_users_not_informed"]
        is True
    )
    assert "other_users_not_informed" not in flags(
        device_ownership="shared", other_users_informed=True
    )
    assert "other_users_not_informed" not in flags(other_users_informed=False)


def test_consent_not_informed_is_flagged_on_the_voluntary_basis() -> None:
    voluntary = {"legal_basis": "voluntary", "consent_informed": False}
    assert compute_flags(voluntary, TODAY, CONFIG) == {"consent_not_informed": True}
    assert compute_flags({**voluntary, "consent_informed": True}, TODAY, CONFIG) == {}
    assert "consent_not_informed" not in flags(consent_informed=False)


@pytest.mark.parametrize(
    ("key", "detail", "words"),
    [
        (
            "late_notification",
            {"days_late": 2, "deadline": "2026-11-22", "rule": "3 days beginning with 20 November"},
            "The person notified police of the device late: 2 days after the deadline, by 22 "
            "November 2026 (3 days beginning with 20 November).",
        ),
        (
            "risk_assessment_stale",
            {"months_old": 13},
            "The latest risk assessment is older than the force's limit: it is 13 months old.",
        ),
        (
            "device_not_solely_owned",
            {"ownership": "shared"},
            "The device is not solely the person's, so others' privacy is affected: shared with "
            "others.",
        ),
        (
            "order_lacks_monitoring_clause",
            True,
            "The order has no clause allowing monitoring software.",
        ),
        (
            "other_users_not_informed",
            True,
            "The device's other users have not been told it will be monitored.",
        ),
        (
            "consent_not_informed",
            True,
            "The person was not told what is monitored and that they can withdraw consent.",
        ),
        (
            "possible_duplicate",
            {"request_id": "MR-12"},
            "Possible duplicate: another pending request is for the same device: MR-12.",
        ),
        ("some_new_flag", True, "Some new flag."),
    ],
)
def test_every_flag_reads_as_words_with_its_facts(key: str, detail: Any, words: str) -> None:
    assert describe_flag(key, detail) == words
    assert key not in describe_flag(key, detail)


def test_every_computed_flag_has_words() -> None:
    every = flags(
        risk_assessment_date="2020-01-01",
        device_ownership="shared",
        other_users_informed=False,
        order_monitoring_clause=False,
        date_notified="2026-04-01",
    )
    assert set(every) <= set(FLAG_WORDS)
    assert describe_flags(every) == [describe_flag(k, v) for k, v in every.items()]
