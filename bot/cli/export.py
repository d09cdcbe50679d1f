"""`mosovo-bot export`: requests with their audit trails, as CSV or JSON lines (itself audited)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    Commands,
    OutputExists,
    add_audited_arguments,
    open_output,
    parse_moment,
    with_database,
    with_database_url,
)

if TYPE_CHECKING:
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser("export", help="export requests with their audit trails (audited)")
    parser.add_argument("--format", choices=("csv", "jsonl"), required=True)
    add_audited_arguments(parser)
    parser.add_argument("--since", help="only requests created on or after this date (YYYY-MM-DD)")
    parser.add_argument(
        "--output", help="a new file to write, owner-only (default: standard output)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace --output if it exists (a new file)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    return with_database_url(
        lambda url: cmd_export(
            url, args.format, args.operator, args.reason, args.since, args.output, args.force
        )
    )


def cmd_export(
    url: str,
    fmt: str,
    operator: str | None,
    reason: str | None,
    since: str | date | datetime | None = None,
    output: str | None = None,
    force: bool = False,
) -> int:
    """Export to `output` (a new file readable by its owner only; an existing one only with
    `force`) or stdout for None or "-". Refused before anything is read or audited."""
    from storage.export import ExportRefused, ExportRequest, export_requests

    try:
        request = ExportRequest(fmt, operator or "", reason or "", parse_moment(since))
    except (ExportRefused, ValueError) as refusal:
        print(f"export refused: {refusal}", file=sys.stderr)
        return EXIT_REFUSED

    def run(db: Database) -> int:
        try:
            with open_output(output, force=force) as out:
                count = export_requests(db, out, request)
        except OutputExists as refusal:  # raised on opening: nothing read, nothing audited
            print(f"export refused: {refusal}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"exported {count} requests", file=sys.stderr)
        return EXIT_OK

    return with_database(url, run)
