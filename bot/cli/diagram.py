"""`mosovo-bot diagram`: the request lifecycle as Mermaid, drawn from the state machine."""

from __future__ import annotations

import argparse

from bot.cli.common import EXIT_OK, Commands


def register(commands: Commands) -> None:
    parser = commands.add_parser("diagram", help="print the request lifecycle as a Mermaid diagram")
    parser.set_defaults(handler=handle)


def handle(_args: argparse.Namespace) -> int:
    from flows.request_machine import mermaid_diagram

    print(mermaid_diagram())
    return EXIT_OK
