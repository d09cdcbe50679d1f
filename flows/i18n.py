"""Translations: English and Welsh on equal terms (gettext catalogues, compiled by the build).

Plain English msgids (standard gettext): a string is marked where it is written, with
``N_("Approve")`` for a constant or by calling the translator directly, and translated when it
is rendered, for one reader's language: ``t = translator("cy"); t("Approve")`` gives
"Cymeradwyo". There is no global ``_`` and no "current language": each builder is given the
language(s) it renders in, because the officer, a supervisor and a thread may each differ.

Placeholders are named, in ``str.format`` style: ``t("{who} approved {ref}", who=..., ref=...)``.
The values are put in as they are: escape user text for mrkdwn before passing it.
Plurals: ``t.ngettext("{n} day", "{n} days", n)`` (``n`` is a placeholder too). A msgid that
means two things takes a context: ``t.pgettext("state", "Approved")``.

Catalogues: ``flows/locale/<lang>/LC_MESSAGES/<domain>.po`` (see docs/i18n.md), one domain per
owner so that nobody edits the same file; a translator looks a msgid up in every domain.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, Final, Literal, TypeVar

Language = Literal["en", "cy"]
#: the supported languages, English first (the order two languages are shown in by default)
LANGUAGES: Final[tuple[Language, ...]] = ("en", "cy")
DEFAULT_LANGUAGE: Final[Language] = "en"
#: what each language is called in itself (for choosing one)
LANGUAGE_NAMES: Final[dict[Language, str]] = {"en": "English", "cy": "Cymraeg"}
#: the catalogues and who writes them: conversation (flows/ text), people (the conversation's
#: Slack side, the form, direct messages, language settings), cards (card, approval, home,
#: dashboard, reminders, installation, notices, ephemerals), workbench (the local workbench
#: page's own words)
DOMAINS: Final[tuple[str, ...]] = ("conversation", "people", "cards", "workbench")
LOCALE_DIR: Final[Path] = Path(__file__).resolve().parent / "locale"


class CatalogueMissing(RuntimeError):
    """A compiled catalogue (.mo) is missing: the build compiles them (`make i18n`)."""


def N_(msgid: str) -> str:
    """Mark a constant for extraction; it is translated where it is rendered (``t(CONSTANT)``)."""
    return msgid


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural constant for extraction; render with ``t.nplural(CONSTANT, n)``."""
    return (singular, plural)


def language_of(value: str | None) -> Language | None:
    """A supported language from a code such as ``cy``, ``cy-GB``, ``en_GB`` or ``EN``."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def parse_languages(value: str) -> tuple[Language, ...]:
    """``en``, ``cy`` or ``en,cy``: the thread languages, in order, each at most once."""
    seen: list[Language] = []
    for part in value.split(","):
        language = language_of(part)
        if language is None:
            raise ValueError(f"unknown language {part.strip()!r}: use {', '.join(LANGUAGES)}")
        if language not in seen:
            seen.append(language)
    if not seen:
        raise ValueError("no language given")
    return tuple(seen)


_FORMATTER = Formatter()


def placeholders(text: str) -> frozenset[str]:
    """The named placeholders of a msgid or msgstr (``{who}`` → ``who``)."""
    return frozenset(name for _, name, _, _ in _FORMATTER.parse(text) if name)


class Translator:
    """Translates for one language; every domain is looked up, in the order of DOMAINS."""

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language: Language = language
        self._translations = translations

    def __call__(self, msgid: str, /, **values: Any) -> str:
        return self.gettext(msgid, **values)

    def gettext(self, msgid: str, /, **values: Any) -> str:
        return self._render(self._translations.gettext(msgid), values)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        values.setdefault("n", n)
        return self._render(self._translations.ngettext(singular, plural, n), values)

    def pgettext(self, context: str, msgid: str, /, **values: Any) -> str:
        return self._render(self._translations.pgettext(context, msgid), values)

    def nplural(self, message: tuple[str, str], n: int, /, **values: Any) -> str:
        """A plural constant marked with ``NN_``."""
        return self.ngettext(message[0], message[1], n, **values)

    def _render(self, text: str, values: dict[str, Any]) -> str:
        return text.format_map(values) if values else text


@cache
def _catalogue(language: Language) -> gettext.NullTranslations:
    chain: gettext.NullTranslations | None = None
    for domain in DOMAINS:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
        if not path.is_file():
            raise CatalogueMissing(f"{path} is missing: run `make i18n`")
        with path.open("rb") as handle:
            found = gettext.GNUTranslations(handle)
        if chain is None:
            chain = found
        else:
            chain.add_fallback(found)
    assert chain is not None
    return chain


TranslatorFactory = Callable[[Language], Translator]


def _real_translator(language: Language) -> Translator:
    return Translator(language, _catalogue(language))


_factory: TranslatorFactory = _real_translator


def translator(language: str | None) -> Translator:
    """The translator for a reader's language (an unsupported or missing one: the default)."""
    return _factory(language_of(language) or DEFAULT_LANGUAGE)


def translators(languages: Iterable[str]) -> list[Translator]:
    """One translator per language, in order (e.g. the thread languages ``en,cy``)."""
    return [translator(language) for language in languages]


def install_factory(factory: TranslatorFactory | None) -> TranslatorFactory:
    """Tests only: make ``translator`` use another factory (None: the real one); returns the
    previous one. See tests/support/i18n.py (``marked_translations``)."""
    global _factory
    previous = _factory
    _factory = factory or _real_translator
    return previous


T = TypeVar("T")


def each_language(
    languages: Sequence[str], render: Callable[[Translator], list[T]], between: Sequence[T] = ()
) -> list[T]:
    """Render once per language, one after the other (``between`` goes between two renderings,
    e.g. a divider block): how a thread message is shown in ``MOSOVO_THREAD_LANGUAGES``."""
    out: list[T] = []
    for index, t in enumerate(translators(languages or (DEFAULT_LANGUAGE,))):
        if index:
            out.extend(between)
        out.extend(render(t))
    return out


def each_text(
    languages: Sequence[str], render: Callable[[Translator], str], sep: str = "\n"
) -> str:
    """A message's fallback text in each language, one after the other."""
    return sep.join(render(t) for t in translators(languages or (DEFAULT_LANGUAGE,)))


def joined(
    languages: Sequence[str],
    render: Callable[[Translator], str],
    sep: str = " / ",
) -> str:
    """A short label in each language on one line, e.g. a button ``Approve / Cymeradwyo``: where
    two renderings cannot follow each other (a button, a modal title), the languages share one."""
    shown: list[str] = []
    for t in translators(languages or (DEFAULT_LANGUAGE,)):
        text = render(t)
        if text not in shown:
            shown.append(text)
    return sep.join(shown)
