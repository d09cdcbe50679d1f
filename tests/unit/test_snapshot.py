"""A request saved as plain JSON data and restored is the same request, field for field."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from flows.models import AuditEvent, MonitoringRequest
from flows.snapshot import from_data, to_data

T0 = datetime(2026, 11, 30, 10, 0, 0, 123456, tzinfo=UTC)
BST = timezone(timedelta(hours=1))


def through_json(request: MonitoringRequest) -> MonitoringRequest:
    return from_data(json.loads(json.dumps(to_data(request))))


def full_request() -> MonitoringRequest:
    """Every field set to something other than its default."""
    return MonitoringRequest(
        officer_id="U0OFFICER",
        channel_id="C0MOSOVO",
        created_at=T0,
        request_id="MR-42",
        thread_ts="1764496800.000100",
        state="info_requested",
        answers={
            "visor_ref": "NOM/1234567",
            "pnc_id": None,
            "mappa_category": "1",
            "device_imei": ["352099001761481", "490154203237518"],
            "order_notify_days": 3,
            "order_monitoring_clause": False,
            "information_reviewed": True,
            "device_make_model": "Zoë's Ñokia 3310 “classic” — 東京 📱",
            "notes": "Line one\nLine two\ttabbed",
        },
        flags={
            "late_notification": {"days_late": 7, "deadline": "2026-11-03"},
            "order_lacks_monitoring_clause": True,
        },
        current_field="notes",
        strikes=2,
        submitted_at=T0 + timedelta(hours=1),
        decided_at=datetime(2026, 11, 30, 12, 30, tzinfo=BST),
        decided_by="U0SUPER",
        decision="info_requested",
        decision_reason="Which court made the order? Ünïcode ✓",
        installed_at=T0 + timedelta(days=3),
        closed_at=T0 + timedelta(days=4),
        closed_reason="withdrawn by the officer",
        last_activity_at=T0 + timedelta(minutes=5),
        decision_comment="Check <b>the</b> history & apps",
        review_date=date(2027, 3, 1),
        decided_on_behalf_of="U0HEAD",
        contributors=["U0OFFICER", "U0HELPER"],
        installation_outcome="installed",
        installation_date=date(2026, 3, 10),
        installation_notes="Installed on the <b>phone</b> & tablet",
        approval_round=2,
        approval_card_ref="1764500000.000200",
        rounds=[
            {
                "round": 1,
                "submitted_at": "2026-03-02T10:00:00+00:00",
                "answers": {"visor_ref": "NOM/1"},
                "flags": {},
                "decision": {
                    "outcome": "info_requested",
                    "by": "U0SUP",
                    "at": "2026-03-02T11:00:00+00:00",
                    "reason": "which form?",
                },
            }
        ],
        due_at=T0 + timedelta(minutes=35),
        nudges={"idle_reminder": (T0 + timedelta(minutes=35)).isoformat()},
        question_ref="1764500000.000300",
        restarted_from="MR-40",
        restarted_as="MR-43",
        prefill={"from": "MR-12", "status": "accepted", "fields": ["mappa_category"]},
        version=7,
        events=[
            AuditEvent("created", "U0OFFICER", T0, {"channel": "C0MOSOVO"}),
            AuditEvent(
                "answer_changed",
                "U0OFFICER",
                T0 + timedelta(minutes=1),
                {"field": "device_imei", "before": ["352099001761481"], "after": None},
            ),
            AuditEvent("info_provided", "U0OFFICER", T0, {"text": 'Zoë — 東京 ✓ "quoted"'}),
            AuditEvent("abandoned", "system", T0 + timedelta(days=1)),
        ],
    )


def test_a_fully_populated_request_survives_a_round_trip_through_json() -> None:
    original = full_request()

    restored = through_json(original)

    assert restored == original
    assert restored.events == original.events
    for f in dataclasses.fields(MonitoringRequest):
        assert getattr(restored, f.name) == getattr(original, f.name), f.name


def test_the_full_request_really_sets_every_field() -> None:
    # so a field added to the model later is covered here too
    defaults = MonitoringRequest("U", "C", T0)
    original = full_request()

    unset = [
        f.name
        for f in dataclasses.fields(MonitoringRequest)
        if f.name not in ("officer_id", "channel_id", "created_at")
        and getattr(original, f.name) == getattr(defaults, f.name)
    ]

    assert unset == []


def test_the_data_is_plain_json_with_one_key_per_field() -> None:
    data = to_data(full_request())

    assert set(data) == {f.name for f in dataclasses.fields(MonitoringRequest)}
    assert json.loads(json.dumps(data)) == data
    assert data["created_at"] == "2026-11-30T10:00:00.123456+00:00"
    assert data["decided_at"] == "2026-11-30T12:30:00+01:00"
    assert data["events"][1] == {
        "action": "answer_changed",
        "actor": "U0OFFICER",
        "at": "2026-11-30T10:01:00.123456+00:00",
        "detail": {"field": "device_imei", "before": ["352099001761481"], "after": None},
    }


def test_times_keep_their_instant_and_offset() -> None:
    restored = through_json(full_request())

    assert restored.created_at.microsecond == 123456
    assert restored.created_at.utcoffset() == timedelta(0)
    assert restored.decided_at is not None
    assert restored.decided_at.utcoffset() == timedelta(hours=1)
    assert restored.events[0].at == T0


def test_a_new_request_with_nothing_set_survives_a_round_trip() -> None:
    original = MonitoringRequest("U0OFFICER", "C0MOSOVO", T0)

    restored = through_json(original)

    assert restored == original
    assert restored.request_id is None
    assert restored.submitted_at is None
    assert restored.events == []


def test_a_restored_copy_shares_nothing_with_the_original() -> None:
    original = full_request()
    saved = json.dumps(to_data(original))

    copy = from_data(to_data(original))
    copy.answers["visor_ref"] = "CHANGED"
    copy.answers["device_imei"].append("000000000000000")
    copy.flags["late_notification"]["days_late"] = 99
    copy.nudges.clear()
    copy.events[0].detail["channel"] = "C0OTHER"

    assert json.dumps(to_data(original)) == saved


def test_the_data_shares_nothing_with_the_request() -> None:
    original = full_request()
    saved = json.dumps(to_data(original))

    data = to_data(original)
    data["answers"]["visor_ref"] = "CHANGED"
    data["events"][0]["detail"]["channel"] = "C0OTHER"

    assert json.dumps(to_data(original)) == saved


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(
    answers=st.dictionaries(st.text(min_size=1), json_values, max_size=5),
    detail=st.dictionaries(st.text(min_size=1), json_values, max_size=3),
    text=st.text(),
)
def test_any_json_answers_and_event_details_survive_a_round_trip(
    answers: dict[str, Any], detail: dict[str, Any], text: str
) -> None:
    original = MonitoringRequest(
        "U0OFFICER",
        "C0MOSOVO",
        T0,
        answers=answers,
        closed_reason=text,
        events=[AuditEvent("answered", "U0OFFICER", T0, detail)],
    )

    assert through_json(original) == original
