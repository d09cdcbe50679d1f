"""`mosovo-bot retention`: list the closed requests past MOSOVO_RETENTION (`--dry-run`), or erase
their content (`--apply`, audited with the operator and reason; storage/retention.py)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, Commands, refuse, with_database

if TYPE_CHECKING:
    from datetime import timedelta

    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "retention", help="erase closed requests past MOSOVO_RETENTION (audited)"
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="list what is due; change nothing")
    mode.add_argument("--apply", action="store_true", help="erase the content of what is due")
    parser.add_argument("--operator", help="who is erasing (required with --apply; recorded)")
    parser.add_argument("--reason", help="why (required with --apply; recorded)")
    parser.add_argument(
        "--database-url",
        help="default: MOSOVO_MIGRATION_DATABASE_URL (erasing needs the schema owner on "
        "PostgreSQL), else DATABASE_URL",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.settings import SettingsError, retention_settings_from_env

    try:
        settings = retention_settings_from_env()
    except SettingsError as error:
        return refuse(str(error))
    url = args.database_url or settings.migration_database_url or settings.database_url
    if args.dry_run:
        return cmd_retention_dry_run(url, settings.retention)
    return cmd_retention_apply(url, settings.retention, args.operator, args.reason)


def cmd_retention_dry_run(url: str, retention: timedelta) -> int:
    from flows.retention import describe
    from storage.retention import due_now

    def run(db: Database) -> int:
        due = due_now(db, retention)
        print(f"retention {describe(retention)}: {len(due)} closed requests due for erasure")
        if due:
            print(f"{'request':<12} {'state':<10} {'closed':<25} due since")
        for closed in due:
            print(
                f"{closed.request_id:<12} {closed.state:<10} "
                f"{closed.closed.isoformat(timespec='seconds'):<25} "
                f"{closed.due_since(retention).date().isoformat()}"
            )
        return EXIT_OK

    return with_database(url, run)


def cmd_retention_apply(
    url: str, retention: timedelta, operator: str | None, reason: str | None
) -> int:
    from storage.retention import RetentionRefused, RetentionRun, apply_retention

    try:
        run_spec = RetentionRun(operator or "", reason or "", retention)
    except RetentionRefused as refusal:
        return refuse(str(refusal), "retention refused")

    def run(db: Database) -> int:
        erased = apply_retention(db, run_spec)
        for closed in erased:
            print(f"erased {closed.request_id} (closed {closed.closed.date().isoformat()})")
        print(f"erased {len(erased)} requests; recorded in the audit trail", file=sys.stderr)
        return EXIT_OK

    return with_database(url, run)
