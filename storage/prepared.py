"""Statements run for every message, compiled once per dialect and run on the driver's cursor.

Profiles of the load benchmark (bench/README.md) put about 40% of the bot's CPU in SQLAlchemy's
per-execution work for a handful of statements that never change: finding the compiled form,
building the parameters, wrapping the cursor in a result, and turning each row into a mapping.
Running the same statement on the DBAPI cursor costs a tenth of that. A `Prepared` statement is
compiled by SQLAlchemy for the engine's own dialect, once, and keeps what SQLAlchemy would apply
on every execution: the order of the driver's parameters, each column type's bind processor (JSON,
UTC timestamps, dates) and each result column's processor. Rows come back as SQLAlchemy's would,
through the same processors; the statement runs in the session's transaction, on its connection, and a driver's error is raised as SQLAlchemy would raise it.

Only statements without expanding (IN) parameters are prepared; everything else goes through
SQLAlchemy as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]
#: compiled forms kept per statement: a process has one engine (a few in tests, made and dropped)
_DIALECTS_KEPT = 4
#: what storage runs statements on: a unit of work's connection, or a session of its own (export,
#: verify and the other reads outside a unit of work)
Executor = Session | Connection


def connection_of(executor: Executor) -> Connection:
    """The executor's connection, its transaction begun."""
    if isinstance(executor, Session):
        return executor.connection()
    if not executor.in_transaction():
        executor.begin()
    return executor


def dialect_name(executor: Executor) -> str:
    if isinstance(executor, Session):
        return executor.get_bind().dialect.name
    return executor.dialect.name


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: driver parameter names in order (positional dialects), else None (named)
    order: tuple[str, ...] | None
    #: values the statement carries itself (literals such as `version + 1`)
    fixed: Mapping[str, Any]
    binds: tuple[tuple[str, Processor], ...]
    #: result column names, and each one's processor (None: the driver's value as it is)
    columns: tuple[str, ...]
    results: tuple[Processor | None, ...]


@dataclass(frozen=True)
class Outcome:
    """What a prepared statement gave back: changed rows, and rows (processed) if it returned any."""

    rowcount: int
    rows: list[tuple[Any, ...]]
    columns: tuple[str, ...]

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalar_one(self) -> Any:
        """The one row's first column; as SQLAlchemy's `scalar_one`, no row or more is an error."""
        if not self.rows:
            raise NoResultFound("No row was found when one was required")
        if len(self.rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.rows[0][0]

    def mappings(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Prepared:
    """One statement; `run(executor, params)` runs it in that executor's transaction."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._by_dialect: dict[int, tuple[Dialect, _Compiled]] = {}
        self._lock = threading.Lock()

    def run(self, executor: Executor, params: Mapping[str, Any]) -> Outcome:
        connection = connection_of(executor)
        compiled = self._compiled(connection.dialect)
        values = dict(compiled.fixed)
        values.update(params)
        for name, process in compiled.binds:
            if name in values:
                values[name] = process(values[name])
        arguments: Sequence[Any] | Mapping[str, Any]
        if compiled.order is not None:
            arguments = tuple(values[name] for name in compiled.order)
        else:
            arguments = values
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            try:
                cursor.execute(compiled.sql, arguments)
            except Exception as error:
                # SQLAlchemy's own handling: its exception classes (OperationalError,
                # IntegrityError...), and a connection it finds broken is invalidated
                connection._handle_dbapi_exception(error, compiled.sql, arguments, cursor, None)
            rows: list[tuple[Any, ...]] = []
            columns = compiled.columns
            if cursor.description is not None:
                results = compiled.results
                if len(results) != len(cursor.description):  # text(): the driver's values
                    columns = tuple(str(column[0]) for column in cursor.description)
                    results = (None,) * len(columns)
                for raw in cursor.fetchall():
                    rows.append(
                        tuple(
                            value if process is None or value is None else process(value)
                            for process, value in zip(results, raw, strict=True)
                        )
                    )
            return Outcome(cursor.rowcount, rows, columns)
        finally:
            cursor.close()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        kept = self._by_dialect.get(id(dialect))
        if kept is not None and kept[0] is dialect:
            return kept[1]
        with self._lock:
            made = _compile(self.statement, dialect)
            if len(self._by_dialect) >= _DIALECTS_KEPT:  # engines made and dropped (tests)
                self._by_dialect.clear()
            self._by_dialect[id(dialect)] = (dialect, made)
            return made


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError("only SQL statements can be prepared")
    if any(bind.expanding for bind in compiled.binds.values()):
        raise ValueError("a statement with expanding (IN) parameters cannot be prepared")
    if compiled.escaped_bind_names:
        raise ValueError("a statement whose parameter names the driver escapes cannot be prepared")
    fixed = {
        name: value
        for name, value in compiled.construct_params(_check=False).items()
        if compiled.binds[name].value is not None or not compiled.binds[name].required
    }
    order = tuple(compiled.positiontup) if dialect.positional and compiled.positiontup else None
    binds = []
    for name, process in compiled._bind_processors.items():
        if not callable(process):
            raise ValueError(f"parameter {name} has per-element processors: not prepared")
        binds.append((name, process))
    columns = tuple(column[0] for column in compiled._result_columns)
    results = tuple(
        column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
    )
    return _Compiled(str(compiled), order, fixed, tuple(binds), columns, results)
