"""`mosovo-bot doctor` as an operator runs it: a real process against the Slack double and a real
database, once on a healthy deployment and once on one with something wrong in every check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml

from storage.unit_of_work import Database
from tests.e2e.flow import answer_all, answers_for, start
from tests.e2e.test_cli import mosovo
from tests.support.running_bot import (
    OTHER_PRIVATE,
    PRIVATE,
    PUBLIC,
    SUP1,
    SUP_GROUP,
    prepare_workspace,
    running_bot,
    settings_env,
)
from tests.support.slack_double import SlackDouble

ROOT = Path(__file__).resolve().parents[2]
MANIFEST_SCOPES = frozenset(
    yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))["oauth_config"]["scopes"][
        "bot"
    ]
)


def rows(stdout: str) -> dict[str, str]:
    """Check name -> result, read from the table as an operator would."""
    found: dict[str, str] = {}
    for line in stdout.splitlines()[1:]:
        name, result = line[:22].strip(), line[24:30].strip()
        if name and result in ("PASS", "WARN", "FAIL"):
            found[name] = result
    return found


def findings(env: dict[str, str], cwd: Path) -> dict[str, dict[str, str]]:
    """Check name -> its row, from `doctor --json`."""
    result = mosovo("doctor", "--json", env=env, cwd=cwd)
    report = json.loads(result.stdout)
    assert result.returncode == (1 if report["result"] == "fail" else 0)
    return {check["name"]: check for check in report["checks"]}


def test_a_healthy_deployment_passes_every_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doctor.db"
    with SlackDouble(scopes=MANIFEST_SCOPES) as slack:
        prepare_workspace(slack)
        with running_bot(slack, url) as app:  # a real request, so the audit chain has events
            _, thread = start(app)
            answer_all(app, thread, answers_for("order"))
        key, sink = tmp_path / "audit.key", tmp_path / "checkpoints.jsonl"
        assert mosovo("audit", "keygen", "--output", str(key), cwd=tmp_path).returncode == 0
        env = settings_env(
            slack,
            url,
            MOSOVO_REQUEST_CHANNELS=PRIVATE,
            MOSOVO_SUPERVISORS=f"{SUP_GROUP},{SUP1}",
            MOSOVO_AUDIT_KEY_FILE=str(key),
            MOSOVO_AUDIT_CHECKPOINT_FILE=str(sink),
        )
        assert mosovo("audit", "checkpoint", env=env, cwd=tmp_path).returncode == 0
        result = mosovo("doctor", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(result.stdout) == {
        "settings": "PASS",
        "database": "PASS",
        "audit chain": "PASS",
        "audit checkpoints": "PASS",
        "auth.test": "PASS",
        "token scopes": "PASS",
        f"channel {PRIVATE}": "PASS",
        "supervisors": "PASS",
        "clock": "PASS",
        "time zone": "PASS",
    }, result.stdout
    assert "2 entries resolve to 2 people" in result.stdout
    assert "xoxb-test" not in result.stdout + result.stderr
    assert "10 passed, 0 warnings, 0 failed" in result.stdout


def test_every_kind_of_problem_is_a_failed_row_with_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doctor.db"
    scopes = (MANIFEST_SCOPES - {"usergroups:read"}) | {"channels:history"}
    with SlackDouble(scopes=scopes) as slack:
        prepare_workspace(slack)
        with running_bot(slack, url) as app:
            start(app)
        with sqlite3.connect(f"{tmp_path}/doctor.db") as connection:
            # what someone with DDL rights could do: drop the append-only guard, edit a row
            connection.execute("DROP TRIGGER audit_events_no_update")
            connection.execute("UPDATE audit_events SET actor = 'U0SOMEONE' WHERE id = 1")
        slack.set_channel_flags(OTHER_PRIVATE, is_ext_shared=True)
        slack.add_channel("G0NOTIN", is_private=True, is_member=False)
        slack.add_user("U0LEFT", deleted=True)
        env = settings_env(
            slack,
            url,
            MOSOVO_REQUEST_CHANNELS=f"{PRIVATE},{OTHER_PRIVATE},{PUBLIC},G0NOTIN,G0GONE",
            MOSOVO_SUPERVISORS=f"{SUP_GROUP},U0LEFT",
        )
        result = mosovo("doctor", env=env, cwd=tmp_path)
        checks = findings(env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    table = rows(result.stdout)
    assert table == {
        "settings": "PASS",
        "database": "PASS",
        "audit chain": "FAIL",
        "auth.test": "PASS",
        "token scopes": "FAIL",
        f"channel {PRIVATE}": "PASS",
        f"channel {OTHER_PRIVATE}": "FAIL",
        f"channel {PUBLIC}": "FAIL",
        "channel G0NOTIN": "FAIL",
        "channel G0GONE": "FAIL",
        "supervisors": "FAIL",
        "clock": "PASS",
        "time zone": "PASS",
    }, result.stdout
    assert {name: check["status"] for name, check in checks.items()} == {
        name: result.lower() for name, result in table.items()
    }
    assert "broken at event 1" in checks["audit chain"]["finding"]
    assert checks["token scopes"]["finding"] == "the token lacks usergroups:read"
    assert "reinstall" in checks["token scopes"]["action"]
    assert checks[f"channel {OTHER_PRIVATE}"]["finding"].endswith(
        "is shared outside the force (is_ext_shared)"
    )
    assert "is not a private channel" in checks[f"channel {PUBLIC}"]["finding"]
    assert "the bot is not in it" in checks["channel G0NOTIN"]["finding"]
    assert "/invite the bot" in checks["channel G0GONE"]["action"]
    assert checks["supervisors"]["finding"] == f"U0LEFT is deactivated; {SUP_GROUP}: missing_scope"
    assert all(check["action"] for check in checks.values() if check["status"] == "fail")


def test_no_settings_and_an_unmigrated_database_fail_without_asking_slack(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    Database(url).dispose()
    result = mosovo("doctor", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    assert rows(result.stdout) == {"settings": "FAIL", "database": "FAIL"}, result.stdout
    checks = findings({"DATABASE_URL": url}, tmp_path)
    assert "SLACK_BOT_TOKEN" in checks["settings"]["finding"]
    assert "is at migration none" in checks["database"]["finding"]
    assert "mosovo-bot db upgrade" in checks["database"]["action"]


def test_in_socket_mode_the_app_level_token_is_checked_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doctor.db"
    Database(url).upgrade()
    with SlackDouble(scopes=MANIFEST_SCOPES) as slack:
        prepare_workspace(slack)
        slack.enable_socket_mode("ws://127.0.0.1:9/link", app_token="xapp-1-good")
        good = settings_env(
            slack, url, SLACK_APP_TOKEN="xapp-1-good", MOSOVO_REQUEST_CHANNELS=PRIVATE
        )
        accepted = findings(good, tmp_path)
        revoked = findings({**good, "SLACK_APP_TOKEN": "xapp-1-revoked"}, tmp_path)
        assert len(slack.calls("apps.connections.open")) == 2
    assert accepted["settings"]["finding"] == "all settings are valid (Socket Mode)"
    assert accepted["app token"]["status"] == "pass"
    assert revoked["app token"]["status"] == "fail"
    assert revoked["app token"]["finding"] == "Slack refused the app-level token: invalid_auth"
    assert "connections:write" in revoked["app token"]["action"]
