"""What officers type on a phone: synonyms declared with each field, relative dates, CRNs, an
unknown operating system, and the question count that stays put once the basis is known."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flows import parsers
from flows.catalogue import build_catalogue
from flows.config import FlowConfig, SoftwareOption
from flows.errors import InvalidAnswer
from flows.field_rules import check_options, parse_yes_no
from flows.fields import Option, ParseContext, Rejected, validate

TODAY = date(2026, 11, 30)
CONFIG = FlowConfig()
CATALOGUE = build_catalogue(CONFIG)


def parse(key: str, text: str, **answers: Any) -> Any:
    return CATALOGUE.get(key).parse(text, ParseContext(TODAY, answers, CONFIG))


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("device_type", "mobile", "phone"),
        ("device_type", "Smartphone", "phone"),
        ("device_type", "mobile phone", "phone"),
        ("device_type", "iPad", "tablet"),
        ("device_type", "PC", "desktop"),
        ("device_type", "xbox", "games_console"),
        ("mappa_level", "level two", "2"),
        ("mappa_level", "L2", "2"),
        ("mappa_level", "2", "2"),
        ("mappa_level", "Level 3", "3"),
        ("mappa_level", "lvl 1", "1"),
        ("mappa_category", "cat 1", "1"),
        ("mappa_category", "category two", "2"),
        ("rosh_level", "v high", "very_high"),
        ("rosh_level", "V. High", "very_high"),
        ("rosh_level", "very-high", "very_high"),
        ("rosh_level", "med", "medium"),
        ("rosh_level", "2", "medium"),
        ("legal_basis", "SHPO", "order"),
        ("legal_basis", "license", "licence"),
        ("legal_basis", "consent", "voluntary"),
        ("device_ownership", "shared", "shared"),
        ("device_ownership", "work", "employer"),
    ],
)
def test_a_choice_understands_its_declared_synonyms(key: str, typed: str, stored: str) -> None:
    assert parse(key, typed) == stored


@pytest.mark.parametrize("typed", ["y", "Yes", "yeah", "Yep", "yes.", "YES!", "aye"])
def test_yes_is_understood_however_it_is_typed(typed: str) -> None:
    assert parse_yes_no(typed) is True
    assert parse("order_monitoring_clause", typed) is True


@pytest.mark.parametrize("typed", ["n", "No", "nope", "nah", "no."])
def test_no_is_understood_however_it_is_typed(typed: str) -> None:
    assert parse_yes_no(typed) is False
    assert parse("other_users_informed", typed, device_ownership="shared") is False


@pytest.mark.parametrize("typed", ["1", "2", "maybe", "yes no", ""])
def test_a_yes_no_question_never_takes_a_number_or_a_guess(typed: str) -> None:
    with pytest.raises(InvalidAnswer, match="yes or no"):
        parse_yes_no(typed)


def test_an_unknown_synonym_is_refused_listing_the_options() -> None:
    result = validate(CATALOGUE.get("device_type"), "toaster", ParseContext(TODAY, {}, CONFIG))
    assert isinstance(result, Rejected) and "1. Phone" in result.message


def test_a_synonym_that_would_match_two_options_is_a_start_up_error() -> None:
    with pytest.raises(ValueError, match="same value or spelling"):
        check_options("x", (Option("a", "A", ("both",)), Option("b", "B", ("both",))))
    with pytest.raises(ValueError, match="number"):
        check_options("x", (Option("a", "A", ("2",)), Option("b", "B")))


def test_software_configured_by_the_force_is_still_chosen_by_number_or_name() -> None:
    catalogue = build_catalogue(FlowConfig(software=(SoftwareOption("cov", "Covenant Eyes"),)))
    field = catalogue.get("monitoring_software")
    assert field.parse("covenant eyes", ParseContext(TODAY, {}, CONFIG)) == "cov"
    assert field.parse("1", ParseContext(TODAY, {}, CONFIG)) == "cov"


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("today", date(2026, 11, 30)),
        ("Yesterday", date(2026, 11, 29)),
        ("3 days ago", date(2026, 11, 27)),
        ("1 day ago", date(2026, 11, 29)),
        ("a day ago", date(2026, 11, 29)),
        ("two days ago", date(2026, 11, 28)),
        ("  10   days  ago ", date(2026, 11, 20)),
        ("0 days ago", date(2026, 11, 30)),
    ],
)
def test_dates_accept_today_yesterday_and_n_days_ago(typed: str, day: date) -> None:
    assert parsers.parse_date(typed, TODAY) == day


def test_days_ago_too_far_back_asks_for_the_date() -> None:
    with pytest.raises(InvalidAnswer, match="too far back"):
        parsers.parse_date("1000 days ago", TODAY)


def test_a_relative_date_still_passes_the_fields_rules() -> None:
    assert parse("risk_assessment_date", "3 days ago") == "2026-11-27"
    assert parse("date_notified", "2 days ago", date_acquired="2026-11-20") == "2026-11-28"
    result = validate(
        CATALOGUE.get("date_notified"),
        "20 days ago",
        ParseContext(TODAY, {"date_acquired": "2026-11-20"}, CONFIG),
    )
    assert isinstance(result, Rejected) and "before the date the device was acquired" in (
        result.message
    )


@pytest.mark.parametrize(("typed", "stored"), [("x123456", "X123456"), (" X 123456 ", "X123456")])
def test_a_probation_crn_is_one_letter_and_six_digits_upper_cased(typed: str, stored: str) -> None:
    assert parse("probation_crn", typed, legal_basis="licence") == stored


@pytest.mark.parametrize("typed", ["123456", "XX123456", "X12345", "X1234567", "Ä123456", ""])
def test_anything_else_is_not_a_crn(typed: str) -> None:
    with pytest.raises(InvalidAnswer, match="one letter and six digits, for example X123456"):
        parsers.parse_crn(typed)


@pytest.mark.parametrize("typed", ["unknown", "Unknown", "not known", "don't know", "don’t know"])
def test_the_operating_system_may_be_unknown(typed: str) -> None:
    assert parse("device_os", typed) == "unknown"
    assert parse("device_os", "Android 14") == "Android 14"


def test_necessity_needs_twenty_to_a_thousand_characters() -> None:
    field = CATALOGUE.get("necessity")
    ctx = ParseContext(TODAY, {}, CONFIG)
    assert isinstance(validate(field, "Too short", ctx), Rejected)
    assert isinstance(validate(field, "x" * 1001, ctx), Rejected)
    assert field.parse("x" * 20, ctx) == "x" * 20
    assert not field.optional and field.multiline
    assert "20 to 1000 characters" in field.help


@pytest.mark.parametrize(
    ("key", "shown_when"),
    [
        ("other_users", {"device_ownership": "shared"}),
        ("other_users_informed", {"device_ownership": "employer"}),
    ],
)
def test_other_users_are_asked_only_when_the_person_is_not_the_sole_owner(
    key: str, shown_when: dict[str, str]
) -> None:
    field = CATALOGUE.get(key)
    assert field.applies(shown_when)
    assert not field.applies({"device_ownership": "subject"})
    assert not field.applies({})


@pytest.mark.parametrize(
    ("key", "basis"),
    [
        ("consent_informed", "voluntary"),
        ("consent_witness", "voluntary"),
        ("probation_crn", "licence"),
        ("date_acquired", "order"),
    ],
)
def test_applies_derives_from_the_branch(key: str, basis: str) -> None:
    field = CATALOGUE.get(key)
    assert field.branch == basis
    for other in ("order", "licence", "voluntary"):
        assert field.applies({"legal_basis": other}) is (other == basis)


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"device_type": "tablet", "device_imei": []},
        {"device_type": "laptop", "device_ownership": "shared"},
        {"device_type": "phone", "device_ownership": "subject"},
    ],
)
def test_the_question_count_never_changes_once_the_basis_is_known(
    basis: str, answers: dict[str, Any]
) -> None:
    fixed = len(CATALOGUE.slots({"legal_basis": basis}))
    assert len(CATALOGUE.slots({**answers, "legal_basis": basis})) == fixed
    assert len(CATALOGUE.slots({})) >= fixed


def test_each_section_is_known_and_in_order() -> None:
    order = ["person", "basis", "risk", "device", "software"]
    sections = [f.section for f in CATALOGUE]
    assert sorted(set(sections), key=order.index) == order
    assert sections == sorted(sections, key=order.index)
