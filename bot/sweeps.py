"""What the scheduler does on each tick: act on requests whose timers fell due, then deliver the
outbox. The database decides what is due, so any number of replicas can sweep safely."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.blocks import approval as approval_blocks
from bot.blocks import installation as installation_blocks
from bot.blocks import reminders
from bot.blocks.text import Message
from bot.metrics import METRICS
from bot.services import Schedule
from bot.slack.messenger import post_payload, update_payload
from bot.slack.outbox_delivery import (
    AWAITS_THREAD,
    WITHHELD,
    DeliveryCounts,
    OutboxSender,
    QuestionMissed,
    Withhold,
    keyed,
)
from bot.speakers import DEFAULT_SPEAKERS, Speakers
from bot.sweep_health import SweepHealth
from flows import approval
from flows.clock import Clock
from flows.conversation import Conversation
from flows.errors import DomainError
from flows.fields import Catalogue
from flows.i18n import N_, Translator
from flows.models import MonitoringRequest
from flows.parsers import format_date
from flows.ports import ConcurrentUpdate, OutboxMessage, UnitOfWork, UnitOfWorkFactory
from flows.request_machine import Stage
from flows.timers import Count, Due, Hold, Timers, basis_expiry, due_now, wall_clock

log = logging.getLogger(__name__)

#: a link to a message: (channel, ts) -> permalink, None when Slack will not give one
Permalink = Callable[[str, str], str | None]

#: told, after the commit, that a timer changed a request's state or who may decide it
Moved = Callable[[MonitoringRequest], None]

DELIVERY_MEMORY = timedelta(days=7)
__all__ = ["WITHHELD", "SweepReport", "SweepSettings", "Sweeper", "Withhold"]


@dataclass
class SweepReport(DeliveryCounts):
    actions: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SweepSettings:
    timers: Timers
    tz: ZoneInfo
    hold: Hold
    supervisors: tuple[str, ...]
    escalation: tuple[str, ...]
    lease_seconds: float = 120.0
    batch: int = 50
    outbox_max_attempts: int = 8
    outbox_backoff: timedelta = timedelta(seconds=30)
    #: how idle time is counted (working hours); wall-clock time when not given
    count: Count = wall_clock


class Sweeper:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        client: WebClient,
        conversation: Conversation,
        catalogue: Catalogue,
        schedule: Schedule,
        clock: Clock,
        settings: SweepSettings,
        withhold: Withhold = lambda _message: False,
        permalink: Permalink = lambda _channel, _ts: None,
        moved: Moved = lambda _request: None,
        threadless: Callable[[str], None] = lambda _request_id: None,
        speakers: Speakers = DEFAULT_SPEAKERS,
        marks: UnitOfWorkFactory | None = None,
        grouped_marks: Callable[[Callable[[UnitOfWork], object]], None] | None = None,
        question_missed: QuestionMissed = lambda _request_id, _field_key, _ts: None,
    ) -> None:
        self.speakers = speakers
        self.moved = moved
        #: closes a request whose thread's parent was given up (RequestService.could_not_post)
        self.threadless = threadless
        self.permalink = permalink
        #: links to the approval cards of the requests being swept (see _card_link)
        self._links: dict[str, str | None] = {}
        self.uow = uow
        self.health = SweepHealth(clock)
        #: sends the outbox: here what falls due, and in the listeners what a change recorded
        self.sender = OutboxSender(
            client,
            uow,
            clock,
            settings.outbox_max_attempts,
            settings.outbox_backoff,
            withhold,
            marks,
            grouped_marks,
            question_missed,
        )
        self.conversation = conversation
        self.catalogue = catalogue
        self.schedule = schedule
        self.clock = clock
        self.settings = settings

    @property
    def client(self) -> WebClient:
        return self.sender.client

    @client.setter
    def client(self, client: WebClient) -> None:
        self.sender.client = client

    def run_once(self) -> SweepReport:
        report = SweepReport()
        self.sweep_timers(report)
        self.deliver_outbox(report)
        self.forget_old_deliveries()
        self.health.swept()
        return report

    def forget_old_deliveries(self) -> None:
        """Slack redelivers for minutes, not days: a week of delivery ids is ample."""
        with self.uow() as uow:
            uow.deliveries.prune(self.clock.now() - DELIVERY_MEMORY)
            # what every change said passes through the outbox: sent, it is kept a week too
            uow.outbox.prune_sent(self.clock.now() - DELIVERY_MEMORY)
            uow.commit()

    def sweep_timers(self, report: SweepReport | None = None) -> SweepReport:
        report = report or SweepReport()
        while self._sweep_requests(report):
            pass
        return report

    # -- timers -----------------------------------------------------------------------------------

    def _sweep_requests(self, report: SweepReport) -> bool:
        """Claim a batch under a lease other replicas respect, then handle each request in a
        transaction of its own: its change, audit events and messages commit together, and one
        that fails keeps its lease and is tried again when the lease runs out."""
        now = self.clock.now()
        with self.uow() as uow:
            claimed = uow.requests.claim_due(now, self.settings.lease_seconds, self.settings.batch)
            uow.commit()
        for request in claimed:
            # asked before the request's transaction, which must not wait on Slack
            self._links[str(request.request_id)] = self._card_link(request)
            self._sweep_one(str(request.request_id), now, report)
            self._links.pop(str(request.request_id), None)
        return len(claimed) == self.settings.batch

    def _card_link(self, request: MonitoringRequest) -> str | None:
        """A link to the approval card, for the reminders that point to it."""
        if request.state != Stage.awaiting_approval or not request.approval_card_ref:
            return None
        return self.permalink(request.channel_id, request.approval_card_ref)

    def _deciders(self, request: MonitoringRequest) -> tuple[str, ...]:
        """Who may decide now: the supervisors, and the escalation approvers once escalated."""
        if "escalate" in request.nudges and self.settings.escalation:
            return (*self.settings.supervisors, *self.settings.escalation)
        return self.settings.supervisors

    def _sweep_one(self, request_id: str, now: datetime, report: SweepReport) -> None:
        fired: list[str] = []
        try:
            with self.uow() as uow:
                request = uow.requests.get(request_id)
                if request is None:
                    return
                before = request.state
                settings = self.settings
                for due in due_now(
                    request, settings.timers, settings.tz, now, settings.hold, settings.count
                ):
                    self._act(uow, request, due, now)
                    fired.append(due.kind)
                request.due_at = self.schedule.due_at(request)
                if request.due_at is not None and request.due_at <= now:
                    request.due_at = now + timedelta(minutes=1)  # never spin on the same row
                uow.requests.save(request)
                uow.commit()
        except ConcurrentUpdate:
            # An officer or supervisor moved it on meanwhile: look again at the next sweep.
            with self.uow() as uow:
                uow.requests.release(request_id)
                uow.commit()
            return
        except Exception as error:  # one bad request must not stop the others
            log.error(
                "timer failed; tried again when its lease runs out",
                extra={"request_id": request_id, "error": type(error).__name__},
            )
            return
        for kind in fired:
            report.actions.append((request_id, kind))
            METRICS.timers_fired.labels(kind=kind).inc()
        if request.state != before or "escalate" in fired:
            # after the commit: the dashboard line and the Homes of those concerned (an
            # escalation adds deciders); a Slack failure here is kept or redrawn later
            try:
                self.moved(request)
            except Exception as error:
                log.warning(
                    "redraw after a timer failed",
                    extra={"request_id": request_id, "error": type(error).__name__},
                )

    def _act(self, uow: UnitOfWork, request: MonitoringRequest, due: Due, now: datetime) -> None:
        handler = getattr(self, f"_on_{due.kind}")
        try:
            handler(uow, request, now)
        except DomainError as error:  # the request moved on meanwhile: nothing to do
            log.info(
                "timer skipped",
                extra={
                    "request_id": request.request_id,
                    "action": due.kind,
                    "error": type(error).__name__,
                },
            )

    def _say(
        self, uow: UnitOfWork, request: MonitoringRequest, message: Message, purpose: str
    ) -> None:
        payload = keyed(post_payload(request.channel_id, message, request.thread_ts))
        uow.outbox.add(
            OutboxMessage(
                "chat.postMessage",
                payload,
                request.request_id,
                purpose,
                created_at=self.clock.now(),
                # a new request's parent still to be posted: this goes in its thread, after it
                extra={} if request.thread_ts else {AWAITS_THREAD: True},
            )
        )

    def languages(self) -> tuple[str, ...]:
        """The thread languages, in order (MOSOVO_THREAD_LANGUAGES)."""
        return tuple(self.speakers.thread_languages())

    def _update_card(
        self,
        uow: UnitOfWork,
        request: MonitoringRequest,
        outcome: str,
        reason: Callable[[Translator], str],
    ) -> None:
        if not request.approval_card_ref:
            return
        card = approval_blocks.decided_card(
            request,
            self.catalogue,
            outcome,
            None,
            request.closed_at,
            reason,
            self.settings.tz,
            languages=self.languages(),
        )
        payload = update_payload(request.channel_id, request.approval_card_ref, card)
        uow.outbox.add(
            OutboxMessage(
                "chat.update",
                payload,
                request.request_id,
                "card_update",
                created_at=self.clock.now(),
            )
        )

    def _nudged(self, request: MonitoringRequest, kind: str, now: datetime, audit: str) -> None:
        request.nudges[kind] = now.isoformat()
        request.record(audit, "system", now, kind=kind)

    def _on_idle_reminder(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        question = self.conversation.current_question(request)
        # the officer's conversation, in the officer's language
        officer = (self.speakers.language_for(request.officer_id),)
        self._say(uow, request, reminders.idle_reminder(request, question, officer), "reminder")
        self._nudged(request, "idle_reminder", now, "reminded")

    def _on_abandon(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        approval.abandon(request, now)
        self._say(uow, request, reminders.abandoned(request, self.languages()), "closed")

    def _on_approval_reminder(
        self, uow: UnitOfWork, request: MonitoringRequest, now: datetime
    ) -> None:
        self._say(
            uow,
            request,
            reminders.approval_reminder(
                request,
                self.settings.supervisors,
                now,
                self._links.get(str(request.request_id)),
                self.languages(),
            ),
            "reminder",
        )
        self._nudged(request, "approval_reminder", now, "reminded")

    def _on_escalate(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        approvers = self.settings.escalation or self.settings.supervisors
        link = self._links.get(str(request.request_id))
        escalation = reminders.escalated(request, approvers, now, link, self.languages())
        self._say(uow, request, escalation, "escalation")
        self._nudged(request, "escalate", now, "escalated")

    def _on_expire(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        # the recorded reason stays in English (the record is language-neutral); it is shown
        # in each thread language
        if request.state == Stage.awaiting_approval:
            reason = N_("no decision in time")
        else:
            reason = N_("no reply to the request for more information in time")
        deciders = self._deciders(request)
        approval.expire(request, reason, now)

        def shown(t: Translator) -> str:
            return t(reason)

        self._update_card(uow, request, Stage.expired, shown)
        expired = reminders.expired(request, shown, deciders, self.languages())
        self._say(uow, request, expired, "closed")

    def _on_lapse(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        order = request.answers.get("legal_basis") == "order"
        basis = "order" if order else "licence"
        ends = basis_expiry(request)
        # dates the UK way, as everywhere else people read them
        reason = f"the {basis} expired on {format_date(ends) if ends else 'its end date'} before installation"
        deciders = self._deciders(request)
        approval.expire(request, reason, now)  # recorded in English: the record is neutral

        def shown(t: Translator) -> str:
            if ends is None:
                return (
                    t("the order expired on its end date before installation")
                    if order
                    else t("the licence expired on its end date before installation")
                )
            sentence = (
                t(
                    "the order expired on {date} before installation",
                    date=format_date(ends, t.language),
                )
                if order
                else t(
                    "the licence expired on {date} before installation",
                    date=format_date(ends, t.language),
                )
            )
            return sentence

        self._update_card(uow, request, Stage.expired, shown)
        self._say(
            uow, request, reminders.lapsed(request, shown, deciders, self.languages()), "closed"
        )

    def _on_review_due(self, uow: UnitOfWork, request: MonitoringRequest, now: datetime) -> None:
        self._say(
            uow,
            request,
            installation_blocks.review_due(request, self.settings.supervisors, self.languages()),
            "reminder",
        )
        self._nudged(request, "review_due", now, "reminded")

    def _on_install_reminder(
        self, uow: UnitOfWork, request: MonitoringRequest, now: datetime
    ) -> None:
        self._say(uow, request, reminders.install_reminder(request, self.languages()), "reminder")
        self._nudged(request, "install_reminder", now, "reminded")

    # -- the outbox -------------------------------------------------------------------------------

    def deliver_outbox(self, report: SweepReport) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            claimed = uow.outbox.claim_due(now, self.settings.lease_seconds, self.settings.batch)
            uow.commit()  # the lease must be visible to other replicas before we send
        lost_before = len(report.threads_lost)
        for message in claimed:
            self.sender.deliver_claimed(message, report, self.settings.lease_seconds)
        for request_id in report.threads_lost[lost_before:]:
            # closed as one Slack refuses at once is, not left open with no thread to answer in
            try:
                self.threadless(request_id)
            except Exception as error:  # its idle expiry closes it later
                log.error(
                    "could not close a request whose thread was never posted",
                    extra={"request_id": request_id, "error": type(error).__name__},
                )
