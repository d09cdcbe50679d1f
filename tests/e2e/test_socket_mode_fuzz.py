"""Fuzzing Socket Mode with hypothesis (issue 10): every payload kind the bot takes, inside the
envelopes Slack pushes over the WebSocket, delivered by the local Socket Mode double to the real
client (`bot.slack.socket_mode`, the one `mosovo-bot run` uses) with a request in the middle of its
life. The payloads are mutated as the HTTP fuzzer mutates them (tests/e2e/test_fuzz.py); the
envelope itself is mutated too (its id, its type, a payload that is not an object, retry fields of
the wrong type), and its text (not JSON, truncated, not UTF-8, nested past the parser's depth,
not an object, over the 1 MiB cap).

Whatever arrives: an envelope with an id is acknowledged, once, within Slack's 3 seconds, and
nothing else is; nothing is said at ERROR by any logger and no listener crashes; the link still
answers the next command; what the client refuses (logged with field paths only) changes nothing
(no row, no Slack call); the audit chain verifies; and a new request still starts afterwards."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from bot.slack.socket_mode import GuardedSocketModeHandler
from storage.audit import verify_chain
from storage.unit_of_work import Database
from tests.e2e import test_fuzz, test_socket_mode
from tests.e2e.test_fuzz import (
    FUZZ,
    HUGE,
    JSON_VALUE,
    ODD_STRINGS,
    TABLES,
    Captured,
    Scene,
    mutate,
)
from tests.e2e.test_socket_mode import (
    APP_TOKEN,
    SocketModeBot,
    assert_no_thread_left,
    start_request,
)
from tests.support.running_bot import current_question, posts, running_bot, ts_of
from tests.support.slack_double import SlackDouble
from tests.support.socket_mode_double import INTERACTIVE_WITH_RESPONSE, SocketModeDouble

pytestmark = pytest.mark.timeout(600)

# the fixtures of the HTTP fuzzer (Slack may refuse ids it invented; every logger captured) and
# the Socket Mode double
slack = test_fuzz.slack
captured = test_fuzz.captured
socket = test_socket_mode.socket

#: what the client logs when it refuses a message or an envelope
REFUSED = ("malformed Socket Mode envelope", "Socket Mode message", "Socket Mode frame")
#: envelope ids no client should take for one (and so must never acknowledge)
NOT_IDS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["", " ", "\x00", "a b", "\u202e", "🙂", HUGE, "{}", "id\n", "../x"]),
    st.sampled_from([0, 1.5, True, None, [], {}, ["x"]]),
)


def envelope_type(payload: dict[str, Any]) -> str:
    if "command" in payload:
        return "slash_commands"
    return "events_api" if payload.get("type") == "event_callback" else "interactive"


def envelope(payload: dict[str, Any]) -> dict[str, Any]:
    kind = envelope_type(payload)
    message: dict[str, Any] = {
        "envelope_id": str(uuid.uuid4()),
        "payload": payload,
        "type": kind,
        "accepts_response_payload": kind == "slash_commands"
        or (kind == "interactive" and payload.get("type") in INTERACTIVE_WITH_RESPONSE),
    }
    if kind == "events_api":
        message |= {"retry_attempt": 0, "retry_reason": ""}
    return message


def mutate_envelope(message: dict[str, Any], data: st.DataObject) -> None:
    """One of the envelope's own fields made what Slack never sends."""
    field = data.draw(
        st.sampled_from(
            ["envelope_id", "type", "payload", "accepts_response_payload", "retry_attempt"]
        ),
        label="envelope field",
    )
    if field == "envelope_id":
        if data.draw(st.booleans(), label="delete id"):
            del message["envelope_id"]
        else:
            message["envelope_id"] = data.draw(NOT_IDS, label="id")
    elif field == "type":
        message["type"] = data.draw(
            st.sampled_from(["", "event", "events", "slash_command", "hello", 7, None, ["x"]]),
            label="type",
        )
    elif field == "payload":
        if data.draw(st.booleans(), label="delete payload"):
            del message["payload"]
        else:  # not an object: a string, a list, a number, null
            message["payload"] = data.draw(
                st.one_of(ODD_STRINGS, st.lists(JSON_VALUE, max_size=3), st.integers(), st.none()),
                label="payload",
            )
    elif field == "accepts_response_payload":
        message[field] = data.draw(st.sampled_from(["true", 1, [], {}]), label="flag")
    else:
        message[field] = data.draw(st.sampled_from(["1", 1.5, True, [], {}]), label="attempt")
        message["retry_reason"] = data.draw(st.sampled_from(["", 5, None, []]), label="reason")


def corrupt_text(message: dict[str, Any], data: st.DataObject) -> str | bytes:
    """The envelope's text made what no JSON reader takes as an envelope."""
    text = json.dumps(message)
    how = data.draw(
        st.sampled_from(["truncated", "not utf-8", "deep", "not an object", "over the cap"]),
        label="text",
    )
    if how == "truncated":
        return text[: data.draw(st.integers(0, 10**6), label="at") % len(text)]
    if how == "not utf-8":
        at = data.draw(st.integers(0, 10**6), label="at") % len(text)
        bad = data.draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]))
        return text[:at].encode() + bad + text[at:].encode()
    if how == "deep":
        return '{"envelope_id": "x", "payload": ' + "[" * 100_000 + "]" * 100_000 + "}"
    if how == "not an object":
        return json.dumps(data.draw(st.sampled_from([[message], "envelope", 1, None, []])))
    return json.dumps({**message, "padding": "A" * (1024 * 1024)})


@pytest.fixture
def fuzzed(
    slack: SlackDouble, socket: SocketModeDouble, db_url: str
) -> Iterator[tuple[SocketModeBot, Scene]]:
    """A scene (a request waiting for a typed answer, another awaiting approval), built over
    HTTP, then the bot on the same database connected in Socket Mode."""
    with running_bot(slack, db_url) as app:
        scene = Scene(app)
    threads_before = set(threading.enumerate())
    bot = SocketModeBot(slack, socket, db_url)
    handler = GuardedSocketModeHandler(bot.bot.app, APP_TOKEN)
    try:
        handler.connect()
        socket.wait_connected(timeout=10)
        bot.command("help")  # Bolt's first request asks Slack who the bot is, once
        yield bot, scene
        bot.settle()
    finally:
        handler.close()
        bot.stop()
    socket.wait_disconnected(timeout=10)
    assert_no_thread_left(threads_before)


def fingerprint(database: Database) -> str:
    """Every row of every table the bot writes, as one digest."""
    digest = hashlib.sha256()
    with database.engine.connect() as connection:
        for table in TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def assert_chain_verifies(database: Database) -> None:
    with database.read_session_factory() as session:
        assert verify_chain(session).ok


def refusals(logged: Captured) -> int:
    return sum(
        1
        for r in logged.records
        if r.name == "bot.slack.socket_mode" and r.getMessage().startswith(REFUSED)
    )


def test_mutated_envelopes_are_acknowledged_or_dropped_and_never_crash_the_link(
    fuzzed: tuple[SocketModeBot, Scene],
    socket: SocketModeDouble,
    slack: SlackDouble,
    captured: Captured,
) -> None:
    bot, scene = fuzzed
    builders = scene.builders()
    seen: Counter[str] = Counter()

    @FUZZ
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(sorted(builders)), label="kind")
        message = envelope(builders[kind]().payload())
        own_id = message["envelope_id"]
        where = data.draw(st.sampled_from(["payload", "envelope", "text"]), label="where")
        raw: str | bytes
        if where == "payload":
            message["payload"] = mutate(copy.deepcopy(message["payload"]), data)
            raw = json.dumps(message)
        elif where == "envelope":
            mutate_envelope(message, data)
            raw = json.dumps(message)
        else:
            raw = corrupt_text(message, data)
        # an ack is owed for the envelope's own id, if it still has it and Slack could read it
        owed = own_id if where != "text" and message.get("envelope_id") == own_id else None
        flag = message.get("accepts_response_payload")
        before, calls = fingerprint(bot.bot.database), len(slack.calls())
        captured.errors()
        captured.records.clear()

        socket.push_raw(raw, envelope_id=owed, accepts_response_payload=flag is True)
        if owed is not None:
            ack = socket.wait_for_ack(owed, timeout=5)
            assert ack.latency < 3.0, "Slack gives up on envelopes not acknowledged in 3 s"
        if where != "payload":
            # refused; when dropped unacknowledged, wait for it to be (a frame that is not UTF-8
            # loses whatever slack_sdk read with it, which Slack would send again)
            deadline = time.monotonic() + 5
            while not refusals(captured) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert refusals(captured) == 1, "a message Slack never sends was not refused"
        # the link still answers, after whatever it was given
        help_ack = bot.command("help")
        assert help_ack.payload is not None and "/monitoring-request" in help_ack.payload["text"]
        bot.settle()  # raises when a listener crashed

        refused = refusals(captured)
        assert refused <= 1
        if refused:
            seen[f"{where} refused"] += 1
            assert fingerprint(bot.bot.database) == before, (
                "a refused envelope changed the database"
            )
            assert [c.method for c in slack.calls()[calls:]] == [], "a refused envelope spoke"
        else:
            seen[f"{where} taken"] += 1
        assert captured.errors() == []
        assert socket.problems() == []

    fuzz()
    # the fuzzing reached Bolt's listeners as well as the door
    assert seen["payload refused"] and seen["payload taken"], seen
    assert seen["envelope refused"] and seen["text refused"], seen
    assert_chain_verifies(bot.bot.database)

    # and a new request still starts and takes its first answer over the same link
    parents = {ts_of(c) for c in posts(slack) if not c.args.get("thread_ts")}
    ack = bot.command()
    assert ack.latency < 3.0
    [thread] = {ts_of(c) for c in posts(slack) if not c.args.get("thread_ts")} - parents
    assert current_question(slack, thread) == "visor_ref"
    bot.reply(thread, "NOM/1234567")
    assert current_question(slack, thread) == "pnc_id"


def test_a_link_whose_frames_cannot_be_read_is_replaced_at_once(
    slack: SlackDouble,
    socket: SocketModeDouble,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """slack_sdk reads a frame by recursing once per read of the socket: with a small read a
    large message overflows the stack midway through a frame, and everything after is garbage.
    The client replaces the link at once (no wait for the watchdog's silence) and goes on."""
    threads_before = set(threading.enumerate())
    bot = SocketModeBot(slack, socket, sqlite_url)
    handler = GuardedSocketModeHandler(bot.bot.app, APP_TOKEN, receive_buffer_size=1024)
    caplog.set_level(logging.WARNING, logger="bot.slack.socket_mode")
    try:
        handler.connect()
        socket.wait_connected(timeout=10)
        socket.push_raw(json.dumps({"type": "events_api", "padding": "A" * 1_500_000}))
        socket.wait_connected(count=2, timeout=10)
        thread = start_request(bot)
        assert current_question(slack, thread) == "visor_ref"
    finally:
        handler.close()
        bot.stop()
    socket.wait_disconnected(timeout=10)
    assert_no_thread_left(threads_before)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.slack.socket_mode"]
    assert "Socket Mode link unreadable; reconnecting" in said


def test_a_binary_frame_is_not_logged_and_the_link_goes_on(
    slack: SlackDouble,
    socket: SocketModeDouble,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """slack_sdk logs a frame it does not read with its contents, at WARNING: withheld."""
    threads_before = set(threading.enumerate())
    bot = SocketModeBot(slack, socket, sqlite_url)
    handler = GuardedSocketModeHandler(bot.bot.app, APP_TOKEN)
    caplog.set_level(logging.DEBUG)
    secret = b"NOM/7654321 Samsung Galaxy A14"
    try:
        handler.connect()
        socket.wait_connected(timeout=10)
        socket.push_raw(secret, binary=True)
        thread = start_request(bot)
        assert current_question(slack, thread) == "visor_ref"
    finally:
        handler.close()
        bot.stop()
    socket.wait_disconnected(timeout=10)
    assert_no_thread_left(threads_before)
    said = [r.getMessage() for r in caplog.records if not r.name.startswith("tests.")]  # Slack's
    assert any("unsupported data frame" in line for line in said)
    assert not [line for line in said if "7654321" in line or "Samsung" in line]
