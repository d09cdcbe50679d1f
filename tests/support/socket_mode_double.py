"""Slack's side of Socket Mode, for end-to-end tests.

``SocketModeDouble`` is a real WebSocket server on 127.0.0.1 (the ``websockets`` library, in a
background thread). A Socket Mode client gets its URL from ``apps.connections.open`` (wire it to a
``SlackDouble`` with ``attach``), connects, and is greeted with ``hello`` as Slack does. The test
then pushes envelopes (``slash_commands``, ``events_api``, ``interactive``) and reads the
acknowledgements the client sends back:

    with SlackDouble() as slack, SocketModeDouble() as socket:
        socket.attach(slack)                        # apps.connections.open -> ws://127.0.0.1:…
        handler = SocketModeHandler(app, "xapp-…")  # app.client aimed at slack.url
        handler.connect()
        socket.wait_connected()
        envelope_id = socket.slash_command({"command": "/monitoring-request", ...})
        ack = socket.wait_for_ack(envelope_id)      # ack.payload: the ack's response, if any

What Slack would not accept is recorded in ``problems()`` (an ack for an unknown or already
acknowledged envelope, a response payload where the envelope accepts none, a message that is not
a JSON object): a test asserts it stays empty.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.support.slack_double import SlackDouble
from tests.support.workspace import APP_ID

Json = dict[str, Any]

ENVELOPE_TYPES = frozenset({"slash_commands", "events_api", "interactive"})
# Interactive payloads whose acknowledgement may carry a response (response_action, options).
INTERACTIVE_WITH_RESPONSE = frozenset({"view_submission", "block_suggestion"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    """One envelope pushed to the client."""

    envelope_id: str
    type: str
    payload: Json
    accepts_response_payload: bool
    sent_at: float  # time.monotonic()


@dataclass(frozen=True)
class Ack:
    """The client's acknowledgement of an envelope."""

    envelope_id: str
    payload: Json | None  # the response carried by the ack (e.g. a slash command's reply)
    latency: float  # seconds from pushing the envelope to receiving its ack


class SocketModeDouble:
    """Slack's Socket Mode WebSocket endpoint on ``ws://127.0.0.1:<port>/link/``.

    Every URL from ``issue_url`` carries a fresh ``ticket``; a connection without a ticket issued
    here is refused with HTTP 401 before the WebSocket opens."""

    def __init__(self, *, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._paths: list[str] = []  # request paths of the connections that opened
        self._open: list[ServerConnection] = []  # greeted with hello and not closed yet
        self._envelopes: dict[str, Envelope] = {}
        self._acks: dict[str, Ack] = {}
        self._problems: list[str] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SocketModeDouble:
        if self._server is None:
            self._server = serve(
                self._serve,
                "127.0.0.1",
                0,
                process_request=self._check_ticket,
                compression=None,
                ping_interval=None,  # the client pings; it answers pings too, untested here
                open_timeout=5,
                close_timeout=2,
                logger=log,
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="socket-mode-double", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket and every open connection (going away, 1001)."""
        if self._server is not None:
            self._server.shutdown()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> SocketModeDouble:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("SocketModeDouble is not started (use it as a context manager)")
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A WebSocket URL with a fresh ticket, as ``apps.connections.open`` returns."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def attach(self, slack: SlackDouble, *, app_token: str | None = None) -> None:
        """Make ``slack`` answer ``apps.connections.open`` with a URL of this endpoint."""
        slack.enable_socket_mode(self.issue_url, app_token=app_token)

    # -- connections -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        with self._cond:
            return bool(self._open)

    def connection_paths(self) -> list[str]:
        """Request paths (``/link/?ticket=…``) of every connection that opened, in order."""
        with self._cond:
            return list(self._paths)

    def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until ``count`` connections have opened (and been sent ``hello``)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._paths) >= count, timeout=timeout):
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} Socket Mode connection(s);"
                    f" got {len(self._paths)}"
                )

    def wait_disconnected(self, timeout: float = 5.0) -> None:
        """Block until no connection is open."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._open, timeout=timeout):
                raise AssertionError(f"{len(self._open)} connection(s) still open after {timeout}s")

    # -- envelopes -------------------------------------------------------------------------

    def push(
        self,
        envelope_type: str,
        payload: Json,
        *,
        envelope_id: str | None = None,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Send an envelope on the newest open connection; returns its ``envelope_id``.

        ``accepts_response_payload`` defaults as Slack's: true for slash commands and for
        ``view_submission``/``block_suggestion`` interactions, false otherwise."""
        if envelope_type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {envelope_type!r}")
        if accepts_response_payload is None:
            accepts_response_payload = envelope_type == "slash_commands" or (
                envelope_type == "interactive" and payload.get("type") in INTERACTIVE_WITH_RESPONSE
            )
        envelope_id = envelope_id or str(uuid.uuid4())
        message: Json = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": envelope_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            message["retry_attempt"] = retry_attempt or 0
            message["retry_reason"] = retry_reason or ""
        with self._cond:
            if not self._open:
                raise AssertionError("no Socket Mode connection is open")
            if envelope_id in self._envelopes:
                raise ValueError(f"envelope {envelope_id} was already pushed")
            connection = self._open[-1]
            self._envelopes[envelope_id] = Envelope(
                envelope_id, envelope_type, payload, accepts_response_payload, time.monotonic()
            )
        connection.send(json.dumps(message))
        return envelope_id

    def push_raw(
        self,
        message: str | bytes,
        *,
        envelope_id: str | None = None,
        envelope_type: str = "malformed",
        accepts_response_payload: bool = False,
        binary: bool = False,
    ) -> None:
        """Send any text frame (``bytes`` are sent as they are, UTF-8 or not), or a binary one,
        as Slack never would. With ``envelope_id``, an acknowledgement of it is expected (``wait_for_ack``,
        ``unacknowledged``); without, any acknowledgement that follows is a problem."""
        with self._cond:
            if not self._open:
                raise AssertionError("no Socket Mode connection is open")
            if envelope_id is not None:
                if envelope_id in self._envelopes:
                    raise ValueError(f"envelope {envelope_id} was already pushed")
                self._envelopes[envelope_id] = Envelope(
                    envelope_id, envelope_type, {}, accepts_response_payload, time.monotonic()
                )
            connection = self._open[-1]
        connection.send(message, text=not binary)

    def slash_command(self, payload: Json) -> str:
        """Push a ``slash_commands`` envelope (``payload``: the command's fields)."""
        return self.push("slash_commands", payload)

    def event(self, payload: Json, *, retry_attempt: int = 0, retry_reason: str = "") -> str:
        """Push an ``events_api`` envelope (``payload``: the ``event_callback`` body)."""
        return self.push(
            "events_api", payload, retry_attempt=retry_attempt, retry_reason=retry_reason
        )

    def interactive(self, payload: Json) -> str:
        """Push an ``interactive`` envelope (``payload``: block_actions, view_submission…)."""
        return self.push("interactive", payload)

    def request_refresh(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does every few hours (``disconnect``)."""
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-double"},
        }
        with self._cond:
            if not self._open:
                raise AssertionError("no Socket Mode connection is open")
            connection = self._open[-1]
        connection.send(json.dumps(message))

    # -- acknowledgements ------------------------------------------------------------------

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> Ack:
        """Block until the client acknowledged ``envelope_id``; the acknowledgement."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout=timeout):
                raise AssertionError(
                    f"envelope {envelope_id} was not acknowledged within {timeout}s;"
                    f" acknowledged: {sorted(self._acks)}"
                )
            return self._acks[envelope_id]

    def acks(self) -> list[Ack]:
        with self._cond:
            return list(self._acks.values())

    def unacknowledged(self) -> list[Envelope]:
        with self._cond:
            return [e for e in self._envelopes.values() if e.envelope_id not in self._acks]

    def problems(self) -> list[str]:
        """What Slack would not have accepted from the client."""
        with self._cond:
            return list(self._problems)

    # -- server side (connection threads) ----------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        query = parse_qs(urlsplit(request.path).query)
        ticket = (query.get("ticket") or [""])[0]
        with self._cond:
            known = ticket in self._tickets
        if not known:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "unknown ticket\n")
        return None

    def _serve(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {
                "host": "applink-double",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        path = connection.request.path if connection.request is not None else ""
        try:
            connection.send(json.dumps(hello))
            with self._cond:
                self._open.append(connection)
                self._paths.append(path)
                self._cond.notify_all()
            for message in connection:
                self._record(message)
        except ConnectionClosed:
            pass  # the builtin client closes its socket without a closing handshake
        finally:
            with self._cond:
                if connection in self._open:
                    self._open.remove(connection)
                self._cond.notify_all()

    def _record(self, raw: str | bytes) -> None:
        received = time.monotonic()
        try:
            message = json.loads(raw)
        except ValueError:
            message = None
        with self._cond:
            if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
                self._problems.append(f"not an acknowledgement: {raw!r:.200}")
                return
            envelope_id = message["envelope_id"]
            envelope = self._envelopes.get(envelope_id)
            payload = message.get("payload")
            if envelope is None:
                self._problems.append(f"ack for an unknown envelope {envelope_id}")
            elif envelope_id in self._acks:
                self._problems.append(f"envelope {envelope_id} acknowledged twice")
            else:
                if payload is not None and not envelope.accepts_response_payload:
                    self._problems.append(
                        f"ack of {envelope.type} envelope {envelope_id} carries a payload"
                        " it does not accept"
                    )
                if payload is not None and not isinstance(payload, dict):
                    self._problems.append(f"ack payload of {envelope_id} is not an object")
                self._acks[envelope_id] = Ack(
                    envelope_id,
                    payload if isinstance(payload, dict) else None,
                    received - envelope.sent_at,
                )
            self._cond.notify_all()


def new_app_token() -> str:
    """An app-level token in Slack's form (``xapp-1-A…-…-…``)."""
    return f"xapp-1-{APP_ID}-{secrets.randbelow(10**13)}-{secrets.token_hex(32)}"
