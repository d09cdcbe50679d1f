"""A Web API client that keeps its HTTP connections open, as a browser does with Slack.

slack_sdk's `WebClient` opens a new connection for every call (urllib, `Connection: close`): a
TCP handshake (and on https a TLS one) per message. `KeepAliveWebClient` sends the same requests
over connections kept in a bounded pool per client (one client per replica), and otherwise
behaves exactly as `WebClient`: the same retry handlers see the same errors (`HTTPError` for an
answer other than 2xx, `URLError` when the request could not be sent, `RemoteDisconnected` or
`ConnectionResetError` when the answer never came), so a 429's Retry-After, a 5xx and a dropped
connection are handled as before.

A connection is reused only when it is idle and its server has not closed it (checked before
each use, without sending anything); nothing is ever sent twice by this class: a request that
fails on a connection is not repeated here, only by the retry handlers, as with urllib.
"""

from __future__ import annotations

import http.client
import io
import logging
import select
import threading
import urllib.error
import urllib.request
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

#: idle connections kept per client (more may be open at once; those beyond are closed after use)
KEPT_CONNECTIONS = 16

Connection = http.client.HTTPConnection


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
            return http.client.HTTPSConnection(self.host, timeout=self.timeout, context=self.ssl)
        return http.client.HTTPConnection(self.host, timeout=self.timeout)

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


class KeepAliveWebClient(WebClient):
    def __init__(self, *args: Any, kept_connections: int = KEPT_CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_connections = kept_connections
        self._pools: dict[tuple[str, str], ConnectionPool] = {}
        self._pools_lock = threading.Lock()

    def pool(self, scheme: str, host: str) -> ConnectionPool:
        key = (scheme, host)
        with self._pools_lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = ConnectionPool(scheme, host, self.timeout, self.ssl, self.kept_connections)
                self._pools[key] = pool
            return pool

    def close(self) -> None:
        with self._pools_lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()

    def _perform_urllib_http_request_internal(
        self, url: str, req: urllib.request.Request
    ) -> dict[str, Any]:
        scheme = req.type.lower()
        if self.proxy is not None or scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        pool = self.pool(scheme, req.host)
        connection = pool.take()
        headers = {name: str(value) for name, value in req.header_items()}
        try:
            try:
                connection.request(req.get_method(), req.selector, req.data, headers)
            except OSError as error:  # as urllib says it: the request could not be sent
                raise urllib.error.URLError(error) from error
            response = connection.getresponse()
            body = response.read()
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            pool.give_back(connection)
        if not 200 <= response.status < 300:  # urllib raises for these; the handlers expect it
            raise urllib.error.HTTPError(
                req.full_url, response.status, response.reason, response.headers, io.BytesIO(body)
            )
        if response.headers.get_content_type() == "application/gzip":
            return {"status": response.status, "headers": response.headers, "body": body}
        charset = response.headers.get_content_charset() or "utf-8"
        return {
            "status": response.status,
            "headers": response.headers,
            "body": body.decode(charset),
        }
