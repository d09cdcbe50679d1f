"""Each person's language through the real bot: the command in English and in Welsh words,
App Home's menu, Slack's locale before any choice, and the default language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import ids
from storage.tables import audit_events_table
from tests.e2e.flow import responses
from tests.e2e.test_home import open_home
from tests.support import signing
from tests.support.running_bot import OFFICER, SECRET, SUP1, RunningBot, running_bot
from tests.support.slack_double import SlackDouble


def language_events(app: RunningBot) -> list[tuple[str, dict[str, Any]]]:
    with app.database.reader() as uow:
        rows = uow.connection.execute(
            select(audit_events_table.c.actor, audit_events_table.c.detail)
            .where(audit_events_table.c.action == "language_set")
            .order_by(audit_events_table.c.id)
        ).all()
    return [(row.actor, dict(row.detail)) for row in rows]


def last_reply(app: RunningBot) -> dict[str, Any]:
    said = responses(app)[-1]
    assert said.get("response_type") == "ephemeral", said
    return said


def languages_of(app: RunningBot, *users: str) -> list[str]:
    return [app.bot.wiring.languages.language_for(user) for user in users]


def test_the_welsh_words_set_welsh_and_the_answer_is_in_welsh(app: RunningBot) -> None:
    app.command("iaith cymraeg")
    assert "Gymraeg" in last_reply(app)["text"]
    assert languages_of(app, OFFICER, SUP1) == ["cy", "en"]
    app.command("iaith saesneg")
    assert "English" in last_reply(app)["text"]
    assert languages_of(app, OFFICER) == ["en"]
    assert language_events(app) == [
        (OFFICER, {"user": OFFICER, "old": None, "new": "cy", "source": "command"}),
        (OFFICER, {"user": OFFICER, "old": "cy", "new": "en", "source": "command"}),
    ]


def test_every_accepted_word_names_its_language(app: RunningBot) -> None:
    for words, language in [
        ("language cymraeg", "cy"),
        ("language english", "en"),
        ("Language CY", "cy"),
        ("language en", "en"),
        ("language welsh", "cy"),
        ("iaith saesneg", "en"),
        ("iaith cy", "cy"),
        ("iaith english", "en"),
    ]:
        app.command(words)
        assert languages_of(app, OFFICER) == [language], words
    assert len(language_events(app)) == 8


def test_an_unknown_language_changes_nothing_and_says_how(app: RunningBot) -> None:
    app.command("iaith cymraeg")
    app.command("iaith ffrangeg")
    reply = last_reply(app)["text"]
    assert "Nid wyf yn adnabod yr iaith `ffrangeg`" in reply, "told in the reader's language"
    assert languages_of(app, OFFICER) == ["cy"]
    app.command("language")
    assert "Rwy'n ysgrifennu atoch yn Gymraeg" in last_reply(app)["text"]
    assert len(language_events(app)) == 1


def test_no_request_is_started_by_the_language_command(app: RunningBot) -> None:
    app.command("language cymraeg")
    assert app.slack.calls("chat.postMessage") == []


def test_app_homes_menu_sets_the_language_and_home_is_redrawn(app: RunningBot) -> None:
    view = open_home(app, SUP1)
    [block] = [b for b in view["blocks"] if b.get("block_id") == ids.HOME_LANGUAGE_BLOCK]
    assert block["accessory"]["initial_option"]["value"] == "en"
    before = len(app.slack.calls("views.publish"))
    app.send(
        signing.home_select(
            SECRET, action_id=ids.HOME_LANGUAGE_ACTION, value="cy", user_id=SUP1, view=view
        )
    )
    [published] = app.slack.calls("views.publish")[before:]
    redrawn = published.args["view"]
    [block] = [b for b in redrawn["blocks"] if b.get("block_id") == ids.HOME_LANGUAGE_BLOCK]
    assert block["accessory"]["initial_option"]["value"] == "cy"
    assert languages_of(app, SUP1) == ["cy"]
    assert language_events(app) == [
        (SUP1, {"user": SUP1, "old": None, "new": "cy", "source": "app_home"})
    ]


def test_a_forged_menu_value_is_not_stored(app: RunningBot) -> None:
    view = open_home(app, SUP1)
    app.send(
        signing.home_select(
            SECRET, action_id=ids.HOME_LANGUAGE_ACTION, value="fr", user_id=SUP1, view=view
        )
    )
    assert languages_of(app, SUP1) == ["en"]
    assert language_events(app) == []


def test_before_a_choice_slacks_locale_counts_then_the_default(
    slack: SlackDouble, db_url: str
) -> None:
    slack.add_user("U0CYMRO", locale="cy-GB")
    slack.add_user("U0SAIS", locale="en-GB")
    slack.add_user("U0FRANC", locale="fr-FR")
    with running_bot(slack, db_url, MOSOVO_DEFAULT_LANGUAGE="cy") as app:
        assert languages_of(app, "U0CYMRO", "U0SAIS", "U0FRANC", OFFICER) == [
            "cy",
            "en",
            "cy",
            "cy",
        ]
        app.command("language english", user="U0CYMRO")
        assert languages_of(app, "U0CYMRO") == ["en"]
        assert app.bot.wiring.languages.thread_languages() == ("cy",)


def test_thread_languages_come_from_the_setting(slack: SlackDouble, db_url: str) -> None:
    with running_bot(slack, db_url, MOSOVO_THREAD_LANGUAGES="en,cy") as app:
        assert app.bot.wiring.languages.thread_languages() == ("en", "cy")
        assert languages_of(app, OFFICER) == ["en"]
