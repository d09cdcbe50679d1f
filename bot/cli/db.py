"""`mosovo-bot db upgrade`: apply pending Alembic migrations as the schema owner, then restate
the runtime role's rights (storage/roles.py). ``run`` does this too when it has the owner's URL."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, Commands, refuse, with_database

if TYPE_CHECKING:
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser("db", help="database maintenance")
    db_commands = parser.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="apply pending migrations (as the schema owner)"
    )
    upgrade.add_argument(
        "--database-url",
        help="the schema owner's URL (default: MOSOVO_MIGRATION_DATABASE_URL, else DATABASE_URL; "
        "prefer the setting: a password here shows in the process list)",
    )
    upgrade.add_argument(
        "--grant-to",
        metavar="ROLE",
        help="PostgreSQL: the runtime role to grant its rights to (default: DATABASE_URL's user, "
        "when it is not the owner)",
    )
    upgrade.set_defaults(handler=handle_upgrade)


def handle_upgrade(args: argparse.Namespace) -> int:
    from bot.settings import SettingsError, database_settings_from_env

    try:
        settings = database_settings_from_env()
    except SettingsError as error:
        return refuse(str(error))
    owner_url = args.database_url or settings.migration_database_url or settings.database_url
    return cmd_db_upgrade(owner_url, settings.database_url, args.grant_to)


def cmd_db_upgrade(url: str, runtime_url: str | None = None, grant_to: str | None = None) -> int:
    from storage.db import current_revision
    from storage.roles import migrate

    def run(db: Database) -> int:
        role = migrate(url, runtime_url, grant_to)
        print(f"database schema at revision {current_revision(db.engine)}")
        if role:
            print(f"runtime role {role}: may read and insert into the audit log, nothing more")
        return EXIT_OK

    return with_database(url, run)
