"""`mosovo-bot workbench`: the real bot on a web page at 127.0.0.1, with no Slack workspace.

A private channel and its threads drawn as Slack would, where you act as the officer, a
supervisor, a second supervisor or someone not in the unit (bot/workbench/). The database is a
temporary SQLite file, removed afterwards, unless DATABASE_URL is set in the environment.
"""

from __future__ import annotations

import argparse
import os
import tempfile

from bot.cli.common import EXIT_OK, Commands, refuse, stop_on_signals

#: the workbench is for the person at this machine: it listens on loopback unless told otherwise
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "workbench", help="the real bot on a local web page, with no Slack workspace"
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=None, help=f"port (default: $PORT or {DEFAULT_PORT})"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    return serve(args.host, args.port, "mosovo-bot workbench: the real bot, no Slack workspace")


def default_port() -> int:
    given = os.environ.get("PORT", "").strip()
    return int(given) if given.isdigit() else DEFAULT_PORT


def serve(host: str | None, port: int | None, saying: str) -> int:
    """Serve the workbench until SIGTERM/SIGINT; announce it in one line: `saying`, then where."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return _serve(host or DEFAULT_HOST, port, url, saying)
    with tempfile.TemporaryDirectory(prefix="mosovo-workbench-") as folder:
        database = f"sqlite:///{os.path.join(folder, 'workbench.db')}"
        return _serve(host or DEFAULT_HOST, port, database, saying)


def _serve(host: str, port: int | None, database_url: str, saying: str) -> int:
    from bot.logs import configure_logging
    from bot.scheduler import start_scheduler
    from bot.workbench.bench import Workbench
    from bot.workbench.server import make_server, serve_in_background

    configure_logging("WARNING")
    stopped = stop_on_signals()
    with Workbench(database_url) as bench:
        try:
            server = make_server(bench, host, default_port() if port is None else port)
        except OSError as error:
            return refuse(f"cannot listen on {host}:{port}: {error.strerror or error}")
        bot = bench.real_bot
        scheduler = start_scheduler(bot.sweeper, bot.settings.scheduler_interval.total_seconds())
        bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        print(f"{saying}: open http://{shown}:{bound_port}/ (Ctrl+C stops it)", flush=True)
        thread = serve_in_background(server)
        try:
            stopped.wait()
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            scheduler.shutdown(wait=False)
    return EXIT_OK
