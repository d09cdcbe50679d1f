"""The field catalogue: keys and order, branches, each field's rules, and stored values."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.catalogue import build_catalogue
from flows.config import FlowConfig, SoftwareOption
from flows.field_rules import UNKNOWN_SPELLINGS
from flows.fields import Accepted, Field, FieldKind, ParseContext, Rejected, validate
from flows.parsers import choice_key

TODAY = date(2026, 11, 30)
CONFIG = FlowConfig()
CATALOGUE = build_catalogue(CONFIG)

COMMON_BEFORE_BASIS = ["visor_ref", "pnc_id", "legal_basis"]
ORDER_KEYS = [
    "order_type",
    "order_reference",
    "order_court",
    "order_date",
    "order_expiry",
    "order_notify_days",
    "order_monitoring_clause",
]
LICENCE_KEYS = [
    "licence_expiry",
    "probation_practitioner",
    "probation_crn",
    "probation_request_date",
    "licence_condition",
]
VOLUNTARY_KEYS = [
    "consent_obtained",
    "consent_informed",
    "consent_date",
    "consent_reference",
    "consent_witness",
]
#: an order's notification duty: asked with the device, only on an order
ORDER_NOTIFICATION_KEYS = ["date_acquired", "date_notified"]
COMMON_AFTER_BASIS = [
    "mappa_category",
    "mappa_level",
    "rosh_level",
    "risk_assessment_date",
    "device_type",
    "device_make_model",
    "device_os",
    "device_imei",
    "device_serial",
    "device_ownership",
    "other_users",
    "other_users_informed",
    *ORDER_NOTIFICATION_KEYS,
    "monitoring_software",
    "proposed_install_date",
    "necessity",
    "rmp_reference",
    "notes",
]

#: a complete set of answers for the order basis, as stored
ANSWERS: dict[str, Any] = {
    "visor_ref": "NOM/1234567",
    "pnc_id": None,
    "mappa_category": "1",
    "mappa_level": "2",
    "rosh_level": "high",
    "risk_assessment_date": "2026-06-01",
    "device_type": "phone",
    "device_make_model": "Samsung Galaxy A15",
    "device_os": "Android 14",
    "device_imei": ["352099001761481"],
    "device_ownership": "subject",
    "date_acquired": "2026-03-01",
    "date_notified": "2026-03-02",
    "legal_basis": "order",
    "order_type": "shpo",
    "order_reference": "T20257012",
    "order_court": "Leeds Crown Court",
    "order_date": "2025-03-01",
    "order_expiry": "indefinite",
    "order_notify_days": 3,
    "order_monitoring_clause": True,
    "monitoring_software": "esafe",
    "proposed_install_date": "2026-12-01",
    "necessity": "Recent ARMS shows increased risk online; monitoring is the least intrusive step.",
    "rmp_reference": None,
    "notes": None,
}


def ctx(**changes: Any) -> ParseContext:
    return ParseContext(today=TODAY, answers={**ANSWERS, **changes}, config=CONFIG)


def parse(key: str, text: str, **changes: Any) -> Any:
    return CATALOGUE.get(key).parse(text, ctx(**changes))


def refusal(key: str, text: str, **changes: Any) -> str:
    result = validate(CATALOGUE.get(key), text, ctx(**changes))
    assert isinstance(result, Rejected), f"{key} accepted {text!r}"
    return result.message


def luhn_imei(body: str) -> str:
    """An IMEI from 14 digits: Luhn, doubling every second digit from the right of the result."""
    digits = [int(d) for d in body]
    total = sum(d if i % 2 == 0 else (d * 2) // 10 + (d * 2) % 10 for i, d in enumerate(digits))
    return body + str((10 - total % 10) % 10)


def pnc_id(year: int, serial: int) -> str:
    letter = "ZABCDEFGHJKLMNPQRTUVWXY"[int(f"{year % 100:02d}{serial:07d}") % 23]
    return f"{year}/{serial:07d}{letter}"


# --- shape ------------------------------------------------------------------------------------


def test_the_fields_are_the_issues_keys_in_the_issues_order() -> None:
    expected = COMMON_BEFORE_BASIS + ORDER_KEYS + LICENCE_KEYS + VOLUNTARY_KEYS + COMMON_AFTER_BASIS
    assert [f.key for f in CATALOGUE] == expected


def test_only_the_pnc_id_witness_rmp_and_notes_are_optional() -> None:
    assert {f.key for f in CATALOGUE if f.optional} == {
        "pnc_id",
        "consent_witness",
        "rmp_reference",
        "notes",
    }


@pytest.mark.parametrize("field", list(CATALOGUE), ids=lambda f: f.key)
def test_every_field_has_a_short_label_a_prompt_and_help_with_an_example(field: Field) -> None:
    assert 0 < len(field.label) <= 75
    assert field.prompt.strip() and field.example.strip()
    assert "example" in field.help.lower()
    for option in field.options:
        assert 0 < len(option.label) <= 75


@pytest.mark.parametrize("field", list(CATALOGUE), ids=lambda f: f.key)
def test_every_fields_own_example_is_accepted(field: Field) -> None:
    changes: dict[str, Any] = {"date_acquired": "2026-01-01"}
    if field.key == "device_serial":
        changes["device_type"] = "laptop"
    assert isinstance(validate(field, field.example, ctx(**changes)), Accepted)


@pytest.mark.parametrize(
    ("basis", "keys"),
    [
        ("order", ORDER_KEYS + ORDER_NOTIFICATION_KEYS),
        ("licence", LICENCE_KEYS),
        ("voluntary", VOLUNTARY_KEYS),
    ],
)
def test_each_legal_basis_asks_its_own_branch_and_no_other(basis: str, keys: list[str]) -> None:
    applicable = [f.key for f in CATALOGUE.applicable({**ANSWERS, "legal_basis": basis})]
    branch_keys = set(ORDER_KEYS + LICENCE_KEYS + VOLUNTARY_KEYS + ORDER_NOTIFICATION_KEYS)
    assert [k for k in applicable if k in branch_keys] == keys
    assert all(CATALOGUE.get(k).branch == basis for k in keys)


def test_no_branch_applies_before_the_legal_basis_is_answered() -> None:
    applicable = {f.key for f in CATALOGUE.applicable({})}
    assert applicable.isdisjoint(ORDER_KEYS + LICENCE_KEYS + VOLUNTARY_KEYS)
    assert applicable.isdisjoint(ORDER_NOTIFICATION_KEYS)
    common = [k for k in COMMON_BEFORE_BASIS + COMMON_AFTER_BASIS]
    assert [k for k in common if CATALOGUE.get(k).branch] == ORDER_NOTIFICATION_KEYS
    assert {CATALOGUE.get(k).branch for k in ORDER_NOTIFICATION_KEYS} == {"order"}


def test_the_notification_dates_are_asked_on_an_order_only() -> None:
    for basis in ("licence", "voluntary"):
        applicable = {f.key for f in CATALOGUE.applicable({**ANSWERS, "legal_basis": basis})}
        assert applicable.isdisjoint(ORDER_NOTIFICATION_KEYS)
    assert "first possess or first use" in CATALOGUE.get("date_acquired").prompt


@pytest.mark.parametrize(
    ("answers", "imei", "serial"),
    [
        ({}, False, False),
        ({"device_type": "phone"}, True, False),
        ({"device_type": "phone", "device_imei": ["352099001761481"]}, True, False),
        ({"device_type": "tablet"}, True, False),
        ({"device_type": "tablet", "device_imei": ["352099001761481"]}, True, False),
        ({"device_type": "tablet", "device_imei": []}, True, True),
        ({"device_type": "laptop"}, False, True),
        ({"device_type": "games_console", "device_imei": ["352099001761481"]}, False, True),
    ],
)
def test_the_imei_is_asked_for_phones_and_tablets_and_the_serial_when_there_is_none(
    answers: dict[str, Any], imei: bool, serial: bool
) -> None:
    assert CATALOGUE.get("device_imei").applies(answers) is imei
    assert CATALOGUE.get("device_serial").applies(answers) is serial


# --- each field -------------------------------------------------------------------------------


def test_the_visor_ref_is_trimmed_and_upper_cased() -> None:
    assert parse("visor_ref", "  nom/1234567 ") == "NOM/1234567"


@pytest.mark.parametrize("text", ["", "AB1", "-NOM1234", "NOM 1234", "N" * 21])
def test_a_visor_ref_outside_the_force_format_is_refused_with_an_example(text: str) -> None:
    message = refusal("visor_ref", text)
    assert "ViSOR/MAPPS nominal reference in this force's format" in message
    assert "NOM/1234567" in message


def test_the_visor_format_comes_from_the_force_configuration() -> None:
    catalogue = build_catalogue(FlowConfig(visor_pattern=r"^VS[0-9]{6}$"))
    field = catalogue.get("visor_ref")
    config_ctx = ParseContext(TODAY, {}, FlowConfig(visor_pattern=r"^VS[0-9]{6}$"))
    assert field.parse("vs123456", config_ctx) == "VS123456"
    message = validate(field, "NOM/1234567", config_ctx)
    assert isinstance(message, Rejected)
    # the default example does not fit this force's format, so it is not offered
    assert "NOM/1234567" not in message.message
    assert "NOM/1234567" not in field.example


def test_the_pnc_id_is_normalised_and_may_be_skipped() -> None:
    valid = pnc_id(2012, 1234)
    assert parse("pnc_id", valid.replace("/0001", "/1").lower()) == valid
    assert parse("pnc_id", " Skip ") is None
    assert "check letter does not match" in refusal("pnc_id", valid[:-1] + "A")


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("mappa_category", "2", "2"),
        ("mappa_category", "category 4: terrorist and terrorist risk offenders", "4"),
        ("mappa_level", "3", "3"),
        ("rosh_level", "very high", "very_high"),
        ("rosh_level", "VERY_HIGH", "very_high"),
        ("rosh_level", "4", "very_high"),
        ("device_type", "games console", "games_console"),
        ("device_type", "Smart TV", "smart_tv"),
        ("device_type", "desktop computer", "desktop"),
        ("device_ownership", "third party", "third_party"),
        ("device_ownership", "2", "third_party"),
        ("device_ownership", "Shared", "shared"),
        ("legal_basis", "Licence", "licence"),
        ("legal_basis", "3", "voluntary"),
        ("order_type", "SHPO", "shpo"),
        ("order_type", "interim shpo", "interim_shpo"),
        ("order_type", "sexual risk order (sro)", "sro"),
        ("order_type", "5", "sopo"),
        ("monitoring_software", "eSafe", "esafe"),
        ("monitoring_software", "2", "other"),
    ],
)
def test_a_choice_is_stored_as_its_option_value(key: str, text: str, value: str) -> None:
    assert parse(key, text) == value


@pytest.mark.parametrize(
    ("key", "listed"),
    [
        ("mappa_category", "4. Category 4: terrorist and terrorist risk offenders"),
        ("rosh_level", "4. Very high"),
        ("device_type", "5. Games console"),
        ("order_type", "1. Sexual Harm Prevention Order (SHPO)"),
        ("order_type", "5. Sexual Offences Prevention Order (SOPO)"),
        ("monitoring_software", "1. eSafe"),
    ],
)
def test_an_unknown_choice_lists_the_numbered_options(key: str, listed: str) -> None:
    assert listed in refusal(key, "99")


def test_the_monitoring_products_come_from_the_force_configuration() -> None:
    products = (SoftwareOption("guardian", "Guardian Pro"), SoftwareOption("esafe", "eSafe"))
    field = build_catalogue(FlowConfig(software=products)).get("monitoring_software")
    assert [o.value for o in field.options] == ["guardian", "esafe"]
    assert field.parse("guardian pro", ctx()) == "guardian"


def test_a_configured_product_label_too_long_for_a_button_fails_at_start_up() -> None:
    with pytest.raises(ValueError, match="75"):
        build_catalogue(FlowConfig(software=(SoftwareOption("x", "X" * 76),)))


def test_configured_products_that_cannot_be_told_apart_fail_at_start_up() -> None:
    products = (SoftwareOption("e_safe", "A"), SoftwareOption("E Safe", "B"))
    with pytest.raises(ValueError, match="same value"):
        build_catalogue(FlowConfig(software=products))


@pytest.mark.parametrize(
    "key",
    [
        "risk_assessment_date",
        "date_acquired",
        "date_notified",
        "order_date",
        "probation_request_date",
        "consent_date",
    ],
)
def test_a_date_that_must_have_happened_is_stored_as_iso_and_refused_in_the_future(
    key: str,
) -> None:
    changes = {"date_acquired": "2026-01-01"}
    assert parse(key, "today", **changes) == "2026-11-30"
    assert parse(key, "1 Mar 2026", **changes) == "2026-03-01"
    message = refusal(key, "tomorrow", **changes)
    assert "cannot be in the future" in message
    assert "1 December 2026" in message


def test_the_notification_date_cannot_be_before_the_acquisition_date() -> None:
    message = refusal("date_notified", "28/02/2026", date_acquired="2026-03-01")
    assert "before the date the device was acquired (1 March 2026)" in message
    assert parse("date_notified", "01/03/2026", date_acquired="2026-03-01") == "2026-03-01"


def test_an_order_expiring_after_today_or_indefinite_is_accepted() -> None:
    assert parse("order_expiry", "01/12/2026") == "2026-12-01"
    assert parse("order_expiry", " Indefinite ") == "indefinite"


@pytest.mark.parametrize("text", ["today", "yesterday", "01/03/2020"])
def test_an_order_that_has_expired_is_refused_as_a_basis(text: str) -> None:
    message = refusal("order_expiry", text)
    assert "an order that has expired cannot be the basis" in message
    assert "indefinite" in message


def test_an_unreadable_order_expiry_mentions_indefinite() -> None:
    message = refusal("order_expiry", "never")
    assert "not recognised as a date" in message
    assert "type indefinite" in message


def test_a_licence_that_has_expired_is_refused_as_a_basis() -> None:
    assert "a licence that has expired" in refusal("licence_expiry", "today")
    assert parse("licence_expiry", "2027-01-31") == "2027-01-31"


def test_the_proposed_install_date_is_from_today_to_the_configured_days_ahead() -> None:
    assert parse("proposed_install_date", "today") == "2026-11-30"
    assert parse("proposed_install_date", "28/02/2027") == "2027-02-28"  # 90 days ahead
    assert "more than 90 days ahead" in refusal("proposed_install_date", "01/03/2027")
    assert "in the past" in refusal("proposed_install_date", "yesterday")
    short = build_catalogue(FlowConfig(max_install_days_ahead=30)).get("proposed_install_date")
    assert isinstance(validate(short, "31/12/2026", ctx()), Rejected)


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("device_make_model", 2, 100),
        ("device_os", 2, 60),
        ("order_reference", 2, 60),
        ("order_court", 2, 100),
        ("licence_condition", 10, 2000),
        ("probation_practitioner", 2, 100),
        ("consent_reference", 2, 60),
        ("notes", 1, 2000),
    ],
)
def test_text_fields_keep_to_their_length_limits(key: str, low: int, high: int) -> None:
    assert parse(key, " " + "x" * low + " ") == "x" * low
    assert parse(key, "y" * high) == "y" * high
    assert f"that answer has {high + 1}" in refusal(key, "z" * (high + 1))
    if low > 1:
        assert f"between {low} and {high} characters; that answer has {low - 1}" in refusal(
            key, "w" * (low - 1)
        )


def test_notes_keep_their_lines_and_may_be_skipped() -> None:
    assert parse("notes", "first\nsecond") == "first\nsecond"
    assert parse("notes", "skip") is None


def test_a_phone_needs_an_imei_but_a_tablet_may_have_none() -> None:
    assert parse("device_imei", "none", device_type="tablet") == []
    assert "A phone always has an IMEI" in refusal("device_imei", "none", device_type="phone")
    assert parse("device_imei", "35-209900-176148-1", device_type="phone") == ["352099001761481"]


def test_a_dual_sim_phone_stores_both_imeis_and_a_bad_one_is_named() -> None:
    rng = random.Random(7)
    first, second = (luhn_imei("".join(rng.choices("0123456789", k=14))) for _ in range(2))
    assert parse("device_imei", f"{first} {second}") == [first, second]
    broken = second[:-1] + str((int(second[-1]) + 5) % 10)
    assert "The 2nd IMEI" in refusal("device_imei", f"{first}, {broken}")


def test_the_serial_number_is_upper_cased() -> None:
    assert parse("device_serial", " r58m-12ab ", device_type="laptop") == "R58M-12AB"
    assert "4 to 30 characters" in refusal("device_serial", "AB", device_type="laptop")


def test_the_notify_days_default_comes_from_the_configuration() -> None:
    assert parse("order_notify_days", "default") == 3
    assert parse("order_notify_days", "28") == 28
    field = build_catalogue(FlowConfig(default_notify_days=7)).get("order_notify_days")
    assert field.parse("Default", ctx()) == 7
    assert "from 1 to 28, or default for 3" in refusal("order_notify_days", "29")


def test_an_order_without_a_monitoring_clause_is_allowed() -> None:
    assert parse("order_monitoring_clause", "n") is False
    assert parse("order_monitoring_clause", "Y") is True


def test_a_voluntary_installation_without_written_consent_is_refused_with_the_way_out() -> None:
    assert parse("consent_obtained", "yes") is True
    message = refusal("consent_obtained", "no")
    assert "needs the person's written consent" in message
    assert "back" in message
    assert "cancel" in message


def test_the_declaration_is_no_longer_a_question() -> None:
    assert "information_reviewed" not in CATALOGUE


# --- stored values: JSON, round trip, and no exception for any text -----------------------------


def dates(low: date, high: date) -> st.SearchStrategy[str]:
    return st.dates(min_value=low, max_value=high).map(date.isoformat)


PAST = dates(date(1900, 1, 1), TODAY)
FUTURE = dates(TODAY + timedelta(days=1), date(2199, 12, 31))
IMEI = st.text("0123456789", min_size=14, max_size=14).map(luhn_imei)
PNC = st.builds(pnc_id, st.integers(1900, TODAY.year), st.integers(0, 9_999_999))


def single_line(low: int, high: int) -> st.SearchStrategy[str]:
    return (
        st.text(min_size=low, max_size=high)
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: low <= len(s) <= high and s.isprintable())
    )


def NOT_SKIP(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Optional text: the word skip (in Welsh hepgor) is the command, never a stored answer."""
    return text.filter(lambda s: s.strip().lower() not in ("skip", "hepgor"))


STORED: dict[str, st.SearchStrategy[Any]] = {
    "visor_ref": st.from_regex(r"[A-Z0-9][A-Z0-9/-]{3,19}", fullmatch=True),
    "pnc_id": st.none() | PNC,
    "risk_assessment_date": PAST,
    "device_make_model": single_line(2, 100),
    "device_os": st.just("unknown")
    | single_line(2, 60).filter(lambda s: choice_key(s) not in UNKNOWN_SPELLINGS),
    "device_imei": st.lists(IMEI, min_size=1, max_size=4, unique=True),
    "device_serial": st.from_regex(r"[A-Z0-9-]{4,30}", fullmatch=True),
    "date_acquired": PAST,
    "date_notified": dates(date(2026, 3, 1), TODAY),
    "order_reference": single_line(2, 60),
    "order_court": single_line(2, 100),
    "order_date": PAST,
    "order_expiry": st.just("indefinite") | FUTURE,
    "order_notify_days": st.integers(1, 28),
    "order_monitoring_clause": st.booleans(),
    "licence_condition": single_line(10, 2000),
    "licence_expiry": FUTURE,
    "probation_practitioner": single_line(2, 100),
    "probation_request_date": PAST,
    "consent_obtained": st.just(True),
    "consent_date": PAST,
    "consent_reference": single_line(2, 60),
    "proposed_install_date": dates(TODAY, TODAY + timedelta(days=90)),
    "necessity": single_line(20, 1000),
    "rmp_reference": st.none() | NOT_SKIP(single_line(2, 60)),
    "other_users": single_line(2, 300),
    "other_users_informed": st.booleans(),
    "consent_informed": st.booleans(),
    "consent_witness": st.none() | NOT_SKIP(single_line(2, 100)),
    "probation_crn": st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True),
    "notes": st.none() | NOT_SKIP(single_line(1, 2000)),
}


def context_for(field: Field) -> ParseContext:
    return ctx(device_type="laptop") if field.key == "device_serial" else ctx()


def test_skip_and_none_are_not_stored_as_text() -> None:
    assert parse("rmp_reference", "skip") is None
    assert parse("consent_witness", "SKIP") is None


def test_every_field_has_a_stored_value_strategy() -> None:
    choices = {f.key for f in CATALOGUE if f.kind is FieldKind.CHOICE}
    assert set(STORED) | choices == {f.key for f in CATALOGUE}


@pytest.mark.parametrize("field", list(CATALOGUE), ids=lambda f: f.key)
@given(data=st.data())
def test_every_stored_value_is_json_and_its_text_parses_back_to_it(
    field: Field, data: st.DataObject
) -> None:
    if field.options:
        value = data.draw(st.sampled_from([o.value for o in field.options]))
    else:
        value = data.draw(STORED[field.key])
    assert json.loads(json.dumps(value)) == value
    assert field.parse(field.as_text(value), context_for(field)) == value


def test_a_tablet_without_an_imei_round_trips_as_none() -> None:
    field = CATALOGUE.get("device_imei")
    assert field.parse(field.as_text([]), ctx(device_type="tablet")) == []


#: text that looks like answers, so the property below reaches the accepting paths as well
NEAR_MISSES = st.one_of(
    st.text(),
    st.text("0123456789/-.,; \nabcdefghijklmnopqrstuvwxyzYNZ", max_size=40),
    st.sampled_from(
        ["today", "yesterday", "tomorrow", "none", "skip", "default", "indefinite", "yes", "n"]
    ),
    st.builds(lambda d: f"{d.day}/{d.month}/{d.year}", st.dates()),
    IMEI,
    PNC,
)


@pytest.mark.parametrize(
    ("field", "device_type"),
    [(f, "phone") for f in CATALOGUE] + [(CATALOGUE.get("device_imei"), "tablet")],
    ids=lambda p: p.key if isinstance(p, Field) else p,
)
@given(text=NEAR_MISSES)
def test_any_text_yields_a_stored_value_or_a_message_never_an_exception(
    field: Field, device_type: str, text: str
) -> None:
    context = ctx(device_type=device_type)
    result = validate(field, text, context)
    if isinstance(result, Rejected):
        assert result.message.strip()
        return
    assert json.loads(json.dumps(result.value)) == result.value
    assert field.parse(field.as_text(result.value), context) == result.value
