"""flows/ is the pure domain: no Slack, no database, no bot. Checked in the source (every import
statement) and at run time (what importing every flows module actually loads)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = ROOT / "flows"
#: top-level packages the domain must never reach
FORBIDDEN = frozenset(
    {
        "slack_bolt",
        "slack_sdk",
        "sqlalchemy",
        "sqlmodel",
        "psycopg",
        "psycopg2",
        "alembic",
        "storage",
        "bot",
    }
)
MODULES = sorted(FLOWS.rglob("*.py"))


def imported_roots(source: str, package: str = "flows") -> set[str]:
    """The top-level package of every import statement, anywhere in the module (functions too);
    relative imports count as the package they are in."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                roots.add(package)
            elif node.module:
                roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            roots.add(node.args[0].value.split(".")[0])
    return roots


def test_the_checker_sees_every_kind_of_import() -> None:
    source = """
import os, slack_sdk.web
from sqlalchemy.orm import Session
from . import models
def later():
    import bot.app
    from storage import tables
    importlib.import_module("sqlmodel")
    __import__("psycopg")
"""
    assert imported_roots(source) == {
        "os",
        "slack_sdk",
        "sqlalchemy",
        "flows",
        "bot",
        "storage",
        "sqlmodel",
        "psycopg",
    }


def test_every_flows_module_is_checked() -> None:
    names = {path.stem for path in MODULES}

    assert {
        "conversation",
        "request_machine",
        "approval",
        "timers",
        "snapshot",
        "outputs",
        "fields",
        "catalogue",
        "clock",
        "config",
        "models",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_flows_module_imports_slack_the_database_or_the_bot(path: Path) -> None:
    roots = imported_roots(path.read_text(encoding="utf-8"))

    assert roots & FORBIDDEN == set()


IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import flows
for module in pkgutil.walk_packages(flows.__path__, "flows."):
    importlib.import_module(module.name)
from flows.request_machine import mermaid_diagram
mermaid_diagram()  # imports lazily
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_every_flows_module_loads_no_slack_database_or_bot_code() -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    loaded = set(json.loads(result.stdout))
    roots = {name.split(".")[0] for name in loaded}

    assert roots & FORBIDDEN == set()
    # the import really happened (so the check above means something)
    expected = {f"flows.{path.stem}" for path in MODULES if path.stem != "__init__"}
    assert expected <= loaded
    assert "statemachine" in roots
