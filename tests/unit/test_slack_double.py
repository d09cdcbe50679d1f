"""Tests of the test infrastructure: the Slack Web API double and the request signing helpers."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

import jsonschema
import pytest
from slack_bolt import Ack, App, BoltRequest, Say
from slack_bolt.request.internals import parse_body
from slack_bolt.request.payload_utils import (
    is_action,
    is_event,
    is_slash_command,
    is_view_submission,
    to_action,
)
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from tests.support import signing
from tests.support.reference import load_reference_json
from tests.support.slack_double import SlackCall, SlackDouble
from tests.support.web_api_spec import method_spec, web_api_methods

SECRET = "test-signing-secret"
QUICK = FixedValueRetryIntervalCalculator(0.01)


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    with SlackDouble() as double:
        double.add_channel("C111", is_private=True, name="mosovo-requests")
        yield double


@pytest.fixture
def client(slack: SlackDouble) -> WebClient:
    return slack.client()


def slack_error(client: WebClient, method: str, **args: Any) -> dict[str, Any]:
    """Call ``method`` with a JSON body and return Slack's error answer."""
    with pytest.raises(SlackApiError) as raised:
        client.api_call(method, json=args)
    return dict(raised.value.response.data)


def bolt_request(request: signing.SignedRequest) -> BoltRequest:
    headers: dict[str, str | Sequence[str]] = dict(request.headers)
    return BoltRequest(body=request.body.decode(), headers=headers)


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": "Approve"},
        "action_id": "approval_approve",
        "value": "MR-1",
        **overrides,
    }


def modal(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "approval_reason",
        "title": {"type": "plain_text", "text": "Reason"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": "{}",
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {"type": "plain_text_input", "action_id": "reason"},
            }
        ],
        **overrides,
    }


# -- signing ----------------------------------------------------------------------------------


def test_sign_matches_slacks_documented_vector() -> None:
    vector = load_reference_json("signing_test_vector.json")
    assert (
        signing.sign(vector["signing_secret"], vector["timestamp"], vector["body"])
        == vector["expected_signature"]
    )


def every_kind_of_request(secret: str, **options: Any) -> list[signing.SignedRequest]:
    return [
        signing.slash_command(secret, text="help", **options),
        signing.event_callback(
            secret, signing.thread_reply(thread_ts="1700000000.000100", text="yes"), **options
        ),
        signing.block_actions(secret, action_id="approval_approve", value="MR-1", **options),
        signing.view_submission(
            secret, callback_id="approval_reason", values={"reason": {"reason": "x"}}, **options
        ),
    ]


def test_signed_requests_pass_slack_sdks_verifier() -> None:
    verifier = SignatureVerifier(SECRET)
    for request in every_kind_of_request(SECRET):
        assert verifier.is_valid_request(request.body, request.headers)


def test_stale_or_wrongly_signed_requests_fail_slack_sdks_verifier() -> None:
    verifier = SignatureVerifier(SECRET)
    stale = int(time.time()) - 301
    for request in every_kind_of_request(SECRET, timestamp=stale):
        assert not verifier.is_valid_request(request.body, request.headers)
    for request in every_kind_of_request("wrong-secret"):
        assert not verifier.is_valid_request(request.body, request.headers)


def test_bolt_recognises_each_payload() -> None:
    command, event, action, submission = (
        parse_body(r.body.decode(), r.headers["Content-Type"])
        for r in every_kind_of_request(SECRET)
    )
    assert is_slash_command(command) and command["command"] == "/monitoring-request"
    assert is_event(event)
    assert is_action(action)
    assert to_action(action)["action_id"] == "approval_approve"  # type: ignore[index]
    assert is_view_submission(submission)
    assert submission["view"]["state"]["values"] == {
        "reason": {"reason": {"type": "plain_text_input", "value": "x"}}
    }


def test_event_envelopes_match_slacks_schema() -> None:
    schema = load_reference_json("events-api/slack_common_event_wrapper_schema.json")
    events = [
        signing.thread_reply(thread_ts="1700000000.000100", text="yes"),
        signing.user_message(text="hello"),
        signing.message_changed(ts="1700000000.000200", text="new", previous_text="old"),
        signing.message_deleted(deleted_ts="1700000000.000200", previous_text="old"),
        signing.bot_message(text="question", thread_ts="1700000000.000100"),
        signing.bot_message(text="classic", classic=True),
    ]
    for event in events:
        jsonschema.validate(signing.event_callback(SECRET, event).payload(), schema)


def test_event_builders_shape() -> None:
    reply = signing.thread_reply(channel="C9", thread_ts="1.2", user="W9", text="a <b>")
    assert (reply["channel"], reply["thread_ts"], reply["user"], reply["text"]) == (
        "C9",
        "1.2",
        "W9",
        "a &lt;b&gt;",  # as Slack delivers what was typed
    )
    assert reply["channel_type"] == "group" and "subtype" not in reply
    changed = signing.message_changed(ts="5.6", text="new", previous_text="old", thread_ts="1.2")
    assert changed["subtype"] == "message_changed"
    assert changed["message"]["ts"] == "5.6" and changed["message"]["thread_ts"] == "1.2"
    deleted = signing.message_deleted(deleted_ts="5.6")
    assert deleted["subtype"] == "message_deleted" and deleted["deleted_ts"] == "5.6"
    assert signing.bot_message(text="x")["bot_id"] == "B0BOT"
    assert signing.bot_message(text="x", classic=True)["subtype"] == "bot_message"


def test_retried_delivery_keeps_body_and_event_id() -> None:
    first = signing.event_callback(SECRET, signing.user_message(text="hi"))
    again = first.retried(2, "http_timeout")
    assert again.body == first.body
    assert again.headers["X-Slack-Retry-Num"] == "2"
    assert again.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert again.payload()["event_id"] == first.payload()["event_id"]


def test_block_actions_overrides() -> None:
    payload = signing.block_actions(
        SECRET,
        action_id="answer:basis:licence",
        block_id="a:basis",
        value="licence",
        user_id="W222",
        channel_id="C9",
        message_ts="1700000000.000300",
        thread_ts="1700000000.000100",
    ).payload()
    assert payload["user"]["id"] == "W222"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1700000000.000300",
        "channel_id": "C9",
        "is_ephemeral": False,
        "thread_ts": "1700000000.000100",
    }
    assert payload["message"]["thread_ts"] == "1700000000.000100"
    [action] = payload["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "answer:basis:licence",
        "a:basis",
        "licence",
    )
    select = signing.block_actions(
        SECRET, action_id="request_edit", action_type="static_select", value="imei"
    ).payload()
    assert select["actions"][0]["selected_option"]["value"] == "imei"


def test_bolt_app_runs_against_the_double_with_signed_requests() -> None:
    with SlackDouble() as slack:
        slack.add_channel("C111", is_private=True)
        app = App(client=slack.client(), signing_secret=SECRET)  # calls auth.test at start

        @app.command("/monitoring-request")
        def command(ack: Ack, say: Say) -> None:
            ack()
            say("started")

        request = signing.slash_command(SECRET, channel_id="C111")
        response = app.dispatch(bolt_request(request))
        assert response.status == 200
        [call] = slack.wait_for("chat.postMessage")
        assert (call.args["channel"], call.args["text"]) == ("C111", "started")

        stale = signing.slash_command(SECRET, timestamp=int(time.time()) - 301)
        assert app.dispatch(bolt_request(stale)).status == 401
        forged = signing.slash_command("wrong-secret")
        assert app.dispatch(bolt_request(forged)).status == 401
        assert [c.method for c in slack.calls()] == ["auth.test", "chat.postMessage"]


def test_post_returns_http_errors(slack: SlackDouble) -> None:
    headers = {"Authorization": "Bearer xoxb-test", "Content-Type": "application/json"}
    assert signing.post(slack.url + "auth.test", b"{}", headers).json()["user_id"] == "U0BOT"
    slack.fail_next("auth.test", status=500)
    assert signing.post(slack.url + "auth.test", b"{}", headers).status == 500


# -- the double: successes --------------------------------------------------------------------


def test_webclient_call_succeeds_and_is_recorded(slack: SlackDouble, client: WebClient) -> None:
    blocks = [section("Question?", block_id="q:visor_ref")]
    response = client.chat_postMessage(
        channel="C111", text="Question?", blocks=blocks, thread_ts="1700000000.000100"
    )
    assert response["ok"] and response["channel"] == "C111"
    assert response["message"]["thread_ts"] == "1700000000.000100"
    [call] = slack.calls("chat.postMessage")
    assert call.ok and call.token == "xoxb-test"
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.args == {
        "channel": "C111",
        "text": "Question?",
        "blocks": blocks,
        "thread_ts": "1700000000.000100",
    }
    assert slack.message("C111", response["ts"])["blocks"] == blocks  # type: ignore[index]


def test_form_encoded_arguments_are_decoded(slack: SlackDouble, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage", data={"channel": "C111", "blocks": json.dumps([section("x")])}
    )
    [call] = slack.calls("chat.postMessage")
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.args["blocks"] == [section("x")]


def test_multipart_arguments_are_decoded(slack: SlackDouble, client: WebClient) -> None:
    client.api_call("files.upload", data={"channels": "C111"}, files={"file": b"hello"})
    [call] = slack.calls("files.upload")
    assert call.args == {"channels": "C111", "file": b"hello"}


def test_message_ts_are_unique_and_increasing(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C111", text=str(i))["ts"] for i in range(3)]
    assert stamps == sorted(stamps, key=float) and len(set(stamps)) == 3
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)


def test_update_replies_permalink_and_ephemeral(slack: SlackDouble, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C111", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C111", text="card", thread_ts=parent)["ts"]
    officer = slack.add_message("C111", text="answer", user="W111", thread_ts=parent)
    updated = client.chat_update(channel="C111", ts=reply, text="decided", blocks=[section("Done")])
    assert updated["ts"] == reply and updated["text"] == "decided"
    assert slack.message("C111", reply)["blocks"] == [section("Done")]  # type: ignore[index]
    thread = client.conversations_replies(channel="C111", ts=parent)["messages"]
    assert [m["ts"] for m in thread] == [parent, reply, officer]
    link = client.chat_getPermalink(channel="C111", message_ts=parent)["permalink"]
    assert link.endswith(parent.replace(".", ""))
    assert client.chat_postEphemeral(channel="C111", user="W111", text="no")["message_ts"]
    assert slack_error(client, "chat.update", channel="C111", ts="1.1", text="x") == {
        "ok": False,
        "error": "message_not_found",
    }
    assert slack_error(client, "chat.update", channel="C111", ts=officer, text="x")["error"] == (
        "cant_update_message"
    )


def test_conversations_info_registry(slack: SlackDouble, client: WebClient) -> None:
    slack.add_channel("C222", name="general")
    private = client.conversations_info(channel="C111")["channel"]
    assert private["is_private"] and private["name"] == "mosovo-requests"
    assert client.conversations_info(channel="C222")["channel"]["is_private"] is False
    assert client.conversations_info(channel="D123")["channel"]["is_im"] is True
    assert slack_error(client, "conversations.info", channel="C404")["error"] == "channel_not_found"
    assert slack_error(client, "chat.postMessage", channel="C404", text="x")["error"] == (
        "channel_not_found"
    )


def test_a_users_locale_is_told_only_when_asked_for(slack: SlackDouble, client: WebClient) -> None:
    slack.add_user("W222", locale="cy-GB")
    assert "locale" not in client.users_info(user="W222")["user"]
    assert client.users_info(user="W222", include_locale=True)["user"]["locale"] == "cy-GB"
    assert "locale" not in client.users_info(user="W222", include_locale=False)["user"]
    # a stored user is not changed by being asked about
    assert client.users_info(user="W222", include_locale=True)["user"]["locale"] == "cy-GB"


def test_users_usergroups_and_auth(slack: SlackDouble, client: WebClient) -> None:
    slack.set_usergroup("S111", ["U1", "U2"])
    assert client.usergroups_users_list(usergroup="S111")["users"] == ["U1", "U2"]
    assert slack_error(client, "usergroups.users.list", usergroup="S404")["error"] == (
        "no_such_subteam"
    )
    slack.add_user("W111", real_name="PC Example")
    assert client.users_info(user="W111")["user"]["real_name"] == "PC Example"
    assert client.users_info(user="U999")["user"]["id"] == "U999"
    identity = client.auth_test()
    assert (identity["user_id"], identity["bot_id"], identity["team_id"]) == (
        "U0BOT",
        "B0BOT",
        "T111",
    )


def test_views_open_and_update(slack: SlackDouble, client: WebClient) -> None:
    opened = client.views_open(trigger_id="1.2.abc", view=modal())["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "approval_reason"
    updated = client.views_update(view_id=opened["id"], view=modal(private_metadata="new"))
    assert updated["view"]["id"] == opened["id"]
    assert slack.view(opened["id"])["private_metadata"] == "new"  # type: ignore[index]
    assert slack_error(client, "views.update", view_id="V404", view=modal())["error"] == "not_found"


# -- the double: rejections -------------------------------------------------------------------


def test_unknown_method_rejected(slack: SlackDouble, client: WebClient) -> None:
    assert slack_error(client, "chat.postMessages", channel="C111")["error"] == "unknown_method"
    assert [c.error for c in slack.rejected()] == ["unknown_method"]


@pytest.mark.parametrize(
    ("method", "args", "missing"),
    [
        ("chat.postMessage", {"text": "x"}, "channel"),
        ("chat.update", {"channel": "C111", "text": "x"}, "ts"),
        ("conversations.replies", {"channel": "C111"}, "ts"),
        ("views.open", {"view": {"type": "modal"}}, "trigger_id"),
        ("usergroups.users.list", {}, "usergroup"),
        ("chat.postEphemeral", {"channel": "C111", "text": "x", "user": ""}, "user"),
    ],
)
def test_missing_required_argument_rejected(
    client: WebClient, method: str, args: dict[str, Any], missing: str
) -> None:
    answer = slack_error(client, method, **args)
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"] == [f"[ERROR] missing required field: {missing}"]


def test_token_checked(slack: SlackDouble) -> None:
    for token, error in [(None, "not_authed"), ("xoxb-other", "invalid_auth")]:
        with pytest.raises(SlackApiError) as raised:
            WebClient(base_url=slack.url, token=token).auth_test()
        assert raised.value.response["error"] == error


def test_missing_scope_when_scopes_configured() -> None:
    with SlackDouble(scopes=["chat:write", "channels:read"]) as slack:
        slack.add_channel("C111", is_private=True)
        client = slack.client()
        client.chat_postMessage(channel="C111", text="x")
        answer = slack_error(client, "conversations.info", channel="C111")
        assert (answer["error"], answer["needed"]) == ("missing_scope", "groups:read")


def test_answers_name_the_tokens_scopes_as_slack_does() -> None:
    with SlackDouble(scopes=["groups:read", "chat:write"]) as slack:
        answer = slack.client().auth_test()
        assert answer.headers["x-oauth-scopes"] == "chat:write,groups:read"
    with SlackDouble() as unrestricted:  # any scope accepted: none to name
        assert "x-oauth-scopes" not in unrestricted.client().auth_test().headers


def many(n: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(json.dumps(item)) for _ in range(n)]


def context(n: int) -> dict[str, Any]:
    return {"type": "context", "elements": many(n, {"type": "mrkdwn", "text": "x"})}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": "a:x", "elements": list(elements)}


def header(n: int) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": "h" * n}}


def distinct_buttons(n: int) -> list[dict[str, Any]]:
    return [button(action_id=f"b{i}") for i in range(n)]


Limit = tuple[Any, Any, str]  # (at the limit: accepted, just over it: rejected, json-pointer)

BLOCK_LIMITS: dict[str, Limit] = {
    "50 blocks": (many(50, {"type": "divider"}), many(51, {"type": "divider"}), "/blocks"),
    "section text": ([section("x" * 3000)], [section("x" * 3001)], "/blocks/0/text/text"),
    "header text": ([header(150)], [header(151)], "/blocks/0/text/text"),
    "button text": (
        [actions(button(text={"type": "plain_text", "text": "b" * 75}))],
        [actions(button(text={"type": "plain_text", "text": "b" * 76}))],
        "/blocks/0/elements/0/text/text",
    ),
    "button value": (
        [actions(button(value="v" * 2000))],
        [actions(button(value="v" * 2001))],
        "/blocks/0/elements/0/value",
    ),
    "action_id": (
        [actions(button(action_id="a" * 255))],
        [actions(button(action_id="a" * 256))],
        "/blocks/0/elements/0/action_id",
    ),
    "block_id": (
        [section("x", block_id="b" * 255)],
        [section("x", block_id="b" * 256)],
        "/blocks/0/block_id",
    ),
    "unique block_id": (
        [section("x", block_id="q:a"), section("y", block_id="q:b")],
        [section("x", block_id="q:a"), section("y", block_id="q:a")],
        "/blocks/1/block_id",
    ),
    "actions elements": (
        [actions(*distinct_buttons(25))],
        [actions(*distinct_buttons(26))],
        "/blocks/0/elements",
    ),
    "context elements": ([context(10)], [context(11)], "/blocks/0/elements"),
    "empty text": ([section("x")], [section("")], "/blocks/0/text/text"),
}


@pytest.mark.parametrize("case", BLOCK_LIMITS)
def test_block_kit_limits_in_messages(slack: SlackDouble, client: WebClient, case: str) -> None:
    at_limit, over_limit, pointer = BLOCK_LIMITS[case]
    assert client.chat_postMessage(channel="C111", text="t", blocks=at_limit)["ok"]
    answer = slack_error(client, "chat.postMessage", channel="C111", text="t", blocks=over_limit)
    assert answer["error"] == "invalid_blocks"
    [message] = answer["response_metadata"]["messages"]
    assert message.startswith("[ERROR] ") and message.endswith(f"[json-pointer:{pointer}]")


def test_message_text_limit(client: WebClient) -> None:
    assert client.chat_postMessage(channel="C111", text="x" * 40_000)["ok"]
    answer = slack_error(client, "chat.postMessage", channel="C111", text="x" * 40_001)
    assert answer["error"] == "msg_too_long"
    assert slack_error(client, "chat.postMessage", channel="C111")["error"] == "no_text"


def plain(n: int) -> dict[str, str]:
    return {"type": "plain_text", "text": "t" * n}


VIEW_LIMITS: dict[str, Limit] = {
    "100 blocks": (
        {"blocks": many(100, {"type": "divider"})},
        {"blocks": many(101, {"type": "divider"})},
        "/view/blocks",
    ),
    "title": ({"title": plain(24)}, {"title": plain(25)}, "/view/title/text"),
    "submit": ({"submit": plain(24)}, {"submit": plain(25)}, "/view/submit/text"),
    "close": ({"close": plain(24)}, {"close": plain(25)}, "/view/close/text"),
    "private_metadata": (
        {"private_metadata": "m" * 3000},
        {"private_metadata": "m" * 3001},
        "/view/private_metadata",
    ),
    "callback_id": ({"callback_id": "c" * 255}, {"callback_id": "c" * 256}, "/view/callback_id"),
}


@pytest.mark.parametrize("case", VIEW_LIMITS)
def test_block_kit_limits_in_modals(client: WebClient, case: str) -> None:
    at_limit, over_limit, pointer = VIEW_LIMITS[case]
    assert client.views_open(trigger_id="1.2.abc", view=modal(**at_limit))["ok"]
    answer = slack_error(client, "views.open", trigger_id="1.2.abc", view=modal(**over_limit))
    assert answer["error"] == "invalid_arguments"
    [message] = answer["response_metadata"]["messages"]
    assert message.endswith(f"[json-pointer:{pointer}]")


@pytest.mark.parametrize(
    "args", [{"link_names": True}, {"link_names": 1}, {"link_names": "true"}, {"parse": "full"}]
)
def test_link_names_and_parse_full_rejected(client: WebClient, args: dict[str, Any]) -> None:
    answer = slack_error(client, "chat.postMessage", channel="C111", text="x", **args)
    assert answer["error"] == "invalid_arguments"
    assert "forbidden" in answer["response_metadata"]["messages"][0]


def test_link_names_rejected_in_form_bodies_too(client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("chat.update", data={"channel": "C111", "ts": "1.1", "link_names": "1"})
    assert client.chat_postMessage(channel="C111", text="x", link_names=False, parse="none")["ok"]


# -- mentions ---------------------------------------------------------------------------------


def test_mentions_everyone_finds_live_broadcasts_only(
    slack: SlackDouble, client: WebClient
) -> None:
    client.chat_postMessage(channel="C111", text="Answer: <!channel> hi")
    client.chat_postMessage(channel="C111", text="t", blocks=[section("<!here|here> now")])
    client.chat_postMessage(channel="C111", text="Answer: &lt;!channel&gt; hi")
    client.chat_postMessage(channel="C111", text="<@U123> and <!subteam^S123> please decide")
    client.chat_postMessage(
        channel="C111",
        text="t",
        blocks=[actions(button(value="<!everyone>"))],  # a button value is not rendered
    )
    found = slack.mentions_everyone()
    assert [c.args["text"] for c in found] == ["Answer: <!channel> hi", "t"]
    assert found[1].args["blocks"] == [section("<!here|here> now")]


# -- faults and waiting -----------------------------------------------------------------------


def test_injected_429_is_retried_by_slack_sdk(slack: SlackDouble) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    client = slack.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    assert client.chat_postMessage(channel="C111", text="x")["ok"]
    first, second = slack.calls("chat.postMessage")
    assert (first.status, first.error, first.injected) == (429, "ratelimited", True)
    assert second.ok
    assert slack.rejected() == []


def test_429_answer_matches_slacks_shape(slack: SlackDouble) -> None:
    sample = load_reference_json("samples/web-api/ratelimited_429.json")
    slack.fail_next(None, status=429, retry_after=7)
    request = urllib.request.Request(
        slack.url + "auth.test", data=b"", headers={"Authorization": "Bearer xoxb-test"}
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == sample["status"]
    assert raised.value.headers["Retry-After"] == "7"
    assert json.loads(raised.value.read()) == sample["body"]


def test_server_errors_and_outage(slack: SlackDouble) -> None:
    slack.fail_next("chat.postMessage", status=503)
    client = slack.client(
        retry_handlers=[ServerErrorRetryHandler(max_retry_count=1, interval_calculator=QUICK)]
    )
    assert client.chat_postMessage(channel="C111", text="x")["ok"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [503, 200]

    slack.set_down(True)
    with pytest.raises(SlackApiError):
        slack.client().chat_postMessage(channel="C111", text="x")
    slack.set_down(True, mode="disconnect")
    retrying = slack.client(
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1, interval_calculator=QUICK)]
    )
    with pytest.raises(ConnectionError):
        retrying.chat_postMessage(channel="C111", text="x")
    assert [c.status for c in slack.calls("chat.postMessage")][-3:] == [503, 0, 0]
    slack.set_down(False)
    assert client.chat_postMessage(channel="C111", text="x")["ok"]


def test_error_next_answers_a_slack_error(slack: SlackDouble, client: WebClient) -> None:
    slack.error_next("views.open", "expired_trigger_id")
    assert slack_error(client, "views.open", trigger_id="1.2.a", view=modal())["error"] == (
        "expired_trigger_id"
    )
    assert client.views_open(trigger_id="1.2.a", view=modal())["ok"]


def test_wait_for_blocks_until_calls_arrive(slack: SlackDouble, client: WebClient) -> None:
    def post_later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel="C111", text="first")
        client.chat_postMessage(channel="C111", text="second")

    threading.Thread(target=post_later).start()

    def is_second(call: SlackCall) -> bool:
        return call.args.get("text") == "second"

    [call] = slack.wait_for("chat.postMessage", is_second, timeout=5)
    assert call.ok
    assert len(slack.wait_for("chat.postMessage", count=2)) == 2


def test_wait_for_timeout_lists_recorded_calls(slack: SlackDouble, client: WebClient) -> None:
    client.chat_postMessage(channel="C111", text="only this")
    with pytest.raises(AssertionError, match=r"(?s)views\.open.*chat\.postMessage -> ok"):
        slack.wait_for("views.open", timeout=0.1)


# -- the spec index ---------------------------------------------------------------------------


def test_spec_index_is_loaded_once_and_patched() -> None:
    assert web_api_methods() is web_api_methods()
    assert len(web_api_methods()) > 170
    post = method_spec("chat.postMessage")
    assert post is not None and post.required == {"channel"} and "chat:write" in post.scopes
    replies = method_spec("conversations.replies")
    assert replies is not None and replies.required == {"channel", "ts"}
    assert method_spec("chat.postMessages") is None
