"""The guided conversation, driven the way an officer drives it: whole requests for each legal
basis, every command, branch changes, refusals, resubmission and save-and-restore at every step."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows.approval import decide
from flows.catalogue import build_catalogue
from flows.clock import FixedClock
from flows.config import FlowConfig
from flows.conversation import DECLARATION, DECLARATION_VERSION, Conversation
from flows.errors import InvalidTransition, NotRequester, StaleQuestion
from flows.fields import Catalogue
from flows.models import MonitoringRequest
from flows.outputs import (
    AnswerAccepted,
    AnswerRejected,
    AnswersDropped,
    FieldHelp,
    InfoReplyRecorded,
    Notice,
    Output,
    Question,
    SubmittedForApproval,
    Summary,
    Withdrawn,
)
from flows.snapshot import from_data, to_data

#: the conftest clock's start: Monday 30 November 2026, 10:00 in London
T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
OFFICER = "U0OFFICER"
SUPERVISOR = "U0SUPER"
STRANGER = "U0STRANGER"
REQUEST_ID = "MR-7"
CARD = "1764500000.000200"
REMOVED_WITH_BRANCH = "they belonged to the answer you changed, so they have been removed"
STALE_REASON = "they no longer fit your other answers or today's date, so they will be asked again"
SUMMARY_NOTICE = (
    "Type `submit` to send this for approval, `edit <question number or key>` "
    "to change an answer, or `cancel` to withdraw it."
)


@dataclass(frozen=True)
class Step:
    key: str
    text: str
    value: Any


NECESSITY = "Recent ARMS shows rising risk online; monitoring is the least intrusive step."
#: T0 is Monday 30 November 2026: "today" is 2026-11-30, "tomorrow" 2026-12-01
ORDER = (
    Step("visor_ref", "nom/1234567", "NOM/1234567"),
    Step("pnc_id", "12/1234Y", "2012/0001234Y"),
    Step("legal_basis", "order", "order"),
    Step("order_type", "SHPO", "shpo"),
    Step("order_reference", "T20257012", "T20257012"),
    Step("order_court", "Leeds Crown Court", "Leeds Crown Court"),
    Step("order_date", "01/03/2025", "2025-03-01"),
    Step("order_expiry", "indefinite", "indefinite"),
    Step("order_notify_days", "default", 3),
    Step("order_monitoring_clause", "no", False),
    Step("mappa_category", "1", "1"),
    Step("mappa_level", "2", "2"),
    Step("rosh_level", "High", "high"),
    Step("risk_assessment_date", "2025-10-01", "2025-10-01"),
    Step("device_type", "phone", "phone"),
    Step("device_make_model", "Samsung Galaxy A15", "Samsung Galaxy A15"),
    Step("device_os", "Android 14", "Android 14"),
    Step("device_imei", "35-209900-176148-1", ["352099001761481"]),
    Step("device_ownership", "shared", "shared"),
    Step("other_users", "Partner, at weekends", "Partner, at weekends"),
    Step("other_users_informed", "yes", True),
    Step("date_acquired", "1 Nov 2026", "2026-11-01"),
    Step("date_notified", "10/11/2026", "2026-11-10"),
    Step("monitoring_software", "esafe", "esafe"),
    Step("proposed_install_date", "tomorrow", "2026-12-01"),
    Step("necessity", NECESSITY, NECESSITY),
    Step("rmp_reference", "RMP-2026-118", "RMP-2026-118"),
    Step("notes", "Partner uses the phone at weekends.", "Partner uses the phone at weekends."),
)
LICENCE = (
    Step("visor_ref", "ab-1234", "AB-1234"),
    Step("pnc_id", "skip", None),
    Step("legal_basis", "2", "licence"),
    Step("licence_expiry", "01/03/2030", "2030-03-01"),
    Step("probation_practitioner", "Alex Smith, Leeds North PDU", "Alex Smith, Leeds North PDU"),
    Step("probation_crn", "x123456", "X123456"),
    Step("probation_request_date", "25/11/2026", "2026-11-25"),
    Step(
        "licence_condition",
        "Must not use any device that can access the internet unless it is monitored.",
        "Must not use any device that can access the internet unless it is monitored.",
    ),
    Step("mappa_category", "2", "2"),
    Step("mappa_level", "1", "1"),
    Step("rosh_level", "medium", "medium"),
    Step("risk_assessment_date", "yesterday", "2026-11-29"),
    Step("device_type", "Laptop", "laptop"),
    Step("device_make_model", "Dell Latitude 5440", "Dell Latitude 5440"),
    Step("device_os", "Windows 11", "Windows 11"),
    Step("device_serial", "r58m12abc3d", "R58M12ABC3D"),
    Step("device_ownership", "subject", "subject"),
    Step("monitoring_software", "Other approved product", "other"),
    Step("proposed_install_date", "7 Dec 2026", "2026-12-07"),
    Step("necessity", NECESSITY, NECESSITY),
    Step("rmp_reference", "skip", None),
    Step("notes", "skip", None),
)
VOLUNTARY = (
    Step("visor_ref", "XY1234", "XY1234"),
    Step("pnc_id", "skip", None),
    Step("legal_basis", "voluntary", "voluntary"),
    Step("consent_obtained", "yes", True),
    Step("consent_informed", "yes", True),
    Step("consent_date", "29/11/2026", "2026-11-29"),
    Step("consent_reference", "DOC-2026-0042", "DOC-2026-0042"),
    Step("consent_witness", "skip", None),
    Step("mappa_category", "3", "3"),
    Step("mappa_level", "3", "3"),
    Step("rosh_level", "low", "low"),
    Step("risk_assessment_date", "15/01/2026", "2026-01-15"),
    Step("device_type", "tablet", "tablet"),
    Step("device_make_model", "Apple iPad 10th gen", "Apple iPad 10th gen"),
    Step("device_os", "iPadOS 18", "iPadOS 18"),
    Step("device_imei", "none", []),
    Step("device_serial", "DMPXK2ABCD", "DMPXK2ABCD"),
    Step("device_ownership", "1", "subject"),
    Step("monitoring_software", "1", "esafe"),
    Step("proposed_install_date", "today", "2026-11-30"),
    Step("necessity", NECESSITY, NECESSITY),
    Step("rmp_reference", "skip", None),
    Step("notes", "skip", None),
)
SCRIPTS = {"order": ORDER, "licence": LICENCE, "voluntary": VOLUNTARY}

#: "Question n of m": m is the longest path until the basis is known, then fixed for good
TOTALS = {"order": [26] * 28, "licence": [26] * 3 + [22] * 19, "voluntary": [26] * 3 + [22] * 20}
#: questions that share the number of the one before (a follow-up or an alternative)
CONTINUED = {
    "order": {"other_users", "other_users_informed"},
    "licence": set(),
    "voluntary": {"device_serial"},
}
FLAGS = {
    "order": {
        "risk_assessment_stale": {"months_old": 13},
        "device_not_solely_owned": {"ownership": "shared"},
        "order_lacks_monitoring_clause": True,
        "late_notification": {
            "days_late": 7,
            "deadline": "2026-11-03",
            "rule": "3 days beginning with 1 November",
        },
    },
    "licence": {},
    "voluntary": {},
}
ORDER_LABELS = (
    "Order type",
    "Order reference",
    "Court",
    "Order date",
    "Order expiry",
    "Days to notify",
    "Monitoring clause",
)


# --- helpers -----------------------------------------------------------------------------------


def new_request(clock: FixedClock) -> MonitoringRequest:
    return MonitoringRequest(
        officer_id=OFFICER,
        channel_id="C0MOSOVO",
        created_at=clock.now(),
        request_id=REQUEST_ID,
        thread_ts="1764496800.000100",
    )


def describe(output: Output) -> tuple[Any, ...]:
    """An output as plain values (a Field compares by its key), so runs can be compared."""
    if isinstance(output, Question):
        return (
            "Question",
            output.field.key,
            output.number,
            output.total,
            output.previous,
            output.has_previous,
        )
    if isinstance(output, AnswerRejected):
        return ("AnswerRejected", output.field.key, output.message, output.add_hint)
    if isinstance(output, FieldHelp):
        return ("FieldHelp", output.field.key)
    if isinstance(output, Summary):
        rows = tuple((row.number, row.field.key, row.value) for row in output.rows)
        return ("Summary", rows, output.flags)
    return (type(output).__name__, dataclasses.asdict(output))


def described(outputs: list[Output]) -> list[tuple[Any, ...]]:
    return [describe(o) for o in outputs]


def question(
    key: str, number: int, total: int, previous: Any = None, has_previous: bool = False
) -> tuple[Any, ...]:
    return ("Question", key, number, total, previous, has_previous)


def answers_of(steps: tuple[Step, ...]) -> dict[str, Any]:
    return {step.key: step.value for step in steps}


def upto(steps: tuple[Step, ...], key: str) -> tuple[Step, ...]:
    """The steps before the one that answers `key`."""
    keys = [step.key for step in steps]
    return steps[: keys.index(key)]


def answer(
    conversation: Conversation, request: MonitoringRequest, steps: tuple[Step, ...]
) -> list[Output]:
    outputs: list[Output] = []
    for step in steps:
        outputs = conversation.handle_text(request, step.text, OFFICER)
    return outputs


def started(
    conversation: Conversation, clock: FixedClock, steps: tuple[Step, ...] = ()
) -> MonitoringRequest:
    request = new_request(clock)
    conversation.start(request)
    answer(conversation, request, steps)
    return request


def at_summary(
    conversation: Conversation, clock: FixedClock, basis: str = "order"
) -> MonitoringRequest:
    request = started(conversation, clock, SCRIPTS[basis])
    assert request.state == "confirming"
    return request


def submitted(
    conversation: Conversation, clock: FixedClock, basis: str = "order"
) -> MonitoringRequest:
    request = at_summary(conversation, clock, basis)
    conversation.handle_text(request, "submit", OFFICER)
    request.approval_card_ref = CARD  # what the bot stores once the card is posted
    return request


def actions(request: MonitoringRequest) -> list[str]:
    return [event.action for event in request.events]


def events_named(request: MonitoringRequest, action: str) -> list[dict[str, Any]]:
    return [event.detail for event in request.events if event.action == action]


# --- whole conversations -----------------------------------------------------------------------


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_a_whole_request_goes_from_the_first_question_to_submission(
    basis: str, conversation: Conversation, clock: FixedClock
) -> None:
    steps = SCRIPTS[basis]
    request = new_request(clock)

    first = conversation.start(request)

    assert described(first) == [question("visor_ref", 1, 26)]
    assert request.state == "collecting"
    asked = [describe(first[0])]
    last: list[Output] = []
    for index, step in enumerate(steps):
        assert request.current_field == step.key
        last = conversation.handle_text(request, step.text, OFFICER)
        if index < len(steps) - 1:
            assert request.state == "collecting"
            assert len(last) == 1 and isinstance(last[0], Question)
            asked.append(describe(last[0]))
    numbers: list[int] = []
    for step in steps:
        continued = step.key in CONTINUED[basis]
        numbers.append(numbers[-1] if continued else (numbers[-1] + 1 if numbers else 1))
    expected_questions = [
        question(step.key, number, total)
        for number, step, total in zip(numbers, steps, TOTALS[basis][: len(steps)], strict=True)
    ]
    assert asked == expected_questions
    assert max(numbers) == TOTALS[basis][-1]

    assert request.state == "confirming"
    assert request.current_field is None
    assert len(last) == 1 and isinstance(last[0], Summary)
    summary = last[0]
    assert [(row.number, row.field.key, row.value) for row in summary.rows] == [
        (number, step.key, step.value) for number, step in enumerate(steps, start=1)
    ]
    assert summary.flags == FLAGS[basis]
    assert request.answers == answers_of(steps)
    assert request.flags == FLAGS[basis]

    clock.advance(timedelta(minutes=5))
    outputs = conversation.handle_text(request, "submit", OFFICER)

    assert outputs == [SubmittedForApproval(REQUEST_ID, 1, None)]
    assert request.state == "awaiting_approval"
    assert request.approval_round == 1
    assert request.submitted_at == T0 + timedelta(minutes=5)
    assert actions(request) == ["created"] + ["answered"] * len(steps) + [
        "summarised",
        "submitted",
    ]
    assert [e["field"] for e in events_named(request, "answered")] == [s.key for s in steps]
    assert events_named(request, "submitted") == [
        {"round": 1, "declaration": DECLARATION, "declaration_version": DECLARATION_VERSION}
    ]


def test_audit_events_say_who_did_what_and_when(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = new_request(clock)
    conversation.start(request)
    clock.advance(timedelta(minutes=1))
    conversation.handle_text(request, "nom/1234567", OFFICER)
    clock.advance(timedelta(minutes=1))
    conversation.handle_text(request, "back", OFFICER)
    conversation.handle_text(request, "NOM/7654321", OFFICER)

    created, answered, changed = request.events
    assert (created.action, created.actor, created.at, created.detail) == (
        "created",
        OFFICER,
        T0,
        {"channel": "C0MOSOVO"},
    )
    assert (answered.action, answered.actor, answered.at, answered.detail) == (
        "answered",
        OFFICER,
        T0 + timedelta(minutes=1),
        {"field": "visor_ref"},
    )
    assert (changed.action, changed.actor, changed.at, changed.detail) == (
        "answer_changed",
        OFFICER,
        T0 + timedelta(minutes=2),
        {"field": "visor_ref", "before": "NOM/1234567", "after": "NOM/7654321"},
    )
    assert request.last_activity_at == T0 + timedelta(minutes=2)


def test_the_summary_numbers_rows_in_asking_order_for_the_current_branch(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock, "licence")

    summary = conversation.summary(request)

    assert [row.number for row in summary.rows] == list(range(1, len(LICENCE) + 1))
    assert [row.field.key for row in summary.rows] == [step.key for step in LICENCE]
    assert conversation.current_question(request) is None


def test_current_question_repeats_the_question_being_asked(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:3])

    current = conversation.current_question(request)

    assert current is not None
    assert describe(current) == question("order_type", 4, 26)


# --- commands at a question --------------------------------------------------------------------


def test_back_asks_the_previous_question_showing_its_old_answer(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])

    outputs = conversation.handle_text(request, "back", OFFICER)

    assert described(outputs) == [question("pnc_id", 2, 26, "2012/0001234Y", True)]
    assert request.current_field == "pnc_id"
    assert request.answers == answers_of(ORDER[:2])

    outputs = conversation.handle_text(request, "12/1234Y", OFFICER)

    assert described(outputs) == [question("legal_basis", 3, 26)]
    assert "answer_changed" not in actions(request)


def test_back_shows_a_skipped_answer_as_held_but_empty(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, LICENCE[:2])

    outputs = conversation.handle_text(request, "BACK", OFFICER)

    assert described(outputs) == [question("pnc_id", 2, 26, None, True)]


def test_back_at_the_first_question_says_there_is_nothing_before_it(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock)

    outputs = conversation.handle_text(request, "back", OFFICER)

    assert described(outputs) == [
        ("Notice", {"text": "This is the first question; there is nothing to go back to."}),
    ]
    assert request.state == "collecting"
    assert request.current_field == "visor_ref"


def test_skip_answers_an_optional_question_with_nothing(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:1])

    outputs = conversation.handle_text(request, "skip", OFFICER)

    assert described(outputs) == [question("legal_basis", 3, 26)]
    assert request.answers == {"visor_ref": "NOM/1234567", "pnc_id": None}


def test_skip_is_refused_for_a_required_question(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])

    outputs = conversation.handle_text(request, "skip", OFFICER)

    assert described(outputs) == [
        ("Notice", {"text": "Legal basis is required, so it cannot be skipped."}),
    ]
    assert "legal_basis" not in request.answers
    assert request.strikes == 0


def test_help_explains_the_current_question(
    conversation: Conversation, clock: FixedClock, catalogue: Catalogue
) -> None:
    request = started(conversation, clock, upto(ORDER, "device_imei"))

    outputs = conversation.handle_text(request, "help", OFFICER)

    assert outputs == [FieldHelp(catalogue.get("device_imei"))]
    assert request.current_field == "device_imei"
    assert request.answers == answers_of(upto(ORDER, "device_imei"))


def test_cancel_while_collecting_withdraws_the_request(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:4])
    clock.advance(timedelta(minutes=3))

    outputs = conversation.handle_text(request, "cancel", OFFICER)

    assert outputs == [Withdrawn(REQUEST_ID, "collecting", None)]
    assert request.state == "withdrawn"
    assert request.closed_at == T0 + timedelta(minutes=3)
    assert request.closed_reason == "withdrawn by the officer"
    assert request.current_field is None
    withdrawn = request.events[-1]
    assert (withdrawn.action, withdrawn.actor, withdrawn.detail) == (
        "withdrawn",
        OFFICER,
        {"from_state": "collecting"},
    )
    assert conversation.handle_text(request, "nom/1234567", OFFICER) == [
        Notice("This request is closed (withdrawn).")
    ]


def test_a_command_with_words_after_it_is_an_answer(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(ORDER, "device_make_model"))

    outputs = conversation.handle_text(request, "cancel culture phone", OFFICER)

    assert described(outputs) == [question("device_os", 17, 26)]
    assert request.answers["device_make_model"] == "cancel culture phone"
    assert request.state == "collecting"


# --- refusals and the hint ---------------------------------------------------------------------


def test_a_bad_answer_is_refused_with_the_reason_and_the_question_again(
    conversation: Conversation, clock: FixedClock, catalogue: Catalogue
) -> None:
    request = started(conversation, clock)

    outputs = conversation.handle_text(request, "!!", OFFICER)

    assert outputs[0] == AnswerRejected(
        catalogue.get("visor_ref"),
        "That is not a ViSOR/MAPPS nominal reference in this force's format. Copy it from the "
        "record exactly, for example NOM/1234567.",
        False,
    )
    assert outputs[1:] == []  # the question is still just above: it is not asked again
    assert request.answers == {}
    assert events_named(request, "answer_rejected") == [{"field": "visor_ref"}]


def test_three_bad_answers_in_a_row_add_a_hint_and_a_good_answer_resets_the_count(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock)

    def hints(*texts: str) -> list[bool]:
        result = []
        for text in texts:
            rejected = conversation.handle_text(request, text, OFFICER)[0]
            assert isinstance(rejected, AnswerRejected)
            result.append(rejected.add_hint)
        return result

    assert hints("!!", "??") == [False, False]
    assert request.strikes == 2
    assert hints("--") == [True]
    assert hints("..") == [True]

    conversation.handle_text(request, "nom/1234567", OFFICER)  # visor_ref accepted
    assert request.strikes == 0
    conversation.handle_text(request, "skip", OFFICER)  # pnc_id
    assert hints("9", "nine") == [False, False]
    conversation.handle_text(request, "1", OFFICER)  # legal_basis accepted
    assert hints("x") == [False]


def test_help_back_and_skip_do_not_count_as_bad_answers(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])
    for text in ("!!", "!!", "help", "skip"):
        conversation.handle_text(request, text, OFFICER)
    assert request.strikes == 2

    rejected = conversation.handle_text(request, "!!", OFFICER)[0]

    assert isinstance(rejected, AnswerRejected) and rejected.add_hint is True


def test_no_written_consent_is_refused_and_back_leads_to_another_basis(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(VOLUNTARY, "consent_obtained"))

    outputs = conversation.handle_text(request, "no", OFFICER)

    assert describe(outputs[0]) == (
        "AnswerRejected",
        "consent_obtained",
        "A voluntary installation needs the person's written consent. Without it, type back "
        "and change the legal basis, or type cancel to withdraw the request.",
        False,
    )
    assert "consent_obtained" not in request.answers
    assert described(conversation.handle_text(request, "back", OFFICER)) == [
        question("legal_basis", 3, 22, "voluntary", True)
    ]
    outputs = conversation.handle_text(request, "order", OFFICER)
    assert described(outputs) == [question("order_type", 4, 26)]


def test_the_declaration_is_made_at_the_summary_not_asked_as_a_question(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    summary = conversation.summary(request)

    assert "information_reviewed" not in request.answers
    assert summary.declaration == DECLARATION
    assert "I hold all relevant information about this person" in DECLARATION


def test_the_summary_states_the_notification_deadline_and_its_rule(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    assert conversation.summary(request).deadline == (
        "by 3 November 2026: 3 days beginning with 1 November"
    )
    voluntary = at_summary(conversation, clock, "voluntary")
    assert conversation.summary(voluntary).deadline is None


# --- who may answer ----------------------------------------------------------------------------


def test_only_the_requesting_officer_can_move_the_request_on(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)
    before_json = json.dumps(to_data(request))

    with pytest.raises(NotRequester) as refused:
        conversation.handle_text(request, "submit", STRANGER)
    assert refused.value.message == "Only the officer who started this request can answer it."
    for attempt in (
        lambda: conversation.handle_choice(request, "notes", "skip", STRANGER),
        lambda: conversation.submit(request, STRANGER),
        lambda: conversation.edit(request, "1", STRANGER),
        lambda: conversation.withdraw(request, STRANGER),
    ):
        with pytest.raises(NotRequester):
            attempt()

    assert json.dumps(to_data(request)) == before_json


# --- buttons -----------------------------------------------------------------------------------


def test_a_button_for_the_current_question_answers_it(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])

    outputs = conversation.handle_choice(request, "legal_basis", "licence", OFFICER)

    assert described(outputs) == [question("licence_expiry", 4, 22)]
    assert request.answers["legal_basis"] == "licence"


def test_a_question_answered_before_its_post_returned_is_tidied_as_if_it_had_been_known(
    conversation: Conversation, clock: FixedClock
) -> None:
    posted = "1764500000.000300"
    known = started(conversation, clock, ORDER[:2])
    known.question_ref = posted  # where "legal_basis" was posted, remembered in time
    [tidied, *_] = conversation.handle_choice(known, "legal_basis", "licence", OFFICER)
    assert isinstance(tidied, AnswerAccepted)

    late = started(conversation, clock, ORDER[:2])  # its post had not returned yet
    outputs = conversation.handle_choice(late, "legal_basis", "licence", OFFICER)
    assert not any(isinstance(output, AnswerAccepted) for output in outputs)

    assert conversation.answered_meanwhile(late, "legal_basis", posted) == tidied
    assert (tidied.question.number, tidied.question.total, tidied.value) == (3, 26, "licence")


def test_a_question_not_yet_answered_is_not_tidied_late(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])

    assert conversation.answered_meanwhile(request, "legal_basis", "1764500000.000300") is None
    assert conversation.answered_meanwhile(request, "order_type", "1764500000.000300") is None
    assert conversation.answered_meanwhile(request, "no_such_field", "1764500000.000300") is None


def test_the_last_question_answered_before_its_post_returned_is_tidied_at_the_summary(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    tidied = conversation.answered_meanwhile(request, "notes", "1764500000.000300")

    assert tidied is not None and tidied.ref == "1764500000.000300"
    assert tidied.value == "Partner uses the phone at weekends."


def test_a_button_for_an_invalid_option_is_refused_like_typed_text(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:2])

    outputs = conversation.handle_choice(request, "legal_basis", "9", OFFICER)

    assert isinstance(outputs[0], AnswerRejected)
    assert outputs[0].field.key == "legal_basis"
    assert request.strikes == 1


def test_a_button_for_another_question_changes_nothing(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:3])

    with pytest.raises(StaleQuestion, match="already been answered"):
        conversation.handle_choice(request, "legal_basis", "licence", OFFICER)

    assert request.answers["legal_basis"] == "order"
    assert request.current_field == "order_type"


def test_a_button_pressed_at_the_summary_changes_nothing(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    with pytest.raises(StaleQuestion):
        conversation.handle_choice(request, "notes", "skip", OFFICER)

    assert request.state == "confirming"


# --- at the summary ----------------------------------------------------------------------------


def test_edit_by_key_changes_one_answer_and_returns_to_the_summary(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    outputs = conversation.handle_text(request, "edit device_make_model", OFFICER)

    assert described(outputs) == [question("device_make_model", 16, 26, "Samsung Galaxy A15", True)]
    assert request.state == "collecting"
    assert conversation.current_question(request) == outputs[0]

    outputs = conversation.handle_text(request, "Google Pixel 8", OFFICER)

    assert len(outputs) == 1 and isinstance(outputs[0], Summary)
    assert request.state == "confirming"
    assert conversation.current_question(request) is None
    assert request.answers == {**answers_of(ORDER), "device_make_model": "Google Pixel 8"}
    assert events_named(request, "answer_changed") == [
        {"field": "device_make_model", "before": "Samsung Galaxy A15", "after": "Google Pixel 8"}
    ]


def test_edit_by_summary_number_asks_that_question(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock, "licence")

    outputs = conversation.handle_text(request, "edit 5", OFFICER)

    assert described(outputs) == [
        question("probation_practitioner", 5, 22, "Alex Smith, Leeds North PDU", True)
    ]
    outputs = conversation.handle_text(request, "Alex Smith, Leeds North PDU", OFFICER)
    assert isinstance(outputs[0], Summary)
    assert "answer_changed" not in actions(request)  # the same answer again changes nothing


def test_edit_of_an_unknown_question_shows_the_summary_again(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    for target in ("nothing", str(len(ORDER) + 1), "0"):
        outputs = conversation.handle_text(request, f"edit {target}", OFFICER)
        assert outputs[0] == Notice(f"There is no question {target!r} to edit.")
        assert isinstance(outputs[1], Summary)
        assert request.state == "confirming"


def test_other_text_at_the_summary_says_what_can_be_typed(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    assert conversation.handle_text(request, "looks fine", OFFICER) == [Notice(SUMMARY_NOTICE)]
    assert conversation.handle_text(request, "edit", OFFICER) == [Notice(SUMMARY_NOTICE)]
    assert request.state == "confirming"


def test_back_at_the_summary_asks_the_last_question_again(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock, "licence")

    outputs = conversation.handle_text(request, "back", OFFICER)

    assert described(outputs) == [question("notes", 22, 22, None, True)]
    assert request.state == "collecting"


def test_cancel_at_the_summary_withdraws_the_request(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)

    outputs = conversation.handle_text(request, "cancel", OFFICER)

    assert outputs == [Withdrawn(REQUEST_ID, "confirming", None)]
    assert request.state == "withdrawn"
    assert events_named(request, "withdrawn") == [{"from_state": "confirming"}]


def test_changing_the_legal_basis_asks_the_new_branch_and_drops_the_old_one(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock, "order")
    licence_branch = tuple(s for s in LICENCE if s.key.startswith(("licence", "probation")))

    outputs = conversation.handle_text(request, "edit legal_basis", OFFICER)
    assert described(outputs) == [question("legal_basis", 3, 26, "order", True)]

    outputs = conversation.handle_text(request, "licence", OFFICER)

    dropped_labels = (*ORDER_LABELS, "Date acquired", "Date notified")
    assert outputs[0] == AnswersDropped(dropped_labels, REMOVED_WITH_BRANCH)
    assert described(outputs[1:]) == [question("licence_expiry", 4, 22)]
    assert request.state == "collecting"
    assert not any(key.startswith("order_") for key in request.answers)
    assert events_named(request, "answer_changed") == [
        {"field": "legal_basis", "before": "order", "after": "licence"}
    ]
    order_answers = answers_of(ORDER)
    assert events_named(request, "answer_dropped") == [
        {"field": key, "before": order_answers[key]}
        for key in (
            "order_type",
            "order_reference",
            "order_court",
            "order_date",
            "order_expiry",
            "order_notify_days",
            "order_monitoring_clause",
            "date_acquired",
            "date_notified",
        )
    ]

    outputs = answer(conversation, request, licence_branch[:1])
    assert described(outputs) == [question("probation_practitioner", 5, 22)]
    outputs = answer(conversation, request, licence_branch[1:])

    assert len(outputs) == 1 and isinstance(outputs[0], Summary)
    assert request.state == "confirming"
    assert [row.field.key for row in outputs[0].rows] == [
        *[s.key for s in ORDER[:3]],
        *[s.key for s in licence_branch],
        *[s.key for s in ORDER[10:21]],
        *[s.key for s in ORDER[23:]],
    ]
    # only the order's flags go with it; the others stand
    assert outputs[0].flags == {
        "risk_assessment_stale": {"months_old": 13},
        "device_not_solely_owned": {"ownership": "shared"},
    }


def test_changing_a_phone_to_a_laptop_drops_the_imei_and_asks_the_serial(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock, "order")

    conversation.handle_text(request, "edit device_type", OFFICER)
    outputs = conversation.handle_text(request, "laptop", OFFICER)

    assert outputs[0] == AnswersDropped(("IMEI",), REMOVED_WITH_BRANCH)
    assert described(outputs[1:]) == [question("device_serial", 18, 26)]
    assert "device_imei" not in request.answers
    assert events_named(request, "answer_dropped") == [
        {"field": "device_imei", "before": ["352099001761481"]}
    ]

    outputs = conversation.handle_text(request, "PF3ABC12", OFFICER)

    assert isinstance(outputs[0], Summary)
    assert request.answers["device_type"] == "laptop"
    assert request.answers["device_serial"] == "PF3ABC12"
    assert request.state == "confirming"


def test_submit_outside_the_summary_is_an_invalid_transition(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:3])

    with pytest.raises(InvalidTransition, match="Only a request at its summary can be submitted"):
        conversation.submit(request, OFFICER)
    with pytest.raises(InvalidTransition, match="can only be edited from the summary"):
        conversation.edit(request, "1", OFFICER)


# --- after submission --------------------------------------------------------------------------


def test_while_awaiting_approval_the_officer_can_only_cancel(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = submitted(conversation, clock)

    assert conversation.handle_text(request, "edit 1", OFFICER) == [
        Notice("This request is waiting for a supervisor. Type `cancel` to withdraw it.")
    ]
    outputs = conversation.handle_text(request, "cancel", OFFICER)

    assert outputs == [Withdrawn(REQUEST_ID, "awaiting_approval", CARD)]
    assert request.state == "withdrawn"


def test_an_approved_request_points_to_record_installation(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = submitted(conversation, clock)
    decide(request, "approve", SUPERVISOR, True, None, clock.now())

    assert conversation.handle_text(request, "done", OFFICER) == [
        Notice("This request is approved. Use *Record installation* to say what happened.")
    ]
    assert conversation.handle_text(request, "cancel", OFFICER) == [
        Withdrawn(REQUEST_ID, "approved", CARD)
    ]


def test_more_information_is_recorded_and_submit_resubmits_superseding_the_old_card(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = submitted(conversation, clock)
    decide(request, "request_info", SUPERVISOR, True, "Which court?", clock.now())
    assert request.state == "info_requested"
    clock.advance(timedelta(hours=1))

    reply = "It was Leeds Crown Court, see the order."
    outputs = conversation.handle_text(request, reply, OFFICER)

    assert outputs == [InfoReplyRecorded(REQUEST_ID)]
    assert request.state == "info_requested"
    provided = request.events[-1]
    assert (provided.action, provided.actor, provided.at, provided.detail) == (
        "info_provided",
        OFFICER,
        T0 + timedelta(hours=1),
        {"text": reply},
    )

    clock.advance(timedelta(minutes=1))
    outputs = conversation.handle_text(request, "submit", OFFICER)

    assert outputs == [SubmittedForApproval(REQUEST_ID, 2, CARD)]
    assert request.state == "awaiting_approval"
    assert request.approval_round == 2
    assert request.submitted_at == T0 + timedelta(hours=1, minutes=1)
    assert (request.decision, request.decided_by, request.decision_reason) == (None, None, None)
    assert [e["round"] for e in events_named(request, "submitted")] == [1, 2]
    assert {e["declaration"] for e in events_named(request, "submitted")} == {DECLARATION}


def test_an_answer_can_be_edited_after_more_information_is_requested(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = submitted(conversation, clock)
    decide(request, "request_info", SUPERVISOR, True, "Check the court.", clock.now())

    outputs = conversation.handle_text(request, "edit order_court", OFFICER)
    assert described(outputs) == [question("order_court", 6, 26, "Leeds Crown Court", True)]
    assert request.state == "collecting"
    outputs = conversation.handle_text(request, "Bradford Crown Court", OFFICER)
    assert isinstance(outputs[0], Summary)
    assert request.state == "confirming"

    outputs = conversation.handle_text(request, "submit", OFFICER)

    assert outputs == [SubmittedForApproval(REQUEST_ID, 2, CARD)]


def test_a_proposed_install_date_gone_by_at_submission_is_asked_again(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = at_summary(conversation, clock)  # proposed install date: 2026-12-01
    clock.advance(timedelta(days=2))

    outputs = conversation.handle_text(request, "submit", OFFICER)

    assert outputs[0] == AnswersDropped(("Proposed install date",), STALE_REASON)
    assert described(outputs[1:]) == [question("proposed_install_date", 23, 26)]
    assert request.state == "collecting"
    assert request.approval_round == 0
    assert request.submitted_at is None
    assert "submitted" not in actions(request)
    assert events_named(request, "answer_dropped") == [
        {"field": "proposed_install_date", "before": "2026-12-01"}
    ]

    outputs = conversation.handle_text(request, "today", OFFICER)
    assert isinstance(outputs[0], Summary)
    assert request.answers["proposed_install_date"] == "2026-12-02"

    outputs = conversation.handle_text(request, "submit", OFFICER)
    assert outputs == [SubmittedForApproval(REQUEST_ID, 1, None)]


def test_arriving_at_the_summary_starts_a_new_wait_for_reminders(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, ORDER[:-1])
    request.nudges = {"idle_reminder": (T0 + timedelta(minutes=30)).isoformat()}

    conversation.handle_text(request, ORDER[-1].text, OFFICER)

    assert request.state == "confirming"
    assert request.nudges == {}


# --- save and restore --------------------------------------------------------------------------


def inputs_for(basis: str) -> list[str]:
    """The basis's answers with detours: help, back, a bad answer, an edit from the summary."""
    texts = [step.text for step in SCRIPTS[basis]]
    same_basis = next(step.text for step in SCRIPTS[basis] if step.key == "legal_basis")
    return [
        *texts[:3],
        "help",
        "back",
        texts[2],
        "not a level",
        "not a level either",
        "still not a level",  # the third in a row: the refusal adds the hint
        *texts[3:10],
        "skip",  # a required question
        *texts[10:],
        "edit 1",
        "zz-9999",
        "edit legal_basis",
        same_basis,
        "submit",
    ]


def run(inputs: list[str], restore_each_step: bool) -> tuple[MonitoringRequest, list[Any]]:
    clock = FixedClock(T0)

    def fresh_conversation() -> Conversation:
        config = FlowConfig()
        return Conversation(build_catalogue(config), config, clock)

    def restored(request: MonitoringRequest) -> MonitoringRequest:
        return from_data(json.loads(json.dumps(to_data(request))))

    conversation = fresh_conversation()
    request = new_request(clock)
    said = [described(conversation.start(request))]
    for text in inputs:
        clock.advance(timedelta(minutes=1))
        if restore_each_step:
            request = restored(request)
            conversation = fresh_conversation()
        said.append(described(conversation.handle_text(request, text, OFFICER)))
    if restore_each_step:
        request = restored(request)
    return request, said


@pytest.mark.parametrize("basis", ["order", "licence", "voluntary"])
def test_restoring_after_every_step_behaves_as_if_never_interrupted(basis: str) -> None:
    inputs = inputs_for(basis)

    uninterrupted, said = run(inputs, restore_each_step=False)
    restored, said_after_restores = run(inputs, restore_each_step=True)

    assert said_after_restores == said
    assert restored.state == uninterrupted.state == "awaiting_approval"
    assert restored.answers == uninterrupted.answers
    assert restored.answers == {**answers_of(SCRIPTS[basis]), "visor_ref": "ZZ-9999"}
    assert restored.flags == uninterrupted.flags == FLAGS[basis]
    assert to_data(restored) == to_data(uninterrupted)
    # the detours really happened
    kinds = [output[0] for outputs in said for output in outputs]
    assert kinds.count("FieldHelp") == 1
    hints = [o[3] for outputs in said for o in outputs if o[0] == "AnswerRejected"]
    assert hints == [False, False, True]
    assert kinds.count("Notice") == 1
    assert said[-1] == [
        ("SubmittedForApproval", {"request_id": REQUEST_ID, "round": 1, "superseded_card": None})
    ]


def test_typing_submit_before_the_last_question_is_never_stored_as_an_answer(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = MonitoringRequest("U0OFFICER", "C0CHAN", clock.now(), request_id="MR-000009")
    conversation.start(request)
    outputs = conversation.handle_text(request, "submit", "U0OFFICER")
    assert isinstance(outputs[0], Notice) and "question 1 of" in outputs[0].text
    assert outputs[1:] == []  # the question is still just above
    assert request.answers == {} and request.state == "collecting"


def test_withdrawing_while_more_information_is_asked_for_updates_the_card(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = submitted(conversation, clock)
    decide(request, "request_info", SUPERVISOR, True, "Which court?", clock.now())
    outputs = conversation.handle_text(request, "cancel", OFFICER)
    assert request.state == "withdrawn"
    assert outputs == [Withdrawn(str(request.request_id), "info_requested", CARD)]


# --- several answers in one message ------------------------------------------------------------


def test_a_question_lists_what_surely_follows_in_its_section(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(ORDER, "mappa_category"))

    current = conversation.current_question(request)

    assert current is not None
    assert current.coming == ("MAPPA level", "RoSH level", "Latest risk assessment")
    # a question whose answer decides what follows lists nothing after it
    request = started(conversation, clock, upto(ORDER, "device_type"))
    question = conversation.current_question(request)
    assert question is not None and question.coming == ()
    request = started(conversation, clock, upto(ORDER, "device_make_model"))
    question = conversation.current_question(request)
    assert question is not None and question.coming == ("Operating system", "IMEI")


def test_one_message_may_answer_several_questions_one_a_line(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(ORDER, "mappa_category"))

    outputs = conversation.handle_text(request, "1\nL2\n\nhigh\n2025-10-01", OFFICER)

    assert described(outputs) == [question("device_type", 15, 26)]
    assert [request.answers[k] for k in ("mappa_category", "mappa_level", "rosh_level")] == [
        "1",
        "2",
        "high",
    ]
    assert request.answers["risk_assessment_date"] == "2025-10-01"
    assert [e["field"] for e in events_named(request, "answered")][-4:] == [
        "mappa_category",
        "mappa_level",
        "rosh_level",
        "risk_assessment_date",
    ]


def test_a_bad_line_keeps_the_lines_before_it_and_asks_its_question(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(ORDER, "mappa_category"))

    outputs = conversation.handle_text(request, "1\nlevel nine\nhigh", OFFICER)

    assert [type(o).__name__ for o in outputs] == ["AnswerRejected", "Notice", "Question"]
    assert outputs[1] == Notice("1 line after it was not used.")
    assert describe(outputs[2]) == question("mappa_level", 12, 26)
    assert request.answers["mappa_category"] == "1"
    assert "mappa_level" not in request.answers and "rosh_level" not in request.answers


def test_a_command_on_a_later_line_is_not_taken_as_an_answer(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(ORDER, "mappa_category"))

    outputs = conversation.handle_text(request, "1\ncancel", OFFICER)

    assert request.state == "collecting"
    assert request.answers["mappa_category"] == "1"
    assert isinstance(outputs[-2], Notice) and "of its own" in outputs[-2].text
    assert describe(outputs[-1]) == question("mappa_level", 12, 26)


def test_lines_skip_optional_questions_and_leftovers_after_the_last_are_reported(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(LICENCE, "monitoring_software"))

    outputs = conversation.handle_text(
        request, f"2\n7 Dec 2026\n{NECESSITY}\nskip\nskip\nextra", OFFICER
    )

    assert request.state == "confirming"
    assert request.answers["rmp_reference"] is None and request.answers["notes"] is None
    assert outputs[-2] == Notice("1 line was left over after the last question.")
    assert isinstance(outputs[-1], Summary)


def test_a_long_text_question_takes_the_whole_message(
    conversation: Conversation, clock: FixedClock
) -> None:
    request = started(conversation, clock, upto(LICENCE, "licence_condition"))

    conversation.handle_text(request, "Must not use a device\nunless it is monitored.", OFFICER)

    assert request.answers["licence_condition"] == "Must not use a device\nunless it is monitored."
