"""bot/cli/: one module per command, each registered, each with its own sub-parser."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import bot.cli
from bot.cli import COMMANDS, build_parser

PACKAGE = Path(bot.cli.__file__).parent
NOT_COMMANDS = {"__init__", "common"}


def test_every_command_module_is_registered() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")} - NOT_COMMANDS
    assert {command.__name__.rsplit(".", 1)[1] for command in COMMANDS} == modules


def sub_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_each_module_adds_the_command_it_is_named_for() -> None:
    assert sorted(sub_commands(build_parser())) == sorted(
        command.__name__.rsplit(".", 1)[1] for command in COMMANDS
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--host", "127.0.0.1", "--port", "3001", "--no-scheduler"],
        ["db", "upgrade"],
        ["export", "--format", "csv", "--operator", "DS Smith", "--reason", "SAR", "--since", "x"],
        ["audit", "verify"],
        ["audit", "checkpoint"],
        ["retention", "--dry-run"],
        ["doctor", "--json"],
        [
            "report",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--operator",
            "DI Jones",
            "--reason",
            "monthly",
            "--csv",
            "--png",
            "x.png",
            "--output",
            "x.csv",
            "--force",
        ],
        ["diagram"],
    ],
)
def test_every_command_line_has_a_handler(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert callable(args.handler)


def test_an_unknown_command_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["frobnicate"])
    assert exited.value.code == 2
