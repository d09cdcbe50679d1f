"""The form in the officer's language (issue 12): every page, with its questions, hints,
placeholders, choices and errors, comes from the catalogues in English and in Welsh, and fits
Slack's limits without a word cut off (Welsh is often the longer).

Unlike tests/unit/test_people_text.py, the questions' own words are not let through as user data
here: the pages are built from a catalogue worded inside `marked_translations()`, so a label,
hint, example, choice or page title shown without an entry in the reader's language fails, even
when it is put into a catalogued sentence (`values_checked`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.blocks.form import (
    HINT_LIMIT,
    LABEL_LIMIT,
    OPTION_TEXT_LIMIT,
    form_errors,
    form_view,
)
from flows.catalogue import OTHER_PRODUCT, build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import Conversation
from flows.fields import Catalogue, FieldKind
from flows.form import form_pages
from flows.i18n import LANGUAGES, Language, translator
from flows.models import MonitoringRequest
from tests.support.block_kit import (
    PLACEHOLDER_MAX,
    VIEW_BUTTON_MAX,
    validate_view,
)
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.unit import test_blocks as fixtures

CONFIG = FlowConfig()
BASES = ("order", "licence", "voluntary")
#: the only words not from a catalogue: what the officer typed, shown back as typed, and the
#: force's own product names (shown as configured, never translated)
TYPED = ["NOM/1234567", "MR-42", *(s.label for s in CONFIG.software if s.label != OTHER_PRODUCT)]


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> Iterator[Language]:
    with marked_translations(values_checked=True):
        yield request.param


def worded(language: str) -> Catalogue:
    """The questions worded in `language`, built now (so, within `marked_translations`,
    marked): not the cached `catalogue_for`, which may have been built unmarked."""
    return build_catalogue(CONFIG, language)


def pages_of(request: MonitoringRequest, language: str) -> list[dict[str, Any]]:
    catalogue = worded(language)
    pages = form_pages(catalogue, request.answers)
    return [
        form_view(
            request,
            page,
            number,
            len(pages),
            fixtures.TODAY,
            CONFIG,
            refilled=("visor_ref",),
            language=language,
        )
        for number, page in enumerate(pages, start=1)
    ]


def empty(basis: str) -> MonitoringRequest:
    """A request with only its basis: every input shown empty, with its placeholder."""
    request = fixtures.filled(basis)
    request.answers = {"legal_basis": basis}
    return request


@pytest.mark.parametrize("basis", BASES)
@pytest.mark.parametrize("state", ["filled", "empty"])
def test_every_page_of_the_form_is_catalogued(language: Language, basis: str, state: str) -> None:
    request = fixtures.filled(basis) if state == "filled" else empty(basis)
    views = pages_of(request, language)
    assert len(views) == 5
    for view in views:
        assert validate_view(plain(view)) == [], validate_view(plain(view))
        assert_translated(view, user_data=TYPED, language=language)
    shown = str(plain(views))
    if language == "cy":
        assert "Cyfeirnod ViSOR" in shown and "ViSOR ref" not in shown
        assert "Sail gyfreithiol" in shown and "Legal basis" not in shown
        assert "Y ddyfais" in shown and "tudalen 4 o 5" in shown
        assert "Er enghraifft" in shown or state == "filled"
    else:
        assert "ViSOR ref" in shown and "Cyfeirnod ViSOR" not in shown
        assert "Legal basis" in shown and "Sail gyfreithiol" not in shown


def test_the_choices_are_worded_in_the_language_and_keep_their_values(language: Language) -> None:
    request = empty("order")
    catalogue = worded(language)
    english = build_catalogue(CONFIG, "en")
    for view in pages_of(request, language):
        for block in view["blocks"]:
            if block["type"] != "input" or block["element"]["type"] != "static_select":
                continue
            key = block["block_id"].removeprefix("form:")
            field, same = catalogue.get(key), english.get(key)
            values = [o["value"] for o in block["element"]["options"]]
            if field.kind == FieldKind.YES_NO:
                assert values == ["yes", "no"]
            else:
                # the stored values are those of the English form, whatever the language
                assert values == [o.value for o in same.options]
    if language == "cy":
        shown = str(plain(pages_of(request, language)))
        assert "Gorchymyn llys" in shown and "Court order" not in shown


def test_the_forms_errors_are_in_the_officers_language(language: Language) -> None:
    """As the conversation gives them (an unreadable reference, a required question left empty),
    with the example in the same language."""
    catalogue = worded(language)
    conversation = Conversation(catalogue, CONFIG, FixedClock(fixtures.T0))
    request = MonitoringRequest("U0OFFICER", "G0PRIVATE", fixtures.T0)
    request.request_id = "MR-42"
    outcome = conversation.answer_form(
        request, "person", {"visor_ref": "!!", "pnc_id": ""}, "U0OFFICER", []
    )
    assert set(outcome.errors) == {"visor_ref"} and request.answers == {}
    fields = {f.key: f for f in catalogue.fields}
    errors = form_errors(outcome.errors, fields, language)
    assert_translated([{"text": t} for t in errors.values()], ["!!"], language)
    outcome = conversation.answer_form(request, "person", {}, "U0OFFICER", [])
    required = form_errors(outcome.errors, fields, language)
    assert_translated([{"text": t} for t in required.values()], language=language)
    if language == "cy":
        assert "Nid yw hwnnw'n gyfeirnod" in str(plain(errors))
        assert "Mae angen" in str(plain(required)) and "Enghraifft:" in str(plain(required))


def _longest(texts: list[str]) -> int:
    return max(len(text) for text in texts)


def test_the_longest_welsh_words_fit_slacks_limits_uncut() -> None:
    """Truncation would keep a page valid but cut a Welsh question or choice short: the
    untruncated texts must fit (labels and hints 2000, placeholders 150, choices 75, the
    submit and close buttons 24)."""
    for language in LANGUAGES:
        catalogue = worded(language)
        t = translator(language)
        fields = catalogue.fields
        assert _longest([f.label for f in fields]) <= LABEL_LIMIT
        assert _longest([f.help for f in fields]) <= HINT_LIMIT
        placeholders = [t("For example {example}", example=f.example) for f in fields]
        assert _longest(placeholders) <= PLACEHOLDER_MAX, max(placeholders, key=len)
        choices = [o.label for f in fields for o in f.options] + [t("Yes"), t("No")]
        assert _longest(choices) <= OPTION_TEXT_LIMIT, max(choices, key=len)
        assert _longest([t("Done"), t("Next"), t("Close")]) <= VIEW_BUTTON_MAX
        assert len(t("Choose…")) <= PLACEHOLDER_MAX
        # an error with its example, the longest the conversation gives
        longest_error = max(
            (
                t(
                    "{message} Example: {example}",
                    message=t("{label} is required."),
                    example=f.example,
                )
                for f in fields
            ),
            key=len,
        )
        assert len(longest_error) <= HINT_LIMIT


@pytest.mark.parametrize("basis", BASES)
def test_no_welsh_text_on_a_page_is_cut_short(basis: str) -> None:
    """Every label, hint, placeholder and choice is shown whole (no "…" added by truncation)."""
    for request in (fixtures.filled(basis), empty(basis)):
        for view in pages_of(request, "cy"):
            for block in view["blocks"]:
                if block["type"] != "input":
                    continue
                element = block["element"]
                texts = [block["label"]["text"], block["hint"]["text"]]
                texts += [o["text"]["text"] for o in element.get("options", [])]
                if "placeholder" in element:
                    texts.append(element["placeholder"]["text"])
                assert not [text for text in texts if text.endswith("…") and text != "Dewiswch…"]


def test_a_date_the_form_shows_is_a_date_picker_in_either_language() -> None:
    """The same element in both languages: what the officer picks is an ISO date."""
    kinds = {}
    for language in LANGUAGES:
        views = pages_of(empty("order"), language)
        kinds[language] = [
            (b["block_id"], b["element"]["type"])
            for view in views
            for b in view["blocks"]
            if b["type"] == "input"
        ]
    assert kinds["cy"] == kinds["en"]
