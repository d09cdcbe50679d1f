"""Prepared statements (storage/prepared.py) give what SQLAlchemy gives, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError, MultipleResultsFound, NoResultFound

from storage.prepared import Prepared
from storage.tables import outbox_table as outbox
from storage.tables import processed_deliveries_table as deliveries
from storage.tables import requests_table as requests
from storage.unit_of_work import Database
from tests.integration.conftest import T0, NewRequest, Store

_BY_THREAD = (
    select(requests)
    .where(requests.c.channel_id == bindparam("channel_id"))
    .where(requests.c.thread_ts == bindparam("thread_ts"))
)


def test_a_row_comes_back_as_sqlalchemy_gives_it(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    stored = store(full_request())  # JSON with tagged dates, unicode, UTC timestamps, None
    params = {"channel_id": stored.channel_id, "thread_ts": stored.thread_ts}
    with db.reader() as uow:
        expected = uow.connection.execute(_BY_THREAD, params).mappings().one()
        got = Prepared(_BY_THREAD).run(uow.connection, params).mappings()
    assert got == [dict(expected)]
    assert got[0]["created_at"] == T0 and got[0]["created_at"].tzinfo is not None
    assert got[0]["answers"] == stored.answers


def test_binds_are_processed_and_literals_carried(
    db: Database, store: Store, full_request: NewRequest
) -> None:
    stored = store(full_request())
    pk = int(str(stored.request_id).removeprefix("MR-"))
    later = T0 + timedelta(days=1)
    move = Prepared(
        update(requests)
        .where(requests.c.id == bindparam("pk"))
        .values(last_activity_at=bindparam("at"), version=requests.c.version + 1)
    )
    with db.uow() as uow:
        assert move.run(uow.connection, {"pk": pk, "at": later}).rowcount == 1
        assert move.run(uow.connection, {"pk": pk + 1000, "at": later}).rowcount == 0
        uow.commit()
    with db.reader() as uow:
        again = uow.requests.get(str(stored.request_id))
    assert again is not None
    assert again.last_activity_at == later and again.version == stored.version + 1
    newest = Prepared(select(requests.c.id).order_by(requests.c.id.desc()).limit(1))
    with db.reader() as uow:
        assert newest.run(uow.connection, {}).scalar() == pk


def test_returning_gives_the_new_row(db: Database) -> None:
    add = Prepared(
        insert(outbox)
        .values(
            method=bindparam("method"),
            payload=bindparam("payload", type_=outbox.c.payload.type),
            purpose="notice",
            extra={},
            attempts=0,
            next_attempt_at=bindparam("at", type_=outbox.c.next_attempt_at.type),
            created_at=bindparam("at", type_=outbox.c.created_at.type),
        )
        .returning(outbox.c.id, outbox.c.payload, outbox.c.created_at)
    )
    with db.uow() as uow:
        outcome = add.run(
            uow.connection, {"method": "chat.postMessage", "payload": {"t": "é"}, "at": T0}
        )
        uow.commit()
    [(message_id, payload, created_at)] = outcome.rows
    assert isinstance(message_id, int) and payload == {"t": "é"} and created_at == T0


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it(db: Database) -> None:
    add = Prepared(insert(deliveries).values(key=bindparam("key"), at=bindparam("at")))
    with db.uow() as uow:
        add.run(uow.connection, {"key": "Ev1", "at": T0})
        with pytest.raises(IntegrityError):
            add.run(uow.connection, {"key": "Ev1", "at": T0})


def test_text_gives_the_drivers_values(db: Database) -> None:
    with db.reader() as uow:
        outcome = Prepared(text("SELECT :n + 1 AS more")).run(uow.connection, {"n": 41})
    assert outcome.columns == ("more",) and outcome.scalar() == 42


def test_scalar_one_wants_exactly_one_row_as_sqlalchemys_does(db: Database) -> None:
    numbers = Prepared(text("SELECT 1 AS n UNION ALL SELECT 2 WHERE :two ORDER BY n"))
    with db.reader() as uow:
        assert numbers.run(uow.connection, {"two": False}).scalar_one() == 1
        with pytest.raises(MultipleResultsFound):
            numbers.run(uow.connection, {"two": True}).scalar_one()
        nothing = Prepared(text("SELECT 1 AS n WHERE :any")).run(uow.connection, {"any": False})
        assert nothing.scalar() is None
        with pytest.raises(NoResultFound):
            nothing.scalar_one()


def test_what_cannot_be_prepared_is_refused_when_first_run(db: Database) -> None:
    several = Prepared(
        select(requests.c.id).where(requests.c.id.in_(bindparam("pks", expanding=True)))
    )
    with db.reader() as uow, pytest.raises(ValueError, match="expanding"):
        several.run(uow.connection, {"pks": [1, 2]})
