"""Catch text shown without a catalogue entry.

How to use it (docs/i18n.md has more):

    from tests.support.i18n import assert_translated, marked_translations

    def test_the_card_is_all_catalogued() -> None:
        with marked_translations():
            blocks = card_blocks(..., languages=("cy",))
        assert_translated(blocks, user_data=["NOM/1234567", "Alex Morgan"])

or, with the ``marked`` fixture (tests/conftest.py), ``def test_x(marked: None) -> None``.

Inside ``marked_translations()`` every ``flows.i18n.translator`` is a ``MarkingTranslator``: it
fails at once (``UntranslatedString``) on a msgid without a non-empty entry in the reader's
language, and wraps each string it returns in two invisible markers (``START`` … ``END``).
``assert_translated`` then walks a Block Kit payload (message, blocks, modal view, Home view)
and fails on any human-readable text (``text`` of text objects, headers, sections, fields,
buttons, options, confirm dialogs, placeholders, labels, titles, the fallback ``text``, and
``alt_text``) that has letters outside marked strings, other than Slack mentions, links' URLs,
emoji codes, date tokens, words containing a digit (ids, references, dates) and the
``user_data`` the test says were interpolated. ``plain`` removes the markers again, to compare
text.

By default a value put into a marked string's placeholder counts as marked with it; with
``marked_translations(values_checked=True)`` it is checked on its own, so a builder that puts an
English word (a page title, a rule in words) into a Welsh sentence fails. (Not yet the default:
some cards still put English rule words into Welsh sentences, see issue 12.) And
``assert_translated(payload, language="cy")`` fails on a string marked from another language's
entries (an English label on a Welsh page is catalogued, but in the wrong language).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from babel.messages.pofile import read_po

from flows import i18n
from flows.catalogue import catalogue_for

START = "\ue000"
END = "\ue001"
#: after START, which language's entry the string came from (`assert_translated(language=…)`)
TAGS: dict[str, str] = {"en": "\ue010", "cy": "\ue011"}
_TAGGED = {tag: language for language, tag in TAGS.items()}


class UntranslatedString(AssertionError):
    """A string was translated that has no (non-empty) entry in the reader's language."""


@cache
def catalogued(language: str) -> frozenset[tuple[str | None, str]]:
    """(context, msgid) of every non-empty entry in the language, all domains."""
    found: set[tuple[str | None, str]] = set()
    for domain in i18n.DOMAINS:
        path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language, domain=domain)
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            strings = (
                tuple(message.string)
                if isinstance(message.string, tuple | list)
                else (message.string or "",)
            )
            if all(strings):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                found.add((message.context, msgid))
    return frozenset(found)


class MarkingTranslator(i18n.Translator):
    """Translates as the real one does, refuses what is not catalogued, marks what it returns.

    `pending`: msgids another domain has yet to catalogue, let through (marked) meanwhile; one
    that has been catalogued fails, so that the list is emptied as the others land."""

    def __init__(
        self,
        language: i18n.Language,
        translations: Any,
        pending: frozenset[str] = frozenset(),
        values_checked: bool = False,
    ) -> None:
        super().__init__(language, translations)
        self.pending = pending
        self.values_checked = values_checked
        self._open = START + TAGS[language]

    def _check(self, context: str | None, msgid: str) -> None:
        known = (context, msgid) in catalogued(self.language)
        if msgid in self.pending:
            if known:
                raise AssertionError(f"{msgid!r} is catalogued now: remove it from `pending`")
            return
        if not known:
            where = f" (context {context!r})" if context else ""
            raise UntranslatedString(
                f"no {self.language} catalogue entry for {msgid!r}{where}: mark it, run "
                "`make extract`, translate it in both languages (docs/i18n.md)"
            )

    def _render(self, text: str, values: dict[str, Any]) -> str:
        """With `values_checked`, a text value put into a placeholder is not vouched for by the
        entry around it: it is left outside the markers, to be checked on its own (marked if
        it came from a translator, else it must be user data, a mention, a date or an id)."""
        if self.values_checked:
            values = {
                k: END + v + self._open if isinstance(v, str) else v for k, v in values.items()
            }
        return super()._render(text, values)

    def gettext(self, msgid: str, /, **values: Any) -> str:
        self._check(None, msgid)
        return self._open + super().gettext(msgid, **values) + END

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        self._check(None, singular)
        return self._open + super().ngettext(singular, plural, n, **values) + END

    def pgettext(self, context: str, msgid: str, /, **values: Any) -> str:
        self._check(context, msgid)
        return self._open + super().pgettext(context, msgid, **values) + END


@contextmanager
def marked_translations(
    pending: Iterable[str] = (), values_checked: bool = False
) -> Iterator[None]:
    """Within: every translator marks its strings and refuses uncatalogued ones (but those
    `pending`, see MarkingTranslator). `values_checked`: what is put into a placeholder is
    checked too, not taken as part of the marked string around it (an English page title put
    into a Welsh sentence fails)."""
    waiting = frozenset(pending)

    def marking(language: i18n.Language) -> i18n.Translator:
        return MarkingTranslator(language, i18n._catalogue(language), waiting, values_checked)

    # the questions are built once per language and cached (catalogue_for): within, they are
    # worded afresh, marked; outside, afresh again, so that no marked words leak out of here
    catalogue_for.cache_clear()
    previous = i18n.install_factory(marking)
    try:
        yield
    finally:
        i18n.install_factory(previous)
        catalogue_for.cache_clear()


def plain(value: Any) -> Any:
    """The payload (or string) without markers."""
    if isinstance(value, str):
        for marker in (START, END, *TAGS.values()):
            value = value.replace(marker, "")
        return value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def unmarked(text: str) -> str:
    """What of a string lies outside marked strings (nesting allowed; an end cut off by a
    truncation counts the rest as marked)."""
    out: list[str] = []
    depth = 0
    for char in text:
        if char == START:
            depth += 1
        elif char == END:
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out)


_SLACK_TOKEN = re.compile(
    r"<[@#!][^>|]*(\|[^>]*)?>"  # mentions, channels, <!here>, <!date^…|fallback>
    r"|<(?:https?|mailto|slack):[^>|]*\|?"  # a link's URL (its label, if any, stays checked)
    r"|:[a-z0-9_+-]+:"  # emoji codes
)
_WORD_WITH_DIGIT = re.compile(r"\S*\d\S*")
_TEXT_KEYS = frozenset({"text", "alt_text"})


def _residue(text: str, user_data: Iterable[str]) -> str:
    rest = unmarked(text)
    for value in sorted(user_data, key=len, reverse=True):
        if value:
            rest = rest.replace(value, " ")
            escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            rest = rest.replace(escaped, " ")
    rest = _SLACK_TOKEN.sub(" ", rest)
    rest = _WORD_WITH_DIGIT.sub(" ", rest)
    rest = re.sub(r"&(amp|lt|gt);", " ", rest)
    return rest


def _texts(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{key}"
            if key in _TEXT_KEYS and isinstance(item, str):
                yield here, item
            else:
                yield from _texts(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, f"{pointer}/{index}")


def untranslated(
    payload: Any, user_data: Iterable[str] = (), language: str | None = None
) -> list[str]:
    """Each human-readable text with letters outside marked strings and user data; with
    `language`, also each with a string marked from another language's entries."""
    data = [plain(item) for item in user_data]
    problems: list[str] = []
    for pointer, text in _texts(payload):
        residue = _residue(text, data)
        if any(char.isalpha() for char in residue):
            problems.append(f"{pointer or '/'}: {plain(text)!r} (unmarked: {residue.strip()!r})")
        if language is not None:
            others = sorted({_TAGGED[c] for c in text if c in _TAGGED} - {language})
            if others:
                problems.append(f"{pointer or '/'}: {plain(text)!r} (worded in {others})")
    return problems


def assert_translated(
    payload: Any, user_data: Iterable[str] = (), language: str | None = None
) -> None:
    """Fail on any text shown without a catalogue entry (see the module's docstring); with
    `language`, on any worded in another language too."""
    problems = untranslated(payload, user_data, language)
    assert not problems, "text shown without a catalogue entry:\n" + "\n".join(problems)
