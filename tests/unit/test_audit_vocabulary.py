"""The audit trail speaks a fixed vocabulary, so reports and auditors can rely on its words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.models import AUDIT_ACTIONS, MonitoringRequest

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_the_vocabulary_holds_every_word_the_issue_names() -> None:
    named = {
        "created", "answered", "answer_changed", "submitted", "decided", "info_requested",
        "withdrawn", "expired", "abandoned", "reminded", "escalated",
        "unauthorised_decision_attempt", "exported", "viewed", "installed",
    }  # fmt: skip
    assert named <= AUDIT_ACTIONS


def test_recording_a_word_outside_the_vocabulary_is_refused() -> None:
    request = MonitoringRequest("U0OFFICER", "C0CHAN", NOW)
    with pytest.raises(ValueError, match="not in the audit vocabulary"):
        request.record("approved_by_magic", "U0OFFICER", NOW)
    assert request.events == []
