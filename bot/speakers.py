"""Who reads which language: the seam through which presenters, sweeps and listeners ask.

The real answer is welsh-people's `bot.languages.Languages` (a person's stored choice, their
Slack locale, MOSOVO_DEFAULT_LANGUAGE; MOSOVO_THREAD_LANGUAGES for thread messages), which has
this shape; until it is wired in, everyone reads the default language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from flows.i18n import DEFAULT_LANGUAGE


class Speakers(Protocol):
    def language_for(self, user_id: str) -> str:
        """The language of what only this person reads (ephemerals, modals, App Home)."""
        ...

    def thread_languages(self) -> Sequence[str]:
        """The languages of what many read in a thread, in the order they are shown."""
        ...


class DefaultSpeakers:
    """Everyone reads the default language."""

    def language_for(self, user_id: str) -> str:
        return DEFAULT_LANGUAGE

    def thread_languages(self) -> Sequence[str]:
        return (DEFAULT_LANGUAGE,)


DEFAULT_SPEAKERS: Speakers = DefaultSpeakers()
