"""What the bot says about a person's language, in that language: the command's answers and
App Home's control (its own block, so App Home's builder only places it). Catalogue: `people`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot import ids
from bot.blocks.text import escape
from flows.i18n import LANGUAGE_NAMES, LANGUAGES, Language, translator


def language_set_text(language: Language, command: str) -> str:
    """The answer to choosing a language, in the language chosen."""
    t = translator(language)
    if language == "cy":
        return t(
            "Done: I'll write to you in Welsh from now on. `{command} language english` "
            "switches to English.",
            command=command,
        )
    return t(
        "Done: I'll write to you in English from now on. `{command} language cymraeg` "
        "switches to Welsh.",
        command=command,
    )


def language_current_text(language: Language, command: str) -> str:
    """The answer to `language` (or `iaith`) with no language named."""
    t = translator(language)
    if language == "cy":
        return t(
            "I write to you in Welsh. `{command} language english` switches to English.",
            command=command,
        )
    return t(
        "I write to you in English. `{command} language cymraeg` switches to Welsh.",
        command=command,
    )


def language_unknown_text(language: Language, command: str, word: str) -> str:
    """A language the bot does not speak was named (in the reader's present language)."""
    t = translator(language)
    return t(
        "I don't know the language `{word}`. Write `{command} language cymraeg` or "
        "`{command} language english`.",
        word=escape(word[:30]),
        command=command,
    )


def language_block(current: Language) -> SectionBlock:
    """App Home's language control: a menu of the languages, each named in itself, the
    person's own chosen. Its label is in the person's language."""
    t = translator(current)
    options = [Option(value=code, text=LANGUAGE_NAMES[code]) for code in LANGUAGES]
    return SectionBlock(
        block_id=ids.HOME_LANGUAGE_BLOCK,
        text=MarkdownTextObject(text=t("*Language*\nThe language I use with you.")),
        accessory=StaticSelectElement(
            action_id=ids.HOME_LANGUAGE_ACTION,
            options=options,
            initial_option=options[LANGUAGES.index(current)],
        ),
    )
