"""SQLite writers of one process queue on a lock of their own, not in SQLite's busy handler; and
their commits reach the disk together (group commit), after the lock is handed on.

SQLite lets one transaction write at a time; the others' `BEGIN IMMEDIATE` waits in the busy
handler, which sleeps in growing steps (up to 100 ms) between attempts. A waiter therefore often
sleeps on long after the writer committed, and which waiter goes next is luck: under load most of
a request's time went there. Threads of this process instead take a lock before `BEGIN
IMMEDIATE`, and the next one enters the moment the writer commits or rolls back. Other processes
using the same file still wait in `busy_timeout`, as before.

Group commit: with `synchronous=FULL` every commit syncs the write-ahead log while it still holds
the write lock, so writers queued one disk flush each. Connections to a WAL database instead run
with `synchronous=NORMAL` (a commit is written to the log but not synced, and SQLite still syncs
around every checkpoint) and a durable commit then waits, after handing the lock on, until the
log has been synced past it (`GroupSync`): one `fdatasync` of the log covers every commit written
before it started, so writers that committed meanwhile share it. `commit()` returns only once its
transaction is on disk, as with FULL: what the bot acknowledges survives a power cut. Another
transaction may read a commit a moment before it is on disk; a power cut then loses both (a
database crash cannot, and a process crash loses nothing: the log is in the OS's cache).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any


class GroupSync:
    """Leader and followers over one file: `committed()` gives a ticket after a commit was
    written; `wait(ticket)` returns once a sync that started after that commit has finished.
    Whoever finds no sync running becomes the leader and syncs for everybody waiting."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._changed = threading.Condition()
        self._written = 0  # tickets given out
        self._synced = 0  # every ticket up to this one is on disk
        self._syncing = False
        #: syncs done (for tests and the benchmark: how many commits shared one)
        self.syncs = 0

    def committed(self) -> int:
        with self._changed:
            self._written += 1
            return self._written

    def wait(self, ticket: int) -> None:
        with self._changed:
            while self._synced < ticket:
                if self._syncing:
                    self._changed.wait()
                    continue
                self._syncing, target = True, self._written
                try:
                    self._changed.release()
                    try:
                        self._sync()
                    finally:
                        self._changed.acquire()
                except OSError as error:
                    raise sqlite3.OperationalError("could not sync the database to disk") from error
                else:
                    self._synced = max(self._synced, target)
                    self.syncs += 1
                finally:
                    self._syncing = False
                    self._changed.notify_all()

    def _sync(self) -> None:
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return  # the last connection closed: SQLite checkpointed the log into the database
        try:
            os.fdatasync(descriptor)
        finally:
            os.close(descriptor)


class WriterQueue:
    """One lock per engine; `connection_class()` is the sqlite3 connection factory that frees it.
    With a `GroupSync` (WAL databases), durable commits wait for it after freeing the lock."""

    def __init__(self, timeout_seconds: float, group: GroupSync | None = None) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout_seconds
        self.group = group

    def connection_class(self) -> type[sqlite3.Connection]:
        queue = self

        class QueuedWriterConnection(sqlite3.Connection):
            """Frees the writers' lock once its transaction has ended, however it ends."""

            _writing = False
            #: this connection runs with synchronous=NORMAL and syncs through queue.group
            group_commit = False
            #: the current transaction's commit must be on disk before commit() returns
            _durable = True
            _changes_at_begin = 0

            def note_begin(self, durable: bool) -> None:
                """Called as each transaction begins (before `begin_writing`, if it writes)."""
                self._durable = durable
                self._changes_at_begin = self.total_changes

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
                group, ticket = queue.group, None
                try:
                    super().commit()
                    # a deferred transaction that wrote after all is synced too
                    wrote = self._writing or self.total_changes != self._changes_at_begin
                    if group is not None and self.group_commit and self._durable and wrote:
                        ticket = group.committed()
                finally:
                    self.done_writing()
                if group is not None and ticket is not None:
                    group.wait(ticket)  # outside the lock: the next writer is in already

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


def begin(dbapi_connection: Any, durable: bool) -> bool:
    """Note a transaction's start; True when the connection commits in groups (its
    `synchronous` stays NORMAL and durable commits sync after the lock)."""
    start = getattr(dbapi_connection, "note_begin", None)
    if start is None:
        return False
    start(durable)
    return bool(getattr(dbapi_connection, "group_commit", False))


def begin_writing(dbapi_connection: Any) -> None:
    """Take the writers' lock for this connection (no-op for other connection classes)."""
    begin = getattr(dbapi_connection, "begin_writing", None)
    if begin is not None:
        begin()


def done_writing(dbapi_connection: Any) -> None:
    done = getattr(dbapi_connection, "done_writing", None)
    if done is not None:
        done()
