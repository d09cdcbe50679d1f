"""The form in the officer's language (issue 12), through the real bot: a whole request by the
form in Welsh, its errors in Welsh, the thread carrying on in Welsh when it is closed, the values
stored exactly as by the English form, and every page of every basis catalogued in English and
in Welsh as the bot really sends it (the marking checker over the modals Slack was given)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot import ids
from flows.catalogue import OTHER_PRODUCT, catalogue_for
from flows.i18n import LANGUAGES
from tests.e2e.flow import (
    answer_all,
    choose_basis,
    fill_form,
    form_answers_for,
    form_inputs,
    open_form,
    start,
    submit_page,
)
from tests.e2e.test_form import audit_details
from tests.e2e.test_in_welsh import IN_WELSH as WELSH_TYPED
from tests.e2e.test_in_welsh import speak_welsh
from tests.support import signing
from tests.support.block_kit import validate_view
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.support.running_bot import (
    OFFICER,
    OFFICER2,
    SECRET,
    RunningBot,
    current_question,
    thread_posts,
)

#: the order request as a Welsh speaker fills in the form: the selects and date pickers send
#: the same option values and ISO dates in either language; what is typed is typed in Welsh
IN_WELSH = form_answers_for("order", order_expiry="amhenodol", order_notify_days="diofyn")


def shown(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False)


def labels(view: dict[str, Any]) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def pages_of(
    app: RunningBot, view: dict[str, Any], answers: dict[str, str], user: str = OFFICER
) -> list[dict[str, Any]]:
    """Every page the bot shows while the form is filled in with `answers` (the basis page
    both before and after its basis is picked)."""
    seen = [view]
    for _ in range(12):
        if "legal_basis" in form_inputs(view) and answers.get("legal_basis"):
            view = choose_basis(app, view, answers["legal_basis"], user)
            seen.append(view)
        response = submit_page(app, view, answers, user)
        assert response.get("response_action") != "errors", response
        if response.get("response_action") != "update":
            return seen
        view = {**response["view"], "id": view["id"]}
        seen.append(view)
    raise AssertionError("the form never closed")


def test_a_whole_request_by_the_form_in_welsh(app: RunningBot) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    assert view is not None and validate_view(view) == []
    text = shown(view)
    assert "Cyfeirnod ViSOR" in labels(view)[0] and "ViSOR ref" not in text
    assert "Y person" in text and "tudalen 1 o 5" in text and "Er enghraifft" in text
    assert view["submit"]["text"] == "Nesaf" and view["close"]["text"] == "Cau"
    seen = pages_of(app, view, IN_WELSH)
    assert len({v["id"] for v in seen}) == 1 and len(seen) == 6  # 5 pages, the basis twice
    for page in seen:
        assert validate_view(page) == [], validate_view(page)
        assert "Optional questions" not in shown(page) and "For example" not in shown(page)
    basis_page = seen[2]
    assert "Gorchymyn llys" in shown(basis_page) and "Court order" not in shown(basis_page)
    assert seen[-1]["submit"]["text"] == "Gorffen"

    # the thread shows the summary, in Welsh
    summary = thread_posts(app.slack, thread)[-1]
    assert ids.SUMMARY_BLOCK in [b.get("block_id") for b in summary.args["blocks"]]
    assert "Crynodeb: gwiriwch bob ateb" in shown(summary.args)
    welsh = app.request(request_id)
    assert welsh.state == "confirming"
    answered = audit_details(app, request_id, "answered")
    assert answered and all(d.get("via") == "form" for d in answered)

    # the same request by the form in English stores exactly the same values
    assert app.bot.wiring.languages.language_for(OFFICER2) == "en"
    english_id, english_thread = start(app, OFFICER2)
    english_view = open_form(app, english_id, english_thread, user=OFFICER2)
    assert "ViSOR ref" in labels(english_view)[0]
    english_answers = form_answers_for("order", order_expiry="indefinite")
    english_answers["order_notify_days"] = "default"
    assert fill_form(app, english_view, english_answers, user=OFFICER2) == 5
    assert app.request(english_id).answers == welsh.answers
    assert welsh.answers["legal_basis"] == "order" and welsh.answers["order_type"] == "shpo"


def test_the_forms_errors_are_in_welsh_and_nothing_is_stored(app: RunningBot) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    response = submit_page(app, view, {"visor_ref": "!!", "pnc_id": ""})
    assert response["response_action"] == "errors"
    error = response["errors"][ids.form_block("visor_ref")]
    assert "Nid yw hwnnw'n gyfeirnod" in error and "That is not" not in error
    response = submit_page(app, view, {"visor_ref": "", "pnc_id": ""})
    required = response["errors"][ids.form_block("visor_ref")]
    assert required.startswith("Mae angen ") and "Enghraifft:" in required
    assert "required" not in required
    assert app.request(request_id).answers == {}
    # an English speaker's errors stay English
    english_id, english_thread = start(app, OFFICER2)
    english_view = open_form(app, english_id, english_thread, user=OFFICER2)
    response = submit_page(app, english_view, {"visor_ref": "", "pnc_id": ""}, user=OFFICER2)
    assert "is required" in response["errors"][ids.form_block("visor_ref")]


def test_a_form_closed_part_way_leaves_the_thread_asking_in_welsh(app: RunningBot) -> None:
    speak_welsh(app)
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    response = submit_page(app, view, IN_WELSH)  # the person
    view = {**response["view"], "id": view["id"]}
    assert "Sail gyfreithiol" in shown(view) and "tudalen 2 o 5" in shown(view)
    redrawn = choose_basis(app, view, "voluntary")
    assert "consent_obtained" in form_inputs(redrawn)
    assert "Legal basis" not in shown(redrawn) and "Yes" not in shown(redrawn)
    assert "Ie" in shown(redrawn)
    before = len(thread_posts(app.slack, thread))
    app.send(signing.view_closed(SECRET, view=view, user_id=OFFICER))
    assert current_question(app.slack, thread) == "legal_basis"
    asked = thread_posts(app.slack, thread)[before:]
    assert asked and all("Cwestiwn " in shown(c.args) for c in asked), [c.args for c in asked]
    assert not any("Question " in shown(c.args) for c in asked)


def test_a_page_submitted_once_the_request_is_submitted_is_refused_in_welsh(
    app: RunningBot,
) -> None:
    """The form left open while the request was finished and submitted in the thread: the page
    is refused, in the officer's language, and nothing changes."""
    speak_welsh(app)
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    answer_all(app, thread, WELSH_TYPED)
    app.reply(thread, "cyflwyno")
    stored = app.request(request_id)
    assert stored.state == "awaiting_approval"
    response = submit_page(app, view, {"visor_ref": "NOM/7654321", "pnc_id": ""})
    assert response["response_action"] == "errors"
    [refusal] = response["errors"].values()
    assert "ni ellir newid ei atebion mwyach" in refusal and "can no longer" not in refusal
    assert app.request(request_id).answers == stored.answers


@pytest.fixture
def marked_bot() -> Iterator[None]:
    """The bot's words marked as they are translated (tests/support/i18n.py), the questions
    too: catalogue_for builds them afresh within, and forgets them afterwards."""
    catalogue_for.cache_clear()
    try:
        with marked_translations(values_checked=True):
            yield
    finally:
        catalogue_for.cache_clear()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_every_page_the_bot_shows_is_catalogued_in_the_officers_language(
    app: RunningBot, language: str, basis: str, marked_bot: None
) -> None:
    if language == "cy":
        speak_welsh(app)
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    seen = pages_of(app, view, form_answers_for(basis))
    assert len(seen) == 6
    config = app.bot.wiring.catalogue.config
    products = [s.label for s in config.software if s.label != OTHER_PRODUCT]
    for page in seen:
        assert validate_view(plain(page)) == []
        # what the officer typed (shown back) and the force's own product names
        assert_translated(page, user_data=[request_id, *products], language=language)
