"""The language Slack says a person uses (users.info with include_locale, `users:read`), kept
for a bounded age like the rest of the directory (bot/slack/cache.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk import WebClient

from bot.slack.cache import BoundedAgeCache, DirectoryUnavailable, is_transient
from bot.slack.messenger import SEND_ERRORS, error_code
from flows.i18n import N_, Language, language_of

log = logging.getLogger(__name__)

#: a person's Slack locale rarely changes, and an old one misleads nobody: asked again hourly
LOCALE_FRESH_SECONDS = 3600.0
#: while Slack cannot be asked, the last answer counts for a day, then the default language does
LOCALE_MAX_AGE_SECONDS = 86400.0


class SlackLocales:
    """`language(user_id)`: the bot's language for the person's Slack locale, or None when Slack
    gives none we speak (any other locale, no answer, a refusal such as a missing scope)."""

    def __init__(
        self,
        client: WebClient,
        fresh_seconds: float = LOCALE_FRESH_SECONDS,
        max_age_seconds: float = LOCALE_MAX_AGE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.cache: BoundedAgeCache[str, Language | None] = BoundedAgeCache(
            self._ask, N_("this person's Slack language"), fresh_seconds, max_age_seconds, monotonic
        )

    def _ask(self, user_id: str) -> Language | None:
        try:
            response = self.client.users_info(user=user_id, include_locale=True)
        except SEND_ERRORS as error:
            if is_transient(error):
                raise  # the cache keeps the last answer for a while
            # a definite refusal (user_not_found, missing_scope): remembered like an answer
            log.info("locale unknown", extra={"user": user_id, "error": error_code(error)})
            return None
        user = response.get("user") or {}
        return language_of(user.get("locale") if isinstance(user, dict) else None)

    def language(self, user_id: str) -> Language | None:
        try:
            return self.cache.get(user_id)
        except (DirectoryUnavailable, *SEND_ERRORS):
            return None

    def forget(self, user_id: str) -> None:
        self.cache.forget(user_id)
