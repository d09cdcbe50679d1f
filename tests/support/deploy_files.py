"""The Dockerfile and compose.yaml, read as Docker would read them (their instructions and
services), for the tests that check them statically and the one that rehearses them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


@cache
def dockerfile() -> list[tuple[str, str]]:
    return instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def stages() -> list[list[tuple[str, str]]]:
    """Each build stage's instructions, its FROM first."""
    found: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile():
        if keyword == "FROM":
            found.append([])
        found[-1].append((keyword, args))
    return found


def final_stage() -> list[tuple[str, str]]:
    return stages()[-1]


def exec_form(args: str) -> list[str]:
    """The argument list of an exec-form instruction (`["a", "b"]`)."""
    parsed = json.loads(args)
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed), args
    return parsed


def env_values(args: str) -> dict[str, str]:
    """An ENV instruction's `KEY=value` pairs."""
    pairs = re.findall(r"(\w+)=(\S+)", args)
    assert pairs, f"ENV in the key=value form only: {args!r}"
    return dict(pairs)


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def bots() -> dict[str, dict[str, Any]]:
    """The compose services that run the bot itself."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("command", [None])[0] == "run"
    }


def interpolated(value: str, variables: dict[str, str]) -> str:
    """`${NAME}` and `${NAME:?message}` filled in as compose does, failing as it would."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in variables, f"compose would stop: {name} is not set"
        return variables[name]

    return re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", fill, value)
