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
    parser.add_argument("--output", help="file to write (default: standard output)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    return with_database_url(
        lambda url: cmd_export(
            url, args.format, args.operator, args.reason, args.since, args.output
        )
    )


def cmd_export(
    url: str,
    fmt: str,
    operator: str | None,
    reason: str | None,
    since: str | date | datetime | None = None,
    output: str | None = None,
) -> int:
    """Export to `output` (a new file readable by its owner only) or stdout for None or "-"."""
    from storage.export import ExportRefused, ExportRequest, export_requests

    try:
        request = ExportRequest(fmt, operator or "", reason or "", parse_moment(since))
    except (ExportRefused, ValueError) as refusal:
        print(f"export refused: {refusal}", file=sys.stderr)
        return EXIT_REFUSED

    def run(db: Database) -> int:
        with open_output(output) as out:
            count = export_requests(db, out, request)
        print(f"exported {count} requests", file=sys.stderr)
        return EXIT_OK

    return with_database(url, run)
