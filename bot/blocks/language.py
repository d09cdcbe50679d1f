"""What the bot says about a person's language, in that language: the command's answers and
App Home's control (its own block, so App Home's builder only places it)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot import ids
from bot.blocks.text import escape
from flows.languages import ENGLISH, LANGUAGES, WELSH, Language

#: each language named in itself, as a language picker shows them
NATIVE_NAMES: dict[Language, str] = {ENGLISH: "English", WELSH: "Cymraeg"}


def language_set_text(language: Language, command: str) -> str:
    """The answer to choosing a language, in the language chosen."""
    if language == WELSH:
        return (
            "Iawn: byddaf yn ysgrifennu atoch yn Gymraeg o hyn ymlaen. "
            f"Mae `{command} iaith saesneg` yn newid i'r Saesneg."
        )
    return (
        "Done: I'll write to you in English from now on. "
        f"`{command} language cymraeg` switches to Welsh."
    )


def language_current_text(language: Language, command: str) -> str:
    """The answer to `language` (or `iaith`) with no language named."""
    if language == WELSH:
        return (
            "Rwy'n ysgrifennu atoch yn Gymraeg. "
            f"Mae `{command} iaith saesneg` yn newid i'r Saesneg."
        )
    return f"I write to you in English. `{command} language cymraeg` switches to Welsh."


def language_unknown_text(language: Language, command: str, word: str) -> str:
    """A language the bot does not speak was named (in the reader's present language)."""
    if language == WELSH:
        return (
            f"Nid wyf yn adnabod yr iaith `{escape(word[:30])}`. Ysgrifennwch "
            f"`{command} iaith cymraeg` neu `{command} iaith saesneg`."
        )
    return (
        f"I don't know the language `{escape(word[:30])}`. Write "
        f"`{command} language cymraeg` or `{command} language english`."
    )


def language_block(current: Language) -> SectionBlock:
    """App Home's language control: a menu of the languages, the person's one chosen."""
    options = [Option(value=code, text=NATIVE_NAMES[code]) for code in LANGUAGES]
    label = (
        "*Iaith*\nYr iaith rwy'n ei defnyddio gyda chi."
        if current == WELSH
        else "*Language*\nThe language I use with you."
    )
    return SectionBlock(
        block_id=ids.HOME_LANGUAGE_BLOCK,
        text=MarkdownTextObject(text=label),
        accessory=StaticSelectElement(
            action_id=ids.HOME_LANGUAGE_ACTION,
            options=options,
            initial_option=options[LANGUAGES.index(current)],
        ),
    )
