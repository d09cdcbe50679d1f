"""Socket Mode, guarded as the HTTP endpoint is (issue 10).

Over HTTP a request Bolt cannot read is refused with 400 before Bolt sees it
(:mod:`bot.slack.envelope`). In Socket Mode the same payloads arrive inside envelopes on the
WebSocket, and slack_sdk's client hands them to Bolt unchecked: an envelope that is not JSON
raises in the client's reader, a payload that is a list makes it log a traceback and never
acknowledge, a payload Bolt cannot read raises inside Bolt, and a message of a megabyte or two
overflows the client's recursive frame reader, after which it reads garbage and the link stalls.

:class:`GuardedSocketModeHandler` is Bolt's handler on a :class:`GuardedSocketModeClient`, which

- drops a message too large (over :data:`MAX_MESSAGE_CHARS`, the HTTP body cap), not JSON, or
  not an object, without reading further;
- acknowledges and drops an envelope of the wrong shape (an unknown type, an envelope id that is
  not one, a payload that is not an object or that :func:`bot.slack.envelope.payload_problem`
  refuses): Slack would only send it again;
- replaces the link at once when its frames can no longer be read, rather than waiting for the
  watchdog;
- logs each of these with the field's path, the envelope's type, a size or an error's type,
  never a value from the message; and withholds what slack_sdk's own lines would quote of what
  it received (a binary frame's contents, at WARNING).

Nothing the bot stores or says is touched by a refused envelope: it never reaches Bolt.
"""

from __future__ import annotations

import json
import logging
import re
from queue import Empty
from time import time
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.metrics import METRICS
from bot.slack.envelope import payload_problem

log = logging.getLogger(__name__)


class _Withheld(logging.Filter):
    """slack_sdk's Socket Mode client writes what it received into some log lines (a frame it
    does not read, at WARNING; every message, at DEBUG): keep the line, never what came."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        for marker in ("payload:", "message:"):
            at = text.find(marker)
            if at >= 0:
                record.msg, record.args = f"{text[:at]}{marker} [withheld])", None
                break
        return True


#: the client's own logger (under Bolt's, so configured as Bolt's is), whose lines are withheld
CLIENT_LOG = logging.getLogger("slack_bolt.socket_mode")
if not any(isinstance(f, _Withheld) for f in CLIENT_LOG.filters):
    CLIENT_LOG.addFilter(_Withheld())

#: the largest message read, as the HTTP endpoint's body cap (Slack's own are far smaller)
MAX_MESSAGE_CHARS = 1024 * 1024
#: bytes asked of the socket at a time: slack_sdk reads a frame by recursing once per read, so a
#: small buffer (its default is 1 KiB) overflows the stack on a message of a megabyte
RECEIVE_BUFFER_BYTES = 256 * 1024
#: the envelopes Slack pushes, each acknowledged by its id
ENVELOPE_TYPES = frozenset({"slash_commands", "events_api", "interactive"})
#: what Slack says about the link itself: no envelope, nothing to acknowledge
CONTROL_TYPES = frozenset({"hello", "disconnect"})
_ENVELOPE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def _kind(value: Any) -> str:
    """The envelope's type for a log line: one Slack sends, else a placeholder (never a value)."""
    return value if isinstance(value, str) and value in ENVELOPE_TYPES | CONTROL_TYPES else "other"


def _is(message: dict[str, Any], kinds: frozenset[str]) -> bool:
    kind = message.get("type")
    return isinstance(kind, str) and kind in kinds


def envelope_id(message: dict[str, Any]) -> str | None:
    value = message.get("envelope_id")
    return value if isinstance(value, str) and _ENVELOPE_ID.fullmatch(value) else None


def envelope_problem(message: dict[str, Any]) -> str | None:
    """None when Bolt may be given the envelope; else where it goes wrong (a path such as
    ``envelope.payload.actions.0.action_id``: field names only, never a value)."""
    if envelope_id(message) is None:
        return "envelope.envelope_id"
    if not _is(message, ENVELOPE_TYPES):
        return "envelope.type"
    flag = message.get("accepts_response_payload")
    if flag is not None and not isinstance(flag, bool):
        return "envelope.accepts_response_payload"
    attempt = message.get("retry_attempt")
    if attempt is not None and (isinstance(attempt, bool) or not isinstance(attempt, int)):
        return "envelope.retry_attempt"
    reason = message.get("retry_reason")
    if reason is not None and not isinstance(reason, str):
        return "envelope.retry_reason"
    payload = message.get("payload")
    if not isinstance(payload, dict):
        return "envelope.payload"
    wrong = payload_problem(payload)
    return None if wrong is None else "envelope.payload" + wrong.removeprefix("body")


class GuardedSocketModeClient(SocketModeClient):
    """slack_sdk's built-in client, reading only what :func:`envelope_problem` lets through."""

    def process_message(self) -> None:
        try:
            raw = self.message_queue.get(timeout=1)
        except Empty:
            return
        if raw is None:
            return
        message = self._decoded(raw)
        if message is None:
            return
        if message.get("type") == "disconnect" and "envelope_id" not in message:
            self.connect_to_new_endpoint(force=True)
            return
        self.message_workers.submit(self.run_message_listeners, message, raw)

    def _decoded(self, raw: Any) -> dict[str, Any] | None:
        if not isinstance(raw, str) or len(raw) > MAX_MESSAGE_CHARS:
            size = len(raw) if isinstance(raw, str | bytes) else 0
            log.warning("Socket Mode message too large; dropped", extra={"count": size})
            return None
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
            log.warning("Socket Mode message is not JSON; dropped", extra={"path": "envelope"})
            return None
        if not isinstance(message, dict):
            log.warning("Socket Mode message is not an object; dropped", extra={"path": "envelope"})
            return None
        return message

    def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        if _is(message, CONTROL_TYPES) and "envelope_id" not in message:
            return  # hello (and a disconnect that reached here): nothing to hand to Bolt
        try:
            wrong = envelope_problem(message)
        except Exception as error:  # a bug here must not lose the envelope silently
            log.error("Socket Mode envelope not checked", extra={"error": type(error).__name__})
            wrong = "envelope"
        if wrong is not None:
            self._refuse(message, wrong)
            return
        super().run_message_listeners(message, raw_message)

    def _refuse(self, message: dict[str, Any], wrong: str) -> None:
        known = envelope_id(message)
        log.warning(
            "malformed Socket Mode envelope",
            extra={
                "path": wrong,
                "event_type": _kind(message.get("type")),
                "status": "acknowledged" if known else "dropped",
            },
        )
        if known is None:
            return
        try:  # Slack would only send it again
            self.send_socket_mode_response(SocketModeResponse(envelope_id=known))
        except Exception as error:  # the link went meanwhile: Slack sends it again, refused again
            log.warning(
                "Socket Mode acknowledgement not sent", extra={"error": type(error).__name__}
            )

    def _on_error(self, error: Exception) -> None:
        if isinstance(error, OSError):  # the socket itself: slack_sdk reconnects
            super()._on_error(error)
            return
        for listener in self.on_error_listeners:
            listener(error)
        if isinstance(error, UnicodeDecodeError):  # one frame that is not text, read whole
            log.warning("Socket Mode frame is not UTF-8; dropped", extra={"path": "envelope"})
            return
        # the frame reader is lost in the middle of a frame: what follows would be garbage
        log.warning(
            "Socket Mode link unreadable; reconnecting", extra={"error": type(error).__name__}
        )
        METRICS.socket_reconnects.inc()
        try:
            self.connect_to_new_endpoint(force=True)
        except Exception as failed:  # the monitor and the watchdog try again
            log.warning("Socket Mode reconnect failed", extra={"error": type(failed).__name__})


class GuardedSocketModeHandler(SocketModeHandler):
    """Bolt's Socket Mode handler on a :class:`GuardedSocketModeClient`; every envelope Bolt
    took without failing is acknowledged (a 4xx too: Slack sending it again changes nothing),
    logged by status and type only."""

    def __init__(
        self,
        app: App,
        app_token: str,
        *,
        receive_buffer_size: int = RECEIVE_BUFFER_BYTES,
        ping_interval: float = 10,
        concurrency: int = 10,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.client = GuardedSocketModeClient(
            app_token=app_token,
            logger=CLIENT_LOG,
            web_client=app.client,
            proxy=app.client.proxy,
            auto_reconnect_enabled=True,
            ping_interval=ping_interval,
            receive_buffer_size=receive_buffer_size,
            concurrency=concurrency,
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time()
        kind = _kind(req.type)
        try:
            response = run_bolt_app(self.app, req)
        except Exception as error:  # unacknowledged, as a 500 over HTTP: Slack sends it again
            log.error(
                "Socket Mode envelope failed in Bolt",
                extra={"error": type(error).__name__, "event_type": kind},
            )
            return
        if response.status == 200:
            send_response(client, req, response, start)
            return
        log.info(
            "Socket Mode envelope refused", extra={"status": response.status, "event_type": kind}
        )
        if response.status < 500:
            client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
