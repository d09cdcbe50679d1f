"""The people catalogue: everything the conversation's Slack side, the form, direct messages and
dialogs say, in English and in Welsh, with no string shown without an entry.

The questions' own words (labels, prompts, help, examples, flags) come from the conversation's
catalogue (flows/); here they are the `user_data` the builders put in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot import ids
from bot.blocks import conversation as conversation_blocks
from bot.blocks.dialogs import refused_dialog
from bot.blocks.direct import LISTED, OpenRequest, guidance
from bot.blocks.form import form_actions, form_errors, form_view
from bot.blocks.text import Message
from flows.flags import describe_flags
from flows.form import form_pages
from flows.i18n import LANGUAGES, Language
from flows.outputs import (
    AnswerAccepted,
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    InfoReplyRecorded,
    Notice,
    Output,
    PrefillOffered,
    Question,
)
from tests.support.block_kit import validate_blocks, validate_view
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.unit import test_blocks as fixtures

CATALOGUE = fixtures.CATALOGUE
FIELDS = {field.key: field for field in CATALOGUE.fields}
WELSH_WORDS = {
    "render": "Cwestiwn",
    "summary": "Crynodeb",
    "direct": "Eich ceisiadau agored",
    "form": "tudalen",
}


def words_of_the_questions() -> list[str]:
    """What flows/ words (its own catalogue): labels, prompts, help, examples, choices."""
    found: list[str] = []
    for field in CATALOGUE.fields:
        found += [field.label, field.prompt, field.help, field.example]
        found += [option.label for option in field.options]
    found += [
        page.title
        for basis in CATALOGUE.bases
        for page in form_pages(CATALOGUE, {"legal_basis": basis})
    ]
    # a masked IMEI or serial ("ending 1481") is worded by flows.parsers.mask_last4
    return [*found, "ending"]


QUESTION_WORDS = words_of_the_questions()


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[Language]:
    with marked_translations():
        yield request.param


def check(payload: Any, *user_data: str) -> None:
    assert_translated(payload, user_data=[*QUESTION_WORDS, *user_data])


def messages_payload(messages: list[Message]) -> list[dict[str, Any]]:
    for message in messages:
        assert validate_blocks(plain(message.blocks)) == []
    return [{"text": m.text, "blocks": m.blocks} for m in messages]


def test_questions_and_their_replies_are_catalogued(language: Language) -> None:
    choice, optional = FIELDS["rosh_level"], FIELDS["pnc_id"]
    yes_no = FIELDS["other_users_informed"]
    outputs: list[Output] = [
        Question(choice, 5, 26, previous="high", has_previous=True, coming=("Next one",)),
        Question(optional, 2, 26, continued=True),
        Question(yes_no, 20, 26),
        AnswerRejected(choice, "Not one of the levels.", add_hint=True),
        FieldHelp(optional),
        AnswersDropped(("Label A",), "the basis changed"),
        PrefillOffered("MR-7", ("Label A", "Label B")),
        InfoReplyRecorded("MR-42"),
    ]
    messages = conversation_blocks.render(outputs, language)
    check(
        messages_payload(messages),
        "Next one",
        "Not one of the levels.",
        "Label A",
        "Label B",
        "the basis changed",
    )
    shown = str(plain(messages_payload(messages)))
    assert ("Cwestiwn 5 o 26" in shown) == (language == "cy")
    assert ("Question 5 of 26" in shown) == (language == "en")
    buttons = [
        e["text"]["text"]
        for m in messages
        for b in m.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ("Ie" in plain(buttons)) == (language == "cy")
    # the commands are shown as the officer types them in their language
    assert ("`hepgor`" in shown) == (language == "cy")


def test_a_notice_from_the_conversation_is_passed_through(language: Language) -> None:
    [message] = conversation_blocks.render([Notice("Withdrawn.")], language)
    check(messages_payload([message]), "Withdrawn.")


def test_an_answered_question_is_catalogued(language: Language) -> None:
    field = FIELDS["rosh_level"]
    answered = AnswerAccepted(Question(field, 5, 26), "high", "1.2")
    message = conversation_blocks.answered_question(answered, language)
    check(messages_payload([message]), field.display("high"))


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_the_summary_and_its_buttons_are_catalogued(language: Language, basis: str) -> None:
    request = fixtures.filled(basis)
    summary = fixtures.new_conversation().summary(request)
    message = conversation_blocks.summary_message(summary, language)
    assert validate_blocks(plain(message.blocks)) == []
    shown_answers = [row.field.display(row.value) for row in summary.rows]
    check(
        {"text": message.text, "blocks": message.blocks},
        *shown_answers,
        *describe_flags(summary.flags),
        summary.deadline or "",
        summary.declaration,
        "NOM/1234567",
    )
    summary_text = str(plain(message.blocks))
    assert ("*Crynodeb: gwiriwch bob ateb*" in summary_text) == (language == "cy")
    assert ("Cyflwyno i'w gymeradwyo" in summary_text) == (language == "cy")


def test_prefill_answered_and_restart_are_catalogued(language: Language) -> None:
    request = fixtures.filled("order")
    answered = conversation_blocks.prefill_answered([], True, language)
    declined = conversation_blocks.prefill_answered([], False, language)
    restart = conversation_blocks.restart_actions(request, (language,))
    restarted = conversation_blocks.restarted_message([], "MR-43", None, (language,))
    check(messages_payload([answered, declined, restarted]))
    check([restart])


def test_a_thread_button_carries_both_languages_when_the_thread_has_both() -> None:
    request = fixtures.filled("order")
    with marked_translations():
        restart = conversation_blocks.restart_actions(request, ("en", "cy"))
        form = form_actions(request, ("en", "cy"))
        restarted = conversation_blocks.restarted_message([], "MR-43", None, ("en", "cy"))
    check([restart, form])
    check(messages_payload([restarted]))
    assert plain(restart["elements"][0]["text"]["text"]) == (
        "Restart with these answers / Ailddechrau gyda'r atebion hyn"
    )
    assert plain(form["elements"][0]["text"]["text"]) == "Fill in a form / Llenwi ffurflen"
    line = plain(restarted.blocks[-1]["elements"][0]["text"])
    assert "Restarted as MR-43" in line and "Wedi'i ailddechrau fel MR-43" in line


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_every_form_page_is_catalogued(language: Language, basis: str) -> None:
    request = fixtures.filled(basis)
    pages = form_pages(CATALOGUE, request.answers)
    for number, page in enumerate(pages, start=1):
        view = form_view(
            request,
            page,
            number,
            len(pages),
            fixtures.TODAY,
            CATALOGUE.config,
            refilled=("visor_ref",),
            language=language,
        )
        assert validate_view(plain(view)) == []
        shown_answers = [FIELDS[key].as_text(value) for key, value in request.answers.items()]
        check(view, *shown_answers, "MR-42")
        assert ("tudalen" in str(plain(view))) == (language == "cy")


def test_form_errors_are_catalogued(language: Language) -> None:
    errors = form_errors({"visor_ref": "That is not a reference."}, FIELDS, language)
    check([{"text": text} for text in errors.values()], "That is not a reference.")
    assert ("Enghraifft" in str(plain(errors))) == (language == "cy")


def test_direct_message_guidance_is_catalogued(language: Language) -> None:
    requests = [
        OpenRequest(f"MR-{n}", state, None)
        for n, state in enumerate(
            ["collecting", "confirming", "awaiting_approval", "info_requested", "approved"] * 5
        )
    ]
    for bot_user in ("U0BOT", None):
        for listed in (requests, requests[:2], []):
            message = guidance("/monitoring-request", bot_user, listed, language)
            check(messages_payload([message]), *(r.request_id for r in requests))
    assert len(requests) > LISTED
    text = str(plain(guidance("/monitoring-request", None, requests, language).blocks))
    assert ("Eich ceisiadau agored" in text) == (language == "cy")
    assert ("SWYDDOGOL-SENSITIF" in text) == (language == "cy")


def test_a_refused_dialog_is_catalogued(language: Language) -> None:
    view = refused_dialog("Only supervisors decide.", language)
    assert validate_view(plain(view)) == []
    check(view, "Only supervisors decide.")
    assert plain(view["title"]["text"]) == (
        "Nid yw'n bosibl" if language == "cy" else "Not possible"
    )


def test_block_ids_and_values_stay_the_same_in_every_language() -> None:
    request = fixtures.filled("order")
    summary = fixtures.new_conversation().summary(request)

    def skeleton(language: Language) -> Any:
        message = conversation_blocks.summary_message(summary, language)
        return [
            (b.get("block_id"), [e.get("action_id") for e in b.get("elements", [])])
            for b in message.blocks
        ]

    assert skeleton("en") == skeleton("cy")
    assert ids.SUMMARY_ACTIONS_BLOCK in [block for block, _ in skeleton("cy")]
