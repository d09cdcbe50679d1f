"""The form: a modal in pages built from the catalogue; the same parsers, rules and wording as
the thread; answers audited like typed ones; the form and the thread can be mixed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from bot import ids
from tests.e2e.flow import (
    answer_all,
    answers_for,
    choose_basis,
    ephemerals,
    fill_form,
    form_answers_for,
    open_form,
    start,
    submit,
    submit_page,
)
from tests.support import signing
from tests.support.block_kit import validate_view
from tests.support.running_bot import (
    OFFICER,
    OFFICER2,
    SECRET,
    RunningBot,
    block,
    block_text,
    current_question,
    thread_posts,
    with_block,
)


def inputs(view: dict[str, Any]) -> list[str]:
    return [
        str(b["block_id"]).removeprefix(ids.FORM_BLOCK_PREFIX)
        for b in view["blocks"]
        if b["type"] == "input"
    ]


def audit_details(app: RunningBot, request_id: str, action: str) -> list[dict[str, object]]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT detail FROM audit_events WHERE request_id = :pk AND action = :action "
                "ORDER BY id"
            ),
            {"pk": int(request_id.removeprefix("MR-")), "action": action},
        )
        return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_a_whole_request_by_form_reaches_the_summary_in_the_thread(
    app: RunningBot, basis: str
) -> None:
    request_id, thread = start(app)
    parent = app.slack.message("G0PRIVATE", thread)
    assert parent is not None
    [button] = next(b for b in parent["blocks"] if b.get("block_id") == ids.FORM_ACTIONS_BLOCK)[
        "elements"
    ]
    assert (button["action_id"], button["text"]["text"]) == (ids.REQUEST_FORM, "Fill in a form")

    view = open_form(app, request_id, thread)
    assert view is not None and view["callback_id"] == ids.FORM_VIEW
    assert validate_view(view) == []
    assert inputs(view) == ["visor_ref", "pnc_id"]
    pages = fill_form(app, view, form_answers_for(basis))
    assert pages == 5  # person, basis (with its branch), risk, device, software

    summary = thread_posts(app.slack, thread)[-1]
    assert ids.SUMMARY_BLOCK in [b.get("block_id") for b in summary.args["blocks"]]
    stored = app.request(request_id)
    assert stored.state == "confirming" and stored.answers["visor_ref"] == "NOM/1234567"
    typed = start(app)
    answer_all(app, typed[1], answers_for(basis))
    assert app.request(typed[0]).answers == stored.answers  # the same parsers, the same values
    # audited like typed answers, marked as given in the form
    answered = audit_details(app, request_id, "answered")
    assert answered and all(d.get("via") == "form" for d in answered)
    assert {d["field"] for d in answered} == set(stored.answers)
    # and from here all is as today
    submit(app, thread)
    assert app.request(request_id).state == "awaiting_approval"


def test_every_page_is_within_slacks_limits_with_inputs_named_by_field_key(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    answers = form_answers_for("order", device_ownership="shared")
    seen: list[str] = []
    for _ in range(6):
        if "legal_basis" in inputs(view):
            view = choose_basis(app, view, "order")
        assert validate_view(view) == [], validate_view(view)
        assert len(view["blocks"]) <= 100 and len(view["title"]["text"]) <= 24
        for b in view["blocks"]:
            if b["type"] == "input":
                assert b["block_id"].startswith(ids.FORM_BLOCK_PREFIX)
        seen += inputs(view)
        response = submit_page(app, view, answers)
        if response.get("response_action") != "update":
            break
        view = {**response["view"], "id": view["id"]}
    assert "order_type" in seen and "licence_condition" not in seen
    assert {"device_imei", "device_serial", "other_users", "date_acquired"} <= set(seen)


def test_a_bad_value_comes_back_with_the_threads_wording_and_nothing_is_stored(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    response = submit_page(app, view, {"visor_ref": "!!", "pnc_id": "not a pnc"})
    assert response["response_action"] == "errors"
    errors = response["errors"]
    assert set(errors) == {ids.form_block("visor_ref"), ids.form_block("pnc_id")}
    app.reply(thread, "!!")  # the same value typed in the thread
    error_reply = thread_posts(app.slack, thread)[-1]
    thread_words = block_text(error_reply, ids.error_block("visor_ref"))
    assert errors[ids.form_block("visor_ref")].split(" Example:")[0] in thread_words
    assert app.request(request_id).answers == {}
    rejected = audit_details(app, request_id, "answer_rejected")
    assert {"field": "visor_ref", "via": "form"} in rejected
    # a required question left empty is named too
    response = submit_page(app, view, {"visor_ref": "", "pnc_id": ""})
    assert "required" in response["errors"][ids.form_block("visor_ref")]


def test_start_in_the_thread_finish_in_the_form_then_edit_in_the_thread(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    for answer in ("nom/1234567", "skip", "order"):
        app.reply(thread, answer)
    view = open_form(app, request_id, thread)
    # opens at the first page with something unanswered: the basis, with the order's branch
    assert inputs(view)[:2] == ["legal_basis", "order_type"]
    fill_form(app, view, form_answers_for("order"))
    stored = app.request(request_id)
    assert stored.state == "confirming"
    # the question that was live in the thread now shows its answer, no buttons
    [asked] = with_block(thread_posts(app.slack, thread), ids.question_block("order_type"))
    message = app.slack.message("G0PRIVATE", asked.response["ts"])  # type: ignore[index]
    assert message is not None
    assert [b["block_id"] for b in message["blocks"]] == [ids.answered_block("order_type")]
    app.reply(thread, "edit device_os")
    app.reply(thread, "Android 15")
    assert app.request(request_id).answers["device_os"] == "Android 15"


def test_start_in_the_form_close_it_and_finish_in_the_thread(app: RunningBot) -> None:
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    answers = form_answers_for("voluntary")
    response = submit_page(app, view, answers)  # the person
    view = {**response["view"], "id": view["id"]}
    assert inputs(view) == ["legal_basis"]  # its branch follows once a basis is picked
    redrawn = choose_basis(app, view, "voluntary")
    assert inputs(redrawn)[0] == "legal_basis" and "consent_obtained" in inputs(redrawn)
    assert validate_view(redrawn) == []
    # nothing new in the thread mid-form: the answered question was rewritten in place
    assert current_question(app.slack, thread) == "visor_ref"
    app.send(signing.view_closed(SECRET, view=view, user_id=OFFICER))
    assert current_question(app.slack, thread) == "legal_basis"
    answer_all(app, thread, answers_for("voluntary"))
    assert app.request(request_id).state == "confirming"


def test_only_the_requester_may_open_the_form_and_not_once_submitted(app: RunningBot) -> None:
    request_id, thread = start(app)
    assert open_form(app, request_id, thread, user=OFFICER2) is None
    assert any("Only the officer" in t for t in ephemerals(app, OFFICER2))
    answer_all(app, thread, answers_for("voluntary"))
    submit(app, thread)
    assert open_form(app, request_id, thread) is None
    assert any("no longer be changed" in t for t in ephemerals(app, OFFICER))


def test_typed_markup_in_the_form_is_stored_as_typed_and_escaped_once(app: RunningBot) -> None:
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    answers = form_answers_for("voluntary", device_make_model="Nokia <!channel> & Sons")
    fill_form(app, view, answers)
    assert app.request(request_id).answers["device_make_model"] == "Nokia <!channel> & Sons"
    summary = thread_posts(app.slack, thread)[-1]
    shown = block(summary, ids.SUMMARY_BLOCK)["text"]["text"]
    assert "Nokia &lt;!channel&gt; &amp; Sons" in shown
