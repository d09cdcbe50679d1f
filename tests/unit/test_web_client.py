"""The Web API client keeps its connections open, and fails exactly as slack_sdk's WebClient does
(so the retry handlers, the outbox and Retry-After see what they always saw); a JSON call Slack
answers with 200 takes a short path that reads as slack_sdk's own."""

from __future__ import annotations

import email.message
import http.client
import threading
import urllib.error
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.slack.connections import OneWriteHTTPConnection, OneWriteHTTPSConnection
from bot.slack.web_client import KeepAliveWebClient, _content_type
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


class CountingHandler(RetryHandler):
    """A handler of the application's own: it may retry even a 200, so slack_sdk must ask it."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1)
        self.asked: list[int | None] = []

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        self.asked.append(response.status_code if response is not None else None)
        return False


def test_a_200_on_the_short_path_reads_as_on_slack_sdks_path(slack: SlackDouble) -> None:
    short = client_for(slack, retries=1)
    long = client_for(slack)
    handler = CountingHandler()
    long.retry_handlers = [handler]  # not one of slack_sdk's own: the long path is taken
    answers = [
        client.api_call("chat.postMessage", json={"channel": "C0KEEP", "text": "same"})
        for client in (short, long)
    ]
    assert handler.asked == [200]  # the long path asked the handler about the 200...
    first, second = answers
    assert first.status_code == second.status_code == 200
    assert first.api_url == second.api_url
    assert first.http_verb == second.http_verb == "POST"
    assert isinstance(first.data, dict) and isinstance(second.data, dict)
    assert first.data.keys() == second.data.keys()
    assert first.headers.keys() == second.headers.keys()
    assert first.req_args["json"] == second.req_args["json"]
    sent = slack.calls("chat.postMessage")
    assert [call.args["text"] for call in sent] == ["same", "same"]
    short_headers, long_headers = ({k.lower(): v for k, v in c.headers.items()} for c in sent)
    assert short_headers == long_headers  # token, content type, user agent: the same request


def test_an_error_on_the_short_path_is_the_handlers_first_attempt_not_sent_again(
    slack: SlackDouble,
) -> None:
    client = client_for(slack)
    slack.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C0KEEP", text="once")
    assert failed.value.response.status_code == 500
    assert [c.status for c in slack.calls("chat.postMessage")] == [500]  # sent once
    slack.error_next("chat.postMessage", "not_in_channel")  # a 200 that says no: final
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0KEEP", text="refused")
    assert refused.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C0KEEP", text="then")["ok"]  # nothing left over
    assert len(slack.calls("chat.postMessage")) == 3


def test_an_outcome_slack_sdk_never_took_is_not_the_next_calls(
    slack: SlackDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(slack)
    slack.fail_next("chat.postMessage", status=503)
    with monkeypatch.context() as patched:  # slack_sdk's path fails before any attempt
        patched.setattr(WebClient, "api_call", _refuse)
        with pytest.raises(RuntimeError):
            client.chat_postMessage(channel="C0KEEP", text="left")
    assert client.conversations_info(channel="C0KEEP")["ok"]  # a GET: slack_sdk's own path
    assert client.chat_postMessage(channel="C0KEEP", text="fresh")["ok"]


def _refuse(*args: object, **kwargs: object) -> None:
    raise RuntimeError("slack_sdk refused the call")


@pytest.mark.parametrize(
    "header",
    [
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "Application/JSON",
        "application/gzip",
        "text/html; charset=iso-8859-1; boundary=x",
        None,
    ],
)
def test_the_content_type_is_read_as_email_reads_it(header: str | None) -> None:
    message = email.message.Message()
    if header is not None:
        message["Content-Type"] = header
    assert _content_type(header) == (message.get_content_type(), message.get_content_charset())


def test_a_request_goes_out_in_one_write_headers_and_body_together(slack: SlackDouble) -> None:
    """Two writes let Nagle hold the body back until the server acknowledges the headers, which
    a server waiting for the body may delay (up to 40 ms on Linux); on TLS, two records."""
    client = client_for(slack)
    connection = client.pool("http", f"127.0.0.1:{slack.port}").take()
    writes: list[bytes] = []
    real_send = connection.send

    def send(data: bytes) -> None:
        writes.append(bytes(data))
        real_send(data)

    connection.send = send  # type: ignore[method-assign, assignment]
    body = b'{"channel": "C0KEEP", "text": "one write"}'
    headers = {
        "Content-Type": "application/json;charset=utf-8",
        "Authorization": f"Bearer {BOT_TOKEN}",
    }
    connection.request("POST", "/api/chat.postMessage", body, headers)
    assert connection.getresponse().read()
    assert len(writes) == 1 and writes[0].endswith(b"\r\n\r\n" + body)
    assert slack.calls("chat.postMessage")[-1].args["text"] == "one write"
    assert client.chat_postMessage(channel="C0KEEP", text="through the client")["ok"]
    https = OneWriteHTTPSConnection("slack.invalid")
    assert isinstance(https, http.client.HTTPSConnection)  # TLS, with the one write
    assert type(https)._send_output is OneWriteHTTPConnection._send_output
