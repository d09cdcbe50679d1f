"""Publishing App Home: on opening, on paging, and for the people a state change concerns."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.blocks.home import home_view
from bot.blocks.language import language_block
from bot.home_service import HomeService
from bot.languages import Languages
from bot.metrics import METRICS
from bot.slack.messenger import SEND_ERRORS, Messenger, error_code
from flows.clock import Clock
from flows.models import MonitoringRequest

log = logging.getLogger(__name__)


class HomePublisher:
    def __init__(
        self,
        homes: HomeService,
        client: WebClient,
        messenger: Messenger,
        deciders: tuple[str, ...],
        clock: Clock,
        tz: ZoneInfo,
        command: str,
        languages: Languages | None = None,
    ) -> None:
        self.homes = homes
        self.client = client
        self.messenger = messenger
        self.deciders = deciders
        self.clock = clock
        self.tz = tz
        self.command = command
        self.languages = languages

    def publish(self, user_id: str, queue_offset: int = 0, mine_offset: int = 0) -> None:
        home = self.homes.home(user_id, queue_offset, mine_offset)
        shown = [*(home.queue.items if home.queue else []), *home.mine.items]
        links = {str(r.request_id): link for r in shown if (link := self._card_link(r))}
        language = self.languages.language_for(user_id) if self.languages else None
        view = home_view(
            home,
            links,
            self.deciders,
            self.clock.now(),
            self.tz,
            self.command,
            language_control=language_block(language) if language else None,
        )
        try:
            self.client.views_publish(user_id=user_id, view=view)
        except SEND_ERRORS as error:
            # Home is redrawn from the database whenever it is next opened: nothing is lost.
            METRICS.slack_errors.labels(method="views.publish", error=error_code(error)).inc()
            log.warning("home not published", extra={"user": user_id, "error": error_code(error)})

    def refresh(self, users: Iterable[str]) -> None:
        for user_id in sorted(set(users)):
            self.publish(user_id)

    def _card_link(self, request: MonitoringRequest) -> str | None:
        """The approval card while there is one, else the request's parent message."""
        ts = request.approval_card_ref or request.thread_ts
        return self.messenger.permalink(request.channel_id, ts) if ts else None
