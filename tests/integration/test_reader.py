"""Lookups never wait for a writer: on SQLite the reading unit of work takes no write lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from flows.models import MonitoringRequest
from storage.unit_of_work import Database


def test_a_lookup_is_not_blocked_by_an_open_write_transaction(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    db.upgrade()
    try:
        with db.uow() as uow:
            stored = MonitoringRequest("U0OFFICER", "G0PRIV", datetime(2026, 11, 30, tzinfo=UTC))
            uow.requests.add(stored)
            uow.commit()
        found: list[MonitoringRequest | None] = []
        with db.uow() as writer:  # holds SQLite's write lock until it ends
            writer.requests.add(MonitoringRequest("U0OTHER", "G0PRIV", stored.created_at))

            def look_up() -> None:
                with db.reader() as reader:
                    found.append(reader.requests.get(str(stored.request_id)))

            lookup = threading.Thread(target=look_up)
            lookup.start()
            lookup.join(timeout=5)
            assert not lookup.is_alive(), "the lookup waited for the writer"
        assert found and found[0] is not None and found[0].officer_id == "U0OFFICER"
    finally:
        db.dispose()
