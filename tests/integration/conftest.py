"""Databases for integration tests: a SQLite file always, PostgreSQL when
MOSOVO_TEST_POSTGRES_URL is set. Each PostgreSQL test gets a schema of its own (created, migrated,
dropped), which is fast and lets tests run side by side on one server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from flows.clock import FixedClock
from flows.models import MonitoringRequest
from storage.unit_of_work import Database

T0 = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _database(url: str, clock: FixedClock) -> Iterator[Database]:
    database = Database(url, clock=clock)
    database.upgrade()
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def db(db_url: str, clock: FixedClock) -> Iterator[Database]:
    yield from _database(db_url, clock)


@pytest.fixture
def pg_db(pg_url: str, clock: FixedClock) -> Iterator[Database]:
    yield from _database(pg_url, clock)


def _full_request(**overrides: object) -> MonitoringRequest:
    """A request with every field set to something unusual: unicode, dates, nesting, None."""
    request = MonitoringRequest(
        officer_id="U0OFFICER1",
        channel_id="C0MOSOVO",
        created_at=T0,
        thread_ts="1772443815.123456",
        state="confirming",
        answers={
            "visor_ref": "AB12/34567",
            "person_name": "Zoë O'Brien-Łukasiewicz 🚓",
            "licence_expiry": date(2026, 9, 30),
            "devices": ["phone: Pixel 8", "laptop — ThinkPad"],
            "imei": "490154203237518",
            "consented": True,
            "risk_level": 3,
            "notes": None,
            "nested": {"a": [1, 2.5, None], "when": date(2025, 12, 25)},
        },
        flags={"high_risk": True, "reasons": ["sexual harm prevention order"], "score": 0.75},
        current_field="notes",
        strikes=2,
        submitted_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        decided_at=datetime(2026, 3, 3, 11, 0, 0, 1, tzinfo=UTC),
        decided_by="U0SUPER",
        decision="approved",
        decision_reason="Proportionate — “necessary” per SOP §4",
        installed_at=datetime(2026, 3, 10, 14, 45, tzinfo=UTC),
        closed_at=None,
        closed_reason=None,
        last_activity_at=datetime(2026, 3, 2, 9, 59, 59, 999999, tzinfo=UTC),
        decision_comment="Check <b>the</b> history & apps",
        review_date=date(2027, 3, 1),
        decided_on_behalf_of="U0HEAD",
        contributors=["U0OFFICER", "U0HELPER"],
        installation_outcome="installed",
        installation_date=date(2026, 3, 10),
        installation_notes="Installed on the <b>phone</b> & tablet",
        approval_round=2,
        approval_card_ref="1772443999.000200",
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
        due_at=datetime(2026, 3, 12, 14, 45, tzinfo=UTC),
        nudges={"idle": "2026-03-02T10:30:00+00:00"},
    )
    for name, value in overrides.items():
        setattr(request, name, value)
    return request


def _store(db: Database, request: MonitoringRequest) -> MonitoringRequest:
    request.record("created", request.officer_id, request.created_at)
    with db.uow() as uow:
        uow.requests.add(request)
        uow.commit()
    return request


# Helpers are fixtures, not imports: tests/ is not a package, and this keeps it that way.
NewRequest = Callable[..., MonitoringRequest]
Store = Callable[[MonitoringRequest], MonitoringRequest]


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture
def full_request() -> NewRequest:
    """make(**overrides): a request with every field set to something unusual (unicode, dates,
    nesting, None)."""
    return _full_request


@pytest.fixture
def store(db: Database) -> Store:
    """store(request): add it with a `created` event and commit; it gets its id and version."""
    return lambda request: _store(db, request)
