"""`make run` with no Slack settings, and `mosovo-bot workbench`: a real process, one line saying
where the workbench is, its page served there, a clean stop on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.support.bot_process import clean_environment, free_port

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        env={**clean_environment(), **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def serves_the_page(process: subprocess.Popen[str], port: int) -> str:
    """The one line it printed, once its page answers at that address; then stop it."""
    assert process.stdout is not None
    line = process.stdout.readline()
    assert f"http://127.0.0.1:{port}/" in line, line + (
        process.stderr.read() if process.stderr else ""
    )
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
        assert response.status == 200 and b"workbench.js" in response.read()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == "" and "Traceback" not in err
    return line


def test_run_with_no_slack_settings_starts_the_workbench_saying_so_in_one_line(
    tmp_path: Path,
) -> None:
    port = free_port()
    line = serves_the_page(
        start(["run", "--workbench-if-no-slack", "--port", str(port)], tmp_path), port
    )
    assert "SLACK_BOT_TOKEN" in line and "workbench" in line
    # a temporary database, removed afterwards: nothing is left where it ran
    assert list(tmp_path.iterdir()) == []


def test_make_run_asks_for_the_workbench_when_slack_is_not_configured() -> None:
    recipe = MAKEFILE.read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "mosovo-bot run --workbench-if-no-slack" in recipe


def test_with_a_slack_setting_run_serves_slack_as_before(tmp_path: Path) -> None:
    """A Slack setting given (here in .env) means Slack: what is missing is named, as before."""
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\n")
    process = start(["run", "--workbench-if-no-slack"], tmp_path)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "MOSOVO_SUPERVISORS" in lines[0] and "workbench" not in lines[0]


def test_the_workbench_command_listens_where_asked(tmp_path: Path) -> None:
    port = free_port()
    process = start(["workbench", "--host", "127.0.0.1", "--port", str(port)], tmp_path)
    assert "mosovo-bot workbench" in serves_the_page(process, port)
