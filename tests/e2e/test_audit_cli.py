"""`mosovo-bot audit keygen | checkpoint | verify --checkpoints` as an operator runs them, and the
scheduler's checkpoint job as the bot builds it from its settings."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from bot.app import create_bot
from bot.settings import load_settings
from storage.checkpoints import read_checkpoint_file
from storage.unit_of_work import Database
from tests.e2e.flow import start
from tests.e2e.test_cli import mosovo
from tests.support.running_bot import running_bot
from tests.support.slack_double import SlackDouble


def test_keygen_checkpoint_and_verify_catch_a_deleted_tail(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/ops.db"
    with running_bot(slack, url) as app:
        start(app)
    key = tmp_path / "audit.key"
    sink = tmp_path / "checkpoints.jsonl"
    made = mosovo("audit", "keygen", "--output", str(key), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "public key" in made.stdout and (tmp_path / "audit.key.pub").exists()
    again = mosovo("audit", "keygen", "--output", str(key), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr

    env = {"DATABASE_URL": url, "MOSOVO_AUDIT_KEY_FILE": str(key)}
    taken = mosovo("audit", "checkpoint", "--output", str(sink), env=env, cwd=tmp_path)
    assert taken.returncode == 0, taken.stderr
    [checkpoint] = read_checkpoint_file(sink)
    printed = mosovo("audit", "checkpoint", env=env, cwd=tmp_path)  # no sink: printed
    assert json.loads(printed.stdout)["count"] == checkpoint.count + 1

    # a verifier needs only the public key
    public = {"DATABASE_URL": url}
    args = ("audit", "verify", "--checkpoints", str(sink), "--public-key", str(key) + ".pub")
    verified = mosovo(*args, env=public, cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "all 1 signed heads are in the log" in verified.stdout

    database = Database(url)
    with database.engine.begin() as connection:  # the schema owner removes the tail
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        connection.execute(text(f"DELETE FROM audit_events WHERE id >= {checkpoint.count}"))
    database.dispose()
    assert mosovo("audit", "verify", env=public, cwd=tmp_path).returncode == 0  # chain alone
    caught = mosovo(*args, env=public, cwd=tmp_path)
    assert caught.returncode == 1 and "no longer reaches" in caught.stderr


def test_verify_with_checkpoints_but_no_key_says_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text("")
    result = mosovo(
        "audit",
        "verify",
        "--checkpoints",
        str(tmp_path / "c.jsonl"),
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        cwd=tmp_path,
    )
    assert result.returncode == 2 and "--public-key" in result.stderr


def test_the_bot_schedules_checkpoints_when_a_key_and_a_sink_are_set(
    slack: SlackDouble, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    key, sink = tmp_path / "audit.key", tmp_path / "sink.jsonl"
    assert mosovo("audit", "keygen", "--output", str(key), cwd=tmp_path).returncode == 0
    with running_bot(slack, url) as app:
        start(app)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "MOSOVO_SUPERVISORS": "U0SUP1",
        "DATABASE_URL": url,
        "MOSOVO_AUDIT_KEY_FILE": str(key),
        "MOSOVO_AUDIT_CHECKPOINT_FILE": str(sink),
        "MOSOVO_AUDIT_CHECKPOINT_INTERVAL": "15m",
    }
    bot = create_bot(load_settings(env))
    try:
        job = bot.checkpoint_job
        assert job is not None and job.interval_seconds == 900
        job.run()
        job.run()  # nothing new since: nothing written
        assert len(read_checkpoint_file(sink)) == 1
    finally:
        bot.database.dispose()
    no_sink = {k: v for k, v in env.items() if k != "MOSOVO_AUDIT_CHECKPOINT_FILE"}
    bot = create_bot(load_settings(no_sink))
    assert bot.checkpoint_job is None
    bot.database.dispose()


def test_a_sink_without_a_key_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = mosovo(
        "run",
        env={
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "MOSOVO_SUPERVISORS": "U0SUP1",
            "MOSOVO_AUDIT_CHECKPOINT_FILE": str(tmp_path / "sink"),
        },
        cwd=tmp_path,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "MOSOVO_AUDIT_KEY_FILE" in lines[0]
