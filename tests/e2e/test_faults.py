"""Faults after Slack was acknowledged: a replayed command, a dialog Slack will not open, a
database that stops answering. Users are told, nothing is half-written, nothing is doubled
(issue 10, defects 5, 7 and 11)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from bot import ids
from tests.e2e.flow import approval_value, click_card, ephemerals, responses, start, submitted
from tests.support import signing
from tests.support.running_bot import (
    OFFICER,
    PRIVATE,
    SECRET,
    STRANGER,
    SUP1,
    RunningBot,
    posts,
    thread_posts,
    ts_of,
)


def count(app: RunningBot, sql: str) -> int:
    with app.database.engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


# -- defect 11: a replayed slash command ---------------------------------------------------------


def test_a_slash_command_replayed_within_the_signature_window_opens_one_request(
    app: RunningBot,
) -> None:
    command = signing.slash_command(
        SECRET, user_id=OFFICER, channel_id=PRIVATE, response_url=app.slack.response_url()
    )
    for _ in range(3):
        assert app.send(command).status == 200
    assert count(app, "SELECT count(*) FROM requests") == 1
    assert len([c for c in posts(app.slack) if not c.args.get("thread_ts")]) == 1


def test_two_separate_commands_still_open_two_requests(app: RunningBot) -> None:
    start(app)
    start(app)
    assert count(app, "SELECT count(*) FROM requests") == 2


# -- defect 7: the reason dialog -----------------------------------------------------------------


def test_the_reason_dialog_opens_before_anything_slow_is_asked(app: RunningBot) -> None:
    _request_id, _thread, card = submitted(app)
    app.bot.wiring.authority.supervisors.group_members.forget("S0SUPS")
    app.slack.clear_calls()
    click_card(app, card, ids.APPROVAL_REJECT, user=SUP1)
    methods = [c.method for c in app.slack.calls()]
    assert methods[0] == "views.open", methods
    assert "usergroups.users.list" in methods  # the check came after, and did happen


def test_a_dialog_slack_will_not_open_is_explained_and_changes_nothing(app: RunningBot) -> None:
    request_id, _thread, card = submitted(app)
    for button in (ids.APPROVAL_REJECT, ids.APPROVAL_MORE_INFO, ids.APPROVAL_APPROVE):
        app.slack.error_next("views.open", "expired_trigger_id")
        app.click(
            button,
            approval_value(card),
            user=SUP1,
            message_ts=ts_of(card),
            thread_ts=card.args["thread_ts"],
        )
        assert "didn't open the dialog" in ephemerals(app, SUP1)[-1]
    assert app.request(request_id).state == "awaiting_approval"


def test_a_user_refused_after_the_dialog_opened_sees_why_in_it(app: RunningBot) -> None:
    request_id, _thread, card = submitted(app)
    click_card(app, card, ids.APPROVAL_REJECT, user=STRANGER)
    [opened] = app.slack.calls("views.open")
    [replaced] = app.slack.calls("views.update")
    assert replaced.args["view_id"] == opened.response["view"]["id"]  # type: ignore[index]
    shown = [b["block_id"] for b in replaced.args["view"]["blocks"]]
    assert shown == [ids.DIALOG_REFUSED_BLOCK]
    assert "authorised supervisor" in replaced.args["view"]["blocks"][0]["text"]["text"]
    assert app.request(request_id).state == "awaiting_approval"
    assert (
        count(
            app, "SELECT count(*) FROM audit_events WHERE action = 'unauthorised_decision_attempt'"
        )
        == 1
    )


# -- defect 5: the database stops answering ------------------------------------------------------


@contextmanager
def requests_table_gone(app: RunningBot) -> Iterator[None]:
    """Every query on requests fails, as when the database is unreachable."""
    with app.database.engine.begin() as connection:
        connection.execute(text("ALTER TABLE requests RENAME TO requests_away"))
    try:
        yield
    finally:
        with app.database.engine.begin() as connection:
            connection.execute(text("ALTER TABLE requests_away RENAME TO requests"))


def test_an_answer_the_database_could_not_save_is_reported_and_nothing_is_half_written(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    before = app.request(request_id)
    events = count(app, "SELECT count(*) FROM audit_events")
    posted = len(thread_posts(app.slack, thread))
    with requests_table_gone(app):
        app.reply(thread, "NOM/7654321")
    [told] = ephemerals(app, OFFICER)
    assert "couldn't save that" in told and "send it again" in told
    after = app.request(request_id)
    assert after.answers == before.answers and after.state == before.state
    assert count(app, "SELECT count(*) FROM audit_events") == events
    assert len(thread_posts(app.slack, thread)) == posted

    app.reply(thread, "NOM/7654321")  # sent again once the database is back: taken
    assert app.request(request_id).answers != before.answers


def test_a_slash_command_the_database_could_not_save_is_answered(app: RunningBot) -> None:
    with requests_table_gone(app):
        app.command()
    assert any("couldn't save that" in r.get("text", "") for r in responses(app))
    assert posts(app.slack) == []


def test_a_click_the_database_could_not_save_is_reported(app: RunningBot) -> None:
    _request_id, _thread, card = submitted(app)
    with requests_table_gone(app):
        click_card(app, card, ids.APPROVAL_REJECT, user=SUP1)
    assert "couldn't save that" in ephemerals(app, SUP1)[-1]
