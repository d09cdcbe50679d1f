"""`mosovo-bot audit verify`: walk the audit hash chain and print its head."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, EXIT_PROBLEM, Commands, with_database, with_database_url

if TYPE_CHECKING:
    from storage.unit_of_work import Database


def register(commands: Commands) -> None:
    parser = commands.add_parser("audit", help="the audit trail")
    audit_commands = parser.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="check the audit hash chain")
    verify.set_defaults(handler=handle_verify)


def handle_verify(_args: argparse.Namespace) -> int:
    return with_database_url(cmd_audit_verify)


def cmd_audit_verify(url: str) -> int:
    from storage.audit import verify_chain

    def run(db: Database) -> int:
        with db.read_session_factory() as session:
            result = verify_chain(session)
        if result.ok:
            print(f"audit chain intact: {result.count} events (head {result.head_hash})")
            return EXIT_OK
        print(
            f"audit chain BROKEN at event {result.first_bad_id}: {result.reason} "
            f"({result.count} events before it are intact)",
            file=sys.stderr,
        )
        return EXIT_PROBLEM

    return with_database(url, run)
