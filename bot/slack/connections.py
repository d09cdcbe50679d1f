"""Kept-alive HTTP connections to one Web API origin, for `bot.slack.web_client`.

A connection is reused only when it is idle and its server has not closed it (checked before
each use, without sending anything); a request that fails on one is never sent again here.
"""

from __future__ import annotations

import http.client
import select
import threading
import urllib.error
from dataclasses import dataclass
from typing import Any

#: idle connections kept per client (more may be open at once; those beyond are closed after use)
KEPT_CONNECTIONS = 16

Connection = http.client.HTTPConnection


class OneWriteHTTPConnection(http.client.HTTPConnection):
    """Sends a request whose body is bytes in one write, headers and body together.

    http.client writes the headers, then the body. On a kept connection the second, small write
    waits (Nagle) until the first is acknowledged, and the server, which cannot answer before
    the body, may hold that acknowledgement back (delayed ACK): up to 40 ms lost, and on TLS two
    records for one request. One write also lets the interpreter lock go once, not twice."""

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        if not isinstance(message_body, bytes) or encode_chunked:
            super()._send_output(message_body, encode_chunked=encode_chunked)  # type: ignore[misc]
            return
        self._buffer.extend((b"", b""))  # type: ignore[attr-defined]
        head = b"\r\n".join(self._buffer)  # type: ignore[attr-defined]
        del self._buffer[:]  # type: ignore[attr-defined]
        self.send(head + message_body)


class OneWriteHTTPSConnection(OneWriteHTTPConnection, http.client.HTTPSConnection):
    pass


@dataclass(frozen=True)
class Answer:
    """What an HTTP exchange got back: status, headers and the body as it came."""

    status: int
    reason: str
    headers: http.client.HTTPMessage
    body: bytes


class ConnectionPool:
    """Idle keep-alive connections to one Web API origin, most recently used first."""

    def __init__(
        self, scheme: str, host: str, timeout: float, ssl: Any, kept: int = KEPT_CONNECTIONS
    ) -> None:
        self.scheme = scheme
        self.host = host
        self.timeout = timeout
        self.ssl = ssl
        self.kept = kept
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        #: connections opened so far (for tests and the benchmark)
        self.opened = 0

    def take(self) -> Connection:
        """An idle connection still open at the other end, or a new one."""
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                break
            if _still_open(connection):
                return connection
            connection.close()
        self.opened += 1
        if self.scheme == "https":
            return OneWriteHTTPSConnection(self.host, timeout=self.timeout, context=self.ssl)
        return OneWriteHTTPConnection(self.host, timeout=self.timeout)

    def exchange(self, method: str, selector: str, body: Any, headers: dict[str, str]) -> Answer:
        """One request on a kept connection; raises as urllib does when it could not be sent
        (`URLError`) or no answer came (`RemoteDisconnected`, `ConnectionResetError`)."""
        connection = self.take()
        try:
            try:
                connection.request(method, selector, body, headers)
            except OSError as error:  # as urllib says it: the request could not be sent
                raise urllib.error.URLError(error) from error
            response = connection.getresponse()
            read = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self.give_back(connection)
        return Answer(response.status, response.reason, response.headers, read)

    def give_back(self, connection: Connection) -> None:
        with self._lock:
            if len(self._idle) < self.kept:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _still_open(connection: Connection) -> bool:
    """An idle connection whose socket is readable has been closed by the server (or sent
    something unasked): not to be used."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
