"""`mosovo-bot run`: migrate, start the scheduler, then serve Slack (Socket Mode or HTTP)."""

from __future__ import annotations

import argparse
import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.cli.common import EXIT_OK, Commands, refuse, stop_on_signals

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger("bot.cli")


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "run", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, else HTTP)"
    )
    parser.add_argument(
        "--host", default=None, help="HTTP mode: address to listen on (default: 0.0.0.0)"
    )
    parser.add_argument(
        "--port", type=int, default=None, help="HTTP mode: port (default: $PORT or 3000)"
    )
    parser.add_argument(
        "--no-scheduler", action="store_true", help="do not run reminders and the outbox here"
    )
    parser.add_argument(
        "--workbench-if-no-slack",
        action="store_true",
        help="with no Slack setting at all, start the local workbench instead (make run)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.settings import SLACK_SETTINGS, SettingsError, load_settings, slack_settings_given

    if args.workbench_if_no_slack and not slack_settings_given():
        from bot.cli.workbench import serve

        unset = ", ".join(SLACK_SETTINGS)
        return serve(
            args.host,
            args.port,
            f"mosovo-bot: no Slack settings ({unset} unset), so the local workbench",
        )
    try:
        settings = load_settings()
    except SettingsError as error:
        return refuse(str(error))
    from bot.app import create_bot
    from bot.collector import settle_after_start
    from bot.logs import configure_logging
    from bot.scheduler import start_scheduler
    from storage.checkpoints import CheckpointError
    from storage.roles import SchemaNotReady, ensure_schema

    configure_logging(settings.log_level)
    try:
        bot = create_bot(settings)
    except CheckpointError as error:
        return refuse(f"MOSOVO_AUDIT_KEY_FILE: {error}")
    try:
        ensure_schema(bot.database.engine, settings.migration_database_url)
    except SchemaNotReady as error:
        bot.database.dispose()
        return refuse(str(error))
    warm_calendar(settings.bank_holidays)
    scheduler = (
        None
        if args.no_scheduler
        else start_scheduler(
            bot.sweeper, settings.scheduler_interval.total_seconds(), bot.checkpoint_job
        )
    )
    stopped = stop_on_signals()
    metrics = serve_metrics(bot, stopped)
    settle_after_start()
    try:
        if settings.socket_mode:
            return run_socket_mode(bot, stopped)
        return run_http(bot, args.host or "0.0.0.0", args.port or settings.port, stopped)
    finally:
        stopped.set()
        if metrics is not None:
            metrics.join(timeout=5)
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        bot.close()


def warm_calendar(region: str) -> None:
    """Work out this year's and next year's bank holidays in the background while the bot starts,
    not inside the first requests' timers (where every listener thread would wait for it)."""
    from flows.calendar import BankHolidays

    year = datetime.now(UTC).year
    threading.Thread(
        target=BankHolidays(region).warm, args=(year, year + 1), name="holidays", daemon=True
    ).start()


def run_socket_mode(bot: Bot, stopped: threading.Event | None = None) -> int:
    """Connect out to Slack (no inbound port) and stay connected until SIGTERM/SIGINT or `stopped`."""
    from bot.slack.socket_mode import GuardedSocketModeHandler
    from bot.socket_watchdog import SocketWatchdog

    token = bot.settings.slack_app_token
    assert token is not None
    stopped = stopped or stop_on_signals()
    handler = GuardedSocketModeHandler(bot.app, token.get_secret_value())
    handler.connect()
    log.info("connected in Socket Mode")
    silence = bot.settings.socket_mode_silence.total_seconds()
    watching = threading.Event()
    watchdog = SocketWatchdog(handler.client, silence).watch(watching)
    try:
        stopped.wait()
    finally:
        watching.set()
        watchdog.join(timeout=5)
        handler.close()
    return EXIT_OK


def serve_metrics(bot: Bot, stopped: threading.Event) -> threading.Thread | None:
    """/metrics on MOSOVO_METRICS_ADDRESS (both modes), until `stopped`; None when off."""
    from bot.http import make_metrics_server, serve_in_background

    address = bot.settings.metrics_address
    if address is None:
        return None
    try:
        server = make_metrics_server(bot, *address)
    except OSError as error:  # metrics are for operators: Slack is still served without them
        log.error("metrics address unavailable", extra={"error": type(error).__name__})
        return None
    log.info("serving metrics", extra={"path": "/metrics", "status": server.effective_port})
    return serve_in_background(server, stopped)


def run_http(bot: Bot, host: str, port: int, stopped: threading.Event | None = None) -> int:
    from bot.http import make_server, serve_until_stopped

    server = make_server(bot, host, port)
    stopped = stopped or stop_on_signals()
    log.info("serving HTTP", extra={"path": "/slack/events", "status": server.effective_port})
    serve_until_stopped(server, stopped)
    return EXIT_OK
