"""Where requests are refused, and refused clicks: an ephemeral message, nothing changed, and an
audit event for every refused decision."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from bot import ids
from tests.e2e.flow import (
    click_card,
    ephemerals,
    last_view,
    responses,
    start,
    submitted,
)
from tests.support import signing
from tests.support.running_bot import (
    DM,
    OFFICER,
    OFFICER2,
    OTHER_PRIVATE,
    PRIVATE,
    PUBLIC,
    SECRET,
    STRANGER,
    SUP1,
    SUP2,
    RunningBot,
    posts,
    running_bot,
    thread_posts,
    ts_of,
    with_block,
)
from tests.support.slack_double import SlackDouble


def stored_requests(app: RunningBot) -> int:
    with app.database.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM requests")).scalar_one())


def audit_rows(app: RunningBot, action: str) -> list[tuple[str, str]]:
    with app.database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT actor, action FROM audit_events WHERE action = :a ORDER BY id"),
            {"a": action},
        )
        return [(r[0], r[1]) for r in rows]


def test_a_request_in_a_public_channel_is_refused_and_nothing_is_stored(app: RunningBot) -> None:
    result = app.command(channel=PUBLIC)
    assert result.status == 200
    [reply] = responses(app)
    assert reply["response_type"] == "ephemeral" and "private channel" in reply["text"]
    assert stored_requests(app) == 0 and posts(app.slack, PUBLIC) == []


def test_a_request_in_a_direct_message_is_refused(app: RunningBot) -> None:
    app.command(channel=DM)
    [reply] = responses(app)
    assert "direct message" in reply["text"] and stored_requests(app) == 0


def test_only_configured_channels_and_officers_may_start_requests(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/limited.db"
    with running_bot(slack, url, MOSOVO_REQUEST_CHANNELS=PRIVATE, MOSOVO_OFFICERS=OFFICER) as app:
        app.command(channel=OTHER_PRIVATE)
        app.command(channel=PRIVATE, user=OFFICER2)
        refusals = [r["text"] for r in responses(app)]
        assert "aren't taken in this channel" in refusals[0]
        assert "not on the list of officers" in refusals[1]
        assert stored_requests(app) == 0
        request_id, _ = start(app, user=OFFICER)
        assert stored_requests(app) == 1 and request_id.startswith("MR-")


def test_help_and_list_answer_only_the_user(app: RunningBot) -> None:
    help_result = app.command(text="help")
    assert help_result.status == 200 and "/monitoring-request" in help_result.json()["text"]
    assert stored_requests(app) == 0
    request_id, _ = start(app)
    app.command(text="list")
    listing = responses(app)[-1]
    assert listing["response_type"] == "ephemeral" and request_id in listing["text"]


def test_a_bad_signature_or_an_old_timestamp_is_refused_with_401_and_nothing_is_stored(
    app: RunningBot,
) -> None:
    forged = signing.slash_command("not-the-secret", user_id=OFFICER, channel_id=PRIVATE)
    stale = signing.slash_command(
        SECRET, user_id=OFFICER, channel_id=PRIVATE, timestamp=int(time.time()) - 301
    )
    for request in (forged, stale):
        assert app.send(request).status == 401
    assert stored_requests(app) == 0
    assert app.slack.calls("chat.postMessage") == []


def test_supervisors_clicks_are_refused_for_strangers_the_requester_and_after_the_decision(
    app: RunningBot,
) -> None:
    request_id, _thread, card = submitted(app, "order")

    click_card(app, card, ids.APPROVAL_APPROVE, user=STRANGER)
    assert "authorised supervisor" in ephemerals(app, STRANGER)[-1]
    click_card(app, card, ids.APPROVAL_REJECT, user=STRANGER)
    # the dialog opens at once (Slack's trigger is short-lived), then shows why it is refused
    [refused] = app.slack.calls("views.update")
    assert "authorised supervisor" in refused.args["view"]["blocks"][0]["text"]["text"]

    # the requester is a supervisor too, but may not decide their own request
    app.slack.set_usergroup("S0SUPS", [SUP1, SUP2, OFFICER])
    app.bot.wiring.authority.supervisors.group_members.forget("S0SUPS")
    click_card(app, card, ids.APPROVAL_APPROVE, user=OFFICER)
    assert "another supervisor" in ephemerals(app, OFFICER)[-1]

    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    click_card(app, card, ids.APPROVAL_MORE_INFO, user=SUP2)
    assert ephemerals(app, SUP2)[-1] == f"{request_id} was already approved by <@{SUP1}> at 10:00."

    attempts = audit_rows(app, "unauthorised_decision_attempt")
    assert (STRANGER, "unauthorised_decision_attempt") in attempts
    assert (OFFICER, "unauthorised_decision_attempt") in attempts
    assert audit_rows(app, "late_decision_attempt") == [(SUP2, "late_decision_attempt")]
    assert [r for r in audit_rows(app, "decided")] == [(SUP1, "decided")]


def test_a_click_for_a_request_this_bot_does_not_hold_gets_an_answer(app: RunningBot) -> None:
    app.click(
        ids.APPROVAL_APPROVE, "MR-999999", user=SUP1, message_ts="1700000000.000100", thread_ts=None
    )
    assert ephemerals(app, SUP1) == [
        "MR-999999 is not in this bot's records: it may belong to another workspace."
    ]


def test_a_request_withdrawn_after_approval_is_not_reported_as_approved(app: RunningBot) -> None:
    request_id, thread, card = submitted(app, "order")
    click_card(app, card, ids.APPROVAL_APPROVE, user=SUP1)
    app.reply(thread, "cancel")
    click_card(app, card, ids.APPROVAL_REJECT, user=SUP2)
    assert ephemerals(app, SUP2) == [f"{request_id} is withdrawn: nothing to decide."]


def test_the_superseded_card_cannot_decide_while_the_new_card_is_still_on_its_way(
    app: RunningBot,
) -> None:
    request_id, thread, first_card = submitted(app, "voluntary")
    click_card(app, first_card, ids.APPROVAL_MORE_INFO, user=SUP1)
    app.submit_view(last_view(app), "Which consent form?", user=SUP1)
    app.slack.fail_next("chat.postMessage", status=500, times=3)  # the new card waits in the outbox
    app.reply(thread, "submit")
    assert app.request(request_id).state == "awaiting_approval"
    assert app.request(request_id).approval_card_ref is None

    click_card(app, first_card, ids.APPROVAL_APPROVE, user=SUP2)
    assert app.request(request_id).state == "awaiting_approval"
    assert "use the latest card" in ephemerals(app, SUP2)[-1]

    assert app.bot.sweeper.run_once().sent == 1
    new_card = with_block(thread_posts(app.slack, thread), ids.APPROVAL_BLOCK)[-1]
    assert app.request(request_id).approval_card_ref == ts_of(new_card)
    click_card(app, new_card, ids.APPROVAL_APPROVE, user=SUP2)
    assert app.request(request_id).state == "approved"
