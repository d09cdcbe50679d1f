"""Engines from a URL, and the schema's migrations. Nothing here runs at import time."""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from storage.sqlite_writers import GroupSync, WriterQueue, begin, begin_writing, done_writing
from storage.tables import metadata
from storage.timeouts import PostgresTimeouts

#: how long a SQLite writer waits for another before giving up (milliseconds)
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: connections kept open per process, and how many more may be opened under load
POOL_SIZE = 10
POOL_OVERFLOW = 30
#: PostgreSQL: a pooled connection idle this long is pinged before use even if it looks alive
PING_AFTER_IDLE_SECONDS = 30.0
_IDLE_SINCE = "mosovo_idle_since"
#: SQLite's: a file and four pragmas to open, little to keep, and a staged use case holds two (its
#: reader and its writer), so as many are kept as the listener threads may use at once; a pool of
#: 10 opened and closed an overflow connection for most answers under load
SQLITE_POOL_SIZE = 40
SQLITE_POOL_OVERFLOW = 10
#: execution option: RELAXED for a commit that need not wait for the disk (Database.relaxed)
DURABILITY = "mosovo_durability"
RELAXED = "relaxed"
#: execution option: "DEFERRED" for a read-only SQLite transaction that must not block writers
SQLITE_BEGIN = "sqlite_begin"
#: pg_advisory_xact_lock key that serialises replicas migrating at the same start-up
_MIGRATION_LOCK_KEY = 0x4D4F534F564F_01  # "MOSOVO" + 1

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


#: migrations may rewrite big tables: no statement timeout, but never queue on locks for ever
_MIGRATION_TIMEOUTS = ("SET LOCAL statement_timeout = 0", "SET LOCAL lock_timeout = '120s'")


def default_database_url() -> str:
    """A SQLite file in the working directory: what a single-process deployment needs."""
    return "sqlite:///mosovo.db"


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3, the only PostgreSQL driver we ship."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (OFFICIAL-SENSITIVE data); SQLite gives
    its -wal and -shm files the same permissions. An existing file is left as it is."""
    if path.parent.is_dir() and not path.exists():  # a missing folder is the operator's to fix
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def make_engine(url: str, timeouts: PostgresTimeouts | None = None, **kwargs: Any) -> Engine:
    """An engine for SQLite (`sqlite:///path`) or PostgreSQL (`postgresql[+psycopg]://...`);
    PostgreSQL connections get `timeouts` (the defaults when None)."""
    sa_url = make_url(normalise_url(url))
    if sa_url.get_backend_name() == "sqlite":
        return _sqlite_engine(sa_url.render_as_string(hide_password=False), **kwargs)
    if sa_url.get_backend_name() == "postgresql":
        if sa_url.get_driver_name() != "psycopg":
            raise ValueError("PostgreSQL URLs must use psycopg 3 (postgresql+psycopg://)")
        _pool_sizes(kwargs)
        url_options = sa_url.query.get("options")
        connect_args = (timeouts or PostgresTimeouts()).connect_args(url_options)
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(sa_url, connect_args=connect_args, **kwargs)
        event.listen(engine, "begin", _postgres_durability)
        if not kwargs.get("pool_pre_ping"):
            event.listen(engine, "connect", _idle_since)
            event.listen(engine, "checkin", _idle_since)
            event.listen(engine, "checkout", _alive_or_replaced(engine))
        return engine
    raise ValueError(f"unsupported database URL scheme: {sa_url.drivername}")


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _alive_or_replaced(engine: Engine) -> Callable[[Any, Any, Any], None]:
    """A pooled PostgreSQL connection is pinged only when it may be dead, not at every checkout
    (a round trip before each of an answer's transactions): when the server has said something
    to it while it sat in the pool (a terminated backend or a restarted server sends its last
    words, or closes the socket, which then reads as ready), or when it sat there longer than
    PING_AFTER_IDLE_SECONDS. One that fails the ping is replaced, as `pool_pre_ping` would."""

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_IDLE_SINCE, 0.0)
        try:
            if dbapi_connection.closed:
                raise exc.DisconnectionError("closed")
            said = select.poll()  # not select(): it refuses descriptors above 1023
            said.register(dbapi_connection.fileno(), select.POLLIN)
            if said.poll(0) or idle > PING_AFTER_IDLE_SECONDS:
                engine.dialect.do_ping(dbapi_connection)
        except exc.DisconnectionError:
            raise
        except Exception as error:  # the pool discards it and connects afresh
            raise exc.DisconnectionError(type(error).__name__) from error

    return check


def _pool_sizes(
    kwargs: dict[str, Any], size: int = POOL_SIZE, overflow: int = POOL_OVERFLOW
) -> None:
    if "poolclass" not in kwargs:
        # as many connections as listener threads (bot.app.LISTENER_THREADS) may want at once
        kwargs.setdefault("pool_size", size)
        kwargs.setdefault("max_overflow", overflow)


def _postgres_durability(connection: Connection) -> None:
    if connection.get_execution_options().get(DURABILITY) == RELAXED:
        _begin(connection, "SET LOCAL synchronous_commit TO OFF")


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    database = make_url(url).database
    in_memory = database in (None, "", ":memory:")
    if not in_memory and database and not database.startswith("file:"):
        create_private_file(Path(database))
    connect_args: dict[str, Any] = {"check_same_thread": False}
    connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
    # a file database commits in groups (storage/sqlite_writers.py); `file:` URIs do not
    group = None
    if not in_memory and database and not database.startswith("file:"):
        group = GroupSync(os.path.abspath(database) + "-wal")
    queue = WriterQueue(SQLITE_BUSY_TIMEOUT_MS / 1000, group)
    connect_args["factory"] = queue.connection_class()
    if in_memory:
        # one shared connection, or every checkout would see a different empty database
        kwargs.setdefault("poolclass", StaticPool)
    _pool_sizes(kwargs, SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module, which would otherwise start a
        # deferred transaction lazily (SQLAlchemy's documented pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # readers do not block the writer
        journal = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        cursor.execute("PRAGMA foreign_keys=ON")
        if queue.group is not None and str(journal).lower() == "wal":
            # commits are written to the log here and synced by GroupSync, after the lock
            dbapi_connection.group_commit = True
            cursor.execute("PRAGMA synchronous=NORMAL")
        else:
            cursor.execute("PRAGMA synchronous=FULL")  # _on_begin sets it for each write
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two writers queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock mid-transaction.
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED"):
            raise ValueError(f"bad {SQLITE_BEGIN} option: {mode!r}")
        relaxed = connection.get_execution_options().get(DURABILITY) == RELAXED
        record = connection.connection
        dbapi_connection = record.dbapi_connection
        if not begin(dbapi_connection, durable=not relaxed):
            # no group commit: FULL, so that a commit survives a power cut (NORMAL in WAL mode
            # may lose the last few)
            synchronous = "NORMAL" if relaxed else "FULL"
            if record.info.get("synchronous", "FULL") != synchronous:
                connection.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
                record.info["synchronous"] = synchronous
        if mode == "DEFERRED":
            _begin(connection, "BEGIN DEFERRED")
            return
        begin_writing(dbapi_connection)  # this process's writers queue here, not in busy_timeout
        try:
            _begin(connection, "BEGIN IMMEDIATE")
        except BaseException:
            done_writing(dbapi_connection)
            raise

    return engine


def _begin(connection: Connection, statement: str) -> None:
    """What a transaction begins with, run on the driver's connection (through SQLAlchemy's
    execution it cost more than the statements of most transactions), its errors raised as
    SQLAlchemy raises them."""
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement)
    except Exception as error:
        connection._handle_dbapi_exception(error, statement, (), cursor, None)
    finally:
        cursor.close()


def alembic_config() -> Config:
    """Alembic's configuration, built in code so that no alembic.ini or working directory counts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(target: str | Engine, revision: str = "head") -> None:
    """Apply pending migrations. Safe to run from several replicas starting at once."""
    _migrate(target, lambda config: command.upgrade(config, revision))


def downgrade(target: str | Engine, revision: str) -> None:
    """Undo migrations down to `revision` ("base": drop everything). For development only."""
    _migrate(target, lambda config: command.downgrade(config, revision))


def _migrate(target: str | Engine, run: Callable[[Config], None]) -> None:
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                for setting in _MIGRATION_TIMEOUTS:
                    connection.execute(text(setting))
                # a second replica waits here, then finds nothing left to do
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
            config = alembic_config()
            config.attributes["connection"] = connection
            run(config)
    finally:
        if isinstance(target, str):
            engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_migrations(engine: Engine, target: MetaData = metadata) -> list[Any]:
    """Differences between the migrated database and the table definitions (empty: no drift),
    as `alembic check` finds them."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target))
