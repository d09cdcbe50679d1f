"""The `mosovo-bot` command as an operator runs it: a real process, real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.request_machine import mermaid_diagram
from tests.e2e.flow import answer_all, answers_for, start
from tests.support.bot_process import free_port
from tests.support.running_bot import running_bot
from tests.support.slack_double import SlackDouble


def without_bot_settings() -> dict[str, str]:
    """This process's environment minus anything the bot would read as its settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MOSOVO_", "DATABASE_URL"))
    }


def mosovo(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**without_bot_settings(), **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_diagram_prints_the_machines_mermaid_source() -> None:
    result = mosovo("diagram")
    assert result.returncode == 0 and result.stdout.strip() == mermaid_diagram().strip()


def test_run_without_required_settings_stops_with_one_line_naming_them(tmp_path: Path) -> None:
    result = mosovo("run", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0]
    bad = mosovo(
        "run",
        env={
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "MOSOVO_SUPERVISORS": "nobody",
        },
        cwd=tmp_path,
    )
    assert (
        bad.returncode == 2
        and "MOSOVO_SUPERVISORS" in bad.stderr
        and len(bad.stderr.strip().splitlines()) == 1
    )


def test_db_upgrade_export_and_audit_verify_work_on_a_real_database(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/ops.db"
    with running_bot(slack, url) as app:
        request_id, thread = start(app)
        answer_all(app, thread, answers_for("order"))
    env = {"DATABASE_URL": url}
    assert mosovo("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    verified = mosovo("audit", "verify", env=env, cwd=tmp_path)
    assert verified.returncode == 0 and "intact" in verified.stdout

    refused = mosovo(
        "export",
        "--format",
        "jsonl",
        "--operator",
        "DS Smith",
        "--reason",
        " ",
        env=env,
        cwd=tmp_path,
    )
    assert refused.returncode != 0 and refused.stdout == ""
    out = tmp_path / "export.jsonl"
    exported = mosovo(
        "export",
        "--format",
        "jsonl",
        "--operator",
        "DS Smith",
        "--reason",
        "SAR 2026/114",
        "--output",
        str(out),
        env=env,
        cwd=tmp_path,
    )
    assert exported.returncode == 0, exported.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["id"] == request_id and record["fields"]["visor_ref"] == "NOM/1234567"
    assert record["status"] == "confirming" and record["audit"][0]["action"] == "created"
    verified_again = mosovo("audit", "verify", env=env, cwd=tmp_path)
    assert verified_again.returncode == 0


def test_run_serves_http_with_health_checks_and_stops_on_sigterm(
    slack: SlackDouble, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path}/run.db",
        "MOSOVO_SUPERVISORS": "U0SUP1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--host", "127.0.0.1", "--port", str(port)],
        env={**without_bot_settings(), **env},
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "the bot did not start serving"
                time.sleep(0.2)
        assert (tmp_path / "run.db").exists()  # migrated before serving
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    for line in stderr.splitlines():
        json.loads(line)  # logs are JSON lines
