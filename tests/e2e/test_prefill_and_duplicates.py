"""Nothing retyped about a person already known to the unit; a second pending request for the
same device is flagged on the summary and the card."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from bot import ids
from tests.e2e.flow import (
    answer_all,
    answers_for,
    choose_basis,
    fill_form,
    form_answers_for,
    open_form,
    start,
    submit,
    submit_page,
    submitted,
)
from tests.support.block_kit import validate_view
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    RunningBot,
    block,
    block_ids,
    block_text,
    current_question,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackCall


def audit(app: RunningBot, request_id: str, action: str) -> list[dict[str, object]]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT detail FROM audit_events WHERE request_id = :pk AND action = :action "
                "ORDER BY id"
            ),
            {"pk": int(request_id.removeprefix("MR-")), "action": action},
        )
        return [r[0] if isinstance(r[0], dict) else json.loads(r[0]) for r in rows]


def offer_in(app: RunningBot, thread: str) -> SlackCall:
    [offer] = with_block(thread_posts(app.slack, thread), ids.PREFILL_BLOCK)
    return offer


def click_offer(app: RunningBot, offer: SlackCall, action_id: str, thread: str) -> None:
    [button] = [
        e
        for e in block(offer, ids.PREFILL_ACTIONS_BLOCK)["elements"]
        if e["action_id"] == action_id
    ]
    app.click(
        action_id,
        button["value"],
        user=OFFICER,
        message_ts=ts_of(offer),
        thread_ts=thread,
        message={**offer.response["message"]},  # type: ignore[index]
    )


def test_a_known_person_is_offered_right_after_the_visor_answer_and_reused(
    app: RunningBot,
) -> None:
    earlier_id, _, _ = submitted(app, "order")
    request_id, thread = start(app)
    app.reply(thread, "NOM/1234567")
    posts = thread_posts(app.slack, thread)
    offer = offer_in(app, thread)
    # right after the answer: the offer, then the next question
    assert posts.index(offer) == len(posts) - 2
    assert ids.question_block("pnc_id") in block_ids(posts[-1])
    assert earlier_id in block_text(offer, ids.PREFILL_BLOCK)
    assert "MAPPA category" in block_text(offer, ids.PREFILL_BLOCK)

    click_offer(app, offer, ids.PREFILL_ACCEPT, thread)
    stored = app.request(request_id)
    earlier = app.request(earlier_id)
    for key in ("mappa_category", "mappa_level", "rosh_level", "risk_assessment_date"):
        assert stored.answers[key] == earlier.answers[key]
    assert stored.answers["legal_basis"] == "order"
    assert stored.answers["order_reference"] == earlier.answers["order_reference"]
    assert "device_type" not in stored.answers  # the device is never reused
    assert stored.prefill["status"] == "accepted" and stored.prefill["from"] == earlier_id
    accepted = audit(app, request_id, "prefill_accepted")
    assert accepted and accepted[0]["source"] == earlier_id
    reused = [d for d in audit(app, request_id, "answered") if d.get("reused_from")]
    assert {d["field"] for d in reused} == set(stored.prefill["fields"])
    updated = app.slack.message(PRIVATE, ts_of(offer))
    assert updated is not None
    assert ids.PREFILL_ACTIONS_BLOCK not in [b.get("block_id") for b in updated["blocks"]]

    assert current_question(app.slack, thread) == "pnc_id"  # still the question to answer
    summary = answer_all(app, thread, answers_for("order", device_imei="352099001761481"))
    lines = block_text(summary, ids.SUMMARY_BLOCK)
    assert f"_(reused from {earlier_id})_" in lines
    mappa_line = next(line for line in lines.splitlines() if "MAPPA category" in line)
    assert "reused from" in mappa_line
    device_line = next(line for line in lines.splitlines() if "Device type" in line)
    assert "reused" not in device_line


def test_declining_the_offer_reuses_nothing(app: RunningBot) -> None:
    submitted(app, "voluntary")
    request_id, thread = start(app)
    app.reply(thread, "NOM/1234567")
    click_offer(app, offer_in(app, thread), ids.PREFILL_DECLINE, thread)
    stored = app.request(request_id)
    assert stored.prefill["status"] == "declined"
    assert set(stored.answers) == {"visor_ref"}
    assert audit(app, request_id, "prefill_declined")


def test_no_offer_for_another_person(app: RunningBot) -> None:
    submitted(app, "order")
    _, thread = start(app)
    app.reply(thread, "NOM/7654321")
    assert with_block(thread_posts(app.slack, thread), ids.PREFILL_BLOCK) == []


def test_a_pending_request_for_the_same_device_is_flagged_on_summary_and_card(
    app: RunningBot,
) -> None:
    first_id, _, _ = submitted(app, "voluntary")
    _, thread = start(app)
    summary = answer_all(app, thread, answers_for("voluntary", visor_ref="NOM/7654321"))
    flags = block_text(summary, ids.SUMMARY_BLOCK)
    assert "Possible duplicate" in flags and first_id in flags
    card = submit(app, thread)
    assert first_id in json.dumps(card.args["blocks"])
    assert "Possible duplicate" in json.dumps(card.args["blocks"])


def test_another_device_is_not_a_duplicate(app: RunningBot) -> None:
    submitted(app, "voluntary")
    _, thread = start(app)
    summary = answer_all(
        app,
        thread,
        answers_for("voluntary", visor_ref="NOM/7654321", device_imei="352099001761481"),
    )
    assert "Possible duplicate" not in block_text(summary, ids.SUMMARY_BLOCK)


RISK = ("mappa_category", "mappa_level", "rosh_level", "risk_assessment_date")
BRANCH = ("order_type", "order_reference", "order_court", "order_date", "order_expiry")


def shown(view: dict[str, Any]) -> dict[str, str]:
    """What each input of a page holds as drawn (its initial value), by field key: what Slack
    sends back when the officer submits it untouched."""
    values: dict[str, str] = {}
    for b in view["blocks"]:
        if b["type"] != "input":
            continue
        element = b["element"]
        value = (
            (element.get("initial_option") or {}).get("value")
            or element.get("initial_date")
            or element.get("initial_value")
            or ""
        )
        values[b["block_id"].removeprefix(ids.FORM_BLOCK_PREFIX)] = value
    return values


def test_a_prefill_accepted_while_the_form_is_open_fills_in_its_later_pages(
    app: RunningBot,
) -> None:
    earlier_id, _, _ = submitted(app, "order")
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    response = submit_page(app, view, {"visor_ref": "NOM/1234567", "pnc_id": ""})
    view = {**response["view"], "id": view["id"]}  # the basis page, drawn before the offer
    click_offer(app, offer_in(app, thread), ids.PREFILL_ACCEPT, thread)

    view = choose_basis(app, view, "order")
    assert all(shown(view)[key] for key in BRANCH), shown(view)
    response = submit_page(app, view, shown(view))
    assert response["response_action"] == "update"
    risk = response["view"]
    assert json.loads(risk["private_metadata"])["page"] == "risk"
    expected = form_answers_for("order")
    assert {k: shown(risk)[k] for k in RISK} == {k: expected[k] for k in RISK}
    fill_form(app, {**risk, "id": view["id"]}, {**form_answers_for("order"), **shown(risk)})
    stored = app.request(request_id)
    earlier = app.request(earlier_id)
    assert stored.state == "confirming"
    for key in (*RISK, *BRANCH):
        assert stored.answers[key] == earlier.answers[key]
    assert set(RISK) <= set(stored.prefill["fields"])


def test_the_page_open_when_a_prefill_is_accepted_comes_back_filled_in(
    app: RunningBot,
) -> None:
    earlier_id, _, _ = submitted(app, "order")
    request_id, thread = start(app)
    view = open_form(app, request_id, thread)
    answers = form_answers_for("order")
    response = submit_page(app, view, answers)  # the person: the offer goes to the thread
    view = {**response["view"], "id": view["id"]}
    view = choose_basis(app, view, "order")
    response = submit_page(app, view, answers)
    view = {**response["view"], "id": view["id"]}  # the risk page, drawn empty
    assert not any(shown(view).values())
    click_offer(app, offer_in(app, thread), ids.PREFILL_ACCEPT, thread)

    # submitted untouched: nothing is required of the officer or erased, the page comes back
    response = submit_page(app, view, shown(view))
    assert response["response_action"] == "update", response
    again = {**response["view"], "id": view["id"]}
    assert json.loads(again["private_metadata"])["page"] == "risk"
    assert {k: shown(again)[k] for k in RISK} == {k: answers[k] for k in RISK}
    assert ids.FORM_REFILLED_BLOCK in [b.get("block_id") for b in again["blocks"]]
    assert validate_view(again) == []
    earlier = app.request(earlier_id)
    assert all(app.request(request_id).answers[k] == earlier.answers[k] for k in RISK)

    # checked and sent on: the next page, and the request completes with the reused answers
    response = submit_page(app, again, shown(again))
    assert json.loads(response["view"]["private_metadata"])["page"] == "device"
    assert ids.FORM_REFILLED_BLOCK not in [b.get("block_id") for b in response["view"]["blocks"]]
    fill_form(app, {**response["view"], "id": view["id"]}, answers)
    stored = app.request(request_id)
    assert stored.state == "confirming"
    assert all(stored.answers[k] == earlier.answers[k] for k in RISK)
    reused = {d["field"] for d in audit(app, request_id, "answered") if d.get("reused_from")}
    assert set(RISK) <= reused
