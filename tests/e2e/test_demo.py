"""`mosovo-bot demo` as a newcomer runs it: a real process, no Slack workspace, no settings."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.test_cli import mosovo

README = Path(__file__).resolve().parents[2] / "README.md"
#: a day or a time: these lines of the README's sample depend on the day it was run
DATED = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2} [A-Z][a-z]+ \d{4}|\d\d:\d\d")


def readme_sample() -> list[str]:
    """The lines of the README's sample transcript that any run prints (not `…`, not dated)."""
    section = README.read_text().split("## See it work", 1)[1]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    return [
        line
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("…") and not DATED.search(line)
    ]


def test_demo_plays_one_request_of_each_basis_to_a_decision_and_shows_the_records(
    tmp_path: Path,
) -> None:
    result = mosovo("demo", cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in out + result.stderr
    assert '"ERROR"' not in result.stderr, result.stderr[-2000:]
    for basis in ("order", "licence", "voluntary"):
        assert f"(basis: {basis}) ===" in out
    # the bot's own words: its questions, the approval card, its buttons and its notices
    assert "What is the legal basis for monitoring?" in out
    assert "DS Sam Patel clicks [Approve]" in out and "DS Sam Patel clicks [Reject]" in out
    assert "was approved by @DS Sam Patel" in out
    records = re.findall(r"--- The stored record of (MR-\d+) ---", out)
    assert len(set(records)) == 3
    states = re.findall(r"^  state: (\w+)    decision: (\w+)$", out, re.MULTILINE)
    assert states == [("approved", "approved"), ("approved", "approved"), ("rejected", "rejected")]
    for basis in ("order", "licence", "voluntary"):
        assert f"    legal_basis: {basis}\n" in out
    assert len(re.findall(r"  submitted by PC Alex Morgan$", out, re.MULTILINE)) == 3
    assert len(re.findall(r"  decided by DS Sam Patel$", out, re.MULTILINE)) == 3
    # the stored IMEI is shown as the bot shows it in Slack: by its last four digits
    assert re.findall(r"^    device_imei: (.*)$", out, re.MULTILINE) == [
        "ending 7518",
        "ending 1481",
        "ending 3809",
    ]
    # a different person and device each time: no request is offered another's answers
    assert "Possible duplicate" not in out and "prefill_offered" not in out
    # a temporary database, removed afterwards: nothing is left where it ran
    assert list(tmp_path.iterdir()) == []
    # the README's sample is what the demo prints
    missing = [line for line in readme_sample() if line not in out.splitlines()]
    assert len(readme_sample()) > 20 and not missing, missing
