"""The envelope check before Bolt (bot.slack.envelope): what Slack sends passes; what would make
Bolt raise, and ids or timestamps Slack never gives, are refused (issue 10)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt.context import BoltContext
from slack_bolt.request import payload_utils
from slack_bolt.request.internals import build_context

from bot import ids
from bot.slack.envelope import payload_problem, problem
from tests.support import signing

SECRET = "s"

SLACK_SENDS = {
    "command": lambda: signing.slash_command(SECRET, user_id="U0A1", channel_id="G0B2"),
    "reply": lambda: signing.event_callback(
        SECRET, signing.thread_reply(channel="G0B2", thread_ts="1.2", user="U0A1", text="x")
    ),
    "mention": lambda: signing.event_callback(
        SECRET, signing.app_mention(channel="G0B2", user="U0A1", text="<@U0BOT> list")
    ),
    "edited": lambda: signing.event_callback(
        SECRET,
        signing.message_changed(channel="G0B2", ts="1.2", text="a", previous_text="b"),
    ),
    "deleted": lambda: signing.event_callback(
        SECRET, signing.message_deleted(channel="G0B2", deleted_ts="1.2")
    ),
    "bot echo": lambda: signing.event_callback(SECRET, signing.bot_message(text="hi")),
    "click": lambda: signing.block_actions(
        SECRET, action_id=ids.APPROVAL_APPROVE, value="MR-000001", user_id="U0A1"
    ),
    "select": lambda: signing.block_actions(
        SECRET, action_id=ids.REQUEST_EDIT, action_type="static_select", value="notes"
    ),
    "home click": lambda: signing.home_block_actions(
        SECRET, action_id=ids.HOME_VIEW, value="MR-000001", user_id="U0A1", view={}
    ),
    "dialog": lambda: signing.view_submission(
        SECRET,
        callback_id=ids.REASON_VIEW,
        values={ids.REASON_BLOCK: {ids.REASON_ACTION: "why"}},
        private_metadata='{"id": "MR-000001"}',
    ),
    "closed": lambda: signing.view_closed(SECRET, view={"callback_id": ids.FORM_VIEW}),
    "url check": lambda: signing.url_verification(SECRET),
}


def check(request: signing.SignedRequest) -> str | None:
    return problem(request.body.decode(), request.headers["Content-Type"])


def test_what_slack_sends_passes() -> None:
    for name, build in SLACK_SENDS.items():
        assert check(build()) is None, name


def test_bodies_bolt_cannot_read_are_refused() -> None:
    for body in ("{", "[1]", '"x"', "null", "payload=%7B", "payload=%5B%5D", "a=b"):
        assert problem(body, None) is not None, body
    assert problem('{"type": "event_callback", "event": "x"}', "application/json") is not None


def with_field(payload: dict[str, Any], path: tuple[str | int, ...], value: Any) -> str | None:
    holder: Any = payload
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return payload_problem(payload)


def test_ids_and_timestamps_of_the_wrong_shape_are_refused() -> None:
    wrong: dict[tuple[str | int, ...], list[Any]] = {
        ("user", "id"): ["", "u0a1", "U0A1\n", "U0A1; DROP TABLE", "G0B2", "U" * 40, 7],
        ("channel", "id"): ["", "X0B2", "G0B2/../", None],
        ("container", "message_ts"): ["", "1", "1.2.3", "x.y", 1.5],
        ("actions", 0, "action_id"): ["", "a\x00b", "x" * 300, ["a"]],
        ("actions", 0, "value"): [1, None, {}],
        ("trigger_id",): ["", "not a trigger"],
        ("response_url",): ["null", "javascript:alert(1)", ""],
        ("user",): ["", [], 1],
    }
    for path, values in wrong.items():
        for value in values:
            payload = SLACK_SENDS["click"]().payload()
            assert with_field(payload, path, value) is not None, (path, value)


def test_text_no_database_or_slack_call_can_carry_is_refused() -> None:
    for text in ("a\ud800b", "a\x00b"):
        event = signing.thread_reply(channel="G0B2", thread_ts="1.2", user="U0A1", text="x")
        event["text"] = text
        body = json.dumps(signing.event_callback(SECRET, event).payload())
        assert problem(body, "application/json") == "body.text"


LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12)
)
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "user",
                    "id",
                    "team",
                    "channel",
                    "event",
                    "actions",
                    "view",
                    "callback_id",
                    "authorizations",
                    "enterprise",
                    "command",
                    "response_urls",
                    "state",
                    "values",
                    "container",
                    "message",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=200, derandomize=True, database=None)
@given(JSON)
def test_whatever_passes_bolt_can_read_without_raising(payload: Any) -> None:
    """Bolt builds its context and matches listeners on everything the check lets through."""
    if payload_problem(payload) is not None:
        return
    build_context(BoltContext(), payload)
    payload_utils.to_action(payload)
    payload_utils.to_view(payload)
    payload_utils.to_event(payload)
    payload_utils.to_command(payload)
    payload_utils.to_message(payload)
    payload_utils.is_workflow_step_save(payload)
    payload_utils.to_options(payload)


@settings(max_examples=200, derandomize=True, database=None)
@given(st.text(max_size=200), st.sampled_from([None, "application/json", signing.FORM]))
def test_any_body_is_judged_without_raising(body: str, content_type: str | None) -> None:
    problem(body, content_type)
