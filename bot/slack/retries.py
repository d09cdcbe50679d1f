"""How long the bot waits for Slack inline. slack_sdk's rate-limit handler sleeps whatever
Retry-After says, in the listener or sweep thread that made the call: a 429 asking for two
minutes would hold that thread for four (two retries). Here a short wait is waited out inline as
Slack asks; a longer one is not retried inline at all: the call fails at once, the message goes
to the outbox, and the outbox sends it no sooner than Slack said (see `retry_after`)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

#: the longest Retry-After waited for inline (seconds); longer ones go to the outbox
MAX_INLINE_WAIT = 5


def _header_seconds(headers: Any) -> float | None:
    """Retry-After in seconds from a headers mapping (values may be lists), or None."""
    if not headers:
        return None
    for name, value in dict(headers).items():
        if str(name).lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(0.0, float(str(first).strip()))
            except ValueError:
                return None
    return None


class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 inline, after its Retry-After, only when that is at most `max_wait`."""

    def __init__(self, max_retry_count: int = 1, max_wait: float = MAX_INLINE_WAIT) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        assert response is not None
        wait = _header_seconds(response.headers)
        return wait is None or wait <= self.max_wait


def retry_after(error: Exception) -> float | None:
    """The seconds Slack asked us to wait before calling again (a 429's Retry-After), if any."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return _header_seconds(getattr(error.response, "headers", None))
    return None
