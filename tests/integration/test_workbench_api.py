"""The workbench's JSON API over the real bot and database: what each person sees after each
thing they do, and what the API refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot import ids
from bot.demo.answers import answers_for
from bot.workbench import words
from tests.support.workbench import (
    OFFICER,
    SECOND_SUPERVISOR,
    STRANGER,
    SUPERVISOR,
    WorkbenchClient,
    current_question,
    everything_said,
    last_with,
    running_workbench,
    thread_of,
)

Json = dict[str, Any]

#: free text with markup in it, and as Slack carries it (& < > as entities)
TYPED = "Rising risk online <b>&amp;</b> <!channel>: monitoring is the least intrusive step."
TYPED_AS_SLACK_SENDS_IT = (
    "Rising risk online &lt;b&gt;&amp;amp;&lt;/b&gt; &lt;!channel&gt;: monitoring is the least "
    "intrusive step."
)


@pytest.fixture
def wb(db_url: str) -> Iterator[WorkbenchClient]:
    with running_workbench(db_url) as client:
        yield client


def start_request(wb: WorkbenchClient) -> str:
    seen = wb.do("command", OFFICER, text="")
    parent = thread_of(seen)
    assert parent["user"] == seen["bot"]["id"] and parent["replies"]
    return str(parent["ts"])


def answer_everything(wb: WorkbenchClient, thread: str, answers: dict[str, str]) -> Json:
    for _ in range(80):
        seen = wb.state(OFFICER)
        replies = thread_of(seen, thread)
        if last_with(replies, ids.SUMMARY_BLOCK) is not None:
            return seen
        key = current_question(replies)
        assert key in answers, key
        wb.do("say", OFFICER, text=answers[key], thread_ts=thread)
    raise AssertionError("the bot never reached the summary")


def submit_and_find_card(wb: WorkbenchClient, thread: str) -> Json:
    summary = last_with(thread_of(wb.state(OFFICER), thread), ids.SUMMARY_BLOCK)
    assert summary is not None
    wb.do(
        "act",
        OFFICER,
        where={"message_ts": summary["ts"]},
        block_id=ids.SUMMARY_ACTIONS_BLOCK,
        action_id=ids.REQUEST_SUBMIT,
    )
    card = last_with(thread_of(wb.state(SUPERVISOR), thread), ids.APPROVAL_BLOCK)
    assert card is not None, "no approval card after submitting"
    return card


def today(wb: WorkbenchClient) -> Any:
    return datetime.now(wb.bench.real_bot.settings.timezone).date()


def test_a_request_from_the_command_to_one_supervisors_approval(wb: WorkbenchClient) -> None:
    thread = start_request(wb)
    answers = answers_for("order", today(wb))
    answers["necessity"] = TYPED
    answer_everything(wb, thread, answers)
    card = submit_and_find_card(wb, thread)
    request_id = next(
        e["value"]
        for b in card["blocks"]
        for e in b.get("elements") or []
        if e.get("action_id") == ids.APPROVAL_APPROVE
    )
    approve = {
        "where": {"message_ts": card["ts"]},
        "block_id": ids.APPROVAL_ACTIONS_BLOCK,
        "action_id": ids.APPROVAL_APPROVE,
    }

    # someone not in the unit is refused, and only they are told so
    stranger = wb.do("act", STRANGER, **approve)
    refusals = [r for r in thread_of(stranger, thread)["replies"] if r.get("ephemeral")]
    assert len(refusals) == 1 and stranger["modal"] is None
    assert not [r for r in thread_of(wb.state(OFFICER), thread)["replies"] if r.get("ephemeral")]

    # the supervisor's Approve opens the bot's dialog for them alone
    seen = wb.do("act", SUPERVISOR, **approve)
    modal = seen["modal"]
    assert modal is not None and modal["callback_id"] == ids.APPROVE_VIEW
    assert wb.state(OFFICER)["modal"] is None and wb.state(SECOND_SUPERVISOR)["modal"] is None

    # a review date in the past: the bot's error is shown at the review date's block
    past = (today(wb) - timedelta(days=1)).isoformat()
    values = {ids.REVIEW_DATE_BLOCK: {ids.REVIEW_DATE_ACTION: past}}
    seen = wb.do("submit", SUPERVISOR, view_id=modal["id"], values=values)
    assert seen["modal"]["id"] == modal["id"]
    assert list(seen["modal_errors"]) == [ids.REVIEW_DATE_BLOCK]

    values = {
        ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: "Proportionate."},
        ids.REVIEW_DATE_BLOCK: {
            ids.REVIEW_DATE_ACTION: (today(wb) + timedelta(days=90)).isoformat()
        },
    }
    seen = wb.do("submit", SUPERVISOR, view_id=modal["id"], values=values)
    assert seen["modal"] is None and seen["modal_errors"] == {}
    said = everything_said(seen)
    assert "was approved by <@" + SUPERVISOR + ">" in said

    # the card was edited in place (chat.update): still one card, now without its buttons
    cards = [r for r in thread_of(seen, thread)["replies"] if r["ts"] == card["ts"]]
    assert len(cards) == 1 and ids.APPROVAL_APPROVE not in json.dumps(cards[0])

    stored = wb.bench.real_bot.wiring.service.get(request_id)
    assert stored is not None and stored.state == "approved" and stored.decided_by == SUPERVISOR
    # what the officer typed is kept as typed and reaches the page as Slack would send it
    assert stored.answers["necessity"] == TYPED
    mine = [r for r in thread_of(seen, thread)["replies"] if r["user"] == OFFICER]
    assert any(r["text"] == TYPED_AS_SLACK_SENDS_IT for r in mine)


def test_the_help_command_is_shown_only_to_who_asked(wb: WorkbenchClient) -> None:
    seen = wb.do("command", SUPERVISOR, text="help")
    shown = [m for m in seen["messages"] if m.get("ephemeral")]
    assert len(shown) == 1 and "/monitoring-request" in shown[0]["text"]
    assert wb.state(OFFICER)["messages"] == []


def test_a_stranger_cannot_start_a_request(wb: WorkbenchClient) -> None:
    seen = wb.do("command", STRANGER, text="")
    assert [m.get("ephemeral") for m in seen["messages"]] == [True]
    assert wb.state(OFFICER)["messages"] == []


def test_the_form_modal_updates_on_the_basis_and_slack_requires_its_required_fields(
    wb: WorkbenchClient,
) -> None:
    thread = start_request(wb)
    parent = thread_of(wb.state(OFFICER), thread)
    seen = wb.do(
        "act",
        OFFICER,
        where={"message_ts": parent["ts"]},
        block_id="form_actions",
        action_id=ids.REQUEST_FORM,
    )
    modal = seen["modal"]
    assert modal is not None and modal["callback_id"] == ids.FORM_VIEW
    blocks = [b["block_id"] for b in modal["blocks"]]
    # nothing filled in: Slack itself marks each required field, the bot hears nothing
    seen = wb.do("submit", OFFICER, view_id=modal["id"], values={})
    assert seen["modal_errors"] and set(seen["modal_errors"].values()) == {words.UI["required"]}
    assert set(seen["modal_errors"]) <= set(blocks)
    # the form's first page holds the ViSOR reference; a wrong one is refused by the bot
    visor = ids.form_block("visor_ref")
    assert visor in blocks
    values = {visor: {"value": "not a reference!"}}
    seen = wb.do("submit", OFFICER, view_id=modal["id"], values=values)
    assert visor in seen["modal_errors"]
    assert seen["modal_errors"][visor] != words.UI["required"]
    seen = wb.do("close", OFFICER, view_id=modal["id"], values={})
    assert seen["modal"] is None


def test_app_home_is_published_when_a_person_opens_it(wb: WorkbenchClient) -> None:
    start_request(wb)
    seen = wb.do("home", OFFICER)
    assert seen["home"] is not None and seen["home"]["type"] == "home"
    assert "MR-000001" in json.dumps(seen["home"])
    assert wb.state(SUPERVISOR)["home"] is None


def test_the_api_refuses_what_no_page_of_its_own_would_send(wb: WorkbenchClient) -> None:
    assert wb.post("/api/say", {"as": "U0NOBODY", "text": "hi"}).status == 400
    assert wb.post("/api/say", {"as": OFFICER, "text": "hi"}, "text/plain").status == 415
    assert wb.post("/api/explode", {"as": OFFICER}).status == 400
    assert wb.post("/api/say", {"as": OFFICER, "text": "x", "thread_ts": "1.2"}).status == 400
    assert wb.get("/etc/passwd").status == 404
    # a page elsewhere that renamed itself to this address (DNS rebinding) gets nothing
    assert wb.get("/api/state", host="evil.example:80").status == 421
    page = wb.get("/")
    assert page.status == 200 and "workbench.js" in page.body["text"]
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert wb.get("/workbench.js").status == 200 and wb.get("/workbench.css").status == 200


def approve_as(wb: WorkbenchClient, who: str, card: Json) -> Json:
    seen = wb.do(
        "act",
        who,
        where={"message_ts": card["ts"]},
        block_id=ids.APPROVAL_ACTIONS_BLOCK,
        action_id=ids.APPROVAL_APPROVE,
    )
    modal = seen["modal"]
    if modal is None:
        return seen
    review = (today(wb) + timedelta(days=90)).isoformat()
    values = {ids.REVIEW_DATE_BLOCK: {ids.REVIEW_DATE_ACTION: review}}
    return wb.do("submit", who, view_id=modal["id"], values=values)


def test_a_very_high_risk_needs_the_second_supervisor_too(wb: WorkbenchClient) -> None:
    thread = start_request(wb)
    answers = answers_for("order", today(wb))
    answers["rosh_level"] = "very high"
    answer_everything(wb, thread, answers)
    card = submit_and_find_card(wb, thread)
    approve_as(wb, SUPERVISOR, card)
    stored = wb.bench.real_bot.wiring.service.get("MR-000001")
    assert stored is not None and stored.state != "approved"
    # the same supervisor may not give the second approval: told so, only them
    redrawn = last_with(thread_of(wb.state(SUPERVISOR), thread), ids.APPROVAL_BLOCK)
    assert redrawn is not None
    card = redrawn
    again = approve_as(wb, SUPERVISOR, card)
    assert again["modal"] is None
    assert [r for r in thread_of(again, thread)["replies"] if r.get("ephemeral")]
    approve_as(wb, SECOND_SUPERVISOR, card)
    stored = wb.bench.real_bot.wiring.service.get("MR-000001")
    assert stored is not None and stored.state == "approved"
    assert stored.decided_by == SECOND_SUPERVISOR


def test_a_request_opens_in_full_from_app_home(wb: WorkbenchClient) -> None:
    start_request(wb)
    home = wb.do("home", OFFICER)["home"]
    button = next(
        (block["block_id"], element["action_id"])
        for block in home["blocks"]
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]
        if ids.HOME_VIEW_PATTERN.match(str(element.get("action_id", "")))
    )
    seen = wb.do(
        "act", OFFICER, where={"view_id": home["id"]}, block_id=button[0], action_id=button[1]
    )
    assert seen["modal"] is not None and "MR-000001" in json.dumps(seen["modal"])


def test_picking_a_basis_in_the_form_redraws_its_page(wb: WorkbenchClient) -> None:
    thread = start_request(wb)
    for text in ("NOM/1234567", "skip"):  # the first page answered in the thread
        wb.do("say", OFFICER, text=text, thread_ts=thread)
    parent = thread_of(wb.state(OFFICER), thread)
    modal = wb.do(
        "act",
        OFFICER,
        where={"message_ts": parent["ts"]},
        block_id="form_actions",
        action_id=ids.REQUEST_FORM,
    )["modal"]
    basis = ids.form_block("legal_basis")
    assert basis in [b["block_id"] for b in modal["blocks"]], "the form opens at the basis"
    before = json.dumps(modal["blocks"])
    seen = wb.do(
        "act",
        OFFICER,
        where={"view_id": modal["id"], "values": {}},
        block_id=basis,
        action_id="value",
        picked="voluntary",
    )
    redrawn = seen["modal"]
    assert redrawn["id"] == modal["id"] and json.dumps(redrawn["blocks"]) != before
    assert ids.form_block("consent_obtained") in [b["block_id"] for b in redrawn["blocks"]]
