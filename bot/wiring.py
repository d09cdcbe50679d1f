"""The parts listeners need, assembled once by the composition root (bot.app)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.blocks.approval import clock_time
from bot.metrics import METRICS
from bot.presenter import ThreadPresenter
from bot.services import Refused, RequestService
from bot.slack.directory import ChannelPolicy, SlackAuthority
from bot.slack.messenger import Messenger
from flows.approval import AlreadyClosed
from flows.fields import Catalogue


@dataclass
class Wiring:
    service: RequestService
    presenter: ThreadPresenter
    messenger: Messenger
    channels: ChannelPolicy
    authority: SlackAuthority
    catalogue: Catalogue
    tz: ZoneInfo
    command: str

    def refusal_text(self, refused: Refused) -> str:
        """A refusal for the one user who tried; names who decided first when that is the reason."""
        error = refused.error
        METRICS.refusals.labels(reason=type(error).__name__).inc()
        if isinstance(error, AlreadyClosed) and error.decided_as and error.decided_by:
            at = clock_time(error.decided_at, self.tz)
            return (
                f"{error.request_id} was already {error.decided_as} "
                f"by <@{error.decided_by}> at {at}."
            )
        return refused.message
