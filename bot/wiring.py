"""The parts listeners need, assembled once by the composition root (bot.app)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

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
        if isinstance(error, AlreadyClosed) and error.decided_by and error.decision:
            at = (
                error.decided_at.astimezone(self.tz).strftime("%H:%M")
                if error.decided_at
                else "an earlier time"
            )
            verb = error.decision.replace("_", " ").replace(
                "info requested", "sent back for more information"
            )
            request_id = refused.request.request_id if refused.request else "This request"
            return f"{request_id} was already {verb} by <@{error.decided_by}> at {at}."
        return refused.message
