"""Index of Slack's Web API methods, built once per process from the Slack digest.

Source: ``web-api/slack_web_openapi_v2_without_examples.json`` of the shared Slack reference data
(a 2021 snapshot), as digested into tests/support/slack_digest.json. It misses a few newer methods and marks some arguments optional that Slack
requires in practice; both are patched here (``REQUIRED_IN_PRACTICE``, ``NEWER_METHODS``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from tests.support.reference import web_api_method_facts

# Arguments the 2021 spec calls optional but Slack rejects calls without.
REQUIRED_IN_PRACTICE: Mapping[str, frozenset[str]] = {
    "conversations.replies": frozenset({"channel", "ts"}),
    "conversations.info": frozenset({"channel"}),
    "conversations.history": frozenset({"channel"}),
    "conversations.members": frozenset({"channel"}),
    "users.info": frozenset({"user"}),
    "chat.update": frozenset({"channel", "ts"}),
    "chat.delete": frozenset({"channel", "ts"}),
    "chat.scheduleMessage": frozenset({"channel", "post_at"}),
    "chat.meMessage": frozenset({"channel", "text"}),
    "views.update": frozenset({"view"}),
}


@dataclass(frozen=True)
class MethodSpec:
    """What the spec says about one Web API method."""

    name: str
    required: frozenset[str]  # arguments a call must carry (``token`` excluded)
    needs_token: bool
    scopes: frozenset[str]  # any one of these grants the method; empty: no scope needed


# Methods newer than the 2021 snapshot that a modern bot may call.
NEWER_METHODS: Mapping[str, MethodSpec] = {
    "files.getUploadURLExternal": MethodSpec(
        name="files.getUploadURLExternal",
        required=frozenset({"filename", "length"}),
        needs_token=True,
        scopes=frozenset({"files:write"}),
    ),
    "files.completeUploadExternal": MethodSpec(
        name="files.completeUploadExternal",
        required=frozenset({"files"}),
        needs_token=True,
        scopes=frozenset({"files:write"}),
    ),
}

_lock = threading.Lock()
_index: dict[str, MethodSpec] | None = None


def _normalise_scope(scope: str) -> str | None:
    """Map the spec's legacy scope names to the granular ones a bot token holds."""
    if scope == "none":
        return None
    if scope in ("chat:write:bot", "chat:write:user"):
        return "chat:write"
    return scope


def _build_index() -> dict[str, MethodSpec]:
    index: dict[str, MethodSpec] = {}
    for name, facts in web_api_method_facts().items():
        index[name] = MethodSpec(
            name=name,
            required=frozenset(facts["required"]) | REQUIRED_IN_PRACTICE.get(name, frozenset()),
            needs_token=bool(facts["token"]),
            scopes=frozenset(
                normalised
                for scope in facts["scopes"]
                if (normalised := _normalise_scope(scope)) is not None
            ),
        )
    index.update(NEWER_METHODS)
    return index


def web_api_methods() -> Mapping[str, MethodSpec]:
    """Every known Web API method by name (the index is built on first use only)."""
    global _index
    with _lock:
        if _index is None:
            _index = _build_index()
        return _index


def method_spec(name: str) -> MethodSpec | None:
    """The spec of one method, or None when Slack has no such method."""
    return web_api_methods().get(name)
