"""A bad setting stops `mosovo-bot run` with one line naming it, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bot_process import clean_environment


@pytest.mark.parametrize("value", ["99999999999999d", "3000000d"])
def test_an_absurd_duration_stops_start_up_with_one_line(tmp_path: Path, value: str) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "MOSOVO_SUPERVISORS": "U0SUP1",
        "MOSOVO_APPROVAL_EXPIRY": value,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--port", "0"],
        env={**clean_environment(), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "MOSOVO_APPROVAL_EXPIRY" in lines[0], done.stderr
    assert not (tmp_path / "run.db").exists()
