"""Each person's language: what they chose (stored, audited), else what Slack says they use,
else the force's default; and the languages of messages many people read in a thread.

`language_for(user_id)` is what every other part asks before speaking to someone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flows.clock import Clock
from flows.i18n import LANGUAGES, Language
from flows.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

#: what a person may type to choose a language, in either language (compared in lower case)
_WORDS: dict[str, Language] = {
    "en": "en",
    "english": "en",
    "saesneg": "en",
    "cy": "cy",
    "welsh": "cy",
    "cymraeg": "cy",
}
#: the subcommand that sets a language, in English and in Welsh
LANGUAGE_COMMANDS = ("language", "iaith")


def language_named(word: str) -> Language | None:
    """The language a person named (`cymraeg`, `saesneg`, `welsh`, `en`, …), or None."""
    return _WORDS.get(word.strip().lower())


#: where a person set their language (the audit event says which)
Source = Literal["command", "app_home"]


@dataclass(frozen=True)
class LanguageSet:
    user: str
    #: what they had chosen before (None: they never had)
    old: Language | None
    new: Language


#: a person's stored choice is read again once it is this old: another replica may have stored a
#: new one meanwhile (a choice made through this one is seen at once). Every reply asks, so
#: without this each answer cost the database two more reads.
CHOICE_FRESH_SECONDS = 30.0
#: choices remembered (least recently used forgotten first)
CHOICES_KEPT = 10_000


class Languages:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        reads: UnitOfWorkFactory,
        clock: Clock,
        default: Language,
        thread: tuple[Language, ...],
        slack_language: Callable[[str], Language | None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uow = uow
        self.reads = reads
        self.clock = clock
        self.default = default
        self.thread = thread or (default,)
        #: the language of the person's Slack locale, if Slack says and we speak it
        self.slack_language = slack_language or (lambda user_id: None)
        self._monotonic = monotonic
        #: user -> (their choice, when it was read)
        self._choices: OrderedDict[str, tuple[Language | None, float]] = OrderedDict()
        self._choices_lock = threading.Lock()

    def language_for(self, user_id: str) -> Language:
        """The language to speak to this person in: their choice, else their Slack locale's,
        else MOSOVO_DEFAULT_LANGUAGE."""
        return self.chosen(user_id) or self.slack_language(user_id) or self.default

    def chosen(self, user_id: str) -> Language | None:
        """The language the person chose, or None if they never chose one (as read at most
        CHOICE_FRESH_SECONDS ago)."""
        now = self._monotonic()
        with self._choices_lock:
            kept = self._choices.get(user_id)
            if kept is not None and now - kept[1] < CHOICE_FRESH_SECONDS:
                self._choices.move_to_end(user_id)
                return kept[0]
        with self.reads() as uow:
            choice = _known(uow.languages.get(user_id))
        self._remember(user_id, choice, now)
        return choice

    def _remember(self, user_id: str, choice: Language | None, at: float) -> None:
        with self._choices_lock:
            self._choices[user_id] = (choice, at)
            self._choices.move_to_end(user_id)
            while len(self._choices) > CHOICES_KEPT:
                self._choices.popitem(last=False)

    def thread_languages(self) -> tuple[Language, ...]:
        """The languages a thread message is written in, one after the other, in this order
        (MOSOVO_THREAD_LANGUAGES)."""
        return self.thread

    def set_language(self, user_id: str, language: Language, source: Source) -> LanguageSet:
        """Store the person's choice and record it (`language_set`: who, when, old, new)."""
        if language not in LANGUAGES:
            raise ValueError(f"not a language the bot speaks: {language!r}")
        now = self.clock.now()
        with self.uow() as uow:
            old = _known(uow.languages.set(user_id, language, now))
            uow.audit.append(
                "language_set",
                user_id,
                now,
                detail={"user": user_id, "old": old, "new": language, "source": source},
            )
            uow.commit()
        self._remember(user_id, language, self._monotonic())
        log.info("language set", extra={"user": user_id, "action": language})
        return LanguageSet(user_id, old, language)


def _known(stored: str | None) -> Language | None:
    for language in LANGUAGES:
        if stored == language:
            return language
    return None
