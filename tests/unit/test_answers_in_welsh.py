"""Answers and commands typed in Welsh (issue 12): understood whatever the conversation's
language, and stored exactly as the English answer would be (values stay language-neutral)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from flows import parsers, words
from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig, SoftwareOption
from flows.conversation import Conversation
from flows.errors import InvalidAnswer
from flows.field_rules import YES_NO_OPTIONS, check_options, parse_yes_no
from flows.fields import FieldKind, ParseContext, Rejected, validate
from flows.models import MonitoringRequest
from flows.outputs import AnswerRejected, FieldHelp, Notice, Question, Summary, Withdrawn

TODAY = date(2026, 11, 30)
#: Monday 30 November 2026, 10:00 in London
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
CONFIG = FlowConfig()
CATALOGUE = build_catalogue(CONFIG)
OFFICER = "U0OFFICER"


def parse(key: str, text: str, **answers: Any) -> Any:
    return CATALOGUE.get(key).parse(text, ParseContext(TODAY, answers, CONFIG))


# --- yes and no --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["ie", "Ie", "IE", "ie.", "oes", "Oes!", "do", "Do", "ydy", "ydw", "ydyn", "cywir"]
)
def test_welsh_yes_is_yes(typed: str) -> None:
    assert parse_yes_no(typed) is True


@pytest.mark.parametrize(
    "typed",
    ["na", "Na", "NA", "nac oes", "Nac  oes", "naddo", "Naddo.", "nac ydy", "nac ydw", "nage"],
)
def test_welsh_no_is_no(typed: str) -> None:
    assert parse_yes_no(typed) is False


@pytest.mark.parametrize("typed", ["efallai", "nac", "ie na", "oes na"])
def test_a_welsh_word_that_is_neither_yes_nor_no_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAnswer):
        parse_yes_no(typed)


def test_no_welsh_spelling_of_yes_is_also_a_spelling_of_no() -> None:
    check_options("yes_no", YES_NO_OPTIONS)  # raises on a spelling shared by both


@pytest.mark.parametrize(
    "key", [f.key for f in CATALOGUE if f.kind == FieldKind.YES_NO and f.key != "consent_obtained"]
)
def test_every_yes_no_question_takes_ie_and_na(key: str) -> None:
    assert (parse(key, "ie"), parse(key, "na")) == (True, False)
    assert (parse(key, "Oes"), parse(key, "Naddo")) == (True, False)


def test_consent_needs_a_yes_in_welsh_too() -> None:
    assert parse("consent_obtained", "ie") is True
    result = validate(CATALOGUE.get("consent_obtained"), "nac oes", ParseContext(TODAY, {}, CONFIG))
    assert isinstance(result, Rejected)
    assert "written consent" in result.message


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # each month by its name, as officers type it: any case
        ("3 Ionawr 2026", date(2026, 1, 3)),
        ("14 chwefror 2026", date(2026, 2, 14)),
        ("3 MAWRTH 2026", date(2026, 3, 3)),
        ("15 Ebrill 2026", date(2026, 4, 15)),
        ("1 mai 2026", date(2026, 5, 1)),
        ("30 Mehefin 2026", date(2026, 6, 30)),
        ("4 GORFFENNAF 2026", date(2026, 7, 4)),
        ("31 awst 2026", date(2026, 8, 31)),
        ("9 Medi 2026", date(2026, 9, 9)),
        ("31 hydref 2025", date(2025, 10, 31)),
        ("11 Tachwedd 2026", date(2026, 11, 11)),
        ("25 RHAGFYR 2025", date(2025, 12, 25)),
        # with ordinals, mutated after "o", and abbreviated
        ("3 Mawrth 2026", date(2026, 3, 3)),
        ("3ydd Mawrth 2026", date(2026, 3, 3)),
        ("1af Ionawr 2026", date(2026, 1, 1)),
        ("2il Chwefror 2026", date(2026, 2, 2)),
        ("7fed Gorffennaf 2026", date(2026, 7, 7)),
        ("11eg Tachwedd 2026", date(2026, 11, 11)),
        ("21ain Rhagfyr 2025", date(2025, 12, 21)),
        ("3ydd o Fawrth 2026", date(2026, 3, 3)),
        ("1 o Fai 2026", date(2026, 5, 1)),
        ("9 o Fehefin 2026", date(2026, 6, 9)),
        ("4 o Orffennaf 2026", date(2026, 7, 4)),
        ("5 o Fedi 2026", date(2026, 9, 5)),
        ("6 o Dachwedd 2026", date(2026, 11, 6)),
        ("8 o Ragfyr 2025", date(2025, 12, 8)),
        ("3 Maw 2026", date(2026, 3, 3)),
        ("3 Ion. 2026", date(2026, 1, 3)),
        ("14 Chwef 2026", date(2026, 2, 14)),
        ("30 Meh 2026", date(2026, 6, 30)),
        ("1 Hyd 2026", date(2026, 10, 1)),
        ("25 Rhag 2025", date(2025, 12, 25)),
        ("3-Mawrth-2026", date(2026, 3, 3)),
    ],
)
def test_a_welsh_date_is_understood_by_month_name_ordinal_mutation_or_abbreviation(
    typed: str, expected: date
) -> None:
    assert parsers.parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "days_before"),
    [
        ("heddiw", 0),
        ("Heddiw", 0),
        ("ddoe", 1),
        ("DDOE", 1),
        ("echdoe", 2),
        ("yfory", -1),
        ("fory", -1),
        ("3 diwrnod yn ôl", 3),
        ("3 diwrnod yn ol", 3),
        ("10 Diwrnod Yn Ôl", 10),
        ("diwrnod yn ôl", 1),
        ("dau ddiwrnod yn ôl", 2),
        ("tri diwrnod yn ôl", 3),
        ("pum niwrnod yn ôl", 5),
        ("5 niwrnod yn ôl", 5),
        ("saith niwrnod yn ôl", 7),
        ("365 diwrnod yn ôl", 365),
    ],
)
def test_welsh_relative_dates_count_from_today(typed: str, days_before: int) -> None:
    assert parsers.parse_date(typed, TODAY) == TODAY - timedelta(days=days_before)


def test_too_many_days_ago_is_refused_in_welsh_as_in_english() -> None:
    with pytest.raises(InvalidAnswer):
        parsers.parse_date("1000 diwrnod yn ôl", TODAY)


def test_no_welsh_month_spelling_means_another_english_month() -> None:
    english = {name.lower(): i for i, name in enumerate(parsers.MONTH_NAMES, start=1)}
    english |= {name[:3].lower(): i for i, name in enumerate(parsers.MONTH_NAMES, start=1)}
    assert not set(english) & set(words.MONTHS_CY)


def test_a_welsh_date_answer_stores_what_the_english_one_does() -> None:
    for key in ("risk_assessment_date", "order_date"):
        assert parse(key, "1 Mawrth 2025") == parse(key, "1 March 2025") == "2025-03-01"
    assert parse("risk_assessment_date", "ddoe") == parse("risk_assessment_date", "yesterday")


def test_a_welsh_date_still_follows_the_fields_rules() -> None:
    field = CATALOGUE.get("risk_assessment_date")
    result = validate(field, "yfory", ParseContext(TODAY, {}, CONFIG))
    assert isinstance(result, Rejected)
    assert "cannot be in the future" in result.message


# --- choices -----------------------------------------------------------------------------------


def choice_fields() -> list[str]:
    return [f.key for f in CATALOGUE if f.kind == FieldKind.CHOICE]


#: proper names, the same in both languages (the force's configured products)
SAME_IN_BOTH = {("monitoring_software", "esafe")}


@pytest.mark.parametrize("key", choice_fields())
def test_every_option_of_every_choice_question_has_a_welsh_spelling(key: str) -> None:
    welsh = words.CHOICES_CY.get(key, {})
    missing = [
        option.value
        for option in CATALOGUE.get(key).options
        if not welsh.get(option.value) and (key, option.value) not in SAME_IN_BOTH
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("key", "value", "spelling"),
    [
        (key, value, spelling)
        for key, options in words.CHOICES_CY.items()
        if key != "yes_no"
        for value, spellings in options.items()
        for spelling in spellings
    ],
)
def test_each_welsh_spelling_stores_the_options_neutral_value(
    key: str, value: str, spelling: str
) -> None:
    assert parse(key, spelling) == value
    assert parse(key, spelling.upper()) == value


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("legal_basis", "gorchymyn llys", "order"),
        ("legal_basis", "Gorchymyn Llys", "order"),
        ("legal_basis", "amod trwydded", "licence"),
        ("legal_basis", "cydsyniad gwirfoddol", "voluntary"),
        ("legal_basis", "caniatad", "voluntary"),
        ("device_type", "ffôn", "phone"),
        ("device_type", "ffon", "phone"),
        ("device_type", "FFÔN SYMUDOL", "phone"),
        ("device_type", "gliniadur", "laptop"),
        ("device_type", "llechen", "tablet"),
        ("device_type", "teledu clyfar", "smart_tv"),
        ("device_type", "arall", "other"),
        ("mappa_category", "categori 2", "2"),
        ("mappa_category", "categori dau", "2"),
        ("mappa_level", "lefel 3", "3"),
        ("mappa_level", "Lefel un", "1"),
        ("rosh_level", "uchel iawn", "very_high"),
        ("rosh_level", "Uchel-iawn", "very_high"),
        ("rosh_level", "canolig", "medium"),
        ("rosh_level", "isel", "low"),
        ("device_ownership", "trydydd parti", "third_party"),
        ("device_ownership", "cyflogwr", "employer"),
        ("device_ownership", "wedi’i rhannu", "shared"),
        ("order_type", "gorchymyn risg rhywiol", "sro"),
        ("order_type", "dros dro", "interim_shpo"),
        ("monitoring_software", "arall", "other"),
    ],
)
def test_a_choice_typed_in_welsh_stores_the_english_value(
    key: str, typed: str, stored: str
) -> None:
    assert parse(key, typed) == stored


def test_welsh_spellings_are_added_to_a_forces_own_other_product() -> None:
    config = FlowConfig(
        software=(SoftwareOption("acme", "Acme Watch"), SoftwareOption("other", "Something else"))
    )
    field = build_catalogue(config).get("monitoring_software")
    assert field.parse("arall", ParseContext(TODAY, {}, config)) == "other"
    assert field.parse("Acme Watch", ParseContext(TODAY, {}, config)) == "acme"


def test_the_english_options_are_unchanged_by_the_welsh_spellings() -> None:
    assert parse("device_type", "mobile") == "phone"
    assert parse("rosh_level", "2") == "medium"
    assert [o.label for o in CATALOGUE.get("rosh_level").options] == [
        "Low",
        "Medium",
        "High",
        "Very high",
    ]


# --- keywords some answers take ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["hepgor", "Hepgor", "HEPGOR", "skip"])
def test_an_optional_question_is_skipped_with_hepgor(typed: str) -> None:
    assert parse("pnc_id", typed) is None
    assert parse("notes", typed) is None


@pytest.mark.parametrize("typed", ["amhenodol", "Amhenodol", "am gyfnod amhenodol"])
def test_an_order_without_an_end_date_is_amhenodol(typed: str) -> None:
    assert parse("order_expiry", typed) == "indefinite"


@pytest.mark.parametrize("typed", ["diofyn", "rhagosodiad", "Default"])
def test_the_default_notification_period_in_welsh(typed: str) -> None:
    assert parse("order_notify_days", typed) == CONFIG.default_notify_days


@pytest.mark.parametrize("typed", ["dim", "Dim", "dim un"])
def test_a_tablet_without_an_imei_is_dim(typed: str) -> None:
    assert parse("device_imei", typed, device_type="tablet") == []
    with pytest.raises(InvalidAnswer):
        parse("device_imei", typed, device_type="phone")


@pytest.mark.parametrize("typed", ["anhysbys", "ddim yn gwybod", "Ddim yn siwr", "dim syniad"])
def test_an_unknown_operating_system_in_welsh(typed: str) -> None:
    assert parse("device_os", typed) == "unknown"


# --- commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "command", "argument"),
    [
        ("nôl", "back", ""),
        ("nol", "back", ""),
        ("NÔL", "back", ""),
        ("Nol", "back", ""),
        ("yn ôl", "back", ""),
        ("hepgor", "skip", ""),
        ("Cymorth", "help", ""),
        ("canslo", "cancel", ""),
        ("CYFLWYNO", "submit", ""),
        ("golygu 3", "edit", "3"),
        ("Golygu  rosh_level", "edit", "rosh_level"),
        ("back", "back", ""),
        ("Edit 3", "edit", "3"),
        ("yn ôl yr asesiad", "back", "yr asesiad"),
        ("Leeds Crown Court", "leeds", "Crown Court"),
        ("", "", ""),
    ],
)
def test_a_message_is_split_into_its_command_in_either_language(
    typed: str, command: str, argument: str
) -> None:
    assert words.split_command(typed) == (command, argument)


def new_request(conversation: Conversation) -> MonitoringRequest:
    request = MonitoringRequest(
        officer_id=OFFICER,
        channel_id="C0MOSOVO",
        created_at=T0,
        request_id="MR-9",
        thread_ts="1764496800.000100",
    )
    conversation.start(request)
    return request


@pytest.fixture
def talk() -> Conversation:
    return Conversation(CATALOGUE, CONFIG, FixedClock(T0))


def say(conversation: Conversation, request: MonitoringRequest, text: str) -> list[Any]:
    return conversation.handle_text(request, text, OFFICER)


@pytest.mark.parametrize("typed", ["cymorth", "Cymorth", "CYMORTH"])
def test_cymorth_is_help(talk: Conversation, typed: str) -> None:
    request = new_request(talk)
    [output] = say(talk, request, typed)
    assert isinstance(output, FieldHelp)
    assert output.field.key == "visor_ref"
    assert "visor_ref" not in request.answers


@pytest.mark.parametrize("typed", ["nôl", "nol", "Nôl", "NOL", "yn ôl"])
def test_nol_goes_back_a_question(talk: Conversation, typed: str) -> None:
    request = new_request(talk)
    say(talk, request, "NOM/1234567")
    [output] = say(talk, request, typed)
    assert isinstance(output, Question)
    assert output.field.key == "visor_ref"


def test_hepgor_skips_an_optional_question_and_is_refused_on_a_required_one(
    talk: Conversation,
) -> None:
    request = new_request(talk)
    [refused] = say(talk, request, "hepgor")
    assert isinstance(refused, Notice)
    assert "cannot be skipped" in refused.text
    say(talk, request, "NOM/1234567")
    say(talk, request, "Hepgor")
    assert request.answers["pnc_id"] is None
    assert request.current_field == "legal_basis"


@pytest.mark.parametrize("typed", ["canslo", "Canslo"])
def test_canslo_withdraws_the_request(talk: Conversation, typed: str) -> None:
    request = new_request(talk)
    [output] = say(talk, request, typed)
    assert isinstance(output, Withdrawn)
    assert request.state == "withdrawn"


def test_cyflwyno_before_the_end_is_never_stored_as_an_answer(talk: Conversation) -> None:
    request = new_request(talk)
    [output] = say(talk, request, "cyflwyno")
    assert isinstance(output, Notice)
    assert request.answers == {}


def test_a_welsh_command_on_a_line_of_many_is_not_used_as_an_answer(talk: Conversation) -> None:
    request = new_request(talk)
    outputs = say(talk, request, "NOM/1234567\ncanslo\n12/1234Y")
    assert request.answers == {"visor_ref": "NOM/1234567"}
    assert any(isinstance(o, Notice) and "`cancel`" in o.text for o in outputs)
    assert request.state == "collecting"


def test_hepgor_on_a_line_of_many_skips_an_optional_question(talk: Conversation) -> None:
    request = new_request(talk)
    say(talk, request, "NOM/1234567\nhepgor\ngorchymyn llys")
    assert request.answers == {"visor_ref": "NOM/1234567", "pnc_id": None, "legal_basis": "order"}


#: a whole request on an order, answered in Welsh, and what the English answers store
WELSH_ORDER = (
    ("visor_ref", "nom/1234567", "NOM/1234567"),
    ("pnc_id", "hepgor", None),
    ("legal_basis", "gorchymyn llys", "order"),
    ("order_type", "Gorchymyn Atal Niwed Rhywiol (SHPO)", "shpo"),
    ("order_reference", "T20257012", "T20257012"),
    ("order_court", "Llys y Goron Caerdydd", "Llys y Goron Caerdydd"),
    ("order_date", "1 Mawrth 2025", "2025-03-01"),
    ("order_expiry", "amhenodol", "indefinite"),
    ("order_notify_days", "diofyn", 3),
    ("order_monitoring_clause", "nac oes", False),
    ("mappa_category", "categori 1", "1"),
    ("mappa_level", "lefel 2", "2"),
    ("rosh_level", "uchel", "high"),
    ("risk_assessment_date", "1 Hydref 2025", "2025-10-01"),
    ("device_type", "ffôn", "phone"),
    ("device_make_model", "Samsung Galaxy A15", "Samsung Galaxy A15"),
    ("device_os", "anhysbys", "unknown"),
    ("device_imei", "35-209900-176148-1", ["352099001761481"]),
    ("device_ownership", "wedi'i rhannu", "shared"),
    ("other_users", "Partner, ar benwythnosau", "Partner, ar benwythnosau"),
    ("other_users_informed", "ydyn", True),
    ("date_acquired", "1af Tachwedd 2026", "2026-11-01"),
    ("date_notified", "20 diwrnod yn ôl", "2026-11-10"),
    ("monitoring_software", "esafe", "esafe"),
    ("proposed_install_date", "yfory", "2026-12-01"),
    ("necessity", "Mae ARMS diweddar yn dangos risg gynyddol ar-lein.", None),
    ("rmp_reference", "hepgor", None),
    ("notes", "hepgor", None),
)


def test_a_whole_request_answered_in_welsh_stores_neutral_values(talk: Conversation) -> None:
    request = new_request(talk)
    for key, typed, _stored in WELSH_ORDER:
        assert request.current_field == key
        outputs = say(talk, request, typed)
        assert not any(isinstance(o, AnswerRejected) for o in outputs), (key, outputs)
    assert isinstance(outputs[-1], Summary)
    expected = {key: stored for key, _typed, stored in WELSH_ORDER}
    expected["necessity"] = WELSH_ORDER[-3][1]
    assert request.answers == expected
    # `golygu` from the summary and `cyflwyno` to send it
    [question] = say(talk, request, "golygu 13")
    assert isinstance(question, Question) and question.field.key == "rosh_level"
    outputs = say(talk, request, "uchel iawn")
    assert request.answers["rosh_level"] == "very_high"
    assert isinstance(outputs[-1], Summary)
    say(talk, request, "cyflwyno")
    assert request.state == "awaiting_approval"


def test_every_typed_keyword_is_one_spelling_in_each_language() -> None:
    for name, spellings in words.KEYWORDS.items():
        assert name in {words.spelling_key(s) for s in spellings}
        for spelling in spellings:
            assert words.is_keyword(spelling, name)
            assert words.is_keyword(spelling.upper(), name)
