"""Officers messaging the bot: a mention in a private channel starts a request as the slash
command does; a direct message gets guidance and links to the officer's open requests, and
never any offender data."""

from __future__ import annotations

import json
from pathlib import Path

from bot import ids
from tests.e2e.flow import answer_all, answers_for, ephemerals, start
from tests.support import signing
from tests.support.running_bot import (
    OFFICER,
    OFFICER2,
    OTHER_PRIVATE,
    PRIVATE,
    PUBLIC,
    SECRET,
    RunningBot,
    block_text,
    current_question,
    posts,
    running_bot,
)
from tests.support.slack_double import SlackDouble
from tests.support.workspace import BOT_USER_ID

DM = "D0OFFICER"


def mention(
    app: RunningBot, text: str, user: str = OFFICER, channel: str = PRIVATE, **kw: str
) -> tuple[signing.HttpResult, signing.SignedRequest]:
    event = signing.app_mention(channel=channel, user=user, text=f"<@{BOT_USER_ID}> {text}", **kw)
    request = signing.event_callback(SECRET, event)
    return app.send(request), request


def parents(app: RunningBot, channel: str = PRIVATE) -> list[str]:
    return [c.args["text"] for c in posts(app.slack, channel) if not c.args.get("thread_ts")]


def test_a_mention_in_a_private_channel_starts_a_request_once(app: RunningBot) -> None:
    result, request = mention(app, "")
    assert result.status == 200
    [parent] = parents(app)
    assert "MR-" in parent and f"<@{OFFICER}>" in parent
    thread = next(c for c in posts(app.slack) if not c.args.get("thread_ts")).response
    assert thread is not None
    assert current_question(app.slack, str(thread["ts"])) == "visor_ref"
    app.send(request.retried(1))  # Slack's retry of the same event starts nothing new
    assert len(parents(app)) == 1


def test_a_mention_is_refused_where_the_command_is_refused(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/limited.db"
    with running_bot(slack, url, MOSOVO_REQUEST_CHANNELS=PRIVATE, MOSOVO_OFFICERS=OFFICER) as app:
        slack.add_channel(PUBLIC, is_private=False, name="general")
        mention(app, "", channel=OTHER_PRIVATE)
        mention(app, "", user=OFFICER2)
        mention(app, "", channel=PUBLIC)
        refusals = ephemerals(app, OFFICER) + ephemerals(app, OFFICER2)
        assert any("aren't taken in this channel" in r for r in refusals)
        assert any("not on the list of officers" in r for r in refusals)
        assert len(refusals) == 3
        assert app.slack.calls("chat.postMessage") == []


def test_a_mention_asking_for_help_or_the_list_answers_only_the_officer(app: RunningBot) -> None:
    mention(app, "help")
    assert "/monitoring-request" in ephemerals(app, OFFICER)[-1]
    request_id, _ = start(app)
    mention(app, "LIST")
    assert request_id in ephemerals(app, OFFICER)[-1]
    assert len(parents(app)) == 1


def test_a_mention_inside_a_request_thread_is_an_answer_not_a_new_request(
    app: RunningBot,
) -> None:
    _, thread = start(app)
    mention(app, "nom/1234567", thread_ts=thread)
    assert len(parents(app)) == 1


def dm(app: RunningBot, text: str, user: str = OFFICER) -> None:
    event = signing.user_message(channel=DM, user=user, text=text)
    app.send(signing.event_callback(SECRET, event))


def test_a_direct_message_gets_guidance_and_links_to_open_requests_without_offender_data(
    app: RunningBot,
) -> None:
    request_id, thread = start(app)
    answer_all(app, thread, answers_for("order"))
    dm(app, "what about NOM/1234567 <!channel> & co?")
    [reply] = posts(app.slack, DM)
    guidance = block_text(reply, ids.DM_GUIDANCE_BLOCK)
    assert "/monitoring-request" in guidance and "private channel" in guidance
    listing = block_text(reply, ids.DM_OPEN_BLOCK)
    [link] = [c for c in app.slack.calls("chat.getPermalink") if c.ok]
    assert link.args == {"channel": PRIVATE, "message_ts": thread}
    assert f"<{link.response['permalink']}|{request_id}>" in listing  # type: ignore[index]
    everything = json.dumps(reply.args)
    # nothing typed in the DM is echoed, and nothing from the request is shown
    for secret in ("NOM/1234567", "7518", "Samsung", "SHPO/2025/0042", "!channel", "co?"):
        assert secret not in everything


def test_a_direct_message_from_someone_with_no_requests_says_so(app: RunningBot) -> None:
    dm(app, "hello", user=OFFICER2)
    [reply] = posts(app.slack, DM)
    assert "no open requests" in block_text(reply, ids.DM_OPEN_BLOCK)
    assert app.slack.calls("chat.getPermalink") == []


def test_the_bots_own_dm_messages_and_edits_get_no_answer(app: RunningBot) -> None:
    app.send(signing.event_callback(SECRET, signing.bot_message(channel=DM, text="hi")))
    edit = signing.message_changed(channel=DM, ts=signing.new_ts(), text="b", previous_text="a")
    app.send(signing.event_callback(SECRET, edit))
    assert posts(app.slack, DM) == []
