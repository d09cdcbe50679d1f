"""Each approval round keeps what its card showed, whatever the request does next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows import approval
from flows.models import MonitoringRequest
from flows.rounds import Change, begin_round, changes, previous_round, round_of

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def submitted(answers: dict[str, object]) -> MonitoringRequest:
    request = MonitoringRequest("U0OFFICER", "G0PRIVATE", T0, request_id="MR-7")
    request.state = "awaiting_approval"
    request.answers = dict(answers)
    request.flags = {"late_notification": {"days_late": 2, "deadline": "2026-11-22"}}
    request.approval_round = 1
    request.submitted_at = T0
    begin_round(request, T0)
    return request


def test_a_rounds_record_does_not_follow_later_edits() -> None:
    request = submitted({"consent_reference": "CONSENT-77"})
    request.answers["consent_reference"] = "CONSENT-77/SIGNED"
    request.flags.clear()
    record = round_of(request, 1)
    assert record.answers == {"consent_reference": "CONSENT-77"}
    assert "late_notification" in record.flags
    assert record.submitted_at == T0


def test_a_decision_is_kept_with_its_round() -> None:
    request = submitted({"consent_reference": "CONSENT-77"})
    later = T0 + timedelta(hours=1)
    approval.decide(request, "request_info", "U0SUP1", True, "Which form?", later, 1)
    request.answers["consent_reference"] = "CONSENT-77/SIGNED"
    request.approval_round = 2
    begin_round(request, later + timedelta(hours=1))
    first = previous_round(request)
    assert first is not None
    assert (first.outcome, first.decided_by, first.decided_at, first.reason) == (
        "info_requested",
        "U0SUP1",
        later,
        "Which form?",
    )
    assert round_of(request).outcome is None
    assert round_of(request).answers["consent_reference"] == "CONSENT-77/SIGNED"


def test_changes_between_rounds_say_old_and_new_per_answer() -> None:
    request = submitted({"a": 1, "b": 2, "c": 3})
    request.answers = {"a": 1, "b": 20, "d": 4}
    request.approval_round = 2
    begin_round(request, T0)
    first = previous_round(request)
    assert first is not None
    assert changes(first, round_of(request)) == [
        Change("b", 2, 20),
        Change("d", None, 4, was_answered=False),
        Change("c", 3, None, is_answered=False),
    ]


def test_a_request_from_before_rounds_were_recorded_shows_its_current_answers() -> None:
    request = MonitoringRequest("U0OFFICER", "G0PRIVATE", T0, request_id="MR-1")
    request.approval_round = 1
    request.answers = {"visor_ref": "NOM/1"}
    assert round_of(request).answers == {"visor_ref": "NOM/1"}
    assert previous_round(request) is None
