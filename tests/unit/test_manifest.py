"""manifest.yml is a valid Slack app manifest and grants exactly the scopes the bot needs."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.settings import DEFAULT_COMMAND
from bot.slack_methods import METHODS_CALLED
from tests.support.reference import load_reference_json, web_api_method_facts

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "manifest-schema/schemas/manifest.schema.1.0.0.json"

#: The OpenAPI snapshot predates granular bot scopes and lists the legacy workspace-app ones for
#: chat.*: for a bot token, `chat:write:bot` is today's `chat:write`; `chat:write:user` is for
#: user tokens only. "none" means no scope is needed.
LEGACY_TO_BOT_SCOPE: dict[str, str | None] = {
    "chat:write:bot": "chat:write",
    "chat:write:user": None,
    "none": None,
}

#: Where the spec accepts any one of several scopes, the one we grant, and why.
CHOSEN_SCOPE: dict[str, str] = {
    # Requests are only taken in private channels, so the bot only needs to read those; for a
    # public channel or a DM conversations.info fails and the command is refused, as it must be.
    "conversations.info": "groups:read",
    # The outbox looks for a post an earlier attempt may have made, in a request's thread (or
    # its channel): always a private channel, whose messages the bot already reads.
    "conversations.history": "groups:history",
    "conversations.replies": "groups:history",
}

#: The events API is not in the OpenAPI spec: scopes per Slack's event reference pages.
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "message.groups": frozenset({"groups:history"}),
    "app_home_opened": frozenset(),  # "No scopes required" (needs a bot user)
    "app_mention": frozenset({"app_mentions:read"}),
    "message.im": frozenset({"im:history"}),
}

SLASH_COMMAND_SCOPE = "commands"

#: Never wanted: reading public channels or DMs, posting where not invited, posing as others.
#: (im:history is granted for message.im alone: with a bot token it reads only the bot's own DMs.)
FORBIDDEN_SCOPES = {
    "channels:history",
    "mpim:history",
    "im:read",
    "im:write",
    "chat:write.public",
    "chat:write.customize",
}


@cache
def manifest() -> dict[str, Any]:
    with (ROOT / "manifest.yml").open(encoding="utf-8") as file:
        loaded = yaml.safe_load(file)
    assert isinstance(loaded, dict)
    return loaded


def web_api_paths() -> dict[str, Any]:
    return web_api_method_facts()


def accepted_scopes(method: str) -> frozenset[str]:
    """The bot scopes any one of which lets a bot token call `method` (empty: none needed)."""
    scopes: set[str] = set()
    for listed in web_api_paths()[method]["scopes"]:
        mapped = LEGACY_TO_BOT_SCOPE.get(listed, listed)
        if mapped is not None:
            scopes.add(mapped)
    return frozenset(scopes)


def bot_scopes(app: dict[str, Any]) -> set[str]:
    return set(app.get("oauth_config", {}).get("scopes", {}).get("bot", []))


def scope_problems(app: dict[str, Any], methods: frozenset[str]) -> list[str]:
    """Every way `app` grants too little or too much for `methods`, its events and commands."""
    granted = bot_scopes(app)
    needed: set[str] = set()
    problems: list[str] = []
    for method in sorted(methods):
        accepted = accepted_scopes(method)
        if not accepted:
            continue
        if len(accepted) > 1:
            chosen = CHOSEN_SCOPE.get(method)
            if chosen is None or chosen not in accepted:
                problems.append(f"{method} accepts any of {sorted(accepted)}: choose one")
                continue
            accepted = frozenset({chosen})
        needed |= accepted
        if not accepted & granted:
            problems.append(f"{method} needs {sorted(accepted)}")
    for event in app.get("settings", {}).get("event_subscriptions", {}).get("bot_events", []):
        if event not in EVENT_SCOPES:
            problems.append(f"event {event} has no entry in EVENT_SCOPES")
            continue
        needed |= EVENT_SCOPES[event]
        if not EVENT_SCOPES[event] <= granted:
            problems.append(f"event {event} needs {sorted(EVENT_SCOPES[event])}")
    if app.get("features", {}).get("slash_commands"):
        needed.add(SLASH_COMMAND_SCOPE)
        if SLASH_COMMAND_SCOPE not in granted:
            problems.append(f"slash commands need {SLASH_COMMAND_SCOPE}")
    problems.extend(f"scope {scope} is granted but nothing needs it" for scope in granted - needed)
    return problems


def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = load_reference_json(SCHEMA)
    Draft7Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in Draft7Validator(schema).iter_errors(manifest())
    ]
    assert errors == []


def test_schema_rejects_a_broken_manifest() -> None:
    schema = load_reference_json(SCHEMA)
    broken = copy.deepcopy(manifest())
    broken["settings"]["interactivity"] = {"request_url": "https://example.org/slack/events"}
    broken["features"]["bot_user"]["unknown_key"] = True
    assert len(list(Draft7Validator(schema).iter_errors(broken))) == 2


def test_every_method_the_bot_calls_is_in_the_web_api_spec() -> None:
    assert sorted(METHODS_CALLED - web_api_paths().keys()) == []


def test_scopes_are_exactly_what_the_methods_events_and_command_need() -> None:
    assert scope_problems(manifest(), METHODS_CALLED) == []
    assert bot_scopes(manifest()) == {
        "chat:write",
        "commands",
        "groups:history",
        "groups:read",
        "usergroups:read",
        "app_mentions:read",
        "im:history",
        "users:read",
    }


def test_a_missing_scope_is_reported() -> None:
    app = copy.deepcopy(manifest())
    app["oauth_config"]["scopes"]["bot"].remove("chat:write")
    problems = scope_problems(app, METHODS_CALLED)
    assert "chat.postMessage needs ['chat:write']" in problems
    assert "scope chat:write is granted but nothing needs it" not in problems


def test_an_unneeded_scope_is_reported() -> None:
    app = copy.deepcopy(manifest())
    app["oauth_config"]["scopes"]["bot"].append("channels:read")
    assert scope_problems(app, METHODS_CALLED) == [
        "scope channels:read is granted but nothing needs it"
    ]


def test_a_newly_called_method_without_its_scope_is_reported() -> None:
    assert scope_problems(manifest(), METHODS_CALLED | {"reactions.add"}) == [
        "reactions.add needs ['reactions:write']"
    ]


def test_no_forbidden_scope_is_granted() -> None:
    granted = bot_scopes(manifest()) | set(manifest()["oauth_config"]["scopes"].get("user", []))
    assert granted & FORBIDDEN_SCOPES == set()
    assert "user" not in manifest()["oauth_config"]["scopes"]


_SNAKE_CALL = re.compile(r"\.([a-z]+(?:_[A-Za-z]+)+)\(")
_QUOTED_METHOD = re.compile(r"""["']([a-z]+(?:\.[A-Za-z]+)+)["']""")


def web_api_methods_named_in(source: str) -> set[str]:
    """Web API methods a piece of code calls: `client.chat_update(` or `"chat.update"`."""
    names = {name.replace("_", ".") for name in _SNAKE_CALL.findall(source)}
    names |= set(_QUOTED_METHOD.findall(source))
    return names & web_api_paths().keys()


def test_the_source_scan_finds_both_call_styles() -> None:
    source = (
        'client.usergroups_users_list(usergroup=g)\nself.call("chat.update", p)\nx.first_time()'
    )
    assert web_api_methods_named_in(source) == {"usergroups.users.list", "chat.update"}


def test_code_calls_no_web_api_method_missing_from_methods_called() -> None:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for method in web_api_methods_named_in(path.read_text(encoding="utf-8")):
            found.setdefault(method, set()).add(str(path.relative_to(ROOT)))
    unlisted = {
        method: sorted(files) for method, files in found.items() if method not in METHODS_CALLED
    }
    assert unlisted == {}


def test_every_listed_method_is_really_called() -> None:
    """Least privilege works both ways: a listed method nobody calls would justify a scope."""
    called: set[str] = set()
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.name != "slack_methods.py":
            called |= web_api_methods_named_in(path.read_text(encoding="utf-8"))
    assert sorted(METHODS_CALLED - called) == []


def test_slash_command_matches_the_default_setting() -> None:
    commands = manifest()["features"]["slash_commands"]
    assert [command["command"] for command in commands] == [DEFAULT_COMMAND]
    assert commands[0]["usage_hint"] == "[help|list|delegate @user until <date>]"
    # `delegate @user` needs the user's id, which Slack sends only when it escapes the text
    assert commands[0]["should_escape"] is True


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("settings", "socket_mode_enabled"), True),
        (("settings", "org_deploy_enabled"), False),
        (("settings", "token_rotation_enabled"), False),
        (("settings", "interactivity", "is_enabled"), True),
        (("features", "app_home", "home_tab_enabled"), True),
        (("features", "app_home", "messages_tab_enabled"), True),
        (("features", "app_home", "messages_tab_read_only_enabled"), False),
        (("features", "bot_user", "display_name"), "mosovo-bot"),
        (("features", "bot_user", "always_online"), True),
        (("display_information", "name"), "MOSOVO monitoring requests"),
    ],
)
def test_manifest_setting(path: tuple[str, ...], expected: object) -> None:
    value: Any = manifest()
    for key in path:
        value = value[key]
    assert value == expected


def test_bot_events_are_private_channel_messages_mentions_dms_and_app_home() -> None:
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == ["app_home_opened", "app_mention", "message.groups", "message.im"]


def test_an_event_without_its_scope_is_reported_and_a_scope_without_its_event_too() -> None:
    app = copy.deepcopy(manifest())
    app["settings"]["event_subscriptions"]["bot_events"].remove("message.im")
    assert scope_problems(app, METHODS_CALLED) == [
        "scope im:history is granted but nothing needs it"
    ]
    app = copy.deepcopy(manifest())
    app["oauth_config"]["scopes"]["bot"].remove("app_mentions:read")
    assert scope_problems(app, METHODS_CALLED) == ["event app_mention needs ['app_mentions:read']"]


def test_every_request_url_is_the_one_slack_endpoint() -> None:
    app = manifest()
    urls = {
        app["settings"]["event_subscriptions"]["request_url"],
        app["settings"]["interactivity"]["request_url"],
        *(command["url"] for command in app["features"]["slash_commands"]),
    }
    assert urls == {"https://mosovo.example.police.uk/slack/events"}
