"""`mosovo-bot report` as an operator runs it: a real process on a real database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from flows.models import MonitoringRequest
from storage.tables import audit_events_table as events
from storage.unit_of_work import Database
from tests.e2e.test_cli import mosovo

NOV = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def seed_a_month(url: str) -> None:
    """Eleven requests in November 2026 (and one on 1 December) in every kind of outcome."""
    kinds = [
        ("installed", "order", "approved", 3, True),
        ("installed", "licence", "approved", 5, False),
        ("installed", "voluntary", "approved", 26, False),
        ("approved", "order", "approved", 2, False),
        ("rejected", "voluntary", "rejected", 50, False),
        ("expired", "licence", "approved", 4, False),
        ("expired", "order", None, None, True),
        ("withdrawn", "licence", None, None, False),
        ("awaiting_approval", "order", None, None, False),
        ("collecting", None, None, None, False),
        ("abandoned", "voluntary", None, None, False),
    ]
    database = Database(url)
    database.upgrade()
    try:
        with database.uow() as uow:
            for day, (state, basis, decision, hours, late) in enumerate(kinds):
                opened = NOV + timedelta(days=day * 2)
                request = MonitoringRequest(f"U0OFFICER{day}", "G0PRIVATE", opened)
                request.thread_ts = f"{1_700_000_000 + day}.000100"
                request.state = state
                request.answers = {"legal_basis": basis} if basis else {}
                request.flags = {"late_notification": {"days_late": 1}} if late else {}
                submitted = opened + timedelta(minutes=20)
                if state != "collecting":
                    request.submitted_at = submitted
                if hours is not None:
                    request.decision = decision
                    request.decided_at = submitted + timedelta(hours=hours)
                request.record("created", request.officer_id, opened)
                uow.requests.add(request)
            december = MonitoringRequest(
                "U0OFFICER", "G0PRIVATE", datetime(2026, 12, 1, tzinfo=UTC)
            )
            december.thread_ts = "1800000000.000100"
            december.record("created", december.officer_id, december.created_at)
            uow.requests.add(december)
            uow.commit()
    finally:
        database.dispose()


def reported(url: str) -> list[dict[str, object]]:
    database = Database(url)
    try:
        with database.uow() as uow:
            rows = uow.connection.execute(select(events).where(events.c.action == "reported")).all()
        return [dict(row.detail) for row in rows]
    finally:
        database.dispose()


REPORT = ["report", "--since", "2026-11-01", "--until", "2026-11-30"]
WHO = ["--operator", "DI Jones", "--reason", "November figures for the MOSOVO board"]


def test_the_table_csv_and_chart_show_the_months_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/report.db"
    seed_a_month(url)
    env = {"DATABASE_URL": url, "MOSOVO_TIMEZONE": "Europe/London"}

    shown = mosovo(*REPORT, *WHO, env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Monitoring requests opened 01 Nov 2026 to 30 Nov 2026"
    text = "\n".join(" ".join(line.split()) for line in lines)
    assert "opened in the period 11" in text
    assert "Installed 3" in text and "Awaiting approval 1" in text
    assert "Court order (SHPO, SRO, SOPO) 4" in text
    assert "median 4h 00m" in text and "90th percentile 2d 2h" in text
    assert "notified after the order's deadline 2" in text
    assert "Before a decision 1" in text and "After approval, not installed 1" in text
    assert "U0OFFICER" not in shown.stdout and "G0PRIVATE" not in shown.stdout  # aggregates only

    as_csv = mosovo(*REPORT, *WHO, "--csv", env=env, cwd=tmp_path)
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["section", "item", "value"]
    assert ["time to decision", "decisions (approved or rejected)", "6"] in rows
    assert ["by basis", "Not yet given", "1"] in rows

    chart = tmp_path / "november.png"
    drawn = mosovo(*REPORT, *WHO, "--png", str(chart), env=env, cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert chart.read_bytes().startswith(PNG_SIGNATURE) and chart.stat().st_size > 20_000
    assert chart.stat().st_mode & 0o777 == 0o600

    audits = reported(url)
    assert [a["output"] for a in audits] == ["table", "csv", "table+png"]
    assert all(a["operator"] == "DI Jones" and a["requests"] == 11 for a in audits)
    assert audits[0]["since"] == "2026-11-01T00:00:00+00:00"


def test_a_report_without_a_reason_or_with_a_bad_date_is_refused_and_not_run(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/report.db"
    seed_a_month(url)
    env = {"DATABASE_URL": url}
    no_reason = mosovo(*REPORT, "--operator", "DI Jones", "--reason", " ", env=env, cwd=tmp_path)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    bad_date = mosovo("report", "--since", "1/11/2026", "--until", "2026-11-30", *WHO, env=env)
    assert bad_date.returncode == 2 and "--since must be a date" in bad_date.stderr
    backwards = mosovo("report", "--since", "2026-11-30", "--until", "2026-11-01", *WHO, env=env)
    assert backwards.returncode == 2
    chart = tmp_path / "exists.png"
    chart.write_bytes(b"keep me")
    kept = mosovo(*REPORT, *WHO, "--png", str(chart), env=env, cwd=tmp_path)
    assert kept.returncode == 2 and "already exists" in kept.stderr
    assert chart.read_bytes() == b"keep me"
    assert reported(url) == []
