"""The HTTP endpoint under abuse: huge and malformed unsigned requests are refused with a 4xx
before Bolt reads them, never a 5xx, and the process's memory stays bounded (issue 10, defect 2)."""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.flow import start
from tests.support import signing
from tests.support.bot_process import bot_process, peak_rss_kib
from tests.support.running_bot import OFFICER, PRIVATE, SECRET, RunningBot
from tests.support.slack_double import SlackDouble

MIB = 1024 * 1024


def post_streamed(url: str, size: int, *, chunked: bool = False) -> int:
    """POST `size` bytes to /slack/events without holding them in memory; the status answered
    (the server may stop reading early, which is what it should do)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("X-Slack-Request-Timestamp", str(int(time.time())))
    connection.putheader("X-Slack-Signature", "v0=" + "0" * 64)
    if chunked:
        connection.putheader("Transfer-Encoding", "chunked")
    else:
        connection.putheader("Content-Length", str(size))
    connection.endheaders()
    block = b"a" * MIB
    try:
        for _ in range(size // MIB):
            if chunked:
                connection.send(b"%x\r\n%s\r\n" % (len(block), block))
            else:
                connection.send(block)
        if chunked:
            connection.send(b"0\r\n\r\n")
    except OSError:
        pass  # refused before we finished sending
    try:
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_150_mib_unsigned_body_is_refused_without_the_process_growing(
    slack: SlackDouble, tmp_path: Path, chunked: bool
) -> None:
    with bot_process(slack.url, tmp_path) as (url, process):
        before = peak_rss_kib(process.pid)
        status = post_streamed(url, 150 * MIB, chunked=chunked)
        grown_mib = (peak_rss_kib(process.pid) - before) / 1024
    assert status == 413
    assert grown_mib < 30, f"the bot grew by {grown_mib:.0f} MiB"


def test_a_body_just_over_one_mib_is_refused_and_one_just_under_is_read(app: RunningBot) -> None:
    assert post_streamed(app.url, MIB + MIB) == 413
    body = b"x" * (MIB - 10)
    result = signing.post(
        f"{app.url}/slack/events",
        body,
        signing.signed_headers(SECRET, body, content_type=signing.FORM),
    )
    assert result.status < 500  # read, verified, found to be nothing Bolt knows


def unsigned(body: bytes, timestamp: str) -> dict[str, str]:
    return {
        "Content-Type": signing.FORM,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + "0" * 64,
    }


@pytest.mark.parametrize(
    ("body", "timestamp", "expected"),
    [
        (b"payload=\xff\xfe\xfa", str(int(time.time())), 400),
        (b"command=%2Fmonitoring-request", "not-a-number", 401),
        (b"command=%2Fmonitoring-request", "1e10", 401),
        (b"command=%2Fmonitoring-request", "", 401),
    ],
    ids=["bad-utf8", "word-timestamp", "float-timestamp", "no-timestamp"],
)
def test_malformed_unsigned_requests_get_a_4xx_never_a_5xx(
    app: RunningBot, body: bytes, timestamp: str, expected: int
) -> None:
    result = signing.post(f"{app.url}/slack/events", body, unsigned(body, timestamp))
    assert result.status == expected
    assert app.slack.calls("chat.postMessage") == []


def test_a_correctly_signed_body_that_is_not_utf8_is_refused_with_400(app: RunningBot) -> None:
    body = b"payload=\xc3\x28"
    headers = signing.signed_headers(SECRET, body, content_type=signing.FORM)
    assert signing.post(f"{app.url}/slack/events", body, headers).status == 400


@pytest.mark.parametrize("typed", ["Sam\ud800sung", "Sam\x00sung"], ids=["lone-surrogate", "nul"])
def test_a_signed_answer_no_database_or_slack_call_could_carry_is_refused_with_400(
    app: RunningBot, typed: str
) -> None:
    """Valid JSON (``\\ud800``, ``\\u0000``) that is not text: refused at the door, never
    half-stored nor sent on to Slack (which would fail to encode it)."""
    request_id, thread = start(app)
    before = app.request(request_id).answers
    calls = len(app.slack.calls())
    event = signing.thread_reply(channel=PRIVATE, thread_ts=thread, user=OFFICER, text="x")
    event["text"] = typed
    assert app.send(signing.event_callback(SECRET, event)).status == 400
    assert app.request(request_id).answers == before
    assert len(app.slack.calls()) == calls
