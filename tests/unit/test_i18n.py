"""flows.i18n: a translator per reader, named placeholders, plurals, both languages in turn; and
the test helper that catches text shown without a catalogue entry."""

from __future__ import annotations

import pytest

from flows import i18n
from tests.support.i18n import (
    END,
    START,
    TAGS,
    UntranslatedString,
    assert_translated,
    marked_translations,
    plain,
    untranslated,
)


def test_a_translator_speaks_its_readers_language() -> None:
    assert i18n.translator("cy")("Approve") == "Cymeradwyo"
    assert i18n.translator("en")("Approve") == "Approve"
    assert i18n.translator("cy-GB").language == "cy"


def test_an_unknown_or_missing_language_is_the_default() -> None:
    assert i18n.translator(None).language == i18n.DEFAULT_LANGUAGE
    assert i18n.translator("fr").language == i18n.DEFAULT_LANGUAGE


def test_a_msgid_without_an_entry_is_shown_in_english_at_run_time() -> None:
    assert i18n.translator("cy")("Not in any catalogue {x}", x=1) == "Not in any catalogue 1"


def test_welsh_plurals_follow_the_number() -> None:
    t = i18n.translator("cy")
    shown = [t.ngettext("{n} day late", "{n} days late", n) for n in (1, 2, 3, 7)]
    assert shown == [
        "1 diwrnod yn hwyr",
        "2 ddiwrnod yn hwyr",
        "3 diwrnod yn hwyr",
        "7 diwrnod yn hwyr",
    ]
    english = i18n.translator("en")
    assert english.nplural(i18n.NN_("{n} day late", "{n} days late"), 2) == "2 days late"
    assert english.nplural(i18n.NN_("{n} day late", "{n} days late"), 1) == "1 day late"


def test_a_short_label_in_two_languages_shares_one_line() -> None:
    assert i18n.joined(("cy", "en"), lambda t: t("Reject")) == "Gwrthod / Reject"
    assert i18n.joined(("en", "cy"), lambda t: "MR-1") == "MR-1"


def test_named_placeholders_take_values_as_they_are() -> None:
    assert i18n.translator("en")("{a} {b}", b="<x>", a="{b}") == "{b} <x>"
    assert i18n.placeholders("{who} approved {ref} {who}") == {"who", "ref"}


def test_thread_languages_are_parsed_in_order_once_each() -> None:
    assert i18n.parse_languages("en,cy") == ("en", "cy")
    assert i18n.parse_languages(" CY , en, cy ") == ("cy", "en")
    with pytest.raises(ValueError, match="fr"):
        i18n.parse_languages("en,fr")


def test_each_language_renders_one_after_the_other() -> None:
    blocks = i18n.each_language(
        ("en", "cy"), lambda t: [{"text": t("Reject")}], between=[{"type": "divider"}]
    )
    assert blocks == [{"text": "Reject"}, {"type": "divider"}, {"text": "Gwrthod"}]
    assert i18n.each_text(("cy", "en"), lambda t: t("Reject")) == "Gwrthod\nReject"
    assert i18n.each_text((), lambda t: t("Reject")) == "Reject"


def test_the_marking_translator_marks_what_it_translates() -> None:
    with marked_translations():
        text = i18n.translator("cy")("Approve")
    assert text == f"{START}{TAGS['cy']}Cymeradwyo{END}"
    assert i18n.translator("cy")("Approve") == "Cymeradwyo"  # and is gone afterwards


def test_the_checker_can_tell_which_language_a_string_was_worded_in() -> None:
    with marked_translations():
        english, welsh = i18n.translator("en")("Approve"), i18n.translator("cy")("Reject")
    payload = {"text": f"{welsh} {english}"}
    assert_translated(payload)
    assert_translated({"text": welsh}, language="cy")
    with pytest.raises(AssertionError, match=r"worded in \['en'\]"):
        assert_translated(payload, language="cy")


def test_with_values_checked_a_placeholders_value_is_checked_on_its_own() -> None:
    def sentence() -> str:
        return i18n.translator("cy")("{label} is required.", label="Legal basis")

    with marked_translations():
        lenient = sentence()
    with marked_translations(values_checked=True):
        strict = sentence()
        marked_value = i18n.translator("cy")(
            "{label} is required.", label=i18n.translator("cy")("Legal basis")
        )
    assert plain(strict) == plain(lenient) == "Mae angen Legal basis."
    assert_translated({"text": lenient})
    with pytest.raises(AssertionError, match="unmarked: 'Legal basis'"):
        assert_translated({"text": strict})
    assert_translated({"text": marked_value}, language="cy")
    assert_translated({"text": strict}, user_data=["Legal basis"])


def test_the_marking_translator_refuses_an_uncatalogued_string() -> None:
    with marked_translations(), pytest.raises(UntranslatedString, match="Not catalogued"):
        i18n.translator("cy")("Not catalogued")


def button(text: str) -> dict[str, object]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "value": "MR-1"}


def test_the_checker_passes_marked_text_mentions_ids_emoji_and_user_data() -> None:
    with marked_translations():
        t = i18n.translator("cy")
        message = {
            "text": f"{t('Approve')} MR-000001",
            "blocks": [
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f":lock: *{t('Reject')}:* <@U123> NOM/1234567 "
                        f"{t.ngettext('{n} day late', '{n} days late', 2)} Alex &amp; Sam <https://x.example/a>",
                    },
                },
                {"type": "actions", "elements": [button(t("Request more info"))]},
            ],
        }
    assert_translated(message, user_data=["Alex & Sam"])
    assert plain(message)["blocks"][1]["elements"][0]["text"]["text"] == (
        "Gofyn am ragor o wybodaeth"
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "Approve"},
        {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Request"}}]},
        {"view": {"title": {"type": "plain_text", "text": "Approve request"}}},
        {"element": {"placeholder": {"type": "plain_text", "text": "Pick a date"}}},
        {"label": {"type": "plain_text", "text": "Comment"}},
        {"confirm": {"deny": {"type": "plain_text", "text": "Cancel"}}},
        {"options": [{"text": {"type": "plain_text", "text": "Installed"}, "value": "installed"}]},
        {"accessory": {"type": "image", "alt_text": "a chart"}},
        {"text": f"{START}Cymeradwyo{END} by <@U1> with a note"},
        {"text": "<https://x.example|View card>"},
    ],
)
def test_the_checker_fails_on_any_unmarked_words(payload: dict[str, object]) -> None:
    assert untranslated(payload)
    with pytest.raises(AssertionError, match="without a catalogue entry"):
        assert_translated(payload)


def test_the_checker_ignores_values_ids_and_urls() -> None:
    assert_translated(
        {
            "type": "button",
            "action_id": "approval_approve",
            "value": "MR-000001",
            "url": "https://x.example/a",
            "private_metadata": '{"request": "MR-1"}',
        }
    )


def test_a_pending_string_passes_until_it_is_catalogued() -> None:
    with marked_translations(pending=["Someone else's"]):
        assert i18n.translator("cy")("Someone else's") == f"{START}{TAGS['cy']}Someone else's{END}"
    with (
        marked_translations(pending=["Approve"]),
        pytest.raises(AssertionError, match="catalogued now"),
    ):
        i18n.translator("cy")("Approve")
