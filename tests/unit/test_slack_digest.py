"""The Slack digest in the repository is what scripts/slack_digest.py makes of the reference."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.slack_digest import README, WEB_API_SPEC, build_digest, main, render
from tests.support.reference import DIGEST_PATH, REFERENCE_DIR, digest, load_reference_json

needs_reference = pytest.mark.skipif(
    not (REFERENCE_DIR / WEB_API_SPEC).is_file(),
    reason=f"no Slack reference at {REFERENCE_DIR}: the digest cannot be compared with it "
    "(the tests themselves run on the digest)",
)


@needs_reference
def test_the_digest_is_current() -> None:
    expected = render(build_digest(REFERENCE_DIR))
    assert DIGEST_PATH.read_text(encoding="utf-8") == expected, (
        "tests/support/slack_digest.json is stale: run `python scripts/slack_digest.py`"
    )
    assert main(["--check", "--reference", str(REFERENCE_DIR)]) == 0


@needs_reference
def test_a_changed_reference_changes_the_digest(tmp_path: Path) -> None:
    copy = tmp_path / "slack-reference"
    shutil.copytree(REFERENCE_DIR, copy)
    readme = copy / README
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("section text 3000", "section text 2999"),
        encoding="utf-8",
    )
    changed = build_digest(copy)
    assert changed["block_kit_limits"]["section_text"] == 2999
    assert main(["--check", "--reference", str(copy)]) == 1


@needs_reference
def test_a_limit_the_readme_no_longer_states_stops_the_script(tmp_path: Path) -> None:
    copy = tmp_path / "slack-reference"
    shutil.copytree(REFERENCE_DIR, copy)
    readme = copy / README
    text = readme.read_text(encoding="utf-8")
    readme.write_text(text.replace("at most 25 elements", "a few elements"), encoding="utf-8")
    with pytest.raises(SystemExit, match="actions_elements"):
        build_digest(copy)


def test_the_digest_holds_what_the_tests_read() -> None:
    facts = digest()
    assert facts["web_api_methods"]["chat.postMessage"]["required"] == ["channel"]
    assert facts["block_kit_limits"]["message_blocks"] == 50
    schema = load_reference_json("manifest-schema/schemas/manifest.schema.1.0.0.json")
    display = schema["definitions"]["app-manifests.v1.display_information.schema"]
    assert "description" in display["properties"]  # a manifest key, kept
    assert "description" not in display["properties"]["name"]  # documentation, dropped


def test_a_file_missing_from_the_digest_says_how_to_add_it() -> None:
    with pytest.raises(KeyError, match=r"scripts/slack_digest\.py"):
        load_reference_json("samples/bolt-python/no_such_sample.json")
