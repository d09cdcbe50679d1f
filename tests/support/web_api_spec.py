"""Index of Slack's Web API description (Swagger 2.0), loaded once per process.

Source: ``web-api/slack_web_openapi_v2_without_examples.json`` of the shared Slack reference data,
a 2021 snapshot. It misses a few newer methods and marks some arguments optional that Slack
requires in practice; both are patched here (``REQUIRED_IN_PRACTICE``, ``NEWER_METHODS``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from tests.support.reference import reference_path

SPEC_FILE = "web-api/slack_web_openapi_v2_without_examples.json"

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
    params: frozenset[str]  # every documented argument except ``token``
    required: frozenset[str]  # arguments a call must carry (``token`` excluded)
    needs_token: bool
    scopes: frozenset[str]  # any one of these grants the method; empty: no scope needed


# Methods newer than the 2021 snapshot that a modern bot may call.
NEWER_METHODS: Mapping[str, MethodSpec] = {
    "files.getUploadURLExternal": MethodSpec(
        name="files.getUploadURLExternal",
        params=frozenset({"filename", "length", "alt_txt", "snippet_type"}),
        required=frozenset({"filename", "length"}),
        needs_token=True,
        scopes=frozenset({"files:write"}),
    ),
    "files.completeUploadExternal": MethodSpec(
        name="files.completeUploadExternal",
        params=frozenset({"files", "channel_id", "initial_comment", "thread_ts"}),
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
    spec = json.loads(reference_path(SPEC_FILE).read_text(encoding="utf-8"))
    index: dict[str, MethodSpec] = {}
    for path, operations in spec["paths"].items():
        name = path.lstrip("/")
        for operation in operations.values():  # one HTTP verb per method in this spec
            parameters = operation.get("parameters", [])
            token_params = [p for p in parameters if p["name"] == "token"]
            required = {p["name"] for p in parameters if p.get("required") and p["name"] != "token"}
            required |= REQUIRED_IN_PRACTICE.get(name, frozenset())
            scopes = {
                normalised
                for security in operation.get("security", [])
                for scope in security.get("slackAuth", [])
                if (normalised := _normalise_scope(scope)) is not None
            }
            index[name] = MethodSpec(
                name=name,
                params=frozenset(p["name"] for p in parameters if p["name"] != "token"),
                required=frozenset(required),
                needs_token=bool(token_params),
                scopes=frozenset(scopes),
            )
    index.update(NEWER_METHODS)
    return index


def web_api_methods() -> Mapping[str, MethodSpec]:
    """Every known Web API method by name (the spec file is parsed on first use only)."""
    global _index
    with _lock:
        if _index is None:
            _index = _build_index()
        return _index


def method_spec(name: str) -> MethodSpec | None:
    """The spec of one method, or None when Slack has no such method."""
    return web_api_methods().get(name)
