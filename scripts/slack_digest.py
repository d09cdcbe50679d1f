"""Write tests/support/slack_digest.json: the Slack facts the tests check against.

The tests read the digest only, so a clone with nothing beside it passes ``make test``. It is
generated from the shared Slack reference data (``../shared/slack-reference`` or
``SLACK_REFERENCE_DIR``) and holds only what the tests use:

- every Web API method with its required arguments, whether it takes a token, and its scopes
  (from the OpenAPI snapshot; test code applies its own patches for what the snapshot gets wrong);
- the app manifest schema and the Events API envelope schema (descriptions dropped);
- the sample payloads the signed-request builders start from, the 429 sample, the signing vector;
- the Block Kit limits the reference states.

    python scripts/slack_digest.py            # regenerate
    python scripts/slack_digest.py --check    # exit 1 when the digest is stale

A test (tests/unit/test_slack_digest.py) fails when the digest differs from what this script
would write, whenever the reference is present.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DIGEST_PATH = REPO_ROOT / "tests" / "support" / "slack_digest.json"
DEFAULT_REFERENCE = REPO_ROOT.parent / "shared" / "slack-reference"

WEB_API_SPEC = "web-api/slack_web_openapi_v2_without_examples.json"
README = "README.md"

#: Reference files the tests read whole, by their path under the reference directory. A test
#: that needs another file: add it here and regenerate.
JSON_FILES = (
    "manifest-schema/schemas/manifest.schema.1.0.0.json",
    "events-api/slack_common_event_wrapper_schema.json",
    "signing_test_vector.json",
    "samples/web-api/ratelimited_429.json",
    "samples/bolt-python/block_actions_button.json",
    "samples/bolt-python/event_app_mention.json",
    "samples/bolt-python/event_message_channel_thread_reply.json",
    "samples/bolt-python/event_message_changed.json",
    "samples/bolt-python/event_message_classic_bot_message.json",
    "samples/bolt-python/event_message_deleted.json",
    "samples/bolt-python/event_message_user_vs_bot__bot.json",
    "samples/bolt-python/url_verification.json",
)
TEXT_FILES = ("samples/bolt-python/slash_command.form.txt",)

#: Documentation-only keywords of JSON Schema: they never change what validates.
_ANNOTATIONS = frozenset({"description", "title", "examples", "$comment", "markdownDescription"})

#: The Block Kit limits stated in the reference's README, each found by a pattern on its
#: "Block Kit limits" line. A pattern that no longer matches stops the script.
_BLOCK_KIT_PATTERNS = {
    "message_blocks": r"(\d+) blocks a message",
    "modal_blocks": r"\((\d+) in a modal or Home tab\)",
    "section_text": r"section text (\d+)",
    "button_text": r"button\s+text (\d+)",
    "button_value": r"`value` (\d+)",
    "action_id": r"`action_id` (\d+)",
    "block_id": r"`block_id` (\d+)",
    "actions_elements": r"actions block\s+holds at most (\d+) elements",
}


def _strip_annotations(node: Any, *, in_properties: bool = False) -> Any:
    """A schema without its documentation keywords (keys of ``properties`` are names, kept)."""
    if isinstance(node, list):
        return [_strip_annotations(item) for item in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if not in_properties and key in _ANNOTATIONS and isinstance(value, str | list):
            continue
        kept[key] = _strip_annotations(
            value, in_properties=key in ("properties", "patternProperties", "definitions")
        )
    return kept


def _web_api_methods(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    methods: dict[str, dict[str, Any]] = {}
    for path, operations in spec["paths"].items():
        for operation in operations.values():  # one HTTP verb per method in this snapshot
            parameters = operation.get("parameters", [])
            methods[path.lstrip("/")] = {
                "required": sorted(
                    p["name"] for p in parameters if p.get("required") and p["name"] != "token"
                ),
                "token": any(p["name"] == "token" for p in parameters),
                "scopes": sorted(
                    {
                        scope
                        for security in operation.get("security", [])
                        for scope in security.get("slackAuth", [])
                    }
                ),
            }
    return dict(sorted(methods.items()))


def _block_kit_limits(readme: str) -> dict[str, int]:
    line = next((part for part in readme.split("\n- ") if "Block Kit limits" in part), None)
    if line is None:
        raise SystemExit(f"no 'Block Kit limits' item in the reference's {README}")
    limits: dict[str, int] = {}
    for name, pattern in _BLOCK_KIT_PATTERNS.items():
        match = re.search(pattern, line)
        if match is None:
            raise SystemExit(f"Block Kit limit {name!r} not found in {README} ({pattern})")
        limits[name] = int(match.group(1))
    return limits


def build_digest(reference: Path) -> dict[str, Any]:
    """The digest as this script writes it, from the reference directory."""

    def read(relative: str) -> str:
        return (reference / relative).read_text(encoding="utf-8")

    return {
        "_generated": "by scripts/slack_digest.py from the shared slack-reference; do not edit",
        "web_api_methods": _web_api_methods(json.loads(read(WEB_API_SPEC))),
        "block_kit_limits": _block_kit_limits(read(README)),
        "json_files": {name: _strip_annotations(json.loads(read(name))) for name in JSON_FILES},
        "text_files": {name: read(name) for name in TEXT_FILES},
    }


def render(digest: dict[str, Any]) -> str:
    return json.dumps(digest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def reference_dir() -> Path:
    return Path(os.environ.get("SLACK_REFERENCE_DIR", DEFAULT_REFERENCE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=None, help="slack-reference directory")
    parser.add_argument("--check", action="store_true", help="exit 1 when the digest is stale")
    args = parser.parse_args(argv)
    reference = args.reference or reference_dir()
    if not (reference / WEB_API_SPEC).is_file():
        print(f"no Slack reference at {reference}", file=sys.stderr)
        return 2
    text = render(build_digest(reference))
    if args.check:
        current = DIGEST_PATH.read_text(encoding="utf-8") if DIGEST_PATH.exists() else ""
        if current != text:
            print(f"{DIGEST_PATH.relative_to(REPO_ROOT)} is stale: run {__file__}", file=sys.stderr)
            return 1
        return 0
    DIGEST_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DIGEST_PATH.relative_to(REPO_ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
