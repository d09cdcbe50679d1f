"""A click is judged by the round its card shows (`card_round:<n>`), not by whether the card's ts
was saved; a decision always updates the card it was made on (issue #10, defect 4)."""

from __future__ import annotations

from sqlalchemy import text

from bot import ids
from tests.e2e.flow import (
    card_updates,
    click_card,
    ephemerals,
    last_view,
    submit,
    submitted,
)
from tests.support.running_bot import SUP1, SUP2, RunningBot, block, block_ids, block_text, ts_of
from tests.support.slack_double import SlackCall


def forget_card_ts(app: RunningBot, request_id: str) -> None:
    """The state a failed (or not yet made) save of the card's ts leaves behind."""
    with app.database.engine.begin() as connection:
        connection.execute(
            text("UPDATE requests SET approval_card_ref = NULL WHERE id = :pk"),
            {"pk": int(request_id.removeprefix("MR-"))},
        )
    assert app.request(request_id).approval_card_ref is None


def resubmitted(app: RunningBot) -> tuple[str, SlackCall, SlackCall]:
    """A voluntary request sent back once and resubmitted: (id, first card, second card)."""
    request_id, thread, first = submitted(app, "voluntary")
    click_card(app, first, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), "Which consent form?", user=SUP1)
    app.reply(thread, "CONSENT-77, signed on 27 November.")
    second = submit(app, thread)
    assert ts_of(second) != ts_of(first)
    return request_id, first, second


def test_every_approval_card_carries_its_round_in_a_block_of_its_own(app: RunningBot) -> None:
    request_id, first, second = resubmitted(app)
    assert "card_round:1" in block_ids(first) and "card_round:2" in block_ids(second)
    [element] = block(second, "card_round:2")["elements"]
    assert element["text"] == f"{request_id} · approval round 2"
    # the buttons' value stays the request id
    [actions] = [
        b for b in second.args["blocks"] if b.get("block_id") == ids.APPROVAL_ACTIONS_BLOCK
    ]
    assert {e["value"] for e in actions["elements"]} == {request_id}


def test_a_resubmitted_card_whose_ts_was_not_saved_still_decides_and_is_updated(
    app: RunningBot,
) -> None:
    request_id, first, second = resubmitted(app)
    forget_card_ts(app, request_id)

    # the superseded card is still refused: it shows round 1
    click_card(app, first, ids.APPROVAL_APPROVE, user=SUP2)
    assert app.request(request_id).state == "awaiting_approval"
    assert "use the latest card" in ephemerals(app, SUP2)[-1]

    click_card(app, second, ids.APPROVAL_APPROVE, user=SUP2)
    request = app.request(request_id)
    assert request.state == "approved"
    assert request.approval_card_ref == ts_of(second)  # the click told us where the card is
    decided = card_updates(app, second)[-1]
    assert ids.DECISION_BLOCK in block_ids(decided)
    assert ids.APPROVAL_ACTIONS_BLOCK not in block_ids(decided)


def test_a_reason_dialog_decides_the_round_its_card_showed(app: RunningBot) -> None:
    request_id, _first, second = resubmitted(app)
    forget_card_ts(app, request_id)
    click_card(app, second, ids.APPROVAL_REJECT, user=SUP2)
    app.submit_view(last_view(app), "Consent not witnessed.", user=SUP2)
    assert app.request(request_id).state == "rejected"
    assert "Consent not witnessed." in block_text(card_updates(app, second)[-1], ids.DECISION_BLOCK)


def test_a_click_before_the_first_cards_ts_is_saved_decides_and_updates_that_card(
    app: RunningBot,
) -> None:
    request_id, _thread, card = submitted(app, "order")
    forget_card_ts(app, request_id)
    click_card(app, card, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), "Which court?", user=SUP1)
    request = app.request(request_id)
    assert request.state == "info_requested"
    assert request.approval_card_ref == ts_of(card)
    assert "More information requested" in block_text(
        card_updates(app, card)[-1], ids.DECISION_BLOCK
    )
