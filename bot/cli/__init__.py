"""`mosovo-bot`: the command line, one module per command.

Each module in this package is one command: ``register(commands)`` adds its sub-parser and sets
``handler``, a function from the parsed arguments to the exit status (``bot.cli.common`` says what
each status means and holds what several commands share). A command is a thin layer: it parses,
calls one use case (in ``storage/``, ``flows/`` or ``bot/``), prints the result and picks the exit
status. To add one, write ``bot/cli/<name>.py`` with ``register`` and list it in ``COMMANDS``.
Heavy imports (the Bolt app, the database) stay inside the handlers, so that ``--help`` and a
refusal for a missing setting are quick.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bot.cli import (
    audit,
    db,
    demo,
    diagram,
    doctor,
    export,
    report,
    retention,
    run,
    workbench,
)

#: In the order ``--help`` lists them.
COMMANDS = (run, workbench, demo, doctor, db, export, report, retention, audit, diagram)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mosovo-bot", description="MOSOVO monitoring-software requests in Slack"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status
