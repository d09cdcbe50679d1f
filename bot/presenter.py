"""Shows the results of use cases in a request's thread: renders Block Kit and posts it."""

from __future__ import annotations

from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.blocks import approval as approval_blocks
from bot.blocks import conversation as conversation_blocks
from bot.blocks import dashboard
from bot.blocks import installation as installation_blocks
from bot.blocks.text import Message, mention
from bot.home import HomePublisher
from bot.languages import Languages
from bot.services import Authority, Decided, Installed, Reply, RequestService, Reviewed
from bot.slack.directory import ChannelPolicy
from bot.slack.messenger import Messenger
from bot.slack.outbox_delivery import THREAD_PARENT, Recorder
from bot.speakers import DEFAULT_SPEAKERS, Speakers
from flows.approval import PARTLY_APPROVED, DecisionMade
from flows.fields import Catalogue
from flows.i18n import Translator, translator
from flows.models import MonitoringRequest
from flows.outputs import AnswerAccepted, Output, SubmittedForApproval, Withdrawn
from flows.ports import OutboxMessage
from flows.request_machine import Stage, awaiting_decision
from flows.rounds import previous_round, round_of


class Sink(Protocol):
    """Where what the presenter says goes: Slack at once (the messenger), or the outbox in the
    change's own transaction (a Recorder)."""

    def post(
        self,
        channel: str,
        message: Message,
        thread_ts: str | None = None,
        purpose: str = "message",
        request_id: str | None = None,
        extra: dict[str, Any] | None = None,
        keep: bool = True,
    ) -> str | None: ...

    def update(
        self,
        channel: str,
        ts: str,
        message: Message,
        request_id: str | None = None,
        purpose: str = "card_update",
    ) -> None: ...


class ThreadPresenter:
    def __init__(
        self,
        messenger: Messenger,
        service: RequestService,
        catalogue: Catalogue,
        deciders: tuple[str, ...],
        tz: ZoneInfo,
        channels: ChannelPolicy,
        home: HomePublisher,
        authority: Authority,
        languages: Languages | None = None,
    ) -> None:
        self.speakers: Speakers = languages or DEFAULT_SPEAKERS
        self.channels = channels
        self.home = home
        self.authority = authority
        self.messenger = messenger
        self.service = service
        self.catalogue = catalogue
        self.deciders = deciders
        self.tz = tz
        self.languages = languages

    def messages(self, result: Reply | Decided | Installed | Reviewed) -> list[OutboxMessage]:
        """What the result must say in its request's thread, as outbox messages, to be added in
        the same transaction as the change (nothing is sent, nor asked of Slack, here)."""
        out = Recorder(self.service.clock)
        if isinstance(result, Reply):
            self.render(result.request, result.outputs, out)
        elif isinstance(result, Decided):
            self.render_decision(result, out)
        elif isinstance(result, Installed):
            self.say(
                result.request,
                installation_blocks.installation_notice(result.request, result.by),
                out=out,
            )
        else:
            self.say(
                result.request,
                installation_blocks.reviewed_notice(result.request, result.by),
                out=out,
            )
        return out.messages

    def opening(self, result: Reply) -> list[OutboxMessage]:
        """A new request's parent message (its line in the channel), then what the conversation
        says first, to be posted in its thread once the parent's ts is known: recorded in the
        transaction that creates the request."""
        request = result.request
        parent = Recorder(self.service.clock)
        parent.post(
            request.channel_id,
            dashboard.parent_message(request, self.deciders, self.thread_languages()),
            purpose=THREAD_PARENT,
            request_id=request.request_id,
        )
        follows = Recorder(self.service.clock, awaits_thread=True)
        self.render(request, result.outputs, follows)
        return parent.messages + follows.messages

    def say(
        self,
        request: MonitoringRequest,
        message: Message,
        purpose: str = "message",
        out: Sink | None = None,
    ) -> str | None:
        return (out or self.messenger).post(
            request.channel_id,
            message,
            request.thread_ts,
            purpose=purpose,
            request_id=request.request_id,
        )

    def withheld(self, request: MonitoringRequest, purpose: str) -> bool:
        """True (and nothing may be posted) when the request's channel has become shared with
        another organisation since the request started: recorded, and the officer told."""
        if not self.channels.now_shared(request.channel_id):
            return False
        self.service.withheld(str(request.request_id), purpose)
        t = translator(self.speakers.language_for(request.officer_id))
        self.messenger.ephemeral(
            request.channel_id,
            request.officer_id,
            t(
                "I've stopped posting about {request} here: this channel is now shared with "
                "another organisation (Slack Connect). Nothing was posted. Ask your Slack admin "
                "to end the external connection, or continue in your unit's own private channel.",
                request=request.request_id,
            ),
            request.thread_ts,
        )
        return True

    def officer_language(self, request: MonitoringRequest) -> str:
        """The conversation speaks the officer's language."""
        return self.languages.language_for(request.officer_id) if self.languages else "en"

    def thread_languages(self) -> tuple[str, ...]:
        """Messages many people read in the thread: MOSOVO_THREAD_LANGUAGES."""
        return self.languages.thread_languages() if self.languages else ("en",)

    def show(self, request: MonitoringRequest, outputs: list[Output]) -> None:
        if outputs and self.withheld(request, "thread"):
            return
        self.render(request, outputs, self.messenger)

    def answered_meanwhile(self, request_id: str, field_key: str, ts: str) -> None:
        """A question posted at `ts` was answered before its post returned, so the answer's
        transaction could not tidy it: tidied now (sent directly: lost, it stays untidied)."""
        reply = self.service.answered_meanwhile(request_id, field_key, ts)
        if reply is not None:
            self.show(reply.request, reply.outputs)

    def render(self, request: MonitoringRequest, outputs: list[Output], out: Sink) -> None:
        conversational: list[Output] = []
        answered: list[AnswerAccepted] = []
        language = self.officer_language(request)
        for output in outputs:
            if isinstance(output, AnswerAccepted):
                answered.append(output)
            elif isinstance(output, SubmittedForApproval | Withdrawn):
                self._flush(request, conversational, language, out)
                conversational = []
                if isinstance(output, SubmittedForApproval):
                    self.submitted(request, output, out)
                else:
                    self.withdrawn(request, output, out)
            else:
                conversational.append(output)
        self._flush(request, conversational, language, out)
        # the officer waits for the next question, not for the tidying of the one answered
        for output in answered:
            out.update(
                request.channel_id,
                output.ref,
                conversation_blocks.answered_question(output, language),
                request.request_id,
                "question_update",
            )

    def _flush(
        self, request: MonitoringRequest, outputs: list[Output], language: str, out: Sink
    ) -> None:
        for message in conversation_blocks.render(outputs, language):
            key = conversation_blocks.question_key(message)
            ts = out.post(
                request.channel_id,
                message,
                request.thread_ts,
                purpose="question",
                request_id=request.request_id,
                extra={"field": key} if key else None,
            )
            if key and ts and not self.service.question_posted(str(request.request_id), ts, key):
                self.answered_meanwhile(str(request.request_id), key, ts)

    def submitted(
        self, request: MonitoringRequest, output: SubmittedForApproval, out: Sink
    ) -> None:
        previous = previous_round(request)
        if output.superseded_card and previous is not None:
            superseded = approval_blocks.superseded_card(
                request, self.catalogue, previous, self.tz, self.thread_languages()
            )
            out.update(request.channel_id, output.superseded_card, superseded, request.request_id)
        card = self.live_card(request)
        ts = out.post(
            request.channel_id,
            card,
            request.thread_ts,
            purpose="approval_card",
            request_id=request.request_id,
            extra={"round": output.round},
        )
        if ts:
            self.service.set_approval_card(output.request_id, ts, output.round)

    def withdrawn(self, request: MonitoringRequest, output: Withdrawn, out: Sink) -> None:
        if output.card:
            card = approval_blocks.decided_card(
                request,
                self.catalogue,
                Stage.withdrawn,
                request.officer_id,
                request.closed_at,
                None,
                self.tz,
                languages=self.thread_languages(),
            )
            out.update(request.channel_id, output.card, card, request.request_id)

        def note(t: Translator) -> str:
            return t(
                "{request} was withdrawn by {officer}. Nothing further will happen.",
                request=output.request_id,
                officer=mention(request.officer_id),
            )

        closing = approval_blocks.closed_notice_text(request, note, self.thread_languages())
        closing.blocks.append(conversation_blocks.restart_actions(request, self.thread_languages()))
        self.say(request, closing, out=out)

    def decided(self, result: Decided) -> None:
        if self.withheld(result.request, "decision"):
            return
        self.render_decision(result, self.messenger)

    def render_decision(self, result: Decided, out: Sink) -> None:
        request, made = result.request, result.made
        if made.outcome == PARTLY_APPROVED:
            self.partly_approved(request, made, out)
            return
        if made.card:
            card = approval_blocks.decided_card(
                request,
                self.catalogue,
                made.outcome,
                made.decider,
                made.at,
                made.reason,
                self.tz,
                languages=self.thread_languages(),
            )
            out.update(request.channel_id, made.card, card, request.request_id)
        notice = approval_blocks.decision_notice(
            request, made.outcome, made.decider, made.reason, self.thread_languages()
        )
        self.say(request, notice, purpose="decision", out=out)

    def partly_approved(self, request: MonitoringRequest, made: DecisionMade, out: Sink) -> None:
        """The first of two approvals: the card keeps its buttons and says who approved; the
        approver's Home drops it from their queue (the other approval is someone else's: the
        responder redraws the decider's Home once this is said)."""
        needed = self.service.approvals_needed(request)
        if made.card:
            out.update(request.channel_id, made.card, self.live_card(request), request.request_id)
        notice = approval_blocks.partly_approved_notice(
            request, round_of(request), needed, self.deciders, self.thread_languages()
        )
        self.say(request, notice, purpose="decision", out=out)

    def live_card(self, request: MonitoringRequest) -> Message:
        """The current round's card, with its buttons, as deciders should see it now."""
        return approval_blocks.approval_card(
            request,
            self.catalogue,
            self.deciders,
            tz=self.tz,
            needed=self.service.approvals_needed(request),
            languages=self.thread_languages(),
        )

    def moved(self, request: MonitoringRequest, by: str | None = None) -> None:
        """A state change: redraw the request's line in the channel, and the Homes it concerns
        (submitted: its deciders; decided: the officer and the decider)."""
        # a channel shared since the request started gets nothing more (see `withheld`)
        if request.thread_ts and not self.channels.now_shared(request.channel_id):
            line = dashboard.parent_message(request, self.deciders, self.thread_languages())
            self.messenger.update(
                request.channel_id, request.thread_ts, line, request.request_id, "dashboard"
            )
        concerned = {request.officer_id}
        if by:
            concerned.add(by)
        elif awaiting_decision(request):
            concerned |= self.authority.deciders(request)
            # delegates decide too, though Slack's groups do not name them
            concerned |= {d.delegate_id for d in self.service.active_delegations()}
        self.home.refresh(concerned)

    def installed(self, request: MonitoringRequest, by: str) -> None:
        if self.withheld(request, Stage.installed.value):
            return
        self.say(
            request, installation_blocks.installation_notice(request, by, self.thread_languages())
        )

    def reviewed(self, request: MonitoringRequest, by: str) -> None:
        if self.withheld(request, "reviewed"):
            return
        self.say(request, installation_blocks.reviewed_notice(request, by, self.thread_languages()))
