"""`mosovo-bot report`: a period's figures (aggregates only) as a table or CSV, and a PNG chart.

Running it is audited (`reported`): like an export it needs the operator and a reason.
"""

from __future__ import annotations

import argparse
import csv
import sys
from contextlib import ExitStack
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from bot.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    Commands,
    OutputExists,
    add_audited_arguments,
    open_output,
    refuse,
    with_database,
    with_database_url,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from flows.figures import Figures
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "report", help="a period's figures: outcomes, bases, time to decision (audited)"
    )
    parser.add_argument("--since", required=True, help="first day of the period (YYYY-MM-DD)")
    parser.add_argument("--until", required=True, help="last day of the period (YYYY-MM-DD)")
    add_audited_arguments(parser)
    parser.add_argument("--csv", action="store_true", help="CSV (section,item,value), not a table")
    parser.add_argument("--png", metavar="FILE", help="also draw the figures as a chart in FILE")
    parser.add_argument("--output", help="a new file for the table or CSV (default: stdout)")
    parser.add_argument("--force", action="store_true", help="replace --output or --png files")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.settings import SettingsError, timezone_from_env

    try:
        zone = timezone_from_env()
    except SettingsError as error:
        return refuse(str(error))
    return with_database_url(
        lambda url: cmd_report(
            url,
            args.since,
            args.until,
            args.operator,
            args.reason,
            zone=zone,
            as_csv=args.csv,
            png=args.png,
            output=args.output,
            force=args.force,
        )
    )


def period(since: str, until: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of `since` to the end of `until`, whole days in the force's time zone."""
    days = []
    for flag, value in (("--since", since), ("--until", until)):
        try:
            days.append(date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"{flag} must be a date like 2026-11-01, not {value!r}") from None
    first, last = days
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start, end


def cmd_report(
    url: str,
    since: str,
    until: str,
    operator: str | None,
    reason: str | None,
    *,
    zone: ZoneInfo,
    as_csv: bool = False,
    png: str | None = None,
    output: str | None = None,
    force: bool = False,
) -> int:
    """Refused before anything is read or audited when an argument or an output is wrong."""
    from storage.report import ReportRefused, ReportRequest, gather_figures

    try:
        start, end = period(since, until, zone)
        shape = ("csv" if as_csv else "table") + ("+png" if png else "")
        request = ReportRequest(operator or "", reason or "", start, end, shape)
    except (ReportRefused, ValueError) as refusal:
        print(f"report refused: {refusal}", file=sys.stderr)
        return EXIT_REFUSED

    def run(db: Database) -> int:
        with ExitStack() as files:
            try:
                out = files.enter_context(open_output(output, force=force))
                chart = (
                    files.enter_context(open_output(png, binary=True, force=force)) if png else None
                )
            except OutputExists as refusal:  # on opening: nothing read, nothing audited
                print(f"report refused: {refusal}", file=sys.stderr)
                return EXIT_REFUSED
            figures = gather_figures(db, request)
            if as_csv:
                write_csv(figures, out)
            else:
                out.write(table(figures) + "\n")
            if chart is not None:
                from bot.charts import draw_figures

                draw_figures(figures, chart)
        if png:
            print(f"chart written to {png}", file=sys.stderr)
        return EXIT_OK

    return with_database(url, run)


def title(figures: Figures) -> str:
    last_day = figures.until - timedelta(days=1)
    return f"Monitoring requests opened {figures.since:%d %b %Y} to {last_day:%d %b %Y}"


def table(figures: Figures) -> str:
    """The figures under their section headings, values right-aligned."""
    lines = [title(figures)]
    section = None
    for name, item, value in figures.rows():
        if name != section:
            lines += ["", name.capitalize()]
            section = name
        lines.append(f"  {item:<44} {value:>8}")
    return "\n".join(lines)


def write_csv(figures: Figures, out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(("section", "item", "value"))
    writer.writerows(figures.rows())
