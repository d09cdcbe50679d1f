"""bench/naive_app.py is a yardstick for bench/load.py: its figures mean something only if it
keeps the contract it claims (a redelivered event changes nothing; each audit event's hash covers
the one before), so those are pinned here, on both databases."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import Session, col, select

from bench.naive_app import NaiveAuditEvent, NaiveDelivery, audit, database, first_time


def test_a_redelivered_event_is_recorded_once(db_url: str) -> None:
    engine = database(db_url)
    with Session(engine) as session:
        assert first_time(session, "Ev1")
        session.commit()
    with Session(engine) as session:
        assert not first_time(session, "Ev1")
        session.rollback()
    with Session(engine) as session:
        assert first_time(session, "Ev2")
        session.commit()
        assert [d.event_id for d in session.exec(select(NaiveDelivery))] == ["Ev1", "Ev2"]
    engine.dispose()


def test_each_audit_event_hashes_the_one_before(db_url: str) -> None:
    engine = database(db_url)
    for detail in ("one", "two", "three"):
        with Session(engine) as session:
            audit(session, 7, "answer_recorded", detail)
            session.commit()
    with Session(engine) as session:
        events = session.exec(select(NaiveAuditEvent).order_by(col(NaiveAuditEvent.id))).all()
    assert [e.previous_hash for e in events] == ["", events[0].hash, events[1].hash]
    for event in events:
        body = [event.previous_hash, 7, event.action, event.detail, event.at.isoformat()]
        assert event.hash == hashlib.sha256(json.dumps(body).encode()).hexdigest()
    engine.dispose()
