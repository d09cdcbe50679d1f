"""docs/security.md names, for each promise, the tests that prove it: each must exist, or the
promise is not kept (a renamed or deleted test would leave it standing on nothing)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def named_tests() -> list[tuple[str, str | None]]:
    """(file under tests/, test name or None) for every reference in the tables' last column;
    `::name` continues the file named before it in the same cell."""
    found: list[tuple[str, str | None]] = []
    for row in DOC.read_text(encoding="utf-8").splitlines():
        if not row.startswith("|") or row.startswith("| ---") or row.startswith("| promise"):
            continue
        proof = row.rstrip(" |").rsplit(" | ", 1)[-1]
        current: str | None = None
        for ref in re.findall(r"`([^`]+)`", proof):
            if ref.startswith("::"):
                assert current is not None, f"{ref} follows no file: {row[:80]}"
                found.append((current, ref[2:]))
            elif ref.endswith(".py") or ".py::" in ref:
                current, _, name = ref.partition("::")
                found.append((current, name or None))
    return found


def test_every_test_the_security_page_names_exists() -> None:
    references = named_tests()
    assert len(references) > 50
    missing = []
    for file, name in references:
        path = ROOT / "tests" / file
        if not path.is_file():
            missing.append(file)
        elif name and not re.search(rf"^def {re.escape(name)}\(", path.read_text(), re.M):
            missing.append(f"{file}::{name}")
    assert missing == []
