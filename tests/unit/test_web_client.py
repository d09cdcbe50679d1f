"""The Web API client keeps its connections open, and fails exactly as slack_sdk's WebClient does
(so the retry handlers, the outbox and Retry-After see what they always saw)."""

from __future__ import annotations

import http.client
import threading
import urllib.error
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.web_client import KeepAliveWebClient
from tests.support.slack_double import SlackDouble
from tests.support.workspace import BOT_TOKEN

#: what a call raises when no answer came (as urllib's would)
CONNECTION_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError)


def client_for(slack: SlackDouble, retries: int = 0, kept: int = 4) -> KeepAliveWebClient:
    handlers = (
        [
            ConnectionErrorRetryHandler(max_retry_count=retries),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ]
        if retries
        else []
    )
    return KeepAliveWebClient(
        token=BOT_TOKEN,
        base_url=slack.url,
        timeout=5,
        retry_handlers=handlers,
        kept_connections=kept,
    )


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    with SlackDouble() as double:
        double.add_channel("C0KEEP", name="keep")
        yield double


def test_calls_one_after_another_share_one_connection(slack: SlackDouble) -> None:
    client = client_for(slack)
    for n in range(20):
        assert client.chat_postMessage(channel="C0KEEP", text=f"hello {n}")["ok"]
    assert client.conversations_info(channel="C0KEEP")["channel"]["id"] == "C0KEEP"
    assert slack.connections == 1
    assert len(slack.calls("chat.postMessage")) == 20


def test_the_plain_client_opens_one_per_call(slack: SlackDouble) -> None:
    """What the double measures when nothing is kept (the baseline the test above beats)."""
    client = slack.client()
    for n in range(3):
        client.chat_postMessage(channel="C0KEEP", text=f"hello {n}")
    assert slack.connections == 3


def test_connections_in_use_at_once_are_kept_up_to_the_bound(slack: SlackDouble) -> None:
    client = client_for(slack, kept=4)
    barrier = threading.Barrier(8)
    held = [slack.hold_next("chat.postMessage") for _ in range(8)]

    def post(n: int) -> None:
        barrier.wait()
        client.chat_postMessage(channel="C0KEEP", text=f"at once {n}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    slack.wait_for("chat.postMessage", count=8)
    for release in held:
        release.set()
    for thread in threads:
        thread.join(timeout=10)
    assert slack.connections == 8
    assert len(client.pool("http", f"127.0.0.1:{slack.port}")._idle) == 4
    for n in range(10):
        client.chat_postMessage(channel="C0KEEP", text=f"after {n}")
    assert slack.connections == 8  # the four kept served the rest


def test_slack_errors_and_http_errors_are_raised_as_by_webclient(slack: SlackDouble) -> None:
    client = client_for(slack)
    slack.error_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0KEEP", text="x")
    assert refused.value.response["error"] == "channel_not_found"
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C0KEEP", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] in ("7", ["7"])
    slack.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError) as down:
        client.chat_postMessage(channel="C0KEEP", text="x")
    assert down.value.response.status_code == 503
    assert client.chat_postMessage(channel="C0KEEP", text="after")["ok"]
    assert slack.connections == 1  # an error answer does not cost the connection


def test_retry_handlers_retry_a_429_and_a_5xx_once_each(slack: SlackDouble) -> None:
    client = client_for(slack, retries=1)
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C0KEEP", text="x")["ok"]
    slack.fail_next("chat.postMessage", status=500)
    assert client.chat_postMessage(channel="C0KEEP", text="y")["ok"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 200, 500, 200]


def test_a_dropped_connection_is_retried_by_the_handler_only(slack: SlackDouble) -> None:
    """Nothing is sent twice by the pool itself: without a retry handler a dropped call fails;
    with one, it is sent again once, on a new connection."""
    bare = client_for(slack)
    assert bare.auth_test()["ok"]
    slack.set_down(mode="disconnect")
    with pytest.raises(CONNECTION_ERRORS):
        bare.chat_postMessage(channel="C0KEEP", text="x")
    slack.set_down(False)
    assert len(slack.calls("chat.postMessage")) == 1
    retrying = client_for(slack, retries=1)
    slack.set_down(mode="disconnect")
    with pytest.raises(CONNECTION_ERRORS):
        retrying.chat_postMessage(channel="C0KEEP", text="y")
    slack.set_down(False)
    assert len(slack.calls("chat.postMessage")) == 1 + 2  # the first client's one, then two


def test_a_connection_the_server_closed_is_not_reused(slack: SlackDouble) -> None:
    client = client_for(slack)
    assert client.auth_test()["ok"]
    url = slack.url
    slack.stop()  # closes every connection it held
    slack.start()
    if slack.url != url:  # a new port: aim the client there
        client.base_url = slack.url
    assert client.auth_test()["ok"]  # not an error from the dead connection
    assert slack.connections == 1


def test_a_double_that_stopped_answers_nothing_on_a_kept_connection(slack: SlackDouble) -> None:
    client = client_for(slack)
    assert client.auth_test()["ok"]
    slack.stop()
    with pytest.raises(CONNECTION_ERRORS):
        client.auth_test()
