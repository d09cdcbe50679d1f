"""Is this replica's scheduler still sweeping? /healthz answers 503 when the last successful
sweep is older than a few intervals, so a load balancer (or an operator) sees a stalled job."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from flows.clock import Clock

#: a sweep may take longer than one interval (the job is never run twice at once)
STALE_INTERVALS = 3
#: however short the interval, allow this long before calling the scheduler stalled
MINIMUM_GRACE = timedelta(minutes=2)


class SweepHealth:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.interval: timedelta | None = None  # None: no scheduler runs in this process
        self.started_at: datetime | None = None
        self.last_success: datetime | None = None

    def expect_every(self, interval: timedelta) -> None:
        """The scheduler has started: from now on a sweep is due every `interval`."""
        with self._lock:
            self.interval = interval
            self.started_at = self.clock.now()

    def swept(self) -> None:
        with self._lock:
            self.last_success = self.clock.now()

    def age_seconds(self) -> float:
        """Seconds since the last successful sweep (since start-up before the first; 0 when
        no scheduler runs here)."""
        with self._lock:
            since = self.last_success or self.started_at
        if since is None:
            return 0.0
        return max(0.0, (self.clock.now() - since).total_seconds())

    def stalled(self) -> bool:
        if self.interval is None:
            return False
        allowed = max(self.interval * STALE_INTERVALS, MINIMUM_GRACE)
        return self.age_seconds() > allowed.total_seconds()
