"""A person's language: the words that name one, Slack locales, the settings and the App Home
menu. (Stored choices: tests/integration/test_person_languages.py; the command: tests/e2e.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot import ids
from bot.blocks.language import (
    language_block,
    language_current_text,
    language_set_text,
    language_unknown_text,
)
from bot.languages import language_named
from bot.settings import SettingsError, load_settings
from bot.slack.locales import SlackLocales
from flows.i18n import Language, language_of
from tests.support.block_kit import validate_blocks
from tests.support.i18n import assert_translated, marked_translations, plain
from tests.support.slack_double import SlackDouble

ENGLISH: Language = "en"
WELSH: Language = "cy"

SOCKET = {
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-token",
    "SLACK_APP_TOKEN": "xapp-1-A111-3333-token",
    "MOSOVO_SUPERVISORS": "U0SUPER01",
}


@pytest.mark.parametrize(
    ("word", "language"),
    [
        ("cymraeg", WELSH),
        ("Cymraeg", WELSH),
        ("welsh", WELSH),
        ("cy", WELSH),
        ("english", ENGLISH),
        ("saesneg", ENGLISH),
        ("EN", ENGLISH),
        (" en ", ENGLISH),
    ],
)
def test_a_language_can_be_named_in_english_or_welsh(word: str, language: str) -> None:
    assert language_named(word) == language


@pytest.mark.parametrize("word", ["", "french", "ffrangeg", "cym", "en-gb", "cymraeg saesneg"])
def test_other_words_name_no_language(word: str) -> None:
    assert language_named(word) is None


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("en-GB", ENGLISH),
        ("en-US", ENGLISH),
        ("en_GB", ENGLISH),
        ("cy-GB", WELSH),
        ("cy", WELSH),
        ("fr-FR", None),
        ("", None),
        (None, None),
        ("english", None),
        ("de-DE", None),
    ],
)
def test_a_slack_locale_gives_a_language_only_when_the_bot_speaks_it(
    locale: str | None, language: str | None
) -> None:
    assert language_of(locale) == language


def test_the_default_language_is_english_and_threads_follow_it() -> None:
    settings = load_settings(SOCKET)
    assert settings.default_language == "en"
    assert settings.thread_languages == ("en",)
    welsh = load_settings({**SOCKET, "MOSOVO_DEFAULT_LANGUAGE": "cy"})
    assert welsh.default_language == "cy"
    assert welsh.thread_languages == ("cy",)


def test_thread_languages_can_be_set_apart_from_the_default() -> None:
    settings = load_settings(
        {**SOCKET, "MOSOVO_DEFAULT_LANGUAGE": "cy", "MOSOVO_THREAD_LANGUAGES": "en,cy"}
    )
    assert (settings.default_language, settings.thread_languages) == ("cy", ("en", "cy"))
    assert load_settings({**SOCKET, "MOSOVO_THREAD_LANGUAGES": "CY"}).thread_languages == ("cy",)
    assert load_settings({**SOCKET, "MOSOVO_THREAD_LANGUAGES": " cy , en "}).thread_languages == (
        "cy",
        "en",
    )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"MOSOVO_DEFAULT_LANGUAGE": "fr"}, "MOSOVO_DEFAULT_LANGUAGE must be en (English) or cy"),
        ({"MOSOVO_DEFAULT_LANGUAGE": "welsh"}, "MOSOVO_DEFAULT_LANGUAGE must be en"),
        ({"MOSOVO_THREAD_LANGUAGES": "en,fr"}, "MOSOVO_THREAD_LANGUAGES must be en, cy or en,cy"),
        ({"MOSOVO_THREAD_LANGUAGES": "cy-GB"}, "MOSOVO_THREAD_LANGUAGES must be en, cy or en,cy"),
        ({"MOSOVO_THREAD_LANGUAGES": ","}, "MOSOVO_THREAD_LANGUAGES is not valid"),
    ],
)
def test_a_malformed_language_setting_stops_start_up_naming_it(
    overrides: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({**SOCKET, **overrides})
    assert str(caught.value).startswith(named)
    assert "\n" not in str(caught.value)


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    with SlackDouble() as double:
        yield double


def test_slack_is_asked_for_the_locale_and_its_answer_is_kept(slack: SlackDouble) -> None:
    slack.add_user("U0CYMRO", locale="cy-GB")
    slack.add_user("U0SAIS", locale="en-GB")
    slack.add_user("U0FRANC", locale="fr-FR")
    slack.add_user("U0NONE")
    now = [0.0]
    locales = SlackLocales(
        WebClient(base_url=slack.url, token="xoxb-test"), 60, 600, lambda: now[0]
    )
    assert locales.language("U0CYMRO") == WELSH
    assert locales.language("U0SAIS") == ENGLISH
    assert locales.language("U0FRANC") is None
    assert locales.language("U0NONE") is None
    assert locales.language("U0CYMRO") == WELSH
    asked = [c for c in slack.calls() if c.method == "users.info"]
    assert len(asked) == 4, "each person is asked about once while the answer is fresh"
    assert all(str(c.args.get("include_locale")).lower() in ("1", "true") for c in asked)
    now[0] = 61.0
    assert locales.language("U0CYMRO") == WELSH
    assert len([c for c in slack.calls() if c.method == "users.info"]) == 5


def test_a_person_slack_cannot_describe_has_no_locale(slack: SlackDouble) -> None:
    locales = SlackLocales(WebClient(base_url=slack.url, token="xoxb-test"))
    assert locales.language("not-a-user") is None  # user_not_found: a definite answer
    assert locales.language("not-a-user") is None
    assert len([c for c in slack.calls() if c.method == "users.info"]) == 1


@pytest.mark.parametrize("language", [ENGLISH, WELSH])
def test_the_app_home_menu_offers_both_languages_with_the_persons_chosen(
    language: Language,
) -> None:
    block = language_block(language).to_dict()
    assert validate_blocks([block]) == []
    assert block["block_id"] == ids.HOME_LANGUAGE_BLOCK
    menu = block["accessory"]
    assert menu["type"] == "static_select" and menu["action_id"] == ids.HOME_LANGUAGE_ACTION
    assert [o["value"] for o in menu["options"]] == ["en", "cy"]
    assert [o["text"]["text"] for o in menu["options"]] == ["English", "Cymraeg"]
    assert menu["initial_option"]["value"] == language
    assert ("Iaith" in block["text"]["text"]) == (language == WELSH)


def test_the_command_answers_in_the_language_chosen() -> None:
    welsh = language_set_text(WELSH, "/monitoring-request")
    english = language_set_text(ENGLISH, "/monitoring-request")
    assert "Gymraeg" in welsh and "`/monitoring-request iaith saesneg`" in welsh
    assert "English" in english and "`/monitoring-request language cymraeg`" in english
    assert "Gymraeg" in language_current_text(WELSH, "/m")
    assert "English" in language_current_text(ENGLISH, "/m")


def test_an_unknown_language_word_is_quoted_escaped_and_short() -> None:
    said = language_unknown_text(ENGLISH, "/m", "<!channel>" + "x" * 100)
    assert "&lt;!channel&gt;" in said and "<!channel>" not in said
    assert "x" * 31 not in said
    assert "Nid wyf yn adnabod" in language_unknown_text(WELSH, "/m", "ffrangeg")


@pytest.mark.parametrize("language", [ENGLISH, WELSH])
def test_everything_said_about_languages_is_catalogued_in_both(language: Language) -> None:
    with marked_translations():
        said = [
            language_set_text(language, "/monitoring-request"),
            language_current_text(language, "/monitoring-request"),
            language_unknown_text(language, "/monitoring-request", "ffrangeg"),
        ]
        block = language_block(language).to_dict()
    for text in said:
        assert_translated({"text": text}, user_data=["ffrangeg", "language", "iaith"])
    assert_translated([block], user_data=["English", "Cymraeg"])
    welsh_words = ("Gymraeg" in plain(said[0])) and ("iaith" in plain(said[0]))
    assert welsh_words == (language == WELSH)
