"""The listener pool starts its threads when it is made: a burst of requests never waits for a
thread to start (under the lock every pool of the process shares) before Slack is acknowledged."""

from __future__ import annotations

import threading

import pytest

from bot.listener_pool import CountingListenerPool, StartedListenerPool


def test_every_thread_is_running_before_the_first_task() -> None:
    pool = StartedListenerPool(6, "test-pool")
    try:
        names = {t.name for t in threading.enumerate() if t.name.startswith("test-pool")}
        assert len(names) == 6
        assert pool.started == 6
    finally:
        pool.shutdown(wait=True)


def test_submitting_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = CountingListenerPool(4, "test-pool")
    try:

        def no_new_thread(self: threading.Thread) -> None:
            raise AssertionError(f"a thread was started on submit: {self.name}")

        monkeypatch.setattr(threading.Thread, "start", no_new_thread)
        barrier = threading.Barrier(4)
        futures = [pool.submit(barrier.wait, 5) for _ in range(4)]  # all four at once
        assert sorted(f.result(timeout=10) for f in futures) == [0, 1, 2, 3]
        assert pool.became_idle(5)
        assert [pool.submit(lambda n=n: n * 2).result(timeout=5) for n in range(10)] == [
            n * 2 for n in range(10)
        ]
    finally:
        monkeypatch.undo()
        pool.shutdown(wait=True)
