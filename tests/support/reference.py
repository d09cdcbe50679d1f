"""Where the shared Slack reference data lives, and a loader for its JSON files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(
    os.environ.get("SLACK_REFERENCE_DIR", REPO_ROOT.parent / "shared" / "slack-reference")
)


def reference_path(relative: str) -> Path:
    """Absolute path of a file under the Slack reference directory (it must exist)."""
    path = REFERENCE_DIR / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"Slack reference file {relative!r} not found under {REFERENCE_DIR} "
            "(set SLACK_REFERENCE_DIR to the slack-reference directory)"
        )
    return path


def load_reference_json(relative: str) -> Any:
    """Parse a JSON file of the Slack reference data, e.g. ``samples/bolt-python/x.json``."""
    return json.loads(reference_path(relative).read_text(encoding="utf-8"))
