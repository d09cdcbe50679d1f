"""The conversation's own text in Welsh (issue 12): every question, hint, example, help, refusal,
notice, summary label, flag, deadline and counting rule that flows/ writes comes from the
`conversation` catalogue, in the language the conversation is given; what is stored is the same
in either language.

Each text is checked with the marking translators of tests/support/i18n.py: a msgid without a
Welsh entry raises, and any word shown outside a catalogued string (other than what the officer
typed) fails `assert_translated`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from flows import parsers
from flows.catalogue import build_catalogue, catalogue_for
from flows.clock import FixedClock
from flows.config import FlowConfig, SoftwareOption
from flows.conversation import Conversation
from flows.fields import SECTIONS, Catalogue, Field, ParseContext, Rejected, validate
from flows.flags import FLAG_WORDS, describe_flag
from flows.i18n import LANGUAGES, translator
from flows.models import MonitoringRequest
from flows.notification import AFTER, BEGINNING_WITH, NotificationDuty, rule_in
from flows.outputs import (
    AnswerAccepted,
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    Notice,
    Output,
    PrefillOffered,
    Question,
    Summary,
    Withdrawn,
)
from tests.support.i18n import assert_translated, marked_translations, plain

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)
OFFICER = "U0OFFICER"
CONFIG = FlowConfig()

#: a whole request on each basis as a Welsh-speaking officer answers it, with a wrong answer
#: or a command before many of the right ones (None: a free-text answer, stored as typed)
WELSH = {
    "order": (
        ("visor_ref", ["??", "cymorth", "nom/1234567"]),
        ("pnc_id", ["12/1234A", "hepgor"]),
        ("legal_basis", ["nôl"]),
        ("pnc_id", ["12/1234Y"]),
        ("legal_basis", ["naw", "gorchymyn llys"]),
        ("order_type", ["1"]),
        ("order_reference", ["x", "T20257012"]),
        ("order_court", ["Llys y Goron Caerdydd"]),
        ("order_date", ["31/02/2025", "01/03/25", "32 Mawrth 2025", "1 Mawrth 2030", "1 Maw 2025"]),
        ("order_expiry", ["ddoe", "amhenodol"]),
        ("order_notify_days", ["99", "diofyn"]),
        ("order_monitoring_clause", ["efallai", "nac oes"]),
        ("mappa_category", ["categori 1"]),
        ("mappa_level", ["lefel 2"]),
        ("rosh_level", ["uchel"]),
        ("risk_assessment_date", ["yfory", "1 Hydref 2025"]),
        ("device_type", ["ffôn"]),
        ("device_make_model", ["Samsung Galaxy A15"]),
        ("device_os", ["anhysbys"]),
        (
            "device_imei",
            [
                "dim",
                "1234",
                "35-209900-176148-2",
                "352099001761481, 352099001761481",
                "abc",
                "35-209900-176148-1",
            ],
        ),
        ("device_ownership", ["wedi'i rhannu"]),
        ("other_users", ["Partner, ar benwythnosau"]),
        ("other_users_informed", ["ydyn"]),
        ("date_acquired", ["1af Tachwedd 2026"]),
        ("date_notified", ["1 Hydref 2026", "20 diwrnod yn ôl"]),
        ("monitoring_software", ["esafe"]),
        ("proposed_install_date", ["ddoe", "1 Mawrth 2027", "yfory"]),
        ("necessity", ["byr", "Mae ARMS diweddar yn dangos risg gynyddol ar-lein."]),
        ("rmp_reference", ["hepgor"]),
        ("notes", ["cyflwyno", "hepgor"]),
    ),
    "licence": (
        ("visor_ref", ["ab-1234"]),
        ("pnc_id", ["hepgor"]),
        ("legal_basis", ["amod trwydded"]),
        ("licence_expiry", ["heddiw", "01/03/2030"]),
        ("probation_practitioner", ["Alex Smith, UCP Caerdydd"]),
        ("probation_crn", ["123", "x123456"]),
        ("probation_request_date", ["25/11/2026"]),
        ("licence_condition", ["Ni chaiff ddefnyddio dyfais heb feddalwedd monitro."]),
        ("mappa_category", ["2"]),
        ("mappa_level", ["1"]),
        ("rosh_level", ["canolig"]),
        ("risk_assessment_date", ["ddoe"]),
        ("device_type", ["gliniadur"]),
        ("device_make_model", ["Dell Latitude 5440"]),
        ("device_os", ["Windows 11"]),
        ("device_serial", ["R5 8", "R5", "r58m12abc3d"]),
        ("device_ownership", ["y person"]),
        ("monitoring_software", ["arall"]),
        ("proposed_install_date", ["7 Rhagfyr 2026"]),
        ("necessity", ["Mae ARMS diweddar yn dangos risg gynyddol ar-lein."]),
        ("rmp_reference", ["hepgor"]),
        ("notes", ["hepgor"]),
    ),
    "voluntary": (
        ("visor_ref", ["XY1234"]),
        ("pnc_id", ["hepgor"]),
        ("legal_basis", ["cydsyniad gwirfoddol"]),
        ("consent_obtained", ["nac oes", "oes"]),
        ("consent_informed", ["naddo"]),
        ("consent_date", ["29 Tachwedd 2026"]),
        ("consent_reference", ["DOC-2026-0042"]),
        ("consent_witness", ["hepgor"]),
        ("mappa_category", ["3"]),
        ("mappa_level", ["3"]),
        ("rosh_level", ["isel"]),
        ("risk_assessment_date", ["15/01/2026"]),
        ("device_type", ["tabled"]),
        ("device_make_model", ["Apple iPad"]),
        ("device_os", ["iPadOS 18"]),
        ("device_imei", ["dim"]),
        ("device_serial", ["DMPXK2ABCD"]),
        ("device_ownership", ["trydydd parti"]),
        ("other_users", ["Ei chwaer"]),
        ("other_users_informed", ["na"]),
        ("monitoring_software", ["1"]),
        ("proposed_install_date", ["heddiw"]),
        ("necessity", ["Mae ARMS diweddar yn dangos risg gynyddol ar-lein."]),
        ("rmp_reference", ["hepgor"]),
        ("notes", ["hepgor"]),
    ),
}


#: the force's products: proper names, the same in each language
PRODUCT_NAMES = ["eSafe", "Acme Watch"]


def typed_in(script: Iterable[tuple[str, list[str]]]) -> list[str]:
    """What the officer typed that may be shown back (numbers and short words are left out:
    removing "1" from every text would hide untranslated words around it)."""
    return [
        text
        for _key, texts in script
        for text in texts
        if len(text) > 3 and any(char.isalpha() for char in text)
    ]


def field_texts(field: Field) -> Iterator[str]:
    yield from (field.label, field.prompt, field.help, field.example)
    yield from (option.label for option in field.options)


def output_texts(output: Output) -> Iterator[str]:
    """Every text of an output that a person reads (the bot adds only its own framing)."""
    if isinstance(output, Question):
        yield from field_texts(output.field)
        yield from output.coming
    elif isinstance(output, FieldHelp):
        yield from field_texts(output.field)
    elif isinstance(output, AnswerRejected):
        yield output.message
        yield output.field.label
    elif isinstance(output, Notice):
        yield output.text
    elif isinstance(output, AnswersDropped):
        yield from output.labels
        yield output.reason
    elif isinstance(output, PrefillOffered):
        yield from output.labels
    elif isinstance(output, AnswerAccepted):
        yield output.question.field.label
        yield output.question.field.display(output.value)
    elif isinstance(output, Summary):
        for row in output.rows:
            yield row.field.label
            yield row.field.display(row.value)
        yield from (describe_flag(key, detail, "cy") for key, detail in output.flags.items())
        if output.deadline:
            yield output.deadline
        yield output.declaration


def as_payload(texts: Iterable[str]) -> list[dict[str, str]]:
    return [{"text": text} for text in texts]


def request_for() -> MonitoringRequest:
    return MonitoringRequest(
        officer_id=OFFICER,
        channel_id="C0MOSOVO",
        created_at=T0,
        request_id="MR-9",
        thread_ts="1764496800.000100",
    )


def run(basis: str, language: str = "cy") -> tuple[MonitoringRequest, list[Output]]:
    """The whole request on `basis`, in a conversation worded in `language`."""
    conversation = Conversation(build_catalogue(CONFIG, language), CONFIG, FixedClock(T0))
    request = request_for()
    outputs = conversation.start(request)
    for key, texts in WELSH[basis]:
        for text in texts:
            assert request.current_field == key, (key, text)
            outputs += conversation.handle_text(request, text, OFFICER)
    outputs += conversation.handle_text(request, "rhywbeth", OFFICER)  # at the summary
    outputs += conversation.handle_text(request, "golygu 99", OFFICER)
    return request, outputs


@pytest.mark.parametrize("basis", list(WELSH))
def test_a_whole_conversation_in_welsh_shows_only_catalogued_text(basis: str) -> None:
    with marked_translations():
        request, outputs = run(basis)
        texts = [text for output in outputs for text in output_texts(output)]
    assert request.state == "confirming"
    kinds = {type(output) for output in outputs}
    assert {Question, AnswerRejected, Summary, Notice} <= kinds
    stored = [
        value
        for value in request.answers.values()
        if isinstance(value, str) and len(value) > 3 and any(char.isalpha() for char in value)
    ]
    assert_translated(
        as_payload(texts), user_data=[*typed_in(WELSH[basis]), *stored, *PRODUCT_NAMES]
    )


def test_the_welsh_conversation_reads_in_welsh() -> None:
    _request, outputs = run("order")
    shown = "\n".join(plain(text) for output in outputs for text in output_texts(output))
    for welsh in (
        "Beth yw cyfeirnod enwol ViSOR/MAPPS y person?",
        "Beth yw'r sail gyfreithiol dros fonitro?",
        "Gorchymyn llys (SHPO, SRO, SOPO)",
        "ie neu na",
        "Nid yw 31/02/2025 yn ddyddiad go iawn: mae gan Chwefror 2025 28 diwrnod.",
        "Ysgrifennwch y flwyddyn yn llawn gyda phedwar digid",
        "Atebwch ie neu na",
        "yr IMEI",
        "Dyblygiad posibl",
        "erbyn 3 Tachwedd 2026: 3 diwrnod gan ddechrau ar 1 Tachwedd",
        "Mae gennyf yr holl wybodaeth berthnasol",
        "Teipiwch `cyflwyno`",
        "(wedi'i hepgor)",
        "amhenodol",
    ):
        if welsh == "Dyblygiad posibl":
            continue  # only storage can tell of another request for the same device
        assert welsh in shown, welsh
    for english in ("What is", "Please", "for example", "(skipped)", " is required"):
        assert english not in shown, english


@pytest.mark.parametrize("basis", list(WELSH))
def test_a_welsh_conversation_stores_exactly_what_an_english_one_does(basis: str) -> None:
    welsh, _ = run(basis, "cy")
    english, _ = run(basis, "en")
    assert welsh.answers == english.answers
    assert welsh.flags == english.flags
    assert [event.action for event in welsh.events] == [event.action for event in english.events]


def configs() -> list[FlowConfig]:
    return [
        CONFIG,
        FlowConfig(visor_pattern=r"^VS[0-9]{6}$", max_install_days_ahead=30, default_notify_days=7),
        FlowConfig(software=(SoftwareOption("acme", "Acme Watch"), *CONFIG.software)),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("config", configs())
def test_every_question_of_the_catalogue_is_catalogued(language: str, config: FlowConfig) -> None:
    with marked_translations():
        catalogue = build_catalogue(config, language)
        t = translator(language)
        sections = [t(title) for _key, title in SECTIONS]
    texts = [text for field in catalogue for text in field_texts(field)]
    assert_translated(as_payload([*texts, *sections]), user_data=PRODUCT_NAMES)
    assert catalogue.language == language
    assert {field.language for field in catalogue} == {language}


def test_both_catalogues_have_the_same_questions_options_and_rules() -> None:
    english, welsh = build_catalogue(CONFIG, "en"), build_catalogue(CONFIG, "cy")
    assert [f.key for f in english] == [f.key for f in welsh]
    for mine, theirs in zip(english, welsh, strict=True):
        assert (mine.kind, mine.optional, mine.branch, mine.section, mine.slot) == (
            theirs.kind,
            theirs.optional,
            theirs.branch,
            theirs.section,
            theirs.slot,
        )
        assert [o.value for o in mine.options] == [o.value for o in theirs.options]
        assert mine.prompt != theirs.prompt, mine.key


@pytest.mark.parametrize("key", [f.key for f in build_catalogue(CONFIG) if f.options])
def test_each_option_is_understood_by_its_label_in_either_language_in_either_catalogue(
    key: str,
) -> None:
    english, welsh = build_catalogue(CONFIG, "en").get(key), build_catalogue(CONFIG, "cy").get(key)
    ctx = ParseContext(TODAY, {}, CONFIG)
    for mine, theirs in zip(english.options, welsh.options, strict=True):
        for field in (english, welsh):
            assert field.parse(mine.label, ctx) == mine.value
            assert field.parse(theirs.label, ctx) == mine.value


#: for each question, answers its parser refuses (each refusal is a different message)
BAD = {
    "visor_ref": ["??"],
    "pnc_id": ["12/1234A", "2099/1234Y", "1800/1234Y", "nonsense"],
    "legal_basis": ["nine"],
    "order_date": [
        "",
        "31/02/2025",
        "01/03/25",
        "1 Fooary 2025",
        "13/13/2025",
        "tomorrow",
        "1/1/1700",
    ],
    "order_expiry": ["yesterday", "soon"],
    "order_notify_days": ["99"],
    "order_monitoring_clause": ["maybe"],
    "consent_obtained": ["no"],
    "licence_expiry": ["today"],
    "probation_crn": ["123"],
    "device_make_model": ["x", ""],
    "device_imei": [
        "none",
        "",
        "1234",
        "35-209900-176148-2",
        "352099001761481 352099001761481",
        "abc",
        "1,2,3,4,5",
        "352099001761481, 35209900176148",
    ],
    "device_serial": ["", "R5 8", "R5", "R" * 31],
    "date_notified": ["1 Oct 2026"],
    "proposed_install_date": ["yesterday", "1 Mar 2027", "1000 days ago"],
    "necessity": ["short"],
}
ANSWERS_BEFORE = {
    "date_notified": {"date_acquired": "2026-11-01"},
    "device_imei": {"device_type": "phone"},
}


@pytest.mark.parametrize("key", list(BAD))
def test_every_refusal_is_worded_in_the_conversations_language(key: str) -> None:
    answers = ANSWERS_BEFORE.get(key, {})
    for text in BAD[key]:
        with marked_translations():
            welsh = validate(
                build_catalogue(CONFIG, "cy").get(key),
                text,
                ParseContext(TODAY, answers, CONFIG, "cy"),
            )
        english = validate(
            build_catalogue(CONFIG, "en").get(key), text, ParseContext(TODAY, answers, CONFIG)
        )
        assert isinstance(welsh, Rejected) and isinstance(english, Rejected), (key, text)
        assert_translated([{"text": welsh.message}], user_data=[text])
        assert plain(welsh.message) != english.message


def test_a_refusal_names_the_date_the_welsh_way() -> None:
    field = build_catalogue(CONFIG, "cy").get("risk_assessment_date")
    result = validate(field, "yfory", ParseContext(TODAY, {}, CONFIG, "cy"))
    assert isinstance(result, Rejected)
    assert result.message == (
        "Dyddiad yr asesiad risg: ni all fod yn y dyfodol, ac mae 1 Rhagfyr 2026 ar ôl heddiw "
        "(30 Tachwedd 2026). Teipiwch y dyddiad y digwyddodd, er enghraifft heddiw neu "
        "01/03/2026."
    )


def test_dates_are_written_with_welsh_month_names() -> None:
    assert parsers.format_date(date(2026, 3, 1), "cy") == "1 Mawrth 2026"
    assert parsers.format_date(date(2026, 3, 1)) == "1 March 2026"
    assert [parsers.month_name(m, "cy") for m in (1, 6, 12)] == ["Ionawr", "Mehefin", "Rhagfyr"]


def test_an_answer_is_displayed_in_the_fields_language() -> None:
    english, welsh = build_catalogue(CONFIG, "en"), build_catalogue(CONFIG, "cy")
    cases: list[tuple[str, Any, str, str]] = [
        ("pnc_id", None, "(skipped)", "(wedi'i hepgor)"),
        ("order_monitoring_clause", True, "Yes", "Ie"),
        ("other_users_informed", False, "No", "Na"),
        ("order_expiry", "indefinite", "indefinite", "amhenodol"),
        ("order_date", "2025-03-01", "1 March 2025", "1 Mawrth 2025"),
        ("device_os", "unknown", "unknown", "anhysbys"),
        ("rosh_level", "very_high", "Very high", "Uchel iawn"),
        ("device_imei", [], "None", "Dim"),
        ("order_court", "unknown", "unknown", "unknown"),
    ]
    for key, value, in_english, in_welsh in cases:
        assert english.get(key).display(value) == in_english
        assert welsh.get(key).display(value) == in_welsh


DEADLINE_FACTS = {
    "days_late": 2,
    "deadline": "2026-11-03",
    "rule": "3 days beginning with 1 November",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", [*FLAG_WORDS, "something_new"])
def test_every_flag_is_described_from_the_catalogue(language: str, key: str) -> None:
    details: dict[str, Any] = {
        "risk_assessment_stale": {"months_old": 13},
        "device_not_solely_owned": {"ownership": "employer"},
        "late_notification": DEADLINE_FACTS,
        "possible_duplicate": {"request_id": "MR-000004"},
    }
    with marked_translations():
        words = describe_flag(key, details.get(key, True), language)
    if key == "something_new":
        assert plain(words).startswith("Something new")
        return
    assert_translated([{"text": words}])


def test_the_late_notification_flag_in_welsh() -> None:
    assert describe_flag("late_notification", DEADLINE_FACTS, "cy") == (
        "Hysbysodd y person yr heddlu am y ddyfais yn hwyr: 2 ddiwrnod ar ôl y dyddiad cau, "
        "erbyn 3 Tachwedd 2026 (3 diwrnod gan ddechrau ar 1 Tachwedd)."
    )
    assert describe_flag("late_notification", DEADLINE_FACTS) == (
        "The person notified police of the device late: 2 days after the deadline, by "
        "3 November 2026 (3 days beginning with 1 November)."
    )


@pytest.mark.parametrize(
    ("acquired", "days", "counting"),
    [
        (date(2026, 11, 20), 3, BEGINNING_WITH),
        (date(2026, 11, 20), 1, AFTER),
        (date(2026, 12, 30), 7, BEGINNING_WITH),
        (date(2028, 2, 29), 2, AFTER),
    ],
)
def test_the_deadline_and_its_counting_rule_in_words_in_each_language(
    acquired: date, days: int, counting: str
) -> None:
    duty = NotificationDuty(acquired, days, counting)
    assert duty.describe("en") == str(duty)
    assert duty.rule_in("en") == duty.rule
    # the rule stored (in English) in a flag reads the same in Welsh as one made fresh
    assert rule_in(duty.rule, "cy") == duty.rule_in("cy")
    with marked_translations():
        assert_translated([{"text": duty.describe("cy")}])
    assert parsers.format_date(duty.deadline, "cy") in duty.describe("cy")


def test_a_rule_in_another_form_is_shown_as_stored() -> None:
    assert rule_in("as the order says", "cy") == "as the order says"


def test_speaking_gives_the_conversation_in_the_officers_language() -> None:
    english = Conversation(catalogue_for(CONFIG), CONFIG, FixedClock(T0))
    assert english.speaking("en") is english
    assert english.speaking(None) is english
    assert english.speaking("fr") is english
    welsh = english.speaking("cy-GB")
    assert (welsh.language, welsh.catalogue.language) == ("cy", "cy")
    assert welsh.speaking("cy") is welsh
    assert welsh.speaking("en").catalogue is catalogue_for(CONFIG, "en")


def test_a_welsh_officer_may_answer_in_english_and_the_replies_stay_welsh() -> None:
    conversation = Conversation(build_catalogue(CONFIG, "cy"), CONFIG, FixedClock(T0))
    request = request_for()
    conversation.start(request)
    conversation.handle_text(request, "NOM/1234567", OFFICER)
    conversation.handle_text(request, "skip", OFFICER)
    [question] = conversation.handle_text(request, "court order", OFFICER)
    assert request.answers["legal_basis"] == "order"
    assert isinstance(question, Question) and question.field.prompt == "Pa fath o orchymyn ydyw?"
    [refused] = conversation.handle_text(request, "not an order", OFFICER)
    assert isinstance(refused, AnswerRejected)
    assert refused.message.startswith("Dewiswch un o'r opsiynau hyn")
    [withdrawn] = conversation.handle_text(request, "cancel", OFFICER)
    assert isinstance(withdrawn, Withdrawn)


def test_an_english_officer_may_answer_in_welsh_and_the_replies_stay_english() -> None:
    conversation = Conversation(build_catalogue(CONFIG, "en"), CONFIG, FixedClock(T0))
    request = request_for()
    conversation.start(request)
    conversation.handle_text(request, "NOM/1234567", OFFICER)
    conversation.handle_text(request, "hepgor", OFFICER)
    [question] = conversation.handle_text(request, "gorchymyn llys", OFFICER)
    assert isinstance(question, Question) and question.field.prompt == "What type of order is it?"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_conversations_own_refusals_are_catalogued(language: str) -> None:
    """Errors the bot shows as ephemerals: someone else answering, a stale button, a closed
    request, an edit outside the summary."""
    from flows.errors import InvalidTransition, NotRequester, StaleQuestion

    with marked_translations():
        conversation = Conversation(build_catalogue(CONFIG, language), CONFIG, FixedClock(T0))
        request = request_for()
        conversation.start(request)
        messages: list[str] = []
        for call in (
            lambda: conversation.handle_text(request, "x", "U0STRANGER"),
            lambda: conversation.handle_choice(request, "legal_basis", "order", OFFICER),
            lambda: conversation.edit(request, "1", OFFICER),
            lambda: conversation.submit(request, OFFICER),
            lambda: conversation.answer_form(request, "nowhere", {}, OFFICER),
        ):
            with pytest.raises((InvalidTransition, NotRequester, StaleQuestion)) as caught:
                call()
            messages.append(str(caught.value))
        conversation.withdraw(request, OFFICER)
        messages += [
            o.text for o in conversation.handle_text(request, "x", OFFICER) if isinstance(o, Notice)
        ]
    assert len(messages) == 6
    assert_translated(as_payload(messages))


def test_catalogue_for_builds_each_language_once() -> None:
    assert catalogue_for(CONFIG, "cy") is catalogue_for(CONFIG, "cy")
    assert isinstance(catalogue_for(CONFIG, "cy"), Catalogue)
    assert catalogue_for(CONFIG, "cy").get("device_type").options[0].label == "Ffôn"
