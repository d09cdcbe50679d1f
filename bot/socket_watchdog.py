"""A watchdog for Socket Mode: slack_sdk's client can stall after a reconnect and never recover
(no messages, no pongs, no error). When the link has been silent too long, reconnect to a new
endpoint, log it and count it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.metrics import METRICS

log = logging.getLogger(__name__)


class SocketWatchdog:
    def __init__(
        self,
        client: Any,  # slack_sdk.socket_mode.builtin.SocketModeClient
        silent_after_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.limit = silent_after_seconds
        self.monotonic = monotonic
        self._heard_at = monotonic()
        client.on_message_listeners.append(self._heard)

    def _heard(self, _message: str) -> None:
        self._heard_at = self.monotonic()

    def silence(self) -> float:
        """Seconds since anything came from Slack: a message, or a pong to the client's ping."""
        quiet = self.monotonic() - self._heard_at
        session = getattr(self.client, "current_session", None)
        pong = getattr(session, "last_ping_pong_time", None)
        if pong is not None:
            quiet = min(quiet, time.time() - float(pong))
        return max(0.0, quiet)

    def check(self) -> bool:
        """Reconnect when silent for longer than the limit; True when it did."""
        silent = self.silence()
        if silent <= self.limit:
            return False
        log.warning("socket mode link silent; reconnecting", extra={"count": int(silent)})
        METRICS.socket_reconnects.inc()
        self._heard_at = self.monotonic()  # give the new link its own full allowance
        try:
            self.client.connect_to_new_endpoint(force=True)
        except Exception as error:  # tried again at the next check
            log.error("socket mode reconnect failed", extra={"error": type(error).__name__})
        return True

    def watch(self, stopped: threading.Event) -> threading.Thread:
        every = max(0.2, min(self.limit / 4, 15.0))

        def loop() -> None:
            while not stopped.wait(every):
                self.check()

        thread = threading.Thread(target=loop, name="socket-watchdog", daemon=True)
        thread.start()
        return thread
