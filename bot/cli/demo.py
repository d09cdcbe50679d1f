"""`mosovo-bot demo`: one scripted request of each basis through the real bot, as a transcript.

No Slack workspace is needed: the Web API is answered in this process (bot/demo/). The database is
a temporary SQLite file, removed afterwards, unless DATABASE_URL is set in the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from bot.cli.common import EXIT_OK, EXIT_PROBLEM, Commands


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "demo", help="play one request of each basis through the real bot, printed as a transcript"
    )
    parser.set_defaults(handler=handle)


def handle(_args: argparse.Namespace) -> int:
    from bot.demo.script import DemoError, run_demo

    url = os.environ.get("DATABASE_URL", "").strip()
    try:
        if url:
            run_demo(url)
        else:
            with tempfile.TemporaryDirectory(prefix="mosovo-demo-") as folder:
                run_demo(f"sqlite:///{os.path.join(folder, 'demo.db')}")
    except DemoError as error:
        print(f"mosovo-bot demo: {error}", file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK
