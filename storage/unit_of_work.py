"""The unit of work the bot uses, and `Database`: everything storage needs, built from a URL."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from flows.clock import Clock, SystemClock
from flows.ports import ConnectionLost, UnitOfWork, UnitOfWorkFactory
from storage.audit import SqlAuditLog
from storage.db import DURABILITY, RELAXED, SQLITE_BEGIN, make_engine, upgrade
from storage.delegations import SqlDelegationRepository
from storage.languages import SqlLanguageRepository
from storage.outbox import SqlOutbox
from storage.repositories import SqlDeliveryLog, SqlRequestRepository
from storage.timeouts import PostgresTimeouts

log = logging.getLogger(__name__)


#: PostgreSQL: a log record in a transaction of its own (any role may write one)
_WAIT_FOR_THE_DISK = (
    "SELECT pg_logical_emit_message(true, 'mosovo-durable', ''), pg_current_wal_insert_lsn()::text"
)


class SqlUnitOfWork:
    """flows.ports.UnitOfWork: one transaction, on one connection of the engine's pool (a
    Connection, not an ORM Session: storage runs SQL statements only, and a Session's own
    transaction bookkeeping cost more than the statements of a message). Rolls back on exit
    unless `commit()` was called; after a commit the same unit may go on and commit again."""

    requests: SqlRequestRepository
    deliveries: SqlDeliveryLog
    delegations: SqlDelegationRepository
    languages: SqlLanguageRepository
    audit: SqlAuditLog
    outbox: SqlOutbox

    def __init__(
        self,
        engine: Engine,
        clock: Clock | None = None,
        relaxed: bool = False,
    ) -> None:
        self._engine = engine
        self._clock = clock or SystemClock()
        self._connection: Connection | None = None
        self._relaxed = relaxed
        #: a commit was asked for: from then on a lost connection may have written it all
        self._committing = False
        #: PostgreSQL: a log position at or before which the last commit of audit events is on
        #: disk (tests compare it with pg_current_wal_flush_lsn())
        self.flushed_past: str | None = None

    def __enter__(self) -> SqlUnitOfWork:
        if self._connection is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        self._connection = connection = self._engine.connect()
        self.audit = SqlAuditLog(connection)
        self.requests = SqlRequestRepository(connection, self.audit)
        self.deliveries = SqlDeliveryLog(connection, self._clock)
        self.delegations = SqlDelegationRepository(connection)
        self.languages = SqlLanguageRepository(connection)
        self.outbox = SqlOutbox(connection, self._clock)
        return self

    def __exit__(self, *exc: object) -> None:
        error = exc[1] if len(exc) > 1 else None
        # a statement failed because the connection went away (SQLAlchemy invalidated it)
        lost = error if isinstance(error, DBAPIError) and error.connection_invalidated else None
        try:
            self.rollback()
        except DBAPIError as failed:
            if lost is None or not failed.connection_invalidated:
                raise
        finally:
            self.connection.close()
            self._connection = None
        if lost is not None and not self._committing:
            raise ConnectionLost("the database connection was lost; nothing was written") from lost

    @property
    def connection(self) -> Connection:
        """What the unit's statements run on; its transaction begins with the first."""
        if self._connection is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._connection

    def commit(self) -> None:
        if self._relaxed and self.audit.has_pending:
            raise RuntimeError("audit events are never committed without waiting for the disk")
        self._committing = True
        connection = self.connection
        chained = self.audit.has_pending and connection.dialect.name == "postgresql"
        # the audit chain is written last: its lock is then held only for the commit itself, and
        # on PostgreSQL that commit does not wait for the disk (the lock is released at COMMIT)
        self.audit.flush(commit_without_waiting=chained)
        if not chained:
            connection.commit()
            return
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.commit()  # the chain lock is free for the next appender now
        # ...and this commit returns once ours is on disk: a transaction that writes to the log
        # (an empty logical-decoding message; a mere transaction id would commit without a
        # flush) commits after ours, durably, so the log is flushed past ours. PostgreSQL flushes
        # for every backend waiting at once: this is the appenders' group commit. In autocommit
        # the statement is that transaction by itself: one round trip, not BEGIN and COMMIT too.
        raw.autocommit = True
        cursor = raw.cursor()
        try:
            cursor.execute(_WAIT_FOR_THE_DISK)
            row = cursor.fetchone()
        finally:
            cursor.close()
            raw.autocommit = False
        connection.commit()  # SQLAlchemy's transaction ends (the driver has none open)
        self.flushed_past = str(row[1]) if row else None

    def rollback(self) -> None:
        self.audit.discard()
        if self.connection.in_transaction():
            self.connection.rollback()


class Database:
    """Engine, sessions and units of work for one database URL."""

    def __init__(
        self,
        url: str,
        clock: Clock | None = None,
        timeouts: PostgresTimeouts | None = None,
        **engine_kwargs: Any,
    ) -> None:
        self.engine: Engine = make_engine(url, timeouts, **engine_kwargs)
        self.clock = clock or SystemClock()
        # reads that must not hold SQLite's write lock while they run (export, verify)
        self._reading = self.engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        self._relaxed = self.engine.execution_options(**{DURABILITY: RELAXED})
        #: sessions, for what reads outside a unit of work (export, verify, report)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.read_session_factory = sessionmaker(self._reading, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def uow(self) -> SqlUnitOfWork:
        """A new unit of work (a flows.ports.UnitOfWorkFactory)."""
        return SqlUnitOfWork(self.engine, self.clock)

    def relaxed(self) -> SqlUnitOfWork:
        """A unit of work whose commit does not wait for the disk: after a power cut or an OS
        crash (not a crash of this process) its last commits may be gone, never half there. Only
        for hints whose loss costs tidiness, never evidence: it refuses to commit audit events."""
        return SqlUnitOfWork(self._relaxed, self.clock, relaxed=True)

    def staged(self) -> UnitOfWork:
        """A unit of work that reads without the write lock and takes it only to write, at
        commit (storage/optimistic.py); for SQLite, where the lock is the whole database's."""
        from storage.optimistic import StagedUnitOfWork  # it builds on this module

        return StagedUnitOfWork(self.reader, self.uow)

    def reader(self) -> SqlUnitOfWork:
        """A unit of work for lookups only: on SQLite it does not take the write lock."""
        return SqlUnitOfWork(self._reading, self.clock)

    def upgrade(self) -> None:
        upgrade(self.engine)

    def ping(self) -> bool:
        """For health checks: can we reach the database right now?"""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception as error:  # any failure means "not healthy"; say what kind, no details
            log.warning("database ping failed: %s", type(error).__name__)
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _fits_the_ports(db: Database) -> UnitOfWorkFactory:
    """Never called: mypy checks here that the SQL adapters implement flows.ports."""
    return db.uow
