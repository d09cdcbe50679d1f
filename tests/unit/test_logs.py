from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from bot.logs import SAFE_EXTRA_KEYS, configure_logging

IMEI = "356789012345678"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging("DEBUG", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


log = logging.getLogger("bot.tests")


def test_each_record_is_one_json_object_with_the_standard_keys(output: io.StringIO) -> None:
    log.info("request started")
    log.warning("slack slow")
    first, second = lines(output)
    assert first["message"] == "request started"
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.tests"
    assert first["ts"].endswith("Z") and first["ts"][:4].isdigit()
    assert second["level"] == "WARNING"


def test_whitelisted_extras_are_kept(output: io.StringIO) -> None:
    log.info(
        "posted",
        extra={
            "request_id": "MR-2024-0042",
            "user": "U0OFFICER1",
            "channel": "G0PRIVATE1",
            "thread_ts": "1712345678.123456",
            "action": "approval_approve",
            "event_id": "Ev0PV52K25",
            "method": "chat.postMessage",
            "status": "awaiting_approval",
            "attempts": 3,
            "duration_ms": 12.5,
            "error_code": "ratelimited",
        },
    )
    (entry,) = lines(output)
    assert entry["request_id"] == "MR-2024-0042"
    assert entry["user"] == "U0OFFICER1"
    assert entry["channel"] == "G0PRIVATE1"
    assert entry["thread_ts"] == "1712345678.123456"
    assert entry["action"] == "approval_approve"
    assert entry["event_id"] == "Ev0PV52K25"
    assert entry["method"] == "chat.postMessage"
    assert entry["status"] == "awaiting_approval"
    assert entry["attempts"] == 3
    assert entry["duration_ms"] == 12.5
    assert entry["error_code"] == "ratelimited"


def test_an_extra_that_is_not_whitelisted_never_appears(output: io.StringIO) -> None:
    log.info("answer recorded", extra={"imei": IMEI, "answer": "Flat 2, 1 High St", "user": "U1"})
    assert "imei" not in SAFE_EXTRA_KEYS
    text = output.getvalue()
    assert "imei" not in text
    assert IMEI not in text
    assert "High St" not in text
    assert lines(output)[0]["user"] == "U1"


@pytest.mark.parametrize(
    "value",
    [
        "free text with spaces",
        "<!channel> hello",
        IMEI,
        f"MR-{IMEI}",
        "07700900123",  # a phone number
        356789012345678,
        {"nested": "dict"},
        ["U1", "some free text"],
        "x" * 200,
    ],
)
def test_free_text_in_a_whitelisted_extra_is_dropped(output: io.StringIO, value: object) -> None:
    log.info("failed", extra={"error": value})
    (entry,) = lines(output)
    assert "error" not in entry


def test_lists_of_ids_are_kept(output: io.StringIO) -> None:
    log.info("escalated", extra={"user": ["U0HEAD0001", "U0HEAD0002"], "count": 2})
    (entry,) = lines(output)
    assert entry["user"] == ["U0HEAD0001", "U0HEAD0002"]
    assert entry["count"] == 2


def test_message_arguments_are_only_interpolated_when_safe(output: io.StringIO) -> None:
    log.info("calling %s for %s", "chat.update", "MR-2024-0042")
    log.info("officer said %s", "the device is at 1 High St")
    log.info("imei %s", IMEI)
    safe, unsafe, imei = lines(output)
    assert safe["message"] == "calling chat.update for MR-2024-0042"
    assert unsafe["message"] == "officer said %s"
    assert imei["message"] == "imei %s"
    assert IMEI not in output.getvalue()


def test_messages_that_look_like_data_dumps_are_withheld(output: io.StringIO) -> None:
    body = {"event": {"text": "the offender's new phone", "user": "U1"}}
    logging.getLogger("slack_bolt.App").info(f"request body: {body}")
    logging.getLogger("some.lib").warning(f"device {IMEI} rejected")
    dump, digits = lines(output)
    assert dump["message"].startswith("[message withheld")
    assert digits["message"].startswith("[message withheld")
    assert "offender" not in output.getvalue()
    assert IMEI not in output.getvalue()


def test_logging_an_exception_object_shows_only_its_type(output: io.StringIO) -> None:
    log.error(ValueError(f"bad IMEI {IMEI}"))
    (entry,) = lines(output)
    assert entry["message"] == "ValueError"


def test_exceptions_are_type_and_frames_without_message_or_locals(output: io.StringIO) -> None:
    def parse_answer(answer: str) -> None:
        secret_local = answer  # noqa: F841 - must not be logged
        raise ValueError(f"not an IMEI: {answer}")

    try:
        try:
            parse_answer(f"imei {IMEI}")
        except ValueError as error:
            raise RuntimeError("could not record the answer") from error
    except RuntimeError:
        log.exception("answer failed", extra={"request_id": "MR-2024-0042"})

    text = output.getvalue()
    (entry,) = lines(output)
    assert entry["level"] == "ERROR"
    assert entry["request_id"] == "MR-2024-0042"
    exception = entry["exception"]
    assert exception["type"] == "RuntimeError"
    assert exception["frames"][-1]["function"].endswith(
        "test_exceptions_are_type_and_frames_without_message_or_locals"
    )
    assert set(exception["frames"][0]) == {"file", "line", "function"}
    assert exception["cause"]["type"] == "ValueError"
    assert exception["cause"]["frames"][-1]["function"] == "parse_answer"
    assert IMEI not in text
    assert "not an IMEI" not in text
    assert "could not record" not in text
    assert "secret_local" not in text


def test_configure_logging_replaces_its_own_handler(output: io.StringIO) -> None:
    second = io.StringIO()
    configure_logging("WARNING", stream=second)
    log.info("hidden")
    log.warning("shown")
    assert output.getvalue() == ""
    assert [entry["message"] for entry in lines(second)] == ["shown"]
    assert logging.getLogger().level == logging.WARNING


def test_configure_logging_writes_to_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        configure_logging("INFO")
        log.info("to stderr", extra={"request_id": "MR-1"})
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err.strip().splitlines()[-1])["request_id"] == "MR-1"
