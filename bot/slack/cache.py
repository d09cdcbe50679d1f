"""Answers from Slack's directory (channel info, user-group members) kept for a bounded age.

A fresh answer is reused without asking Slack (cheap: one dict read, no lock). When it has gone
stale it is asked for again; if Slack cannot be reached, the old answer still counts until it is
`max_age` old and never after: then the lookup fails closed with `DirectoryUnavailable`, whose
message says why. A definite answer from Slack (`channel_not_found`, …) is never covered up by an
old one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from slack_sdk.errors import SlackApiError, SlackClientError

from flows.errors import DomainError
from flows.i18n import Translator

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Slack reused an answer for at most this long when it cannot be asked again (issue 10, defect 8)
MAX_AGE_SECONDS = 600.0
#: an answer younger than this is used without asking Slack
FRESH_SECONDS = 60.0

#: Slack errors that mean "could not answer now", not "the answer is no"
_TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class DirectoryUnavailable(DomainError):
    """Slack could not be asked, and what it said last is too old to trust."""


def is_transient(error: BaseException) -> bool:
    """A failure to get an answer (network, 5xx, 429), as opposed to a definite refusal."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        code = error.response.get("error") if error.response is not None else None
        return status == 429 or status >= 500 or code in _TRANSIENT_ERRORS
    return isinstance(error, SlackClientError | OSError)


class BoundedAgeCache(Generic[K, V]):
    def __init__(
        self,
        fetch: Callable[[K], V],
        #: what is asked for, as in "I couldn't check … with Slack" (marked with N_)
        what: str,
        fresh_seconds: float = FRESH_SECONDS,
        max_age_seconds: float = MAX_AGE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.what = what
        self.fresh = fresh_seconds
        self.max_age = max(max_age_seconds, fresh_seconds)
        self.monotonic = monotonic
        self._entries: dict[K, tuple[float, V]] = {}
        #: one lookup per key at a time, so a burst of clicks asks Slack once
        self._fetching: dict[K, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: K) -> V:
        entry = self._entries.get(key)  # a single dict read is atomic: no lock on a hit
        if entry is not None and self.monotonic() - entry[0] < self.fresh:
            return entry[1]
        with self._key_lock(key):
            entry = self._entries.get(key)
            if entry is not None and self.monotonic() - entry[0] < self.fresh:
                return entry[1]  # another thread asked while we waited
            try:
                value = self._fetch(key)
            except Exception as error:
                if not is_transient(error):
                    raise
                if entry is not None and self.monotonic() - entry[0] < self.max_age:
                    return entry[1]
                raise DirectoryUnavailable(self._unavailable) from error
            self._entries[key] = (self.monotonic(), value)
            return value

    def _unavailable(self, t: Translator) -> str:
        """Why nothing was done, in the reader's language."""
        return t.ngettext(
            "I couldn't check {what} with Slack just now, and I don't act on an answer older "
            "than {n} minute. Nothing was done: try again shortly.",
            "I couldn't check {what} with Slack just now, and I don't act on an answer older "
            "than {n} minutes. Nothing was done: try again shortly.",
            round(self.max_age / 60),
            what=t(self.what),
        )

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def _key_lock(self, key: K) -> threading.Lock:
        with self._guard:
            lock = self._fetching.get(key)
            if lock is None:
                lock = self._fetching[key] = threading.Lock()
            return lock
