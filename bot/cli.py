"""`mosovo-bot`: run the bot, and the operator's commands (database, export, audit, diagram)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger("bot.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mosovo-bot", description="MOSOVO monitoring-software requests in Slack"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP)"
    )
    run.add_argument("--host", default="0.0.0.0", help="HTTP mode: address to listen on")
    run.add_argument(
        "--port", type=int, default=None, help="HTTP mode: port (default: $PORT or 3000)"
    )
    run.add_argument(
        "--no-scheduler", action="store_true", help="do not run reminders and the outbox here"
    )

    commands.add_parser("diagram", help="print the request lifecycle as a Mermaid diagram")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations")

    export = commands.add_parser("export", help="export requests with their audit trails (audited)")
    export.add_argument("--format", choices=("csv", "jsonl"), required=True)
    export.add_argument("--operator", required=True, help="who is exporting (recorded)")
    export.add_argument("--reason", required=True, help="why (recorded; DPA 2018 s.62)")
    export.add_argument("--since", help="only requests created on or after this date (YYYY-MM-DD)")
    export.add_argument("--output", help="file to write (default: standard output)")

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="check the audit hash chain")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "diagram":
        from flows.request_machine import mermaid_diagram

        print(mermaid_diagram())
        return 0
    if args.command == "run":
        return run(args)
    from bot.settings import SettingsError, database_url_from_env
    from storage import cli as storage_cli

    try:
        url = database_url_from_env()
    except SettingsError as error:
        print(f"mosovo-bot: {error}", file=sys.stderr)
        return 2
    if args.command == "db":
        return storage_cli.cmd_db_upgrade(url)
    if args.command == "export":
        return storage_cli.cmd_export(
            url, args.format, args.operator, args.reason, args.since, args.output
        )
    if args.command == "audit":
        return storage_cli.cmd_audit_verify(url)
    return 2


def run(args: argparse.Namespace) -> int:
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"mosovo-bot: {error}", file=sys.stderr)
        return 2
    from bot.app import create_bot
    from bot.logs import configure_logging
    from bot.scheduler import start_scheduler

    configure_logging(settings.log_level)
    bot = create_bot(settings)
    bot.database.upgrade()
    scheduler = (
        None
        if args.no_scheduler
        else start_scheduler(bot.sweeper, settings.scheduler_interval.total_seconds())
    )
    try:
        if settings.socket_mode:
            return run_socket_mode(bot)
        return run_http(bot, args.host, args.port or settings.port)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        bot.database.dispose()


def run_socket_mode(bot: Bot, stopped: threading.Event | None = None) -> int:
    """Connect out to Slack (no inbound port) and stay connected until SIGTERM/SIGINT or `stopped`."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    token = bot.settings.slack_app_token
    assert token is not None
    stopped = stopped or stop_on_signals()
    handler = SocketModeHandler(bot.app, token.get_secret_value())
    handler.connect()
    log.info("connected in Socket Mode")
    try:
        stopped.wait()
    finally:
        handler.close()
    return 0


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so shutdown runs every `finally` (scheduler, database)."""
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopped


def run_http(bot: Bot, host: str, port: int) -> int:
    from bot.http import make_server, serve_until_stopped

    server = make_server(bot, host, port)
    stopped = stop_on_signals()
    log.info("serving HTTP", extra={"path": "/slack/events", "status": server.effective_port})
    serve_until_stopped(server, stopped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
