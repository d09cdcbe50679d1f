"""Hints written in groups: many threads' small relaxed updates, one transaction between them.

Once per answer the bot remembers where it posted the next question (`remember_question`). Alone,
each of those took a turn of its own at SQLite's write lock, as many turns as the answers
themselves. Here a caller adds its update and waits; whoever finds no transaction under way
applies everything waiting, in one relaxed transaction (Database.relaxed: it does not wait for
the disk), then wakes the others. A caller returns once its update is committed, as before, so
nothing that reads the request afterwards can miss it; under load one turn serves many answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from storage.ids import parse_request_id
from storage.unit_of_work import SqlUnitOfWork


@dataclass
class _Question:
    request_id: str
    field_key: str
    ts: str
    done: bool = False
    error: BaseException | None = None


class GroupedHints:
    """`remember_question` for many threads at once (see the module's docstring)."""

    def __init__(self, relaxed: Callable[[], SqlUnitOfWork]) -> None:
        self._relaxed = relaxed
        self._changed = threading.Condition()
        self._waiting: list[_Question] = []
        self._writing = False
        #: transactions written (for tests and the benchmark: how many hints shared one)
        self.transactions = 0

    def remember_question(self, request_id: str, field_key: str, ts: str) -> None:
        """Where the current question was posted; returns once that is committed."""
        mine = _Question(request_id, field_key, ts)
        with self._changed:
            self._waiting.append(mine)
            while not mine.done:
                if self._writing:
                    self._changed.wait()
                    continue
                batch, self._waiting, self._writing = self._waiting, [], True
                error: BaseException | None = None
                self._changed.release()
                try:
                    self._write(batch)
                except BaseException as failure:  # every caller in the batch hears of it
                    error = failure
                finally:
                    self._changed.acquire()
                    self._writing = False
                    for question in batch:
                        question.done, question.error = True, error
                    self._changed.notify_all()
        if mine.error is not None:
            raise mine.error

    def _write(self, batch: list[_Question]) -> None:
        # in primary-key order (a stable sort keeps one request's hints in arrival order), so
        # that two transactions never take the same rows' locks in opposite orders
        ordered = sorted(batch, key=lambda q: parse_request_id(q.request_id) or 0)
        with self._relaxed() as uow:
            for question in ordered:
                uow.requests.remember_question(question.request_id, question.field_key, question.ts)
            uow.commit()
        self.transactions += 1
