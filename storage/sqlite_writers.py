"""SQLite writers of one process queue on a lock of their own, not in SQLite's busy handler.

SQLite lets one transaction write at a time; the others' `BEGIN IMMEDIATE` waits in the busy
handler, which sleeps in growing steps (up to 100 ms) between attempts. A waiter therefore often
sleeps on long after the writer committed, and which waiter goes next is luck: under load most of
a request's time went there. Threads of this process instead take a lock before `BEGIN
IMMEDIATE`, and the next one enters the moment the writer commits or rolls back. Other processes
using the same file still wait in `busy_timeout`, as before.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any


class WriterQueue:
    """One lock per engine; `connection_class()` is the sqlite3 connection factory that frees it."""

    def __init__(self, timeout_seconds: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout_seconds

    def connection_class(self) -> type[sqlite3.Connection]:
        queue = self

        class QueuedWriterConnection(sqlite3.Connection):
            """Frees the writers' lock once its transaction has ended, however it ends."""

            _writing = False

            def begin_writing(self) -> None:
                """Wait for our turn; call before `BEGIN IMMEDIATE`, and `done_writing` if that
                fails."""
                if not queue._lock.acquire(timeout=queue._timeout):
                    raise sqlite3.OperationalError("database is locked (waited for a writer)")
                self._writing = True

            def done_writing(self) -> None:
                if self._writing:
                    self._writing = False
                    queue._lock.release()

            def commit(self) -> None:
                try:
                    super().commit()
                finally:
                    self.done_writing()

            def rollback(self) -> None:
                try:
                    super().rollback()
                finally:
                    self.done_writing()

            def close(self) -> None:
                try:
                    super().close()
                finally:
                    self.done_writing()

        return QueuedWriterConnection


def begin_writing(dbapi_connection: Any) -> None:
    """Take the writers' lock for this connection (no-op for other connection classes)."""
    begin = getattr(dbapi_connection, "begin_writing", None)
    if begin is not None:
        begin()


def done_writing(dbapi_connection: Any) -> None:
    done = getattr(dbapi_connection, "done_writing", None)
    if done is not None:
        done()
