"""The languages the bot speaks, and how people name them.

Plain Python (no Slack, no database): the conversation, the blocks and the settings all use these
codes. A stored language is always one of `LANGUAGES`, never a word someone typed.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "cy"]

ENGLISH: Language = "en"
WELSH: Language = "cy"
#: every language the bot speaks, in the order a bilingual message shows them by default
LANGUAGES: tuple[Language, ...] = (ENGLISH, WELSH)

#: what a person may type to choose a language, in either language (lower case)
_WORDS: dict[str, Language] = {
    "en": ENGLISH,
    "english": ENGLISH,
    "saesneg": ENGLISH,
    "cy": WELSH,
    "welsh": WELSH,
    "cymraeg": WELSH,
}

#: the subcommand that sets a language, in English and in Welsh
LANGUAGE_COMMANDS = ("language", "iaith")


def language_named(word: str) -> Language | None:
    """The language a person named (`cymraeg`, `saesneg`, `welsh`, `en`, …), or None."""
    return _WORDS.get(word.strip().lower())


def language_of_locale(locale: str | None) -> Language | None:
    """The language of a Slack locale such as ``en-GB`` or ``cy-GB``; None for any other."""
    if not locale:
        return None
    primary = locale.replace("_", "-").split("-", 1)[0].strip().lower()
    return language_named(primary) if primary in ("en", "cy") else None


def parse_languages(text: str) -> tuple[Language, ...]:
    """`en`, `cy` or both in order (`en,cy`): raises ValueError naming what is wrong."""
    found: list[Language] = []
    for item in text.split(","):
        if not item.strip():
            continue
        language = language_named(item)
        if language is None:
            raise ValueError(f"has {item.strip()!r}, which is not en or cy")
        if language in found:
            raise ValueError(f"lists {language} twice")
        found.append(language)
    if not found:
        raise ValueError("needs en, cy or en,cy")
    return tuple(found)
