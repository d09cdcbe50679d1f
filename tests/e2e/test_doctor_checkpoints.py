"""`mosovo-bot doctor`'s audit checkpoints row: off is a warning, a log that no longer holds a
signed head is a failure."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.unit_of_work import Database
from tests.e2e.flow import start
from tests.e2e.test_cli import mosovo
from tests.e2e.test_doctor import findings
from tests.support.running_bot import running_bot, settings_env
from tests.support.slack_double import SlackDouble


def test_checkpoints_off_warn_and_a_truncated_log_fails(slack: SlackDouble, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/doctor.db"
    with running_bot(slack, url) as app:
        start(app)
    env = settings_env(slack, url)
    off = findings(env, tmp_path)["audit checkpoints"]
    assert off["status"] == "warn" and "audit keygen" in off["action"]

    key, sink = tmp_path / "audit.key", tmp_path / "checkpoints.jsonl"
    assert mosovo("audit", "keygen", "--output", str(key), cwd=tmp_path).returncode == 0
    on = {**env, "MOSOVO_AUDIT_KEY_FILE": str(key), "MOSOVO_AUDIT_CHECKPOINT_FILE": str(sink)}
    assert findings(on, tmp_path)["audit checkpoints"]["status"] == "warn"  # none written yet
    assert mosovo("audit", "checkpoint", env=on, cwd=tmp_path).returncode == 0
    assert findings(on, tmp_path)["audit checkpoints"]["status"] == "pass"

    database = Database(url)
    with database.engine.begin() as connection:  # the schema owner removes the tail
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        connection.execute(text("DELETE FROM audit_events"))
    database.dispose()
    truncated = findings(on, tmp_path)["audit checkpoints"]
    assert truncated["status"] == "fail" and "no longer reaches" in truncated["finding"]
