"""`mosovo-bot db upgrade`: apply pending Alembic migrations (``run`` does this too)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, Commands, with_database, with_database_url

if TYPE_CHECKING:
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser("db", help="database maintenance")
    db_commands = parser.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply pending migrations")
    upgrade.set_defaults(handler=handle_upgrade)


def handle_upgrade(_args: argparse.Namespace) -> int:
    return with_database_url(cmd_db_upgrade)


def cmd_db_upgrade(url: str) -> int:
    from storage.db import current_revision

    def run(db: Database) -> int:
        db.upgrade()
        print(f"database schema at revision {current_revision(db.engine)}")
        return EXIT_OK

    return with_database(url, run)
