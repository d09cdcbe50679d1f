"""Hints written in groups: many threads' small relaxed updates, one transaction between them.

Once per answer the bot marks what it posted as sent and remembers where it posted the next
question (the outbox's `mark_sent` with `remember_question`). Alone, each of those took a turn of
its own at SQLite's write lock, as many turns as the answers themselves. Here a caller adds its
work and waits; whoever finds no transaction under way applies everything waiting, in one relaxed
transaction (Database.relaxed: it does not wait for the disk), then wakes the others. A caller
returns once its work is committed, as before, so nothing that reads it afterwards can miss it;
under load one turn serves many answers. Should the group's transaction fail, each caller's work
is tried again in a transaction of its own, so that one caller's failure is only its own.

For SQLite only, where one writer at a time holds the whole database anyway: on PostgreSQL a
group would wait for the row locks of every change in progress.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flows.ports import UnitOfWork
from storage.unit_of_work import SqlUnitOfWork

#: what a caller writes: statements on the group's unit of work (which commits; the work must not)
Work = Callable[[UnitOfWork], object]


@dataclass
class _Waiting:
    work: Work
    done: bool = False
    error: BaseException | None = None


class GroupedWrites:
    """`run` for many threads at once (see the module's docstring)."""

    def __init__(self, relaxed: Callable[[], SqlUnitOfWork]) -> None:
        self._relaxed = relaxed
        self._changed = threading.Condition()
        self._waiting: list[_Waiting] = []
        self._writing = False
        #: transactions committed (for tests and the benchmark: how many callers shared one)
        self.transactions = 0

    def run(self, work: Work) -> None:
        """`work(uow)` in a relaxed transaction shared with other callers' work; returns once it
        is committed, and raises what it raised (the others' work is committed without it)."""
        mine = _Waiting(work)
        with self._changed:
            self._waiting.append(mine)
            while not mine.done:
                if self._writing:
                    self._changed.wait()
                    continue
                batch, self._waiting, self._writing = self._waiting, [], True
                self._changed.release()
                try:
                    self._write_all(batch)
                finally:
                    self._changed.acquire()
                    self._writing = False
                    for waiting in batch:
                        waiting.done = True
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error

    def _write_all(self, batch: list[_Waiting]) -> None:
        try:
            self._write([waiting.work for waiting in batch])
            return
        except BaseException as failure:
            if len(batch) == 1:
                batch[0].error = failure
                return
        for waiting in batch:  # one at a time: each caller hears only of its own failure
            try:
                self._write([waiting.work])
            except BaseException as failure:
                waiting.error = failure

    def _write(self, batch: list[Work]) -> None:
        with self._relaxed() as uow:
            for work in batch:
                work(uow)
            uow.commit()
        self.transactions += 1


class GroupedHints(GroupedWrites):
    """`remember_question` for many threads at once (RequestService's hook)."""

    def remember_question(self, request_id: str, field_key: str, ts: str) -> bool:
        """Where the current question was posted; returns once that is committed. False: it is
        no longer the question being asked (see RequestRepository.remember_question)."""
        remembered: list[bool] = []
        self.run(
            lambda uow: remembered.append(uow.requests.remember_question(request_id, field_key, ts))
        )
        return bool(remembered and remembered[-1])
