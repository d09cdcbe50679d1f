"""Fuzzing the HTTP endpoint with hypothesis: every payload kind the bot takes (slash commands,
message and mention events, App Home, button clicks, dialog submissions and closings), as Slack
would send it and then mutated (fields deleted or given the wrong type, huge and unicode-edge
strings, ids that name nothing or have the wrong shape, truncated JSON, bad UTF-8), signed and
unsigned, against the real bot with a request in the middle of its life (issue 10).

Whatever arrives: never a 5xx, never an error in the log (nothing any logger says at ERROR, no
listener crash), always a clear answer (200, or a 4xx with a body); an unsigned or malformed
request changes nothing (no row, no Slack call); the bot never sends Slack anything it would
refuse for its form (only for ids the fuzzer invented); the audit chain still verifies.

The examples are derandomized (the same ones on every run) and few enough to keep the suite fast:
``MOSOVO_FUZZ_EXAMPLES`` raises the number for a longer hunt."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session

from bot import ids
from storage.audit import verify_chain
from tests.e2e.flow import answer_all, answers_for, start, submit
from tests.support import signing
from tests.support.running_bot import (
    DM,
    OFFICER,
    PRIVATE,
    SECRET,
    STRANGER,
    SUP1,
    RunningBot,
    current_question,
    prepare_workspace,
    running_bot,
    ts_of,
)
from tests.support.slack_double import SlackDouble
from tests.support.workspace import BOT_USER_ID

EXAMPLES = int(os.environ.get("MOSOVO_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # a longer hunt reports each distinct failure as found, without shrinking (a listener that
    # never acknowledges costs Bolt's 3 s each time)
    phases=(Phase.explicit, Phase.generate)
    if "MOSOVO_FUZZ_EXAMPLES" in os.environ
    else tuple(Phase),
    report_multiple_bugs=True,
)
TABLES = ("requests", "audit_events", "processed_deliveries", "outbox", "delegations")
#: what Slack answers when an id names nothing: the fuzzer's invented ids may get these, but
#: never a refusal of the form of what the bot sent (invalid_blocks, msg_too_long, …)
UNKNOWN_ID_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "users_not_found",
        "user_not_in_channel",
        "not_in_channel",
        "message_not_found",
        "cant_update_message",
        "thread_not_found",
        "not_found",
        "view_not_found",
        "no_such_subteam",
    }
)
#: answers that are clear: taken (200) or refused with a reason (4xx with a body)
CLEAR = {200, 400, 401, 404, 413}
#: the question the conversation under fuzz waits at: what is typed there is stored as typed
FREE_TEXT = "device_make_model"


class Captured(logging.Handler):
    """Every record of every logger (slack_bolt, slack_sdk, sqlalchemy, waitress, ours)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def errors(self) -> list[str]:
        """What was said at ERROR or above since the last call (then forgotten)."""
        said = [
            f"{r.name}: {r.getMessage()[:200]} {getattr(r, 'error', '')} {describe(r.exc_info)}"
            for r in self.records
            if r.levelno >= logging.ERROR
        ]
        self.records.clear()
        return said


def describe(exc_info: Any) -> str:
    if not exc_info or exc_info[1] is None:
        return ""
    frames = traceback.extract_tb(exc_info[2])
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc_info[1]).__name__}{where}"


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    """The Slack double, checked as tests/e2e/conftest.py does, except that Slack may refuse a
    call naming an id the fuzzer invented."""
    with SlackDouble() as double:
        prepare_workspace(double)
        yield double
        refused = [c for c in double.rejected() if c.error not in UNKNOWN_ID_ERRORS]
        assert refused == [], [c.summary() for c in refused]
        assert double.mentions_everyone() == []


@pytest.fixture
def app(slack: SlackDouble, db_url: str) -> Iterator[RunningBot]:
    with running_bot(slack, db_url) as bot:
        yield bot


# -- what the bot must be able to take ----------------------------------------------------------


class Scene:
    """A request waiting for a free-text answer, another awaiting approval, and the payloads
    Slack would send about them (each a function, so every send is fresh: new ids and
    timestamps)."""

    def __init__(self, app: RunningBot) -> None:
        self.app = app
        self.collecting_id, self.collecting_thread = start(app)
        answers = answers_for("order")
        while (key := current_question(app.slack, self.collecting_thread)) != FREE_TEXT:
            app.reply(self.collecting_thread, answers[key])
        self.request_id, self.thread = start(app)
        answer_all(app, self.thread, answers_for("order"))
        self.card = submit(app, self.thread)
        self.card_ts = ts_of(self.card)

    def meta(self, **more: str) -> str:
        return json.dumps(
            {
                "id": self.request_id,
                "card": self.card_ts,
                "channel": PRIVATE,
                "thread": self.thread,
                **more,
            }
        )

    def builders(self) -> dict[str, Callable[[], signing.SignedRequest]]:
        app, rid = self.app, self.request_id

        def click(action_id: str, value: str, user: str = SUP1) -> signing.SignedRequest:
            return signing.block_actions(
                SECRET,
                action_id=action_id,
                value=value,
                user_id=user,
                channel_id=PRIVATE,
                message_ts=self.card_ts,
                thread_ts=self.thread,
            )

        def view(callback: str, values: dict[str, Any], meta: str) -> signing.SignedRequest:
            return signing.view_submission(
                SECRET, callback_id=callback, values=values, private_metadata=meta, user_id=SUP1
            )

        return {
            "command": lambda: signing.slash_command(
                SECRET,
                text="list",
                user_id=OFFICER,
                channel_id=PRIVATE,
                response_url=app.slack.response_url(),
            ),
            "thread reply": lambda: signing.event_callback(
                SECRET,
                signing.thread_reply(
                    channel=PRIVATE,
                    thread_ts=self.collecting_thread,
                    user=OFFICER,
                    text="Samsung Galaxy A14",
                ),
            ),
            "mention": lambda: signing.event_callback(
                SECRET,
                signing.app_mention(channel=PRIVATE, user=OFFICER, text=f"<@{BOT_USER_ID}> list"),
            ),
            "direct message": lambda: signing.event_callback(
                SECRET, signing.user_message(channel=DM, user=OFFICER, text="hello")
            ),
            "home opened": lambda: signing.event_callback(
                SECRET,
                {
                    "type": "app_home_opened",
                    "user": SUP1,
                    "channel": DM,
                    "tab": "home",
                    "event_ts": signing.new_ts(),
                },
            ),
            "approve click": lambda: click(ids.APPROVAL_APPROVE, rid),
            "reject click": lambda: click(ids.APPROVAL_REJECT, rid),
            "more info click": lambda: click(ids.APPROVAL_MORE_INFO, rid, STRANGER),
            "answer click": lambda: signing.block_actions(
                SECRET,
                action_id=ids.answer_action("pnc_id", "skip"),
                value="skip",
                user_id=OFFICER,
                channel_id=PRIVATE,
                thread_ts=self.collecting_thread,
            ),
            "submit click": lambda: click(ids.REQUEST_SUBMIT, rid, OFFICER),
            "form click": lambda: click(ids.REQUEST_FORM, self.collecting_id, OFFICER),
            "install click": lambda: click(ids.INSTALLATION_CONFIRM, rid),
            "restart click": lambda: click(ids.REQUEST_RESTART, rid, OFFICER),
            "home page click": lambda: signing.home_block_actions(
                SECRET,
                action_id=ids.home_page_action("queue", "next"),
                value="10",
                user_id=SUP1,
                view={"type": "home", "private_metadata": '{"queue": 0, "mine": 0}'},
            ),
            "home view click": lambda: signing.home_block_actions(
                SECRET,
                action_id=ids.home_view_action(rid),
                value=rid,
                user_id=SUP1,
                view={"type": "home", "private_metadata": ""},
            ),
            "approve dialog": lambda: view(
                ids.APPROVE_VIEW,
                {
                    ids.COMMENT_BLOCK: {ids.COMMENT_ACTION: "fine"},
                    ids.REVIEW_DATE_BLOCK: {
                        ids.REVIEW_DATE_ACTION: {
                            "type": "datepicker",
                            "selected_date": "1999-01-01",
                        }
                    },
                },
                self.meta(),
            ),
            "reason dialog": lambda: signing.view_submission(
                SECRET,
                callback_id=ids.REASON_VIEW,
                values={ids.REASON_BLOCK: {ids.REASON_ACTION: "Not proportionate"}},
                private_metadata=self.meta(decision="reject"),
                user_id=STRANGER,
            ),
            "installation dialog": lambda: view(
                ids.INSTALLATION_VIEW,
                {
                    ids.INSTALL_OUTCOME_BLOCK: {
                        ids.INSTALL_OUTCOME_ACTION: {
                            "type": "static_select",
                            "selected_option": {"value": "installed"},
                        }
                    },
                    ids.INSTALL_NOTES_BLOCK: {ids.INSTALL_NOTES_ACTION: "done"},
                },
                self.meta(),
            ),
            "form page": lambda: signing.view_submission(
                SECRET,
                callback_id=ids.FORM_VIEW,
                values={ids.form_block("visor_ref"): {"value": "NOM/7654321"}},
                private_metadata=json.dumps({"id": self.collecting_id, "page": "person"}),
                user_id=STRANGER,
            ),
            "form closed": lambda: signing.view_closed(
                SECRET,
                view={
                    "callback_id": ids.FORM_VIEW,
                    "private_metadata": json.dumps({"id": self.collecting_id, "page": "person"}),
                },
                user_id=STRANGER,
            ),
        }


# -- what may become of it ----------------------------------------------------------------------

HUGE = "A" * 200_000
#: strings Slack would never send where an id, a timestamp or a short value belongs
ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",  # a lone surrogate: valid JSON (\ud800), not encodable as UTF-8
        "\u202e\u2066",
        "🙂" * 50,
        "e\u0301" * 20,
        HUGE,
        "MR-999999",
        "MR-0",
        "MR-",
        "mr-000001",
        "U0NOBODY",
        "G0NOWHERE",
        "C0NOWHERE",
        "u0officer",
        "U",
        "U0OFFICER\n",
        "U0OFFICER; DROP TABLE requests",
        "../../etc/passwd",
        "<!channel>",
        "<@U0SUP1>",
        "1e400",
        "NaN",
        "9" * 40,
        "-1",
        "1700000000.000100",
        "x.y",
        "{",
        '{"id": 1}',
        "[]",
        "null",
    ]
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    ODD_STRINGS,
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value (a key of an object, an index of a list)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield (*prefix, n)
            yield from paths(item, (*prefix, n))


#: fields the bot or Bolt reads: text typed, ids, timestamps, values, our metadata
READ_FIELDS = frozenset(
    {
        "text",
        "value",
        "user",
        "id",
        "channel",
        "channel_id",
        "user_id",
        "team",
        "team_id",
        "ts",
        "thread_ts",
        "message_ts",
        "event_ts",
        "action_ts",
        "private_metadata",
        "selected_date",
        "selected_option",
        "action_id",
        "block_id",
        "callback_id",
        "trigger_id",
        "response_url",
        "event_id",
        "type",
        "subtype",
        "bot_id",
        "state",
        "values",
        "command",
    }
)


def mutate(payload: Any, data: st.DataObject) -> Any:
    """One to three changes at places of the payload: a value replaced (by any JSON, an odd
    string, the wrong type), a field deleted; the private metadata rewritten."""
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        places = sorted(paths(payload), key=repr)
        if not places:
            return data.draw(JSON_VALUE, label="whole payload")
        # half the time, a field the bot reads (the rest of Slack's payload it never looks at)
        read = [p for p in places if p[-1] in READ_FIELDS] or places
        aimed = data.draw(st.booleans(), label="aimed")
        place = data.draw(st.sampled_from(read if aimed else places), label="where")
        *parents, last = place
        holder = payload
        for step in parents:
            holder = holder[step]
        change = data.draw(
            st.sampled_from(["replace", "odd", "delete", "metadata", "wrong type"]), label="how"
        )
        if change == "delete":
            del holder[last]
        elif change == "odd":
            holder[last] = data.draw(ODD_STRINGS)
        elif change == "metadata" and isinstance(holder, dict) and "private_metadata" in holder:
            meta = data.draw(
                st.dictionaries(
                    st.sampled_from(["id", "card", "channel", "thread", "decision", "page"]),
                    JSON_VALUE,
                )
            )
            holder["private_metadata"] = json.dumps(meta)
        elif change == "wrong type":
            holder[last] = data.draw(st.sampled_from([[], {}, 0, 1.5, True, None, [holder[last]]]))
        else:
            holder[last] = data.draw(JSON_VALUE, label="value")
    return payload


def rebuilt(request: signing.SignedRequest, payload: Any) -> bytes:
    """The body again, in the request's own encoding, around a mutated payload."""
    if request.headers["Content-Type"] == signing.JSON_CONTENT:
        return json.dumps(payload).encode()
    if request.body.startswith(b"payload=") or not isinstance(payload, dict):
        return urlencode({"payload": json.dumps(payload)}).encode()
    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
    return urlencode(fields, errors="surrogatepass").encode()


def corrupt(body: bytes, data: st.DataObject) -> bytes:
    """The body's JSON truncated, or bytes that are not UTF-8 put into it. (A slash command's
    form cut short is still a form, and may well be a valid command: it is not cut.)"""
    # drawn apart from the length: ids and timestamps make each body's length differ a little
    at = data.draw(st.integers(0, 10**6), label="at") % max(1, len(body))
    truncate = data.draw(st.booleans(), label="truncate")
    has_json = body.startswith((b"{", b"payload="))
    if truncate and has_json:
        return body[:at]
    bad = data.draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80"]))
    return body[:at] + bad + body[at:]


# -- the invariants -----------------------------------------------------------------------------


def fingerprint(app: RunningBot) -> str:
    """Every row of every table the bot writes, as one digest."""
    digest = hashlib.sha256()
    with app.database.engine.connect() as connection:
        for table in TABLES:
            rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def send(app: RunningBot, body: bytes, headers: dict[str, str]) -> signing.HttpResult:
    result = signing.post(f"{app.url}/slack/events", body, headers, timeout=30)
    app.settle()  # raises when a listener crashed
    return result


def assert_clear(result: signing.HttpResult) -> None:
    assert result.status < 500, result
    assert result.status in CLEAR, result
    if result.status != 200:
        assert result.body.strip(), "a refusal with no reason"


def assert_untouched(app: RunningBot, before: str, calls: int) -> None:
    assert fingerprint(app) == before, "an unsigned or malformed request changed the database"
    assert len(app.slack.calls()) == calls, [c.summary() for c in app.slack.calls()[calls:]]


def assert_chain_verifies(app: RunningBot) -> None:
    with Session(app.database.engine) as session:
        assert verify_chain(session).ok


def test_mutated_signed_payloads_of_every_kind_are_answered_clearly_and_never_crash(
    app: RunningBot, captured: Captured
) -> None:
    scene = Scene(app)
    builders = scene.builders()
    answered: Counter[int] = Counter()

    @FUZZ
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(sorted(builders)), label="kind")
        request = builders[kind]()
        payload = mutate(request.payload(), data)
        body = rebuilt(request, payload)
        headers = signing.signed_headers(SECRET, body, content_type=request.headers["Content-Type"])
        before, calls = fingerprint(app), len(app.slack.calls())
        captured.errors()
        result = send(app, body, headers)
        answered[result.status] += 1
        assert captured.errors() == []
        assert_clear(result)
        if result.status == 400:  # refused before it was read
            assert_untouched(app, before, calls)
        assert captured.errors() == []

    fuzz()
    # the fuzzing reached the listeners as well as the door
    assert answered[200] and answered[400], answered
    if os.environ.get("MOSOVO_FUZZ_EXAMPLES"):
        print(f"answers: {dict(answered)}")
    assert_chain_verifies(app)


def test_unsigned_and_malformed_payloads_change_nothing(
    app: RunningBot, captured: Captured
) -> None:
    scene = Scene(app)
    builders = scene.builders()

    @FUZZ
    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(sorted(builders)), label="kind")
        request = builders[kind]()
        how = data.draw(st.sampled_from(["unsigned", "corrupted", "both"]), label="how")
        body = request.body
        if how in ("corrupted", "both"):
            body = corrupt(body, data)
        if how == "corrupted":
            headers = signing.signed_headers(
                SECRET, body, content_type=request.headers["Content-Type"]
            )
        else:
            forged = data.draw(st.sampled_from(["wrong secret", "old", "none", "mangled"]))
            headers = dict(request.headers)
            if forged == "wrong secret":
                headers = signing.signed_headers(
                    "not-the-secret", body, content_type=request.headers["Content-Type"]
                )
            elif forged == "old":
                headers = signing.signed_headers(
                    SECRET, body, content_type=request.headers["Content-Type"], timestamp=1
                )
            elif forged == "none":
                headers.pop("X-Slack-Signature")
            else:
                headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-1] + "0"
                if headers["X-Slack-Signature"] == request.headers["X-Slack-Signature"]:
                    headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-1] + "1"
        before, calls = fingerprint(app), len(app.slack.calls())
        captured.errors()
        result = send(app, body, headers)
        assert_clear(result)
        assert result.status in (400, 401), result
        assert_untouched(app, before, calls)
        assert captured.errors() == []

    fuzz()
    assert_chain_verifies(app)
