"""The one place a use case's result becomes Slack: what happened is shown in the request's
thread by the presenter; what the rules refused is told only to the person who tried."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.blocks.approval import clock_time
from bot.metrics import METRICS
from bot.presenter import ThreadPresenter
from bot.services import Decided, Installed, Refused, Reply, Reviewed
from bot.slack.messenger import Messenger
from bot.slack.outbox_delivery import DeliveryCounts, OutboxSender
from bot.speakers import DEFAULT_SPEAKERS, Speakers
from flows.approval import OUTCOME, AlreadyClosed
from flows.i18n import DEFAULT_LANGUAGE, N_, translator
from flows.request_machine import Stage

#: a decision that came too late, by the decision that came first (the reader is told)
ALREADY: dict[str, str] = {
    Stage.approved: N_("{request} was already approved by {who} at {at}."),
    Stage.rejected: N_("{request} was already rejected by {who} at {at}."),
    Stage.info_requested: N_(
        "{request} was already sent back for more information by {who} at {at}."
    ),
}
ALREADY_DECIDED = N_("{request} was already decided by {who} at {at}.")

#: what a use case can return; None means there is nothing to say (e.g. a redelivery)
Result = Reply | Decided | Installed | Reviewed | Refused | None


@dataclass(frozen=True)
class Asker:
    """Who acted, and where a refusal meant only for them belongs (no channel: nowhere)."""

    user: str
    channel: str | None
    thread_ts: str | None = None


#: what a withheld post was for, by result (as the audit event `withheld_shared_channel` says)
_PURPOSES: dict[type, str] = {
    Reply: "thread",
    Decided: "decision",
    Installed: Stage.installed.value,
    Reviewed: "reviewed",
}


class Responder:
    def __init__(
        self,
        presenter: ThreadPresenter,
        messenger: Messenger,
        tz: ZoneInfo,
        speakers: Speakers = DEFAULT_SPEAKERS,
        sender: OutboxSender | None = None,
    ) -> None:
        self.speakers = speakers
        self.presenter = presenter
        self.messenger = messenger
        self.tz = tz
        #: sends what a change recorded in the outbox, as soon as it committed
        self.sender = sender

    def respond(self, result: Result, asker: Asker) -> None:
        """What the change recorded in the outbox is sent now (the scheduler sends it if this
        process dies first); a result recorded with nothing (a request with no thread yet) is
        posted directly."""
        if isinstance(result, Decided):
            METRICS.decisions.labels(outcome=result.made.outcome).inc()
        if isinstance(result, Reply | Decided | Installed | Reviewed) and result.messages:
            assert self.sender is not None
            request, purpose = result.request, _PURPOSES[type(result)]
            self.sender.deliver_held(
                result.messages, lambda: self.presenter.withheld(request, purpose)
            )
        if isinstance(result, Reply):
            if not result.messages:
                self.presenter.show(result.request, result.outputs)
            if result.moved:
                self.presenter.moved(result.request)
        elif isinstance(result, Decided):
            if not result.messages:
                self.presenter.decided(result)
            self.presenter.moved(result.request, result.made.decider)
        elif isinstance(result, Installed):
            if not result.messages:
                self.presenter.installed(result.request, result.by)
            self.presenter.moved(result.request, result.by)
        elif isinstance(result, Reviewed):
            if not result.messages:
                self.presenter.reviewed(result.request, result.by)
            self.presenter.moved(result.request, result.by)
        elif isinstance(result, Refused):
            self.refuse(result, asker)

    def opened(self, reply: Reply) -> DeliveryCounts:
        """A new request's parent message and what follows it in its thread, sent as recorded
        with the request (its channel was checked a moment before the request was made)."""
        assert self.sender is not None and reply.messages, "a new request records its thread"
        return self.sender.deliver_held(reply.messages, lambda: False)

    def refuse(self, refused: Refused, asker: Asker) -> None:
        self.tell(asker, self.refusal_text(refused, asker.user))

    def tell(self, asker: Asker, text: str) -> None:
        """Something only the person who acted sees (nowhere when there is no channel)."""
        if asker.channel:
            self.messenger.ephemeral(asker.channel, asker.user, text, asker.thread_ts)

    def language_for(self, user: str | None) -> str:
        return self.speakers.language_for(user) if user else DEFAULT_LANGUAGE

    def refusal_text(self, refused: Refused, user: str | None = None) -> str:
        """Names who decided first when that is the reason; otherwise the rule's own words.
        In the language of `user`, who tried."""
        error = refused.error
        METRICS.refusals.labels(reason=type(error).__name__).inc()
        t = translator(self.language_for(user))
        if refused.shown is not None:
            return refused.shown(t)
        if isinstance(error, AlreadyClosed) and error.decided_as and error.decided_by:
            at = clock_time(error.decided_at, self.tz, t)
            decision = str(error.decision)
            sentence = ALREADY.get(OUTCOME.get(decision, decision), ALREADY_DECIDED)
            return t(sentence, request=error.request_id, who=f"<@{error.decided_by}>", at=at)
        if error.worded:
            return error.shown(t)
        return refused.message
