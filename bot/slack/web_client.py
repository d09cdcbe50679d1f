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

A JSON call (every message the bot posts or updates) that Slack answers with 200 is made on a
short path: the body encoded once, the answer parsed once, no urllib `Request` and no retry
bookkeeping, which the load benchmark found cost about as much as the HTTP exchange itself
(bench/README.md). The short path is taken only while every retry handler is one of slack_sdk's
own, which never retry a 200. Any other outcome (an error answer, a dropped connection, a body
that is not JSON) is handed to slack_sdk's own path as the outcome of its first attempt, so the
retry handlers see it, and retry it, exactly as before; nothing is sent again to get it there.
"""

from __future__ import annotations

import io
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web.deprecation import show_deprecation_warning_if_any
from slack_sdk.web.internal_utils import _get_url
from slack_sdk.web.slack_response import SlackResponse

from bot.slack.connections import KEPT_CONNECTIONS, Answer, ConnectionPool

#: slack_sdk's handlers that act only on an error, a 429 or a 5xx: a 200 is final with these
_FINAL_ON_200 = (ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler)


@dataclass(frozen=True)
class _Target:
    """Where a method's calls go, worked out once per base URL."""

    url: str
    scheme: str
    host: str
    selector: str

    @classmethod
    def of(cls, url: str) -> _Target:
        parts = urlsplit(url)
        selector = parts.path + (f"?{parts.query}" if parts.query else "")
        return cls(url, parts.scheme.lower(), parts.netloc, selector)


class _FirstAttempt(threading.local):
    """The outcome of a short-path attempt, for slack_sdk's path to take as its own first one
    (an `Answer`, or the exception the attempt raised)."""

    outcome: Answer | BaseException | None = None


class KeepAliveWebClient(WebClient):
    def __init__(self, *args: Any, kept_connections: int = KEPT_CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept_connections = kept_connections
        self._pools: dict[tuple[str, str], ConnectionPool] = {}
        self._pools_lock = threading.Lock()
        self._first_attempt = _FirstAttempt()
        self._targets: dict[tuple[str, str], _Target] = {}

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

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        short = (
            json is not None
            and http_verb == "POST"
            and not (files or data or params or headers or auth)
            and self.proxy is None
            and not self.default_params
            and all(isinstance(handler, _FINAL_ON_200) for handler in self.retry_handlers)
        )
        if short:
            assert json is not None
            answered = self._short_json_call(api_method, json)
            if answered is not None:
                return answered
        try:
            return super().api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                data=data,
                params=params,
                json=json,
                headers=headers,
                auth=auth,
            )
        finally:  # an outcome slack_sdk never came to take must not be the next call's
            self._first_attempt.outcome = None

    def _short_json_call(self, api_method: str, payload: dict[str, Any]) -> SlackResponse | None:
        """The call's response when Slack answered 200 with JSON; else None, and the outcome is
        left for slack_sdk's path to take as its first attempt's."""
        target = self._targets.get((self.base_url, api_method))
        if target is None:
            target = _Target.of(_get_url(self.base_url, api_method))
            self._targets[(self.base_url, api_method)] = target
        if target.scheme not in ("http", "https"):
            return None
        headers = dict(self.headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers["Content-Type"] = "application/json;charset=utf-8"
        try:
            answer = self.pool(target.scheme, target.host).exchange(
                "POST", target.selector, json.dumps(payload).encode("utf-8"), headers
            )
        except Exception as error:
            self._first_attempt.outcome = error
            return None
        parsed = _json_object(answer) if answer.status == 200 else None
        if parsed is None:
            self._first_attempt.outcome = answer
            return None
        show_deprecation_warning_if_any(api_method)  # slack_sdk's path warns for itself
        request_args = {
            "headers": headers,
            "data": {},
            "params": {},
            "files": None,
            "json": payload,
        }
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url=target.url,
            req_args=request_args,
            data=parsed,
            headers=dict(answer.headers),
            status_code=answer.status,
        ).validate()

    def _perform_urllib_http_request_internal(
        self, url: str, req: urllib.request.Request
    ) -> dict[str, Any]:
        outcome, self._first_attempt.outcome = self._first_attempt.outcome, None
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            scheme = req.type.lower()
            if self.proxy is not None or scheme not in ("http", "https"):
                return super()._perform_urllib_http_request_internal(url, req)
            headers = {name: str(value) for name, value in req.header_items()}
            outcome = self.pool(scheme, req.host).exchange(
                req.get_method(), req.selector, req.data, headers
            )
        if not 200 <= outcome.status < 300:  # urllib raises for these; the handlers expect it
            raise urllib.error.HTTPError(
                req.full_url,
                outcome.status,
                outcome.reason,
                outcome.headers,
                io.BytesIO(outcome.body),
            )
        media, charset = _content_type(outcome.headers.get("Content-Type"))
        if media == "application/gzip":
            return {"status": outcome.status, "headers": outcome.headers, "body": outcome.body}
        return {
            "status": outcome.status,
            "headers": outcome.headers,
            "body": outcome.body.decode(charset or "utf-8"),
        }


def _json_object(answer: Answer) -> dict[str, Any] | None:
    """A 200's body as slack_sdk reads it, when it is a JSON object; else None."""
    media, charset = _content_type(answer.headers.get("Content-Type"))
    if media == "application/gzip":
        return None
    try:
        parsed = json.loads(answer.body.decode(charset or "utf-8"))
    except (ValueError, LookupError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _content_type(header: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header, as `email.message` would read them for
    what Slack sends (`application/json; charset=utf-8`) at a fraction of its cost."""
    media, *parameters = (header or "text/plain").split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media.strip().lower(), charset
