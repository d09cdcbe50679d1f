"""Migrations on a database in use: rows written under the first revision survive the upgrade to
head, their audit chain still verifies, and SQLite still never reuses a request id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from flows.clock import FixedClock
from flows.retention import DEFAULT_RETENTION
from storage.audit import GENESIS_HASH, event_hash, verify_chain
from storage.db import make_engine, upgrade
from storage.retention import RetentionRun, apply_retention
from storage.unit_of_work import Database

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def populate_first_revision(url: str, requests: int = 3) -> None:
    """Requests and their events as the first revision's code wrote them (its hash scheme)."""
    upgrade(url, "0001")
    engine = make_engine(url)
    prev = GENESIS_HASH
    stamp = AT.replace(tzinfo=None) if engine.dialect.name == "sqlite" else AT
    with engine.begin() as connection:
        for pk in range(1, requests + 1):
            connection.execute(
                text(
                    "INSERT INTO requests (officer_id, channel_id, state, answers, flags, strikes,"
                    " created_at, approval_round, nudges, version) VALUES ('U0OFF', 'G0PRIV',"
                    " 'withdrawn', '{\"visor_ref\": \"AB/1\"}', '{}', 0, :at, 0, '{}', 0)"
                ),
                {"at": stamp},
            )
            detail = {"reason": f"duplicate {pk}"}
            digest = event_hash(pk, pk, "U0OFF", "withdrawn", AT, detail, prev)
            connection.execute(
                text(
                    "INSERT INTO audit_events (id, request_id, actor, action, at, detail,"
                    " prev_hash, hash) VALUES (:id, :id, 'U0OFF', 'withdrawn', :at,"
                    " :detail, :prev, :hash)"
                ),
                {
                    "id": pk,
                    "at": stamp,
                    "detail": f'{{"reason": "duplicate {pk}"}}',
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    engine.dispose()


def test_a_populated_database_upgrades_to_head_and_its_chain_still_verifies(db_url: str) -> None:
    populate_first_revision(db_url)
    upgrade(db_url)
    database = Database(db_url)
    try:
        with database.read_session_factory() as session:
            result = verify_chain(session)
            kept: int = session.execute(text("SELECT count(*) FROM requests")).scalar_one()
        assert (result.ok, result.count, kept) == (True, 3, 3)
    finally:
        database.dispose()


def test_sqlite_never_reuses_a_request_id_after_the_upgrade(sqlite_url: str) -> None:
    populate_first_revision(sqlite_url)
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            sql: str = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'requests'")
            ).scalar_one()
            assert "AUTOINCREMENT" in sql
            assert connection.execute(text("SELECT seq FROM sqlite_sequence")).scalar_one() == 3
    finally:
        engine.dispose()


def test_events_from_before_digests_can_be_erased_and_the_chain_still_verifies(
    db_url: str,
) -> None:
    populate_first_revision(db_url)
    upgrade(db_url)
    database = Database(db_url, clock=FixedClock(AT + DEFAULT_RETENTION + timedelta(days=1)))
    try:
        with database.uow() as uow:  # a new event after the upgrade is sealed (scheme 2)
            uow.audit.append("viewed", "U0SUP", database.clock.now(), request_id="MR-000001")
            uow.commit()
        erased = apply_retention(database, RetentionRun("DS Smith", "MoPI", DEFAULT_RETENTION))
        assert len(erased) == 3
        with database.read_session_factory() as session:
            result = verify_chain(session)
        # the three legacy events hashed their detail itself: only their links are left to check
        assert (result.ok, result.count, result.erased, result.unsealed) == (True, 8, 4, 3)
    finally:
        database.dispose()


def test_approvals_given_before_the_upgrade_keep_the_request_out_of_the_approvers_queue(
    db_url: str,
) -> None:
    """0009 fills round_approvals from the round records already stored."""
    upgrade(db_url, "0008_home_indexes")
    engine = make_engine(db_url)
    stamp = AT.replace(tzinfo=None) if engine.dialect.name == "sqlite" else AT
    rounds = (
        '[{"round": 1, "answers": {}, "approvals": [{"by": "U0OLD"}],'
        ' "decision": {"outcome": "info_requested", "by": "U0OLD"}},'
        ' {"round": 2, "answers": {}, "approvals": [{"by": "U0SUP", "at": "2026-01-05"}]}]'
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO requests (officer_id, channel_id, state, answers, flags, strikes,"
                " created_at, submitted_at, approval_round, rounds, nudges, contributors,"
                " prefill, version) VALUES ('U0OFF', 'G0PRIV', 'awaiting_approval', '{}', '{}',"
                " 0, :at, :at, 2, :rounds, '{}', '[]', '{}', 0)"
            ),
            {"at": stamp, "rounds": rounds},
        )
    engine.dispose()
    upgrade(db_url)
    database = Database(db_url)
    try:
        with database.reader() as uow:
            for decider, shown in (("U0SUP", 0), ("U0OLD", 1), ("U0NEW", 1)):
                assert uow.requests.awaiting_decision(decider, False, 10).total == shown, decider
    finally:
        database.dispose()
