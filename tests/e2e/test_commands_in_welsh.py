"""The slash command's own words in the reader's language, through the real bot: the help, the
list of open requests (each state named in Welsh), delegation and the channel refusals; and,
under the marking translators, nothing the command says to anyone is shown without a catalogue
entry, in English or in Welsh (issue #12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.catalogue import catalogue_for
from tests.e2e.flow import responses, start
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.support.running_bot import (
    DM,
    OFFICER,
    OTHER_PRIVATE,
    PRIVATE,
    PUBLIC,
    STRANGER,
    SUP1,
    RunningBot,
    running_bot,
)
from tests.support.slack_double import SlackDouble

COMMAND = "/monitoring-request"


def said(app: RunningBot) -> str:
    """The text of the last thing the command told its user (by response_url)."""
    reply = responses(app)[-1]
    assert reply.get("response_type") == "ephemeral", reply
    return str(reply["text"])


def test_help_is_in_welsh_for_a_welsh_speaker_and_names_the_welsh_words(app: RunningBot) -> None:
    app.command("iaith cymraeg")
    for word in ("cymorth", "help"):
        text = app.command(word).json()["text"]  # in the acknowledgement itself
        assert f"Mae *{COMMAND}* (neu sôn amdanaf i) yn dechrau cais" in text
        assert "`nôl`, `hepgor` (cwestiynau dewisol), `cymorth` neu `canslo`" in text
        assert f"`{COMMAND} rhestr` yn dangos eich ceisiadau agored" in text
        assert f"`{COMMAND} dirprwyo @defnyddiwr tan 24/12/2026`" in text
        assert "starts a monitoring software request" not in text
    english = app.command("help", user=SUP1).json()["text"]
    assert "starts a monitoring software request in this private channel" in english


def test_help_for_someone_slack_says_writes_welsh_is_in_welsh(app: RunningBot) -> None:
    app.slack.add_user(STRANGER, locale="cy-GB")
    text = app.command("help", user=STRANGER).json()["text"]
    assert "yn dechrau cais am feddalwedd monitro" in text


def test_the_list_names_each_state_in_welsh(app: RunningBot) -> None:
    app.command("iaith cymraeg")
    app.command("rhestr")
    assert said(app) == "Does gennych chi ddim ceisiadau monitro agored."
    request_id, _ = start(app)
    for word in ("rhestr", "list"):
        app.command(word)
        assert (
            said(app)
            == f"Eich ceisiadau monitro agored:\n• *{request_id}*: wrthi'n cael ei ysgrifennu"
        )
    app.command("language english")
    app.command("list")
    assert said(app) == f"Your open monitoring requests:\n• *{request_id}*: being written"


@pytest.mark.parametrize(
    ("channel", "welsh"),
    [
        (PUBLIC, "Mae'r sianel hon yn gyhoeddus. Mae ceisiadau monitro yn SWYDDOGOL-SENSITIF"),
        (DM, "Ni ellir gwneud ceisiadau monitro mewn neges uniongyrchol."),
        (OTHER_PRIVATE, None),  # a private channel the bot can see: a request starts
    ],
)
def test_a_channel_refusal_is_in_the_readers_language(
    app: RunningBot, channel: str, welsh: str | None
) -> None:
    app.command("iaith cymraeg")
    app.command(channel=channel)
    if welsh is None:
        assert app.slack.calls("chat.postMessage"), "a request was started"
        return
    assert said(app).startswith(welsh)
    app.command(channel=channel, user=SUP1)  # an English reader of the same refusal
    assert "Monitoring requests" in said(app)


def test_a_shared_channel_and_an_unconfigured_one_are_refused_in_welsh(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/limited.db"
    with running_bot(slack, url, MOSOVO_REQUEST_CHANNELS=PRIVATE) as app:
        app.command("iaith cymraeg")
        app.command(channel=OTHER_PRIVATE)
        assert said(app).startswith("Nid yw ceisiadau monitro yn cael eu derbyn yn y sianel hon.")
        slack.set_channel_flags(PRIVATE, is_ext_shared=True)
        app.bot.wiring.channels.forget(PRIVATE)
        app.command(channel=PRIVATE)
        assert said(app).startswith("Mae'r sianel hon wedi'i rhannu â sefydliad arall")


def test_delegation_is_answered_in_the_supervisors_language(app: RunningBot) -> None:
    app.command("iaith cymraeg", user=SUP1)
    app.command(f"dirprwyo <@{STRANGER}> tan 24/12/2026", user=SUP1)
    assert said(app).startswith(f"Caiff <@{STRANGER}> benderfynu ar geisiadau monitro")
    assert "24 Rhagfyr 2026" in said(app)
    app.command(f"delegate <@{SUP1}> until 24/12/2026", user=SUP1)
    assert said(app) == "Ni allwch ddirprwyo i chi'ch hun."
    app.command("dirprwyo pawb", user=SUP1)
    assert said(app).startswith(f"Ysgrifennwch `{COMMAND} dirprwyo @defnyddiwr tan")
    app.command(f"dirprwyo dirymu <@{STRANGER}>", user=SUP1)
    assert (
        said(app) == f"Ni chaiff <@{STRANGER}> benderfynu ar geisiadau monitro ar ran neb mwyach."
    )
    app.command("iaith cymraeg", user=OFFICER)
    app.command(f"dirprwyo <@{STRANGER}> tan 24/12/2026", user=OFFICER)
    assert said(app) == (
        "Dim ond goruchwyliwr all ddirprwyo'r gwaith o benderfynu ar geisiadau monitro."
    )


# --- nothing the command says is shown without a catalogue entry ---------------------------------


@pytest.fixture
def marked_app(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    """The real bot whose every translator refuses a msgid without an entry and marks what it
    returns (tests/support/i18n.py), so that what reaches Slack can be checked for text that did
    not come from a catalogue."""
    with marked_translations(), running_bot(slack, db_url) as bot:
        yield bot


def everything_said(app: RunningBot, acks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every text the bot gave a person: acknowledgements, response_url replies, ephemerals and
    posts (text and blocks)."""
    shown: list[dict[str, Any]] = [*acks, *responses(app)]
    for method in ("chat.postEphemeral", "chat.postMessage"):
        shown += [
            {"text": c.args.get("text"), "blocks": c.args.get("blocks") or []}
            for c in app.slack.calls(method)
        ]
    return shown


@pytest.mark.parametrize("language", ["english", "cymraeg"])
def test_nothing_the_command_says_is_uncatalogued(
    marked_app: RunningBot, slack: SlackDouble, language: str
) -> None:
    app = marked_app
    for user in (OFFICER, SUP1, STRANGER):
        app.command(f"language {language}", user=user)
    acks = []
    for word in ("help", "cymorth"):
        acks.append(app.command(word).json())
    app.command("list")
    app.command("hwyl fawr")  # not a command: said back, with the help
    app.command(channel=PUBLIC)
    app.command(channel=DM)
    slack.set_channel_flags(OTHER_PRIVATE, is_ext_shared=True)
    app.command(channel=OTHER_PRIVATE)
    app.command(f"delegate <@{STRANGER}> until 24/12/2026", user=SUP1)
    app.command(f"delegate <@{SUP1}> until 24/12/2026", user=SUP1)
    app.command(f"delegate <@{STRANGER}> until 1/11/2026", user=SUP1)
    app.command(f"delegate <@{STRANGER}> until 1/1/2029", user=SUP1)
    app.command(f"delegate <@{STRANGER}> until someday", user=SUP1)
    app.command("delegate everyone", user=SUP1)
    app.command(f"delegate revoke <@{STRANGER}>", user=SUP1)
    app.command(f"delegate revoke <@{STRANGER}>", user=SUP1)  # nothing left to revoke
    app.command(f"delegate <@{OFFICER}> until 24/12/2026", user=STRANGER)
    app.command(f"delegate revoke <@{SUP1}>", user=STRANGER)
    start(app)
    app.command("list")
    shown = everything_said(app, acks)
    assert len(shown) > 20
    # the first question's own words are the conversation's (worded once per language, and
    # checked by its own tests)
    user_data = [COMMAND, "hwyl fawr", "someday", *question_words(app)]
    problems = [problem for message in shown for problem in _problems(message, user_data)]
    assert not problems, "\n".join(problems)
    welsh = language == "cymraeg"
    assert ("Eich ceisiadau monitro agored:" in str(plain(shown))) == welsh


def question_words(app: RunningBot) -> list[str]:
    found: list[str] = []
    for language in ("en", "cy"):
        catalogue = catalogue_for(app.bot.wiring.catalogue.config, language)
        found += [field.prompt for field in catalogue.fields]
        found += [field.label for field in catalogue.fields]
    return found


def _problems(message: dict[str, Any], user_data: list[str]) -> list[str]:
    try:
        assert_translated(message, user_data)
    except AssertionError as error:
        return [str(error)]
    return []
