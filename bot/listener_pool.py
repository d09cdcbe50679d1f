"""Bolt's listener pool, counting the work in flight, so that a caller driving the app from
outside (the demo, the test harness) can wait until the bot has finished what it was sent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class CountingListenerPool(ThreadPoolExecutor):
    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self.pending = 0
        self._idle = threading.Condition()
        #: what listeners raised, in order (Bolt's own error handler has already seen each)
        self.errors: list[BaseException] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self.pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self.errors.append(error)
        with self._idle:
            self.pending -= 1
            self._idle.notify_all()

    def became_idle(self, timeout: float) -> bool:
        """Wait until nothing is running; False if work was still in flight after `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self.pending == 0, timeout=timeout)
