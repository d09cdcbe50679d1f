"""Whole requests through the real HTTP endpoint, signed like Slack's, against the Web API double."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from bot import ids
from tests.e2e.flow import (
    answer_all,
    answers_for,
    card_updates,
    click_card,
    ephemerals,
    last_view,
    metadata,
    open_approval,
    start,
    submit,
    submit_approval,
    submitted,
)
from tests.support import signing
from tests.support.running_bot import (
    OFFICER,
    SECRET,
    SUP1,
    SUP2,
    RunningBot,
    block,
    block_ids,
    block_text,
    card_text,
    current_question,
    thread_posts,
    ts_of,
    with_block,
)


def audit_actions(app: RunningBot, request_id: str) -> list[str]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.action FROM audit_events a JOIN requests r ON r.id = a.request_id "
                "WHERE r.id = :pk ORDER BY a.id"
            ),
            {"pk": int(request_id.removeprefix("MR-"))},
        )
        return [row[0] for row in rows]


def state_of(app: RunningBot, request_id: str) -> str:
    request = app.bot.wiring.service.get(request_id)
    assert request is not None
    return request.state


def test_an_order_request_is_collected_in_a_thread_and_approved_by_a_supervisor(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    parent = app.slack.message("G0PRIVATE", thread)
    assert (
        parent is not None
        and "OFFICIAL-SENSITIVE" in parent["text"]
        and f"<@{OFFICER}>" in parent["text"]
    )

    summary = answer_all(app, thread, answers_for("order"))
    # every question was a thread message with its q:<key> block
    asked = [
        b[2:] for c in thread_posts(app.slack, thread) for b in block_ids(c) if b.startswith("q:")
    ]
    assert (
        asked[0] == "visor_ref"
        and "order_monitoring_clause" in asked
        and "licence_condition" not in asked
    )
    summary_text = block_text(summary, ids.SUMMARY_BLOCK)
    assert "NOM/1234567" in summary_text
    assert "ending 7518" in summary_text and "490154203237518" not in summary_text
    assert "The person notified police of the device late" in summary_text
    assert "The order has no clause allowing monitoring software" in summary_text
    assert "late_notification" not in summary_text  # words, never keys
    assert "by 22 November 2026: 3 days beginning with 20 November" in summary_text
    assert {e["action_id"] for e in block(summary, ids.SUMMARY_ACTIONS_BLOCK)["elements"]} == {
        ids.REQUEST_SUBMIT,
        ids.REQUEST_EDIT,
        ids.REQUEST_CANCEL,
    }

    card = submit(app, thread)
    assert "<!subteam^S0SUPS>" in card.args["text"]
    facts = card_text(card)
    for expected in (
        request_id,
        "NOM/1234567",
        "Category 1",
        "Level 2",
        "High",
        "ending 7518",
        "SHPO",
        "The person notified police of the device late",
    ):
        assert expected in facts, expected
    approve = block(card, ids.APPROVAL_ACTIONS_BLOCK)["elements"][0]
    assert approve["action_id"] == ids.APPROVAL_APPROVE and approve["style"] == "primary"
    assert state_of(app, request_id) == "awaiting_approval"
    # Approve opens a dialog that lists the flags and proposes a review date three months on
    view = open_approval(app, card, SUP1)
    assert view is not None and view["callback_id"] == ids.APPROVE_VIEW
    assert state_of(app, request_id) == "awaiting_approval"
    intro = next(b for b in view["blocks"] if b.get("block_id") == ids.APPROVE_INTRO_BLOCK)
    assert (
        "notified police of the device late" in intro["text"]["text"]
        and request_id in intro["text"]["text"]
    )
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id[ids.COMMENT_BLOCK]["optional"] is True
    assert by_id[ids.COMMENT_BLOCK]["element"]["action_id"] == ids.COMMENT_ACTION
    picker = by_id[ids.REVIEW_DATE_BLOCK]["element"]
    assert (picker["action_id"], picker["initial_date"]) == (ids.REVIEW_DATE_ACTION, "2027-02-28")

    # a review date that is not in the future is refused in the dialog, and nothing is decided
    refused = submit_approval(app, view, SUP1, review_date="2026-11-30")
    assert refused.json()["response_action"] == "errors"
    assert ids.REVIEW_DATE_BLOCK in refused.json()["errors"]
    assert state_of(app, request_id) == "awaiting_approval"

    submit_approval(
        app, view, SUP1, comment="Review <b>early</b> if <!channel> asks", review_date="2027-01-15"
    )
    assert state_of(app, request_id) == "approved"
    [update] = card_updates(app, card)
    assert ids.APPROVAL_ACTIONS_BLOCK not in block_ids(update)
    decision = block_text(update, ids.DECISION_BLOCK)
    assert "Approved" in decision and f"<@{SUP1}>" in decision and "10:00" in decision
    assert "Review by:_ 15 January 2027" in decision
    comment = block_text(update, f"{ids.DECISION_COMMENT_BLOCK}:0")
    assert "Review &lt;b&gt;early&lt;/b&gt; if &lt;!channel&gt; asks" in comment
    told = with_block(thread_posts(app.slack, thread), "decision_notice")[-1]
    assert f"<@{OFFICER}>" in block_text(told, "decision_notice")
    assert "Review by 15 January 2027" in block_text(told, "decision_notice")
    stored = app.request(request_id)
    assert (stored.decision_comment, str(stored.review_date)) == (
        "Review <b>early</b> if <!channel> asks",
        "2027-01-15",
    )
    install = block(told, ids.INSTALL_ACTIONS_BLOCK)["elements"][0]
    assert install["action_id"] == ids.INSTALLATION_CONFIRM

    app.click(
        ids.INSTALLATION_CONFIRM, request_id, user=OFFICER, message_ts=ts_of(told), thread_ts=thread
    )
    record = last_view(app)
    assert record["callback_id"] == ids.INSTALLATION_VIEW
    app.send(
        signing.view_submission(
            SECRET,
            callback_id=record["callback_id"],
            values={
                ids.INSTALL_OUTCOME_BLOCK: {
                    ids.INSTALL_OUTCOME_ACTION: {
                        "type": "radio_buttons",
                        "selected_option": {"value": "installed"},
                    }
                },
                ids.INSTALL_DATE_BLOCK: {
                    ids.INSTALL_DATE_ACTION: {"type": "datepicker", "selected_date": "2026-11-30"}
                },
            },
            private_metadata=record["private_metadata"],
            user_id=OFFICER,
        )
    )
    assert state_of(app, request_id) == "installed"
    trail = audit_actions(app, request_id)
    assert (
        trail[0] == "created"
        and "submitted" in trail
        and "decided" in trail
        and trail[-1] == "installed"
    )


def test_a_licence_request_is_rejected_with_a_reason_given_in_a_dialog(app: RunningBot) -> None:
    request_id, _thread, card = submitted(app, "licence")
    assert "Licence condition: Must allow installation" in card_text(card)

    click_card(app, card, ids.APPROVAL_REJECT, user=SUP2)
    view = last_view(app)
    assert view["callback_id"] == ids.REASON_VIEW
    assert metadata(view)["id"] == request_id and metadata(view)["decision"] == "reject"
    input_block = next(b for b in view["blocks"] if b.get("block_id") == ids.REASON_BLOCK)
    assert input_block["element"]["action_id"] == ids.REASON_ACTION

    empty = app.submit_view(view, "   ", user=SUP2)
    assert empty.status == 200 and empty.json()["response_action"] == "errors"
    assert ids.REASON_BLOCK in empty.json()["errors"]
    assert state_of(app, request_id) == "awaiting_approval"

    app.submit_view(view, "Licence condition does not cover <b>laptops</b> & tablets", user=SUP2)
    assert state_of(app, request_id) == "rejected"
    [update] = card_updates(app, card)
    decision = block_text(update, ids.DECISION_BLOCK)
    assert "Rejected" in decision and "&lt;b&gt;laptops&lt;/b&gt; &amp; tablets" in decision


def test_a_voluntary_request_sent_back_for_more_information_is_resubmitted_and_approved(
    app: RunningBot,
) -> None:
    request_id, thread, first_card = submitted(app, "voluntary")
    click_card(app, first_card, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), "Attach the signed consent form reference", user=SUP1)
    assert state_of(app, request_id) == "info_requested"
    assert "More information requested" in block_text(
        card_updates(app, first_card)[-1], ids.DECISION_BLOCK
    )

    as_sent_back = card_updates(app, first_card)[-1]

    app.reply(thread, "The consent form is on file as CONSENT-77, signed 27 Nov.")
    assert "info_provided" in audit_actions(app, request_id)
    app.reply(thread, "edit consent_reference")
    app.reply(thread, "CONSENT-77/SIGNED")
    second_card = submit(app, thread)
    assert ts_of(second_card) != ts_of(first_card)
    assert "CONSENT-77/SIGNED" in card_text(second_card)
    # the supervisor who asked is told it is back: mentioned on the new card and its text
    assert f"<@{SUP1}>" in second_card.args["text"]
    assert f"<@{SUP1}>" in block_text(second_card, ids.APPROVAL_HEADER_BLOCK)
    assert f"<@{SUP1}>" not in first_card.args["text"]
    # the new card says who asked for what, what the officer replied, and what changed
    history = block_text(second_card, ids.APPROVAL_HISTORY_BLOCK)
    assert f"requested by <@{SUP1}>" in history
    assert "Attach the signed consent form reference" in history
    replies = block_text(second_card, f"{ids.APPROVAL_REPLIES_BLOCK}:0")
    assert "The consent form is on file as CONSENT-77, signed 27 Nov." in replies
    changed = block_text(second_card, f"{ids.APPROVAL_CHANGES_BLOCK}:0")
    assert "CONSENT-77 → CONSENT-77/SIGNED" in changed

    # the superseded card keeps exactly what it showed: the first round's answers and decision
    superseded = card_updates(app, first_card)[-1]
    assert superseded.args["blocks"][:-1] == as_sent_back.args["blocks"]
    assert block_ids(superseded)[-1] == ids.SUPERSEDED_BLOCK
    assert "Superseded" in block_text(superseded, ids.SUPERSEDED_BLOCK)
    assert "CONSENT-77/SIGNED" not in json.dumps(superseded.args["blocks"])
    assert "CONSENT-77" in card_text(superseded)

    # the old card's buttons no longer decide anything
    click_card(app, first_card, ids.APPROVAL_APPROVE, user=SUP2)
    assert state_of(app, request_id) == "awaiting_approval"
    click_card(app, second_card, ids.APPROVAL_APPROVE, user=SUP2)
    assert state_of(app, request_id) == "approved"


def test_choice_questions_can_be_answered_with_their_buttons(app: RunningBot) -> None:
    request_id, thread = start(app)
    answers = answers_for("order")
    while True:
        key = current_question(app.slack, thread)
        if key == "mappa_category":
            break
        app.reply(thread, answers[key])
    question = thread_posts(app.slack, thread)[-1]
    buttons = block(question, ids.answer_actions_block("mappa_category"))["elements"]
    assert [b["action_id"] for b in buttons] == [
        ids.answer_action("mappa_category", v) for v in "1234"
    ]
    # another user's click does not count
    app.click(buttons[2]["action_id"], "3", user=SUP1, message_ts=ts_of(question), thread_ts=thread)
    assert current_question(app.slack, thread) == "mappa_category"
    app.click(
        buttons[2]["action_id"], "3", user=OFFICER, message_ts=ts_of(question), thread_ts=thread
    )
    assert current_question(app.slack, thread) == "mappa_level"
    request = app.bot.wiring.service.get(request_id)
    assert request is not None and request.answers["mappa_category"] == "3"


def test_a_bad_answer_is_explained_without_asking_the_question_again(app: RunningBot) -> None:
    _, thread = start(app)
    app.reply(thread, "!!")
    reply = thread_posts(app.slack, thread)[-1]
    assert block_ids(reply) == ["error:visor_ref"]
    example = app.bot.wiring.catalogue.get("visor_ref").example
    assert example in block_text(reply, "error:visor_ref")


def test_withdrawing_while_awaiting_approval_updates_the_card(app: RunningBot) -> None:
    request_id, thread, card = submitted(app, "order")
    app.reply(thread, "cancel")
    assert state_of(app, request_id) == "withdrawn"
    assert "Withdrawn" in block_text(card_updates(app, card)[-1], ids.DECISION_BLOCK)
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    assert state_of(app, request_id) == "withdrawn"
    assert any("withdrawn" in text for text in ephemerals(app, SUP1))


def test_summary_buttons_edit_and_submit(app: RunningBot) -> None:
    request_id, thread = start(app)
    summary = answer_all(app, thread, answers_for("order"))
    select = block(summary, ids.SUMMARY_ACTIONS_BLOCK)["elements"][1]
    assert select["type"] == "static_select"
    app.click(
        ids.REQUEST_EDIT,
        "",
        user=OFFICER,
        message_ts=ts_of(summary),
        thread_ts=thread,
        action_type="static_select",
        selected_option={"text": {"type": "plain_text", "text": "OS"}, "value": "device_os"},
    )
    assert current_question(app.slack, thread) == "device_os"
    app.reply(thread, "Android 15")
    new_summary = with_block(thread_posts(app.slack, thread), ids.SUMMARY_BLOCK)[-1]
    assert "Android 15" in block_text(new_summary, ids.SUMMARY_BLOCK)
    app.click(
        ids.REQUEST_SUBMIT, "submit", user=OFFICER, message_ts=ts_of(new_summary), thread_ts=thread
    )
    assert state_of(app, request_id) == "awaiting_approval"
    assert with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
@pytest.mark.parametrize("decision", ["approve", "reject", "more_info"])
def test_every_basis_reaches_every_decision(app: RunningBot, basis: str, decision: str) -> None:
    request_id, thread, card = submitted(app, basis)
    if decision == "approve":
        click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    else:
        action = ids.APPROVAL_REJECT if decision == "reject" else ids.APPROVAL_MORE_INFO
        click_card(app, card, action, user=SUP2)
        app.submit_view(last_view(app), f"Reason for {decision}", user=SUP2)
    expected = {"approve": "approved", "reject": "rejected", "more_info": "info_requested"}[
        decision
    ]
    assert state_of(app, request_id) == expected
    [update] = card_updates(app, card)
    assert ids.APPROVAL_ACTIONS_BLOCK not in block_ids(update)
    assert ids.DECISION_BLOCK in block_ids(update)
    notice = with_block(thread_posts(app.slack, thread), "decision_notice")[-1]
    assert f"<@{OFFICER}>" in block_text(notice, "decision_notice")
