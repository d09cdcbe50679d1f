"""`export --output` writes a new owner-only file, never through a symlink, and never over an
existing file unless --force (issue 10, defect 10)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli.export import cmd_export
from storage.unit_of_work import Database
from tests.support.bot_process import clean_environment


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def exports_recorded(db: Database) -> int:
    with db.engine.connect() as connection:
        query = text("SELECT count(*) FROM audit_events WHERE action = 'exported'")
        return int(connection.execute(query).scalar_one())


def export(db: Database, output: Path, *, force: bool = False) -> int:
    return cmd_export(url_of(db), "jsonl", "DC Smith", "SAR 1", output=str(output), force=force)


def test_an_existing_file_is_refused_and_left_as_it_was(db: Database, tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text("keep me")
    output.chmod(0o644)
    assert export(db, output) == 2
    assert output.read_text() == "keep me"
    assert exports_recorded(db) == 0


def test_with_force_an_existing_world_readable_file_is_replaced_by_an_owner_only_one(
    db: Database, tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text("old")
    output.chmod(0o644)
    assert export(db, output, force=True) == 0
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600
    assert "old" not in output.read_text()
    assert exports_recorded(db) == 1


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_symlink_is_never_written_through(db: Database, tmp_path: Path, force: bool) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    status = export(db, link, force=force)
    assert target.read_text() == "not yours"
    if force:  # the link itself is replaced by a new private file
        assert status == 0 and not link.is_symlink()
        assert stat.S_IMODE(os.stat(link).st_mode) == 0o600
    else:
        assert status == 2 and link.is_symlink()


def test_a_dangling_symlink_is_not_followed_to_create_its_target(
    db: Database, tmp_path: Path
) -> None:
    target = tmp_path / "created-by-us.txt"
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert export(db, link) == 2
    assert not target.exists()


def test_the_command_says_why_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    database = Database(url)
    database.upgrade()
    database.dispose()
    output = tmp_path / "out.jsonl"
    output.write_text("x")
    args = ["export", "--format", "jsonl", "--operator", "DC", "--reason", "SAR"]
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--output", str(output)],
        env={**clean_environment(), "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "exists" in line and "--force" in line
