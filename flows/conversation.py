"""The guided conversation: given a request's saved state and an officer's input, move it on and
say what to say next. Pure: no Slack, no database, time from the injected clock."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from flows.approval import close
from flows.clock import Clock, local_today
from flows.config import FlowConfig
from flows.errors import InvalidTransition, NotRequester, StaleQuestion
from flows.fields import Accepted, Catalogue, Field, ParseContext, Rejected, validate
from flows.flags import compute_flags
from flows.form import FormOutcome, page_after, page_named, with_basis
from flows.i18n import N_, translator
from flows.models import MonitoringRequest
from flows.notification import notification_duty
from flows.outputs import (
    AnswerAccepted,
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    InfoReplyRecorded,
    Notice,
    Output,
    PrefillOffered,
    Question,
    SubmittedForApproval,
    Summary,
    SummaryRow,
    Withdrawn,
)
from flows.request_machine import (
    Stage,
    at_summary,
    awaiting_decision,
    fire,
    is_collecting,
    may,
)
from flows.rounds import begin_round, record_reply
from flows.words import command_word, is_keyword, split_command

_MISSING = object()

#: answers about the person (with the basis and its branch), reusable from an earlier request
PERSON_KEYS = ("mappa_category", "mappa_level", "rosh_level", "risk_assessment_date", "legal_basis")
DUPLICATE_FLAG = "possible_duplicate"

#: what an officer declares by submitting; the version is recorded with each submission, so a
#: change of wording never rewrites what earlier officers declared
DECLARATION = N_(
    "I hold all relevant information about this person (ViSOR record, risk management plan, "
    "latest risk assessment)."
)
DECLARATION_VERSION = "2026-12-01"

#: the commands' names as the officer types them in their language (`canslo` in Welsh); either
#: language's is understood (flows.words)
COMMAND_NAMES = {
    "back": N_("back"),
    "skip": N_("skip"),
    "help": N_("help"),
    "cancel": N_("cancel"),
    "submit": N_("submit"),
    "edit": N_("edit"),
}

#: a closed request's state in words (the stored state stays the neutral name)
CLOSED_STATES: dict[str, str] = {
    Stage.rejected: N_("rejected"),
    Stage.not_installed: N_("not installed"),
    Stage.removed: N_("removed"),
    Stage.withdrawn: N_("withdrawn"),
    Stage.expired: N_("expired"),
    Stage.abandoned: N_("abandoned"),
    Stage.installed: N_("installed"),
    Stage.approved: N_("approved"),
    Stage.awaiting_approval: N_("awaiting approval"),
    Stage.info_requested: N_("info requested"),
}


class Conversation:
    """Collects a request's answers one question at a time and takes it to submission.

    It speaks its catalogue's language (questions, notices, refusals); `speaking(language)`
    gives the same conversation in another. What it stores is the same in every language.
    """

    def __init__(self, catalogue: Catalogue, config: FlowConfig, clock: Clock) -> None:
        self.catalogue = catalogue
        self.config = config
        self.clock = clock
        self.language = catalogue.language
        self.t = translator(catalogue.language)

    def speaking(self, language: str | None) -> Conversation:
        """This conversation in the officer's language (`en` or `cy`; unknown: the default)."""
        wanted = translator(language).language
        if wanted == self.language:
            return self
        # the same questions, worded in `wanted` (catalogue_for builds them once)
        from flows.catalogue import catalogue_for

        return Conversation(catalogue_for(self.config, wanted), self.config, self.clock)

    def _state_words(self, state: str) -> str:
        words = CLOSED_STATES.get(state)
        return self.t(words) if words else state.replace("_", " ")

    # -- entry points ---------------------------------------------------------------------------

    def start(self, request: MonitoringRequest) -> list[Output]:
        now = self.clock.now()
        request.record("created", request.officer_id, now, channel=request.channel_id)
        request.last_activity_at = now
        return self._ask_next(request)

    def restart(self, old: MonitoringRequest, new: MonitoringRequest, actor: str) -> list[Output]:
        """Start `new` with every answer of the closed `old` that is still valid today, opening
        at the first missing answer or the summary. The link is recorded on `new` (its id is
        not yet known; the caller links `old` once storage has assigned it)."""
        self._require_requester(old, actor)
        if old.is_open:
            raise InvalidTransition(
                self.t("{ref} is still open: carry on in its thread.", ref=old.request_id)
            )
        if old.restarted_as:
            raise InvalidTransition(
                self.t(
                    "{ref} was already restarted as {new}.",
                    ref=old.request_id,
                    new=old.restarted_as,
                )
            )
        now = self.clock.now()
        new.restarted_from = old.request_id
        new.record("created", actor, now, channel=new.channel_id, restarted_from=old.request_id)
        new.last_activity_at = now
        for field in self.catalogue:
            if field.key in old.answers:
                new.answers[field.key] = old.answers[field.key]
        # keep only what still applies and still passes its rules today (nothing is recorded
        # as dropped: those answers were never given on this request)
        for _ in range(len(self.catalogue.fields)):
            applicable = {f.key for f in self.catalogue.applicable(new.answers)}
            stale = next(
                (
                    key
                    for key in list(new.answers)
                    if key not in applicable or not self._still_valid(new, key)
                ),
                None,
            )
            if stale is None:
                break
            del new.answers[stale]
        for key in new.answers:
            new.record("answered", actor, now, field=key, carried_from=old.request_id)
        return self._ask_next(new)

    def restarted(self, old: MonitoringRequest, new_id: str, actor: str) -> None:
        """Link a closed request to the one that replaced it."""
        old.restarted_as = new_id
        old.record("restarted", actor, self.clock.now(), restarted_as=new_id)

    def handle_text(self, request: MonitoringRequest, text: str, actor: str) -> list[Output]:
        """A message the officer typed in the request's thread."""
        self._require_requester(request, actor)
        now = self.clock.now()
        request.last_activity_at = now
        # commands in either language: "nôl" is back, "golygu 3" is edit 3
        command, argument = split_command(text)
        if is_collecting(request):
            return self._while_collecting(request, text, command, argument)
        if at_summary(request):
            return self._at_summary(request, text, command, argument)
        if may(request, "withdraw") and command == "cancel":
            return self.withdraw(request, actor)
        if awaiting_decision(request):
            return [
                Notice(
                    self.t(
                        "This request is waiting for a supervisor. Type `cancel` to withdraw it."
                    )
                )
            ]
        if may(request, "mark_installed"):
            return [
                Notice(
                    self.t(
                        "This request is approved. Use *Record installation* to say what happened."
                    )
                )
            ]
        return [
            Notice(
                self.t("This request is closed ({state}).", state=self._state_words(request.state))
            )
        ]

    def handle_choice(
        self, request: MonitoringRequest, field_key: str, value: str, actor: str
    ) -> list[Output]:
        """A button for one option of the current question."""
        self._require_requester(request, actor)
        if not is_collecting(request) or request.current_field != field_key:
            # said to the one who clicked, never in the thread: the thread has moved on
            raise StaleQuestion(
                self.t(
                    "That question has already been answered: answer the latest one in the thread."
                )
            )
        request.last_activity_at = self.clock.now()
        return self._answer(request, self.catalogue.get(field_key), value)

    def submit(self, request: MonitoringRequest, actor: str) -> list[Output]:
        self._require_requester(request, actor)
        if not at_summary(request):
            raise InvalidTransition(self.t("Only a request at its summary can be submitted."))
        dropped = self._recheck(request)
        if dropped:
            fire(request, "edit")
            return [dropped, *self._ask_next(request)]
        now = self.clock.now()
        superseded = request.approval_card_ref if request.approval_round else None
        fire(request, "submit")
        request.approval_card_ref = None  # the new card's ref arrives once it is posted
        request.approval_round += 1
        begin_round(request, now)
        request.submitted_at = now
        request.last_activity_at = now
        request.decision = request.decided_by = request.decision_reason = None
        request.decision_comment = None
        request.review_date = None
        request.decided_on_behalf_of = None
        request.decided_at = None
        request.nudges = {}
        # The officer's declaration is made by submitting: recorded with the wording they saw.
        request.record(
            "submitted",
            actor,
            now,
            round=request.approval_round,
            declaration=DECLARATION,
            declaration_version=DECLARATION_VERSION,
        )
        assert request.request_id is not None
        return [SubmittedForApproval(request.request_id, request.approval_round, superseded)]

    def edit(self, request: MonitoringRequest, target: str, actor: str) -> list[Output]:
        """Change one answer from the summary (by field key or summary number)."""
        self._require_requester(request, actor)
        if not at_summary(request):
            raise InvalidTransition(self.t("Answers can only be edited from the summary."))
        field = self._field_named(request, target)
        if field is None:
            return [
                Notice(
                    self.t("There is no question {target} to edit.", target=repr(target.strip()))
                ),
                self.summary(request),
            ]
        fire(request, "edit")
        request.strikes = 0
        return [self._question(request, field)]

    def withdraw(self, request: MonitoringRequest, actor: str) -> list[Output]:
        self._require_requester(request, actor)
        from_state = request.state
        # a card is live while a decision clock runs (the states that may expire)
        card = request.approval_card_ref if may(request, "expire") else None
        fire(request, "withdraw")
        now = self.clock.now()
        close(request, "withdrawn by the officer", now)
        request.record(Stage.withdrawn, actor, now, from_state=from_state)
        assert request.request_id is not None
        return [Withdrawn(request.request_id, from_state, card)]

    def summary(self, request: MonitoringRequest) -> Summary:
        applicable = self.catalogue.applicable(request.answers)
        reused = set(request.prefill.get("fields") or [])
        source = request.prefill.get("from")
        rows = tuple(
            SummaryRow(
                number,
                field,
                request.answers.get(field.key),
                source if field.key in reused else None,
            )
            for number, field in enumerate(applicable, start=1)
        )
        duty = notification_duty(request.answers, self.config.notification_counting)
        return Summary(
            rows,
            dict(request.flags),
            deadline=duty.describe(self.language) if duty else None,
            declaration=self.t(DECLARATION),
        )

    def current_question(self, request: MonitoringRequest) -> Question | None:
        if not is_collecting(request) or request.current_field is None:
            return None
        return self._question(request, self.catalogue.get(request.current_field))

    # -- answers reused from an earlier request about the same person ----------------------------

    def person_fields(self, basis: Any) -> list[Field]:
        """What is about the person rather than this device: risk, the basis and its branch."""
        fields = [f for f in self.catalogue.fields if f.key in PERSON_KEYS]
        return fields + [f for f in self.catalogue.fields if basis and f.branch == basis]

    def prefill_wanted(self, request: MonitoringRequest) -> str | None:
        """The ViSOR ref to look an earlier request up by, right after it is answered (once per
        reference: changing it looks again)."""
        visor = request.answers.get("visor_ref")
        if not isinstance(visor, str) or not is_collecting(request):
            return None
        if request.prefill.get("visor_ref") == visor:
            return None
        return visor

    def offer_prefill(
        self,
        request: MonitoringRequest,
        source: MonitoringRequest | None,
        outputs: list[Output],
    ) -> list[Output]:
        """Offer `source`'s answers about the person, right after the ViSOR answer."""
        visor = request.answers.get("visor_ref")
        reusable = (
            [
                f
                for f in self.person_fields(source.answers.get("legal_basis"))
                if f.key in source.answers
            ]
            if source is not None
            else []
        )
        if source is None or not reusable:
            request.prefill = {"visor_ref": visor, "status": "none"}
            return outputs
        request.prefill = {"visor_ref": visor, "status": "offered", "from": source.request_id}
        request.record(
            "prefill_offered", request.officer_id, self.clock.now(), source=source.request_id
        )
        offer = PrefillOffered(str(source.request_id), tuple(f.label for f in reusable))
        position = next((n + 1 for n, o in enumerate(outputs) if isinstance(o, AnswerAccepted)), 0)
        return [*outputs[:position], offer, *outputs[position:]]

    def accept_prefill(
        self, request: MonitoringRequest, source: MonitoringRequest, actor: str
    ) -> list[Output]:
        self._require_requester(request, actor)
        self._require_offer(request, source)
        now = self.clock.now()
        reused: list[str] = []
        basis = request.answers.get("legal_basis", source.answers.get("legal_basis"))
        for field in self.person_fields(basis):
            if field.key in request.answers or field.key not in source.answers:
                continue  # never overwrite what the officer has answered here
            request.answers[field.key] = source.answers[field.key]
            if not self._still_valid(request, field.key) or not field.applies(request.answers):
                del request.answers[field.key]
                continue
            del request.answers[field.key]
            self._store(
                request, field.key, source.answers[field.key], actor, reused_from=source.request_id
            )
            reused.append(field.key)
        request.prefill = {
            **request.prefill,
            "status": "accepted",
            "fields": reused,
        }
        request.record("prefill_accepted", actor, now, source=source.request_id, fields=reused)
        outputs: list[Output] = []
        labels = ", ".join(self.catalogue.get(k).label for k in reused) or self.t("nothing")
        outputs.append(
            Notice(self.t("Reused from {ref}: {labels}.", ref=source.request_id, labels=labels))
        )
        if request.current_field in reused:
            current = self.catalogue.get(request.current_field)
            if request.question_ref:
                asked = self._question(request, current)
                outputs.append(
                    AnswerAccepted(asked, request.answers[current.key], request.question_ref)
                )
            request.question_ref = None
            outputs += self._ask_next(request)
        else:
            self._refresh_flags(request)
        return outputs

    def decline_prefill(
        self, request: MonitoringRequest, source: MonitoringRequest, actor: str
    ) -> list[Output]:
        self._require_requester(request, actor)
        self._require_offer(request, source)
        request.prefill = {**request.prefill, "status": "declined"}
        request.record("prefill_declined", actor, self.clock.now(), source=source.request_id)
        return []

    def _require_offer(self, request: MonitoringRequest, source: MonitoringRequest) -> None:
        offered = (
            request.prefill.get("status") == "offered"
            and request.prefill.get("from") == source.request_id
        )
        same_person = source.answers.get("visor_ref") == request.answers.get("visor_ref")
        if not (offered and same_person and is_collecting(request)):
            raise StaleQuestion(self.t("That offer no longer applies."))

    # -- possible duplicates ----------------------------------------------------------------------

    def device_ids(self, request: MonitoringRequest) -> tuple[list[str], str | None] | None:
        """The device's IMEIs and serial, when the request is far enough on to be compared."""
        if is_collecting(request) or not request.is_open:
            return None
        imeis = [str(i) for i in request.answers.get("device_imei") or []]
        serial = request.answers.get("device_serial")
        return imeis, serial if isinstance(serial, str) else None

    def note_duplicates(self, request: MonitoringRequest, others: list[str]) -> bool:
        """Flag (or unflag) other pending requests for the same device; True if it changed."""
        before = request.flags.get(DUPLICATE_FLAG)
        if others:
            request.flags[DUPLICATE_FLAG] = {"request_id": ", ".join(others)}
        else:
            request.flags.pop(DUPLICATE_FLAG, None)
        return request.flags.get(DUPLICATE_FLAG) != before

    def _refresh_flags(self, request: MonitoringRequest) -> None:
        """Recompute the flags from the answers, keeping what only storage can tell (another
        request for the same device)."""
        kept = request.flags.get(DUPLICATE_FLAG)
        request.flags = compute_flags(request.answers, self._today(), self.config)
        if kept is not None:
            request.flags[DUPLICATE_FLAG] = kept

    # -- the form -------------------------------------------------------------------------------

    def answer_form(
        self,
        request: MonitoringRequest,
        page_name: str,
        values: dict[str, str],
        actor: str,
        shown: Collection[str] | None = None,
    ) -> FormOutcome:
        """One page of the form: every value through the same parsers and rules as in the
        thread. A page with any bad value stores nothing and says what is wrong with each;
        a good one is stored and audited like typed answers (`via: form`). The thread hears of
        it when the form is done: its summary, or the first question still unanswered.

        `shown`: the page's questions that had an answer when it was drawn. One answered since
        (an earlier request's answers accepted in the thread while the page was open) and left
        empty on the page is kept, and the same page comes back with it filled in to check."""
        self._require_requester(request, actor)
        if not (is_collecting(request) or at_summary(request)):
            raise InvalidTransition(
                self.t(
                    "{ref} is {state}: its answers can no longer be changed.",
                    ref=request.request_id,
                    state=self._state_words(request.state),
                )
            )
        page = page_named(
            self.catalogue, with_basis(self.catalogue, request.answers, values), page_name
        )
        if page is None:
            raise StaleQuestion(
                self.t("That page of the form no longer applies: open the form again.")
            )
        now = self.clock.now()
        request.last_activity_at = now
        trial = dict(request.answers)
        accepted: dict[str, Any] = {}
        errors: dict[str, str] = {}
        refilled: list[str] = []
        for field in page.fields:
            if not field.applies(trial):
                continue  # e.g. a serial number for a phone: not asked, whatever was typed
            text = (values.get(field.key) or "").strip()
            if not text and shown is not None and field.key in trial and field.key not in shown:
                refilled.append(field.key)  # answered since the page was drawn: keep it
                continue
            if not text:
                if field.optional:
                    accepted[field.key] = trial[field.key] = None
                elif field.condition is None or field.key not in trial:
                    errors[field.key] = self.t("{label} is required.", label=field.label)
                continue
            context = ParseContext(
                self._today(),
                {k: v for k, v in trial.items() if k != field.key},
                self.config,
                self.language,
            )
            result = validate(field, text, context)
            if isinstance(result, Rejected):
                errors[field.key] = result.message
                request.record("answer_rejected", actor, now, field=field.key, via="form")
            else:
                assert isinstance(result, Accepted)
                accepted[field.key] = trial[field.key] = result.value
        if errors:
            return FormOutcome(errors=errors)
        outputs: list[Output] = []
        answered_current = request.current_field in accepted
        if request.question_ref and answered_current and request.current_field:
            current = self.catalogue.get(request.current_field)
            asked = self._question(request, current)
            outputs.append(AnswerAccepted(asked, accepted[current.key], request.question_ref))
            request.question_ref = None
        for key, value in accepted.items():
            self._store(request, key, value, actor, via="form")
        dropped = self._recheck(request)
        if dropped:
            outputs.append(dropped)
        following = (
            page_named(self.catalogue, request.answers, page.name)
            if refilled
            else page_after(self.catalogue, request.answers, page.name)
        )
        if following is not None:
            if answered_current:
                # the thread asks the next one when the form is done (or closed)
                request.current_field = next(
                    (
                        f.key
                        for f in self.catalogue.applicable(request.answers)
                        if f.key not in request.answers
                    ),
                    None,
                )
            self._refresh_flags(request)
            return FormOutcome(outputs=outputs, next_page=following, refilled=tuple(refilled))
        return FormOutcome(outputs=outputs + self.resume(request))

    def resume(self, request: MonitoringRequest) -> list[Output]:
        """The thread carries on after the form: the first unanswered question or the summary
        (back from the summary if the form left something unanswered)."""
        if at_summary(request) and any(
            f.key not in request.answers for f in self.catalogue.applicable(request.answers)
        ):
            fire(request, "edit")
        if not (is_collecting(request) or at_summary(request)):
            return []
        if is_collecting(request) and request.question_ref and request.current_field:
            return []  # its question is still live in the thread
        return self._ask_next(request)

    # -- collecting -----------------------------------------------------------------------------

    def _while_collecting(
        self, request: MonitoringRequest, text: str, command: str, argument: str
    ) -> list[Output]:
        field = self.catalogue.get(self._current(request))
        if command == "cancel" and not argument:
            return self.withdraw(request, request.officer_id)
        if command == "help" and not argument:
            return [FieldHelp(field)]
        if command == "back" and not argument:
            return self._back(request, field)
        if command == "submit" and not argument:
            # Never store the word as an answer: the officer thinks they are done.
            question = self._question(request, field)
            return [
                Notice(
                    self.t(
                        "There are still questions to answer (this is question {number} of "
                        "{total}); the summary comes after the last one.",
                        number=question.number,
                        total=question.total,
                    )
                ),
            ]
        if command == "skip" and not argument:
            if not field.optional:
                return [
                    Notice(
                        self.t("{label} is required, so it cannot be skipped.", label=field.label)
                    )
                ]
            return self._accept(request, field, None)
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1 and not field.multiline:
            return self._answer_lines(request, lines)
        return self._answer(request, field, text)

    def _answer_lines(self, request: MonitoringRequest, lines: list[str]) -> list[Output]:
        """Several answers in one message, one a line, for the current question and the ones
        after it (a phone's keyboard makes one message per answer slow). Each line goes through
        the same parser and rules as a message of its own; the first bad line stops there, with
        its question asked, and what came before it is kept."""
        kept: list[Output] = []
        for index, line in enumerate(lines):
            field = self.catalogue.get(self._current(request))
            word = command_word(line)
            if word in ("cancel", "back", "help", "submit"):
                kept.append(
                    Notice(
                        self.t(
                            "`{word}` works in a message of its own; the lines from it were not "
                            "used.",
                            word=self.t(COMMAND_NAMES[word]),
                        )
                    )
                )
                return [*kept, self._question(request, field)]
            if is_keyword(line, "skip") and field.optional:
                step = self._accept(request, field, None)
            else:
                step = self._answer(request, field, line)
            if any(isinstance(o, AnswerRejected) for o in step):
                rest = len(lines) - index - 1
                notice = (
                    [
                        Notice(
                            self.t.ngettext(
                                "{n} line after it was not used.",
                                "{n} lines after it were not used.",
                                rest,
                            )
                        )
                    ]
                    if rest
                    else []
                )
                return kept + step + notice + [self._question(request, field)]
            if not is_collecting(request):  # the summary: nothing left to answer
                rest = len(lines) - index - 1
                notice = (
                    [
                        Notice(
                            self.t.ngettext(
                                "{n} line was left over after the last question.",
                                "{n} lines were left over after the last question.",
                                rest,
                            )
                        )
                    ]
                    if rest
                    else []
                )
                return kept + notice + step
            if index == len(lines) - 1:
                return kept + step
            # keep what the thread must show (the answered first question, dropped answers);
            # the questions in between were answered before they were asked
            kept += [o for o in step if not isinstance(o, Question)]
        return kept

    def _answer(self, request: MonitoringRequest, field: Field, text: str) -> list[Output]:
        result = validate(field, text, self._context(request, exclude=field.key))
        if isinstance(result, Rejected):
            request.strikes += 1
            request.record("answer_rejected", request.officer_id, self.clock.now(), field=field.key)
            hint = request.strikes >= self.config.strikes_before_hint
            # the question is still just above: say what is wrong, do not ask it again
            return [AnswerRejected(field, result.message, hint)]
        assert isinstance(result, Accepted)
        return self._accept(request, field, result.value)

    def _accept(self, request: MonitoringRequest, field: Field, value: Any) -> list[Output]:
        outputs: list[Output] = []
        if request.question_ref and request.current_field == field.key:
            asked = self._question(request, field)
            outputs.append(AnswerAccepted(asked, value, request.question_ref))
        request.question_ref = None
        self._store(request, field.key, value, request.officer_id)
        dropped = self._recheck(request, changed=field.key)
        if dropped:
            outputs.append(dropped)
        return outputs + self._ask_next(request)

    def _store(
        self, request: MonitoringRequest, key: str, value: Any, actor: str, **how: Any
    ) -> None:
        """Keep an answer, audited: `answered` the first time, `answer_changed` after."""
        now = self.clock.now()
        before = request.answers.get(key, _MISSING)
        request.answers[key] = value
        request.strikes = 0
        if before is _MISSING:
            request.record("answered", actor, now, field=key, **how)
        elif before != value:
            request.record(
                "answer_changed", actor, now, field=key, before=before, after=value, **how
            )

    def _back(self, request: MonitoringRequest, field: Field) -> list[Output]:
        applicable = [f.key for f in self.catalogue.applicable(request.answers)]
        position = applicable.index(field.key) if field.key in applicable else len(applicable)
        if position == 0:
            return [Notice(self.t("This is the first question; there is nothing to go back to."))]
        previous = self.catalogue.get(applicable[position - 1])
        request.strikes = 0
        return [self._question(request, previous)]

    def _ask_next(self, request: MonitoringRequest) -> list[Output]:
        self._refresh_flags(request)
        for field in self.catalogue.applicable(request.answers):
            if field.key not in request.answers:
                return [self._question(request, field)]
        request.current_field = None
        if is_collecting(request):
            fire(request, "answers_complete")
            request.nudges = {}  # a new wait: the summary may need its own idle reminder
            request.record("summarised", request.officer_id, self.clock.now())
        return [self.summary(request)]

    def answered_meanwhile(
        self, request: MonitoringRequest, field_key: str, ref: str
    ) -> AnswerAccepted | None:
        """A question whose message was posted (at `ref`) only after its answer was accepted (an
        answer quicker than the post's round trip): the message is tidied as it would have been,
        once the request holds that answer and has moved past the question. None otherwise."""
        if field_key not in self.catalogue or field_key not in request.answers:
            return None
        if is_collecting(request) and request.current_field == field_key:
            return None  # still the question being asked: where it was posted is remembered
        field = self.catalogue.get(field_key)
        # numbered as it was asked: before its own answer counted
        before = {k: v for k, v in request.answers.items() if k != field_key}
        return AnswerAccepted(
            self._numbered(request, field, before), request.answers[field_key], ref
        )

    def _question(self, request: MonitoringRequest, field: Field) -> Question:
        if request.current_field != field.key:
            request.current_field = field.key
            request.question_ref = None  # the new question's message is yet to be posted
            request.nudges = {}
        return self._numbered(request, field, request.answers)

    def _numbered(
        self, request: MonitoringRequest, field: Field, answers: dict[str, Any]
    ) -> Question:
        slots = self.catalogue.slots(answers)
        number = slots.index(field.slot) + 1 if field.slot in slots else len(slots)
        earlier = self.catalogue.applicable(answers)
        continued = any(
            f.slot == field.slot for f in earlier[: earlier.index(field) if field in earlier else 0]
        )
        has_previous = field.key in answers
        return Question(
            field,
            number,
            len(slots),
            previous=answers.get(field.key),
            has_previous=has_previous,
            continued=continued,
            coming=tuple(f.label for f in self._coming(request, field)),
        )

    def _coming(self, request: MonitoringRequest, field: Field) -> list[Field]:
        """The questions that surely follow this one in its section, so the officer may answer
        them in the same message, one a line: up to (and with) the next whose answer decides
        which questions follow."""
        if field.decides or field.multiline:
            return []
        applicable = self.catalogue.applicable(request.answers)
        after = applicable[applicable.index(field) + 1 :] if field in applicable else []
        coming: list[Field] = []
        for following in after:
            if following.section != field.section or following.key in request.answers:
                break
            coming.append(following)
            if following.decides:
                break
        return coming

    # -- the summary ----------------------------------------------------------------------------

    def _at_summary(
        self, request: MonitoringRequest, text: str, command: str, argument: str
    ) -> list[Output]:
        if command == "submit" and not argument:
            return self.submit(request, request.officer_id)
        if command == "edit" and argument:
            return self.edit(request, argument, request.officer_id)
        if command == "cancel" and not argument:
            return self.withdraw(request, request.officer_id)
        if command == "back" and not argument:
            last = self.catalogue.applicable(request.answers)[-1]
            return self.edit(request, last.key, request.officer_id)
        # sent back for more information: what the officer types is their reply
        if may(request, "expire") and command not in ("edit", "help"):
            request.record("info_provided", request.officer_id, self.clock.now(), text=text)
            record_reply(request, text, self.clock.now())
            assert request.request_id is not None
            return [InfoReplyRecorded(request.request_id)]
        return [
            Notice(
                self.t(
                    "Type `submit` to send this for approval, `edit <question number or key>` "
                    "to change an answer, or `cancel` to withdraw it."
                )
            ),
        ]

    # -- rules that span answers ----------------------------------------------------------------

    def _recheck(
        self, request: MonitoringRequest, changed: str | None = None
    ) -> AnswersDropped | None:
        """Drop answers that no longer apply or no longer pass their rules, so they are asked
        again: a changed branch, an acquisition date moved after the notification date, a
        proposed install date that has slipped into the past."""
        dropped: list[Field] = []
        no_longer_asked = True
        for _ in range(len(self.catalogue.fields)):  # dropping one answer can make another stale
            applicable = {f.key for f in self.catalogue.applicable(request.answers)}
            stale = next(
                (
                    self.catalogue.get(key)
                    for key in list(request.answers)
                    if key != changed
                    and (key not in applicable or not self._still_valid(request, key))
                ),
                None,
            )
            if stale is None:
                break
            no_longer_asked = no_longer_asked and stale.key not in applicable
            before = request.answers.pop(stale.key)
            dropped.append(stale)
            request.record(
                "answer_dropped",
                request.officer_id,
                self.clock.now(),
                field=stale.key,
                before=before,
            )
        self._refresh_flags(request)
        if not dropped:
            return None
        if no_longer_asked:
            reason = self.t("they belonged to the answer you changed, so they have been removed")
        else:
            reason = self.t(
                "they no longer fit your other answers or today's date, so they will be asked again"
            )
        return AnswersDropped(tuple(f.label for f in dropped), reason)

    def _still_valid(self, request: MonitoringRequest, key: str) -> bool:
        if key not in self.catalogue:
            return False
        field = self.catalogue.get(key)
        value = request.answers[key]
        if value is None:
            return field.optional
        result = validate(field, field.as_text(value), self._context(request, exclude=key))
        return isinstance(result, Accepted) and result.value == value

    # -- helpers --------------------------------------------------------------------------------

    def _context(self, request: MonitoringRequest, exclude: str) -> ParseContext:
        answers = {k: v for k, v in request.answers.items() if k != exclude}
        return ParseContext(
            today=self._today(), answers=answers, config=self.config, language=self.language
        )

    def _today(self) -> date:
        return local_today(self.clock, self.config.timezone)

    def _current(self, request: MonitoringRequest) -> str:
        if request.current_field is None:
            first = self.catalogue.applicable(request.answers)[0]
            request.current_field = first.key
        return request.current_field

    def _field_named(self, request: MonitoringRequest, target: str) -> Field | None:
        target = target.strip().lower()
        applicable = self.catalogue.applicable(request.answers)
        if target.isdigit() and 1 <= int(target) <= len(applicable):
            return applicable[int(target) - 1]
        for field in applicable:
            if target in (field.key, field.label.lower()):
                return field
        return None

    def _require_requester(self, request: MonitoringRequest, actor: str) -> None:
        if actor != request.officer_id:
            raise NotRequester(self.t("Only the officer who started this request can answer it."))
