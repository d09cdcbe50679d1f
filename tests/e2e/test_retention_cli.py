"""`mosovo-bot retention` as an operator runs it, on a real database and the system clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows.models import MonitoringRequest
from storage.unit_of_work import Database
from tests.e2e.test_cli import mosovo

LONG_AGO = datetime(2019, 5, 1, 10, 0, tzinfo=UTC)


def seed(url: str) -> None:
    database = Database(url)
    database.upgrade()
    with database.uow() as uow:
        for state in ("withdrawn", "approved"):
            request = MonitoringRequest(
                "U0OFFICER", "G0PRIVATE", LONG_AGO, state=state, thread_ts=state,
                answers={"legal_basis": "voluntary", "visor_ref": "NOM/1234567"},
            )  # fmt: skip
            request.record("created", "U0OFFICER", LONG_AGO)
            uow.requests.add(request)
        uow.commit()
    database.dispose()


def test_dry_run_lists_then_apply_erases_and_audit_verify_still_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ops.db"
    seed(url)
    env = {"DATABASE_URL": url}
    listed = mosovo("retention", "--dry-run", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "retention 2192d: 1 closed requests due" in listed.stdout
    assert "MR-000001" in listed.stdout and "MR-000002" not in listed.stdout

    refused = mosovo("retention", "--apply", "--operator", "DS Smith", env=env, cwd=tmp_path)
    assert refused.returncode == 2 and "--reason" in refused.stderr

    applied = mosovo(
        "retention", "--apply", "--operator", "DS Smith", "--reason", "MoPI review",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert "erased MR-000001" in applied.stdout
    verified = mosovo("audit", "verify", env=env, cwd=tmp_path)
    assert verified.returncode == 0 and "intact: 4 events" in verified.stdout
    assert "1 events erased under retention" in verified.stdout
    again = mosovo("retention", "--dry-run", env=env, cwd=tmp_path)
    assert "0 closed requests due" in again.stdout


def test_a_retention_shorter_than_thirty_days_is_refused_in_one_line(tmp_path: Path) -> None:
    result = mosovo(
        "retention", "--dry-run",
        env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "MOSOVO_RETENTION": "6h"},
        cwd=tmp_path,
    )  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "MOSOVO_RETENTION" in lines[0]
