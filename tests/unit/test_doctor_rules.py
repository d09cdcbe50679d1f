"""The rules of `mosovo-bot doctor` that need no Slack and no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml

from bot.cli.doctor import table
from bot.doctor import (
    Check,
    SlackAnswer,
    Status,
    clock_check,
    failed,
    passed,
    scopes_check,
    warned,
    worst,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def slack_said(drift_seconds: float) -> SlackAnswer:
    return SlackAnswer(
        headers={"Date": format_datetime(NOW - timedelta(seconds=drift_seconds), usegmt=True)}
    )


@pytest.mark.parametrize(
    ("drift", "status"),
    [(0, Status.PASS), (-29, Status.PASS), (45, Status.WARN), (-301, Status.FAIL)],
)
def test_the_clock_is_judged_by_slacks_date_header(drift: float, status: Status) -> None:
    assert clock_check(slack_said(drift), NOW).status == status


def test_a_clock_far_off_says_signed_requests_will_fail() -> None:
    check = clock_check(slack_said(600), NOW)
    assert "600s ahead of Slack" in check.finding and "NTP" in check.action


def scopes(header: str | None) -> Check:
    headers = {} if header is None else {"X-OAuth-Scopes": header}
    return scopes_check(SlackAnswer(headers=headers), [MANIFEST])


def test_scopes_are_compared_with_the_manifest() -> None:
    wanted = sorted(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])
    exact = ",".join(wanted)
    assert scopes(exact).status == Status.PASS
    missing = scopes(",".join(s for s in wanted if s != "users:read"))
    assert missing.status == Status.FAIL and missing.finding == "the token lacks users:read"
    extra = scopes(exact + ",channels:history")
    assert extra.status == Status.WARN and "channels:history" in extra.finding
    assert scopes(None).status == Status.WARN


def test_no_manifest_is_a_warning(tmp_path: Path) -> None:
    check = scopes_check(SlackAnswer(), [tmp_path / "manifest.yml"])
    assert check.status == Status.WARN


def test_the_worst_result_decides() -> None:
    ok, meh, bad = passed("a", "x"), warned("b", "y", "z"), failed("c", "y", "z")
    assert worst([ok]) == Status.PASS
    assert worst([ok, meh]) == Status.WARN
    assert worst([meh, bad, ok]) == Status.FAIL


def test_the_table_wraps_long_cells_under_their_column() -> None:
    lines = table([failed("database", "word " * 30, "do this " * 10)]).splitlines()
    assert lines[0].split() == ["CHECK", "RESULT", "FINDING", "WHAT", "TO", "DO"]
    assert lines[1].startswith("database                FAIL    word")
    assert all(line.startswith(" " * 32) for line in lines[2:])
    assert max(len(line) for line in lines) <= 22 + 6 + 54 + 48 + 6
