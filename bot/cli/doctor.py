"""`mosovo-bot doctor`: check a deployment, one row per check, and fail when any check fails."""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_PROBLEM, Commands

if TYPE_CHECKING:
    from bot.doctor import Check

_WIDTHS = (22, 6, 54)  # check, result, finding; what to do takes the rest


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "doctor",
        help="check settings, database, Slack token, scopes, channels, supervisors, audit, clock",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the checks as JSON (for monitoring) instead"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.app import web_client
    from bot.doctor import Status, diagnose, worst
    from bot.settings import load_settings

    checks = diagnose(load_settings, lambda settings: web_client(settings, retries=1))
    verdict = worst(checks)
    if args.json:
        print(json.dumps({"result": verdict.value, "checks": [asdict(c) for c in checks]}))
        return EXIT_PROBLEM if verdict == Status.FAIL else EXIT_OK
    print(table(checks))
    counts = {status: sum(c.status == status for c in checks) for status in Status}
    print(
        f"\n{counts[Status.PASS]} passed, {counts[Status.WARN]} warnings, "
        f"{counts[Status.FAIL]} failed"
    )
    return EXIT_PROBLEM if verdict == Status.FAIL else EXIT_OK


def table(checks: Sequence[Check]) -> str:
    """Plain text columns, the long ones wrapped, so it reads in a terminal and in a ticket."""
    rows = [("CHECK", "RESULT", "FINDING", "WHAT TO DO")]
    rows += [(c.name, c.status.value.upper(), c.finding, c.action or "-") for c in checks]
    lines: list[str] = []
    for row in rows:
        cells = [
            textwrap.wrap(text, width) or [""] for text, width in zip(row, _WIDTHS, strict=False)
        ]
        cells.append(textwrap.wrap(row[3], 48) or [""])
        for depth in range(max(len(cell) for cell in cells)):
            parts = [
                (cell[depth] if depth < len(cell) else "").ljust(width)
                for cell, width in zip(cells, (*_WIDTHS, 0), strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)
