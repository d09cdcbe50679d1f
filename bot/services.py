"""Use cases: each loads a request in a unit of work, applies the domain, saves, and returns what
to render. No Slack imports here: listeners translate payloads into these calls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Generic, Protocol, TypeVar, cast, overload

from bot.metrics import METRICS
from flows import approval, installation
from flows import delegation as delegation_rules
from flows.approval import Decision, DecisionMade
from flows.clock import Clock, local_today
from flows.conversation import Conversation
from flows.delegation import Delegation
from flows.errors import DomainError, InvalidTransition, NotRequester, Words
from flows.form import FormOutcome
from flows.i18n import DEFAULT_LANGUAGE, N_, Translator, translator
from flows.models import MonitoringRequest
from flows.outputs import Output, Summary
from flows.parsers import format_date
from flows.ports import (
    ConcurrentUpdate,
    ConnectionLost,
    OutboxMessage,
    UnitOfWork,
    UnitOfWorkFactory,
)
from flows.request_machine import at_summary, is_collecting
from flows.review import ReviewPeriod, review_date_problem
from flows.rounds import round_of
from flows.second_approval import SecondApproval
from flows.waiting import state_words

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")

#: reloading and reapplying is safe because a conflicting save changed nothing
MAX_CONFLICT_RETRIES = 5
ONLY_THE_OFFICER = N_("Only the officer who started this request can fill it in.")
#: how long the process that made a change holds its messages before the scheduler may send them
#: (it sends them itself as soon as the change commits; this covers a crash in between)
HOLD_SECONDS = 60.0
#: the outbox's last_error for what a new request recorded when Slack would not take its thread
THREAD_REFUSED = "thread_refused"
#: why a request whose Slack thread was never posted was closed (stored, language-neutral)
THREADLESS = "the Slack thread could not be posted"


@dataclass(frozen=True)
class Roles:
    """What a Slack user may do, looked up before any transaction starts (it may ask Slack)."""

    supervisor: bool = False
    escalation_approver: bool = False
    #: the supervisor who delegated deciding to this user, while the delegation is in force
    delegate_for: str | None = None

    @property
    def decides_any(self) -> bool:
        """May decide any request awaiting approval: a supervisor, or an active delegate (who
        decides as the supervisor who delegated does)."""
        return self.supervisor or self.delegate_for is not None

    @property
    def decides_some(self) -> bool:
        """Has a queue at all: decides any request, or escalated ones."""
        return self.decides_any or self.escalation_approver

    def may_decide(self, request: MonitoringRequest) -> bool:
        escalated = "escalate" in request.nudges
        return self.decides_any or (self.escalation_approver and escalated)

    def on_behalf_of(self) -> str | None:
        """Whom a decision by this user is made for (None: in their own right)."""
        return None if self.supervisor else self.delegate_for


class Authority(Protocol):
    """Who may do what (resolved from Slack user groups by the adapter)."""

    def can_start(self, user_id: str) -> bool: ...

    def roles(self, user_id: str) -> Roles: ...

    def deciders(self, request: MonitoringRequest) -> frozenset[str]:
        """The users who may decide this request now (never its officer)."""
        ...


class Schedule(Protocol):
    def due_at(self, request: MonitoringRequest) -> datetime | None:
        """When the scheduler must next look at this request."""
        ...


@dataclass
class Reply:
    """A request as saved, and what to say about it."""

    request: MonitoringRequest
    outputs: list[Output] = field(default_factory=list)
    #: the request changed state (the channel's dashboard and people's Homes are redrawn)
    moved: bool = False
    #: what it says in the thread, recorded in the outbox with the change (held for this process)
    messages: list[OutboxMessage] = field(default_factory=list)


@dataclass
class Refused:
    """An action the rules refused; `message` is for the user who tried (ephemeral)."""

    message: str
    error: DomainError
    request: MonitoringRequest | None = None
    #: the message drawn in the reader's language, where the service words it (else `message`)
    shown: Callable[[Translator], str] | None = None


@dataclass
class Decided:
    request: MonitoringRequest
    made: DecisionMade
    messages: list[OutboxMessage] = field(default_factory=list)


@dataclass
class Installed:
    """The installation was recorded (whatever its outcome)."""

    request: MonitoringRequest
    by: str
    messages: list[OutboxMessage] = field(default_factory=list)


@dataclass
class Reviewed:
    request: MonitoringRequest
    by: str
    messages: list[OutboxMessage] = field(default_factory=list)


#: a result with something to say in its request's thread
Said = Reply | Decided | Installed | Reviewed
R = TypeVar("R", Reply, Decided, Installed, Reviewed)


class Announcer(Protocol):
    def messages(self, result: Said) -> list[OutboxMessage]:
        """What `result` must say, rendered without asking Slack anything."""
        ...

    def opening(self, result: Reply) -> list[OutboxMessage]:
        """A new request's parent message, then what it says first in the thread the parent
        opens (placed there once the parent is posted)."""
        ...


#: renders, in a change's transaction, what a listener says about it beyond the thread's own
#: messages (e.g. the closed request a restart came from), given the request as saved
AlsoSaid = Callable[[MonitoringRequest], list[OutboxMessage]]


@dataclass
class Acted(Generic[V]):
    """A use case's step succeeded and the request was saved with its audit events."""

    request: MonitoringRequest
    value: V
    moved: bool = False
    #: what it says in the thread, recorded in the outbox with the change (held for this process)
    messages: list[OutboxMessage] = field(default_factory=list)


class RequestService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        conversation: Conversation,
        clock: Clock,
        authority: Authority,
        schedule: Schedule,
        reads: UnitOfWorkFactory | None = None,
        review_after: ReviewPeriod | None = None,
        hints: UnitOfWorkFactory | None = None,
        second_approval: SecondApproval | None = None,
        command_hint: str = "/monitoring-request",
        remember_question: Callable[[str, str, str], bool] | None = None,
        optimistic: UnitOfWorkFactory | None = None,
    ) -> None:
        self.uow = uow
        #: a unit of work that reads and applies the rules before it takes the write lock and
        #: writes only at commit (storage/optimistic.py, SQLite), tried first by each use case
        #: that loads and saves a request; a conflict, or anything it cannot do, runs the use
        #: case again in `uow`
        self.optimistic = optimistic
        #: (request id, field key, ts): where a question was posted, committed before it
        #: returns; storage may write many callers' at once (storage/hints.py)
        self._remember_question = remember_question
        #: for saves whose loss in a power cut costs only tidiness, never evidence (the same as
        #: `uow` unless storage offers a unit of work that commits without waiting for the disk)
        self.hints = hints or uow
        self.review_after = review_after or ReviewPeriod()
        self.second_approval = second_approval or SecondApproval()
        self.command_hint = command_hint
        #: for lookups that change nothing (the same as `uow` unless storage offers a reader)
        self.reads = reads or uow
        self.conversation = conversation
        #: the language a person is spoken to in (bot.languages.Languages.language_for); None:
        #: the conversation's own
        self.language_of: Callable[[str], str] | None = None
        self.clock = clock
        self.authority = authority
        self.schedule = schedule
        #: renders what each change says, so that it is recorded in the outbox in the change's
        #: own transaction (set by the composition root; None: results are posted afterwards)
        self.announcer: Announcer | None = None

    def speaking_to(self, user_id: str) -> Conversation:
        """The conversation in this person's language, looked up before any transaction (it may
        ask Slack). What it stores is the same in every language."""
        if self.language_of is None:
            return self.conversation
        return self.conversation.speaking(self.language_of(user_id))

    # -- starting ---------------------------------------------------------------------------------

    def open_request(
        self, officer_id: str, channel_id: str, delivery: str | None = None
    ) -> Reply | None:
        """A new request; None when this Slack delivery (e.g. a mention) was seen before."""
        conversation = self.speaking_to(officer_id)
        with self.uow() as uow:
            if delivery is not None and not uow.deliveries.first_time(delivery):
                return None
            request = MonitoringRequest(officer_id, channel_id, created_at=self.clock.now())
            reply = self._open(uow, Reply(request, conversation.start(request)))
            uow.commit()
        log.info(
            "request opened",
            extra={"request_id": request.request_id, "user": officer_id, "channel": channel_id},
        )
        return reply

    def _open(self, uow: UnitOfWork, reply: Reply, also: AlsoSaid | None = None) -> Reply:
        """Add a new request, with its parent message and what it says first (and `also`) in
        the outbox, in the caller's transaction: no request without its thread."""
        request = reply.request
        self._schedule(request)
        uow.requests.add(request)
        if self.announcer is not None:
            reply.messages = self.announcer.opening(reply) + (also(request) if also else [])
            held = self.clock.now() + timedelta(seconds=HOLD_SECONDS)
            for message in reply.messages:
                message.lease_until = held
                uow.outbox.add(message)
        return reply

    def restart(
        self, old_id: str, user_id: str, delivery: str, also: AlsoSaid | None = None
    ) -> Reply | Refused | None:
        """A new request (new id, new thread) from a closed one's still-valid answers; both
        records name each other. None when this click was seen before. `also`: what else the
        restart says (recorded with it, sent once the new thread is posted)."""

        def handle(uow: UnitOfWork) -> Reply | Refused | None:
            if not uow.deliveries.first_time(delivery):
                return None
            old = uow.requests.get(old_id)
            if old is None:
                return _unknown(old_id)
            new = MonitoringRequest(user_id, old.channel_id, created_at=self.clock.now())
            try:
                outputs = self.conversation.restart(old, new, user_id)
            except DomainError as error:
                return self._refuse(uow, old, error, user_id)
            reply = self._open(uow, Reply(new, outputs), also)
            self.conversation.restarted(old, str(new.request_id), user_id)
            self._save(uow, old)
            return reply

        result = self._retrying(handle)
        if isinstance(result, Reply):
            log.info(
                "request restarted",
                extra={"request_id": result.request.request_id, "user": user_id},
            )
        return result

    # -- answers reused from an earlier request ----------------------------------------------------

    def prefill(
        self,
        request_id: str,
        user_id: str,
        source_id: str,
        accept: bool,
        delivery: str,
        also: AlsoSaid | None = None,
    ) -> Reply | Refused | None:
        """Reuse (or not) an earlier request's answers; `also`: what else it says (the offer,
        answered), recorded with it."""

        def handle(uow: UnitOfWork) -> Reply | Refused | None:
            if not uow.deliveries.first_time(delivery):
                return None
            request = uow.requests.get(request_id)
            source = uow.requests.get(source_id)
            if request is None or source is None:
                return _unknown(request_id if request is None else source_id)
            try:
                if accept:
                    outputs = self.conversation.accept_prefill(request, source, user_id)
                else:
                    outputs = self.conversation.decline_prefill(request, source, user_id)
            except DomainError as error:
                return self._refuse(uow, request, error, user_id)
            outputs = self._consult_records(uow, request, outputs)
            return self._save(uow, request, Reply(request, outputs), also)

        return self._retrying(handle)

    # -- the form ---------------------------------------------------------------------------------

    def form_may_open(self, request_id: str, user_id: str) -> MonitoringRequest | Refused:
        """Checked before the modal opens, so a refused user never sees it."""
        with self.reads() as uow:
            request = uow.requests.get(request_id)
        if request is None:
            return _unknown(request_id)
        if user_id != request.officer_id:
            return Refused(
                ONLY_THE_OFFICER,
                NotRequester(request_id),
                request,
                lambda t: t(ONLY_THE_OFFICER),
            )
        if not (is_collecting(request) or at_summary(request)):
            state = request.state
            return Refused(
                f"{request_id} is {state.replace('_', ' ')}: its answers can no longer be changed.",
                InvalidTransition(request_id),
                request,
                lambda t: t(
                    "{request} is {state}: its answers can no longer be changed.",
                    request=request_id,
                    state=state_words(state, t),
                ),
            )
        return request

    def form_page(
        self,
        request_id: str,
        user_id: str,
        page: str,
        values: dict[str, str],
        delivery: str,
        shown: list[str] | None = None,
    ) -> Acted[FormOutcome] | Refused | None:
        """`shown`: the page's questions that had an answer when it was drawn. The errors and
        what the thread hears are in the officer's language; what is stored is the same in
        every language."""
        conversation = self.speaking_to(user_id)
        return self._act_quietly(
            request_id,
            user_id,
            delivery,
            lambda r: conversation.answer_form(r, page, values, user_id, shown),
        )

    def form_closed(self, request_id: str, user_id: str, delivery: str) -> Reply | Refused | None:
        """The officer closed the form part-way: the thread asks what is still unanswered (in
        the officer's language)."""
        conversation = self.speaking_to(user_id)

        def step(request: MonitoringRequest) -> list[Output]:
            if user_id != request.officer_id:
                return []
            return conversation.resume(request)

        return self._act(request_id, user_id, delivery, step, _reply)

    def could_not_post(self, request_id: str) -> None:
        """The thread could not be opened in Slack: close the request rather than leave it dangling."""

        def close(uow: UnitOfWork, request: MonitoringRequest) -> None:
            if request.is_open:
                self.conversation.withdraw(request, request.officer_id)
                request.closed_reason = THREADLESS
            # nothing recorded for the thread can be posted now, its parent included
            uow.outbox.give_up_request(request_id, THREAD_REFUSED)

        self._with_request(request_id, close)

    # -- the conversation -------------------------------------------------------------------------

    def message(
        self, channel_id: str, thread_ts: str, user_id: str, text: str, delivery: str
    ) -> Reply | Refused | None:
        """A message in a thread. None: not ours, not the requester's, or seen before.

        Whose thread it is is read first, in the use case's own transaction (one per answer,
        not a lookup and then a transaction): most messages in a channel's threads are other
        people's, and for those nothing is written nor the sender's language looked up. The
        officer's language (which may ask Slack) is looked up after that read, holding no lock:
        on SQLite the first attempt reads without the write lock (StagedUnitOfWork), and on
        PostgreSQL a read locks no row."""
        speaking: list[Conversation] = []  # the officer's, looked up once for every attempt

        def handle(uow: UnitOfWork) -> Reply | Refused | None:
            request = uow.requests.get_by_thread(channel_id, thread_ts)
            if request is None or request.officer_id != user_id:
                return None  # other threads and other people: nothing to remember
            if not speaking:
                speaking.append(self.speaking_to(user_id))
            conversation = speaking[0]
            if not uow.deliveries.first_time(delivery):
                return None
            before = request.state
            try:
                outputs = conversation.handle_text(request, text, user_id)
            except DomainError as error:
                return self._refuse(uow, request, error, user_id)
            outputs = self._consult_records(uow, request, outputs)
            return self._save(uow, request, Reply(request, outputs, request.state != before))

        return self._retrying(handle)

    def choose(
        self, request_id: str, user_id: str, field_key: str, value: str, delivery: str
    ) -> Reply | Refused | None:
        conversation = self.speaking_to(user_id)
        return self._act(
            request_id,
            user_id,
            delivery,
            lambda r: conversation.handle_choice(r, field_key, value, user_id),
            _reply,
        )

    def submit(self, request_id: str, user_id: str, delivery: str) -> Reply | Refused | None:
        return self._act(
            request_id, user_id, delivery, lambda r: self.conversation.submit(r, user_id), _reply
        )

    def edit(
        self, request_id: str, user_id: str, target: str, delivery: str
    ) -> Reply | Refused | None:
        return self._act(
            request_id,
            user_id,
            delivery,
            lambda r: self.conversation.edit(r, target, user_id),
            _reply,
        )

    def cancel(self, request_id: str, user_id: str, delivery: str) -> Reply | Refused | None:
        return self._act(
            request_id, user_id, delivery, lambda r: self.conversation.withdraw(r, user_id), _reply
        )

    def question_posted(self, request_id: str, ts: str, field_key: str) -> bool:
        """Remember where the current question was posted, so its message can show the answer
        once given. False when it is no longer the question being asked (answered meanwhile:
        see `answered_meanwhile`)."""

        # Once per answer: lost in a power cut, only the answered question stays untidied.
        if self._remember_question is not None:
            return self._remember_question(request_id, field_key, ts)
        with self.hints() as uow:
            remembered = uow.requests.remember_question(request_id, field_key, ts)
            uow.commit()
        return remembered

    def answered_meanwhile(self, request_id: str, field_key: str, ts: str) -> Reply | None:
        """A question posted at `ts` that could not be remembered: if its answer was accepted
        before its post returned, what its message should now show (nothing is saved)."""
        request = self.get(request_id)
        if request is None:
            return None
        answered = self.conversation.answered_meanwhile(request, field_key, ts)
        return Reply(request, [answered]) if answered is not None else None

    def set_approval_card(self, request_id: str, card_ts: str, approval_round: int) -> None:
        def remember(uow: UnitOfWork, request: MonitoringRequest) -> None:
            if request.approval_round == approval_round:
                request.approval_card_ref = card_ts

        self._with_request(request_id, remember)

    # -- supervisors ------------------------------------------------------------------------------

    def may_decide(
        self,
        request_id: str,
        user_id: str,
        card_ts: str | None,
        decision: str | None = None,
        card_round: int | None = None,
    ) -> Refused | MonitoringRequest:
        """Check before opening the reason dialog, so a refused user never sees it."""
        roles = self._roles(user_id)
        if isinstance(roles, Refused):
            return roles

        def check(uow: UnitOfWork) -> Refused | MonitoringRequest:
            request = uow.requests.get(request_id)
            if request is None:
                return _unknown(request_id)
            authorised = roles.may_decide(request)
            try:
                approval.check_decider(
                    request, user_id, authorised, _round(request, card_ts, card_round), decision
                )
            except DomainError as error:
                return self._refuse(uow, request, error, user_id)
            return request

        return self._retrying(check)

    def decide(
        self,
        request_id: str,
        decision: Decision,
        user_id: str,
        reason: str | None,
        card_ts: str | None,
        delivery: str,
        comment: str | None = None,
        review_date: date | None = None,
        card_round: int | None = None,
    ) -> Decided | Refused | None:
        """`card_ts` and `card_round`: the message the decision was made on and the round it
        shows. The round judges the click; the decision updates that message, and it becomes
        the request's card if its ts had not been saved."""
        roles = self._roles(user_id)
        if isinstance(roles, Refused):
            return roles

        def step(request: MonitoringRequest) -> DecisionMade:
            made = approval.decide(
                request,
                decision,
                user_id,
                roles.may_decide(request),
                reason,
                self.clock.now(),
                _round(request, card_ts, card_round),
                comment=comment,
                review_date=review_date,
                approvals_needed=self.approvals_needed(request),
                on_behalf_of=roles.on_behalf_of(),
            )
            if not card_ts:
                return made
            if request.approval_card_ref is None:
                request.approval_card_ref = card_ts
            return replace(made, card=card_ts)

        result = self._act(
            request_id, user_id, delivery, step, lambda a: Decided(a.request, a.value)
        )
        if isinstance(result, Decided):
            log.info(
                "decided",
                extra={"request_id": request_id, "user": user_id, "action": result.made.outcome},
            )
        return result

    # -- after approval ---------------------------------------------------------------------------

    def may_record(self, request_id: str, user_id: str) -> Refused | MonitoringRequest:
        """Check before opening the installation or review dialog."""
        roles = self._roles(user_id)
        if isinstance(roles, Refused):
            return roles

        def check(uow: UnitOfWork) -> Refused | MonitoringRequest:
            request = uow.requests.get(request_id)
            if request is None:
                return _unknown(request_id)
            try:
                installation.check_recorder(request, user_id, roles.may_decide(request))
            except DomainError as error:
                return self._refuse(uow, request, error, user_id)
            return request

        return self._retrying(check)

    def record_installation(
        self,
        request_id: str,
        user_id: str,
        outcome: str,
        on: date | None,
        notes: str | None,
        delivery: str,
    ) -> Installed | Refused | None:
        roles = self._roles(user_id)
        if isinstance(roles, Refused):
            return roles
        tz = self.conversation.config.timezone

        def step(request: MonitoringRequest) -> None:
            approved_on = request.decided_at.astimezone(tz).date() if request.decided_at else None
            installation.record_installation(
                request,
                user_id,
                roles.may_decide(request),
                outcome,
                on,
                notes,
                self.today(),
                approved_on,
                self.clock.now(),
            )

        return self._act(
            request_id, user_id, delivery, step, lambda a: Installed(a.request, user_id)
        )

    def record_review(
        self,
        request_id: str,
        user_id: str,
        outcome: str,
        next_review: date | None,
        notes: str | None,
        delivery: str,
    ) -> Reviewed | Refused | None:
        roles = self._roles(user_id)
        if isinstance(roles, Refused):
            return roles

        def step(request: MonitoringRequest) -> None:
            installation.record_review(
                request,
                user_id,
                roles.may_decide(request),
                outcome,
                next_review,
                notes,
                self.today(),
                self.clock.now(),
            )

        return self._act(
            request_id, user_id, delivery, step, lambda a: Reviewed(a.request, user_id)
        )

    def withheld(self, request_id: str, purpose: str) -> None:
        """A message about the request was not posted because its channel is now shared outside
        the force: recorded, so the gap in the thread is explained."""
        with self.uow() as uow:
            uow.audit.append(
                "withheld_shared_channel",
                "system",
                self.clock.now(),
                request_id=request_id,
                detail={"purpose": purpose},
            )
            uow.commit()
        log.warning("post withheld: channel shared", extra={"request_id": request_id})

    def approvals_needed(self, request: MonitoringRequest) -> int:
        """Two where the force's rules say so for what the current card shows, else one."""
        record = round_of(request)
        return self.second_approval.approvals_needed(record.answers, record.flags)

    # -- delegation -------------------------------------------------------------------------------

    def delegate(
        self,
        delegator: str,
        delegate_id: str,
        until_text: str,
        language: str = DEFAULT_LANGUAGE,
    ) -> str | Refused:
        """Let `delegate_id` decide until the end of the given day; what to tell the delegator
        (in their `language`)."""
        roles = self._roles(delegator)
        if isinstance(roles, Refused):
            return roles
        now = self.clock.now()
        try:
            given = delegation_rules.delegate(
                delegator, roles.supervisor, delegate_id, until_text, self.today(), now
            )
        except DomainError as error:
            return self._refuse_delegation(delegator, error)
        with self.uow() as uow:
            uow.delegations.add(given)
            uow.audit.append(
                "delegated",
                delegator,
                now,
                detail={
                    "delegate": delegate_id,
                    "delegator": delegator,
                    "until": given.until.isoformat(),
                },
            )
            uow.commit()
        log.info("delegated", extra={"user": delegator, "delegate": delegate_id})
        t = translator(language)
        return t(
            "{delegate} may decide monitoring requests on your behalf until the end of {until}. "
            "`{command} delegate revoke {delegate}` ends it sooner.",
            delegate=f"<@{delegate_id}>",
            until=format_date(given.until, t.language),
            command=self.command_hint,
        )

    def revoke_delegation(
        self, revoker: str, delegate_id: str, language: str = DEFAULT_LANGUAGE
    ) -> str | Refused:
        roles = self._roles(revoker)
        if isinstance(roles, Refused):
            return roles
        try:
            delegation_rules.check_revoker(roles.supervisor)
        except DomainError as error:
            return self._refuse_delegation(revoker, error)
        now = self.clock.now()
        with self.uow() as uow:
            ended = uow.delegations.revoke(delegate_id, revoker, now, self.today())
            for delegation in ended:
                uow.audit.append(
                    "delegation_revoked",
                    revoker,
                    now,
                    detail={
                        "delegate": delegation.delegate_id,
                        "delegator": delegation.delegator_id,
                        "revoked_by": revoker,
                        "until": delegation.until.isoformat(),
                    },
                )
            uow.commit()
        t = translator(language)
        if not ended:
            return t(
                "{delegate} holds no delegation in force: nothing to revoke.",
                delegate=f"<@{delegate_id}>",
            )
        log.info("delegation revoked", extra={"user": revoker, "delegate": delegate_id})
        return t(
            "{delegate} may no longer decide monitoring requests on anyone's behalf.",
            delegate=f"<@{delegate_id}>",
        )

    def _refuse_delegation(self, user_id: str, error: DomainError) -> Refused:
        """A delegation refused; recorded (belonging to no request) when it is evidence."""
        if error.audit_action:
            with self.uow() as uow:
                uow.audit.append(
                    error.audit_action,
                    user_id,
                    self.clock.now(),
                    detail={"refused": type(error).__name__},
                )
                uow.commit()
        return Refused(error.message, error)

    def active_delegations(self) -> list[Delegation]:
        """Delegations in force today (for App Home); lapsed ones are simply not among them."""
        with self.reads() as uow:
            return uow.delegations.active(self.today())

    # -- review dates -----------------------------------------------------------------------------

    def default_review_date(self) -> date:
        """Today in the force's zone plus the force's review period."""
        return self.review_after.after(self.today())

    def review_date_problem(self, review: date | None) -> Words | None:
        return review_date_problem(review, self.today())

    def today(self) -> date:
        return local_today(self.clock, self.conversation.config.timezone)

    def first_time(self, delivery: str) -> bool:
        """Record a Slack delivery that changes no request (e.g. a DM): False if seen before."""
        with self.uow() as uow:
            first = uow.deliveries.first_time(delivery)
            uow.commit()
            return first

    # -- lookups ----------------------------------------------------------------------------------

    def open_requests(self, officer_id: str) -> list[MonitoringRequest]:
        with self.reads() as uow:
            return uow.requests.list_open_for_officer(officer_id)

    def find_in_thread(self, channel_id: str, thread_ts: str) -> MonitoringRequest | None:
        with self.reads() as uow:
            return uow.requests.get_by_thread(channel_id, thread_ts)

    def get(self, request_id: str) -> MonitoringRequest | None:
        with self.reads() as uow:
            return uow.requests.get(request_id)

    # -- plumbing ---------------------------------------------------------------------------------

    def roles_of(self, user_id: str) -> Roles | Refused:
        """What the user may do now, an active delegation included (App Home asks this too)."""
        return self._roles(user_id)

    def _roles(self, user_id: str) -> Roles | Refused:
        """Looked up before any transaction (it may ask Slack); when Slack cannot say for too
        long, nobody is taken for a supervisor (fail closed) and the user is told why."""
        try:
            roles = self.authority.roles(user_id)
        except DomainError as error:
            log.warning("roles unknown", extra={"user": user_id, "error": type(error).__name__})
            return Refused(error.message, error)
        if roles.supervisor:
            return roles
        with self.reads() as uow:
            delegation = uow.delegations.active_for(user_id, self.today())
        return replace(roles, delegate_for=delegation.delegator_id) if delegation else roles

    def _act(
        self,
        request_id: str,
        user_id: str,
        delivery: str,
        step: Callable[[MonitoringRequest], V],
        say: Callable[[Acted[V]], R],
    ) -> R | Refused | None:
        """Once per Slack delivery: load, apply `step`, save with its audit events and what
        `say` makes of it (its messages, in the same transaction); a domain refusal is recorded
        (when it is evidence) and returned for the user who tried."""

        def handle(uow: UnitOfWork) -> R | Refused | None:
            acted = self._step(uow, request_id, user_id, delivery, step)
            if not isinstance(acted, Acted):
                return acted
            return self._save(uow, acted.request, say(acted))

        return self._retrying(handle)

    def _act_quietly(
        self,
        request_id: str,
        user_id: str,
        delivery: str,
        step: Callable[[MonitoringRequest], V],
    ) -> Acted[V] | Refused | None:
        """As `_act`, for a step whose caller answers in the dialog (the form); what it says
        in the thread (a page's outputs) is recorded with the change, as `_act` records it."""

        def handle(uow: UnitOfWork) -> Acted[V] | Refused | None:
            acted = self._step(uow, request_id, user_id, delivery, step)
            if not isinstance(acted, Acted):
                return acted
            outputs = acted.value.outputs if isinstance(acted.value, FormOutcome) else []
            said = self._save(uow, acted.request, Reply(acted.request, outputs, acted.moved))
            acted.messages = said.messages
            return acted

        return self._retrying(handle)

    def _step(
        self,
        uow: UnitOfWork,
        request_id: str,
        user_id: str,
        delivery: str,
        step: Callable[[MonitoringRequest], V],
    ) -> Acted[V] | Refused | None:
        if not uow.deliveries.first_time(delivery):
            return None
        request = uow.requests.get(request_id)
        if request is None:
            return _unknown(request_id)
        before = request.state
        try:
            value = step(request)
        except DomainError as error:
            return self._refuse(uow, request, error, user_id)
        if isinstance(value, FormOutcome):
            value.outputs = self._consult_records(uow, request, value.outputs)
        elif isinstance(value, list):
            value = cast(V, self._consult_records(uow, request, value))
        return Acted(request, value, request.state != before)

    def _consult_records(
        self, uow: UnitOfWork, request: MonitoringRequest, outputs: list[Output]
    ) -> list[Output]:
        """What only other requests can tell: an earlier request about the same person (offer
        its answers) and another pending request for the same device (flag it)."""
        visor = self.conversation.prefill_wanted(request)
        if visor is not None:
            source = uow.requests.latest_about_person(
                request.channel_id, visor, str(request.request_id)
            )
            outputs = self.conversation.offer_prefill(request, source, outputs)
        device = self.conversation.device_ids(request)
        if device is not None:
            imeis, serial = device
            others = [
                str(r.request_id)
                for r in uow.requests.pending_for_device(imeis, serial, str(request.request_id))
            ]
            if self.conversation.note_duplicates(request, others):
                outputs = [
                    self.conversation.summary(request) if isinstance(o, Summary) else o
                    for o in outputs
                ]
        return outputs

    @overload
    def _save(self, uow: UnitOfWork, request: MonitoringRequest) -> None: ...

    @overload
    def _save(
        self, uow: UnitOfWork, request: MonitoringRequest, said: R, also: AlsoSaid | None = None
    ) -> R: ...

    def _save(
        self,
        uow: UnitOfWork,
        request: MonitoringRequest,
        said: R | None = None,
        also: AlsoSaid | None = None,
    ) -> R | None:
        """Save the request, and what `said` must say in its thread (after what `also` says
        about the message acted on), in one transaction: no change without its message,
        whatever happens after the commit."""
        self._schedule(request)
        uow.requests.save(request)
        if said is not None and self.announcer is not None and request.thread_ts:
            held = self.clock.now() + timedelta(seconds=HOLD_SECONDS)
            said.messages = (also(request) if also else []) + self.announcer.messages(said)
            for message in said.messages:
                message.lease_until = held
                uow.outbox.add(message)
        uow.commit()
        return said

    def _refuse(
        self, uow: UnitOfWork, request: MonitoringRequest, error: DomainError, user_id: str
    ) -> Refused:
        if error.audit_action:
            uow.audit.append(
                error.audit_action,
                user_id,
                self.clock.now(),
                request_id=request.request_id,
                detail={"refused": type(error).__name__, "state": request.state},
            )
        uow.commit()
        log.info(
            "refused",
            extra={
                "request_id": request.request_id,
                "user": user_id,
                "action": type(error).__name__,
            },
        )
        return Refused(error.message, error, request)

    def _with_request(
        self,
        request_id: str,
        step: Callable[[UnitOfWork, MonitoringRequest], T],
        uow: UnitOfWorkFactory | None = None,
    ) -> T:
        def handle(uow: UnitOfWork) -> T:
            request = uow.requests.get(request_id)
            if request is None:
                raise UnknownRequest(
                    lambda t: t("{request} is not held in this database.", request=request_id)
                )
            result = step(uow, request)
            self._save(uow, request)
            return result

        return self._retrying(handle, uow)

    def _retrying(
        self, handle: Callable[[UnitOfWork], T], uow_factory: UnitOfWorkFactory | None = None
    ) -> T:
        if uow_factory is None and self.optimistic is not None:
            try:
                with self.optimistic() as uow:
                    return handle(uow)
            except ConcurrentUpdate:  # nothing was written: again, holding the lock throughout
                METRICS.reruns.labels(after="optimistic").inc()
                log.debug("optimistic attempt gave way")
        lost = False
        for attempt in range(1, MAX_CONFLICT_RETRIES + 1):
            try:
                with (uow_factory or self.uow)() as uow:
                    return handle(uow)
            except ConcurrentUpdate:
                METRICS.reruns.labels(after="locked").inc()
                log.info("concurrent update, retrying", extra={"attempts": attempt})
            except ConnectionLost:
                # once: a pooled connection the server ended a moment ago looks alive until its
                # goodbye arrives; another connection is opened. Twice is an outage: say so.
                if lost:
                    raise
                lost = True
                METRICS.reruns.labels(after="connection_lost").inc()
                log.warning("database connection lost, retrying", extra={"attempts": attempt})
        raise ConcurrentUpdate("the request kept changing; try again")

    def _schedule(self, request: MonitoringRequest) -> None:
        request.due_at = self.schedule.due_at(request)


class UnknownRequest(DomainError):
    """A click or message named a request this database does not hold."""


def _unknown(request_id: str) -> Refused:
    return Refused(
        f"{request_id} is not in this bot's records: it may belong to another workspace.",
        UnknownRequest(request_id),
        shown=lambda t: t(
            "{request} is not in this bot's records: it may belong to another workspace.",
            request=request_id,
        ),
    )


def _reply(acted: Acted[list[Output]]) -> Reply:
    return Reply(acted.request, acted.value, acted.moved)


def _round(
    request: MonitoringRequest, card_ts: str | None, card_round: int | None = None
) -> int | None:
    """The approval round a clicked card belongs to: the round it carries (`card_round:<n>`),
    whether or not its ts was ever saved. A card drawn before cards carried their round is
    judged by its ts: one other than the current card's is stale, and while a resubmission's
    card has no ref yet only the first round's card can be the current one."""
    if card_round is not None:
        return card_round
    if card_ts is None:
        return None
    if request.approval_card_ref is None:
        return None if request.approval_round <= 1 else STALE_ROUND
    return request.approval_round if card_ts == request.approval_card_ref else STALE_ROUND


#: no approval round has this number: deciding with it is refused as a stale card
STALE_ROUND = -1
