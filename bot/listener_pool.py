"""Bolt's listener pool, counting the work in flight, so that a caller driving the app from
outside (the demo, the test harness) can wait until the bot has finished what it was sent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class StartedListenerPool(ThreadPoolExecutor):
    """A thread pool whose threads are all started when it is made, not one per `submit` as
    `ThreadPoolExecutor` does until it has `max_workers`. Starting a thread happens under a lock
    that every pool of the process shares (`concurrent.futures.thread._global_shutdown_lock`) and
    waits until the new thread runs, which on a busy interpreter is milliseconds: a burst of
    requests at start-up (fifty slash commands at once) queued on it behind each other, on
    Bolt's request threads, before Slack had been acknowledged."""

    def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        with self._shutdown_lock:
            for _ in range(max_workers):
                # starts one more thread each time: none is idle (they have done no work yet)
                self._adjust_thread_count()

    @property
    def started(self) -> int:
        return len(self._threads)


class CountingListenerPool(StartedListenerPool):
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
