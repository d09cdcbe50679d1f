"""Requests go into the database and come back exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.models import MonitoringRequest
from flows.ports import ConcurrentUpdate
from storage.unit_of_work import Database

NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


def load(db: Database, request_id: str) -> MonitoringRequest:
    with db.uow() as uow:
        loaded = uow.requests.get(request_id)
    assert loaded is not None
    return loaded


def test_every_field_of_a_fully_populated_request_round_trips_exactly(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    original = store(full_request())
    loaded = load(db, original.request_id or "")
    assert loaded == original
    assert list(loaded.answers) == list(original.answers)  # the order the officer answered in
    assert loaded.events == []


def test_empty_containers_and_none_values_round_trip(
    db: Database, store: Store, t0: datetime
) -> None:
    original = store(MonitoringRequest(officer_id="U1", channel_id="C1", created_at=t0))
    loaded = load(db, original.request_id or "")
    assert loaded == original
    assert loaded.thread_ts is None and loaded.due_at is None and loaded.answers == {}


def test_timestamps_come_back_as_the_same_instant_in_utc(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    original = store(full_request(created_at=summer, submitted_at=summer))
    loaded = load(db, original.request_id or "")
    assert loaded.created_at == summer
    assert loaded.created_at.tzinfo == UTC
    assert loaded.created_at.hour == 11


def test_a_naive_timestamp_is_refused(db: Database, full_request: NewRequest) -> None:
    with db.uow() as uow, pytest.raises(Exception, match="timezone-aware"):
        uow.requests.add(full_request(due_at=datetime(2026, 1, 1)))


def test_public_ids_come_from_the_database_in_sequence(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    first = store(full_request(thread_ts="1.1"))
    second = store(full_request(thread_ts="1.2"))
    assert first.request_id == "MR-000001"
    assert second.request_id == "MR-000002"


def test_lookups_by_public_id_accept_any_case_and_reject_rubbish(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    original = store(full_request())
    with db.uow() as uow:
        assert uow.requests.get("mr-000001") == original
        assert uow.requests.get("MR-1") == original
        assert uow.requests.get("MR-999") is None
        assert uow.requests.get("not an id") is None


def test_a_request_is_found_by_its_thread(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    original = store(full_request(channel_id="C9", thread_ts="1700000000.000100"))
    with db.uow() as uow:
        assert uow.requests.get_by_thread("C9", "1700000000.000100") == original
        assert uow.requests.get_by_thread("C9", "1700000000.000101") is None
        assert uow.requests.get_by_thread("C8", "1700000000.000100") is None


def test_two_requests_cannot_share_a_thread(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    store(full_request(thread_ts="5.5"))
    with pytest.raises(Exception, match=r"(?i)unique"):
        store(full_request(thread_ts="5.5"))


def test_a_request_saved_mid_conversation_is_restored_and_continues(
    db: Database, store: Store, t0: datetime
) -> None:
    request = store(
        MonitoringRequest(
            officer_id="U1", channel_id="C1", created_at=t0, thread_ts="1.0", state="collecting"
        ),
    )
    with db.uow() as uow:
        loaded = uow.requests.get_by_thread("C1", "1.0")
        assert loaded is not None
        loaded.answers["visor_ref"] = "AB12/34567"
        loaded.current_field = "person_name"
        loaded.strikes = 1
        loaded.last_activity_at = t0 + timedelta(minutes=3)
        loaded.record("answered", "U1", t0, field="visor_ref")
        uow.requests.save(loaded)
        uow.commit()

    # "restart": a new unit of work knows nothing but what the database holds
    with db.uow() as uow:
        restored = uow.requests.get(request.request_id or "")
        assert restored == replace(loaded, events=[])
        assert restored is not None
        restored.answers["person_name"] = "Jane Doe"
        restored.current_field = "licence_expiry"
        restored.strikes = 0
        uow.requests.save(restored)
        uow.commit()

    final = load(db, request.request_id or "")
    assert final.answers == {"visor_ref": "AB12/34567", "person_name": "Jane Doe"}
    assert final.current_field == "licence_expiry"
    assert final.version == 2


def test_save_bumps_the_version_and_a_stale_copy_is_refused(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    original = store(full_request())
    first, second = load(db, original.request_id or ""), load(db, original.request_id or "")

    with db.uow() as uow:
        first.state = "approved"
        uow.requests.save(first)
        uow.commit()
    assert first.version == 1

    with db.uow() as uow:
        second.state = "rejected"
        second.record("decided", "U2", t0, decision="rejected")
        with pytest.raises(ConcurrentUpdate):
            uow.requests.save(second)
        assert second.version == 0
        assert second.events, "a refused save keeps its events for the caller"

    assert load(db, original.request_id or "").state == "approved"


def test_nothing_is_kept_unless_committed(db: Database, full_request: NewRequest) -> None:
    with db.uow() as uow:
        request = full_request()
        uow.requests.add(request)
    with db.uow() as uow:
        assert uow.requests.get(request.request_id or "") is None


def test_save_needs_a_stored_request(db: Database, full_request: NewRequest) -> None:
    with db.uow() as uow, pytest.raises(ValueError):
        uow.requests.save(full_request())


def test_open_requests_are_listed_per_officer(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    mine = store(full_request(thread_ts="1", officer_id="U1", state="collecting"))
    store(full_request(thread_ts="2", officer_id="U1", state="rejected"))
    store(full_request(thread_ts="3", officer_id="U2", state="collecting"))
    approved = store(full_request(thread_ts="4", officer_id="U1", state="approved"))
    with db.uow() as uow:
        listed = uow.requests.list_open_for_officer("U1")
    assert [r.request_id for r in listed] == [mine.request_id, approved.request_id]


def test_requests_awaiting_approval_are_listed_oldest_submission_first(
    db: Database, store: Store, full_request: NewRequest, t0: datetime
) -> None:
    later = store(
        full_request(thread_ts="1", state="awaiting_approval", submitted_at=t0 + timedelta(1)),
    )
    earlier = store(full_request(thread_ts="2", state="awaiting_approval", submitted_at=t0))
    store(full_request(thread_ts="3", state="approved"))
    with db.uow() as uow:
        listed = uow.requests.list_awaiting_approval()
    assert [r.request_id for r in listed] == [earlier.request_id, later.request_id]
