"""The lifecycle's states are named in one place: flows/request_machine.py (`Stage` and the
machine). Everywhere else a state is named through `Stage` or asked of the machine ("may this be
submitted?", "is it open?"), never spelled as a string, so the machine cannot drift from the
code that reads it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flows.request_machine import (
    ALLOWED,
    DECISIONS,
    FINAL_STATES,
    OPEN_STATES,
    PENDING_STATES,
    RequestLifecycle,
    Stage,
)

ROOT = Path(__file__).resolve().parents[2]
MACHINE = ROOT / "flows" / "request_machine.py"
#: Slack block ids are public contract, spelled as issued whatever the states are called
PUBLIC_IDS = ROOT / "bot" / "ids.py"
SCANNED = sorted(
    path
    for package in ("flows", "bot", "storage")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts and path not in (MACHINE, PUBLIC_IDS)
)
STATE_NAMES = frozenset(s.id for s in RequestLifecycle.states)


#: what marks or translates text for people (flows/i18n.py: `N_`, `NN_`, a translator `t`):
#: their arguments are words, even one that is also a state's name
GETTEXT = frozenset({"t", "N_", "NN_", "gettext", "ngettext", "pgettext", "nplural", "_"})


def is_stage(node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Stage"
    )


def prose(tree: ast.AST) -> set[int]:
    """ids of the string constants that are words for people, where a word may happen to be a
    state's name ("rejected"): docstrings, text marked for translation, and the values of a
    table of words keyed by `Stage` ({Stage.rejected: "rejected"})."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if name in GETTEXT:
                found.update(id(a) for a in node.args if isinstance(a, ast.Constant))
        elif isinstance(node, ast.Dict) and node.keys and all(is_stage(k) for k in node.keys):
            found.update(id(v) for v in node.values if isinstance(v, ast.Constant))
    return found


def spelled_states(source: str) -> list[tuple[int, str]]:
    """(line, name) of every string literal, outside docstrings, that is a state's name."""
    tree = ast.parse(source)
    words = prose(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in STATE_NAMES
        and id(node) not in words
    ]


def test_the_scan_covers_the_packages_and_finds_a_spelled_state() -> None:
    assert len(SCANNED) > 50
    assert spelled_states('if request.state == "awaiting_approval":\n    pass\n') == [
        (1, "awaiting_approval")
    ]
    assert spelled_states('STATES = {"withdrawn": "Withdrawn"}\n') == [(1, "withdrawn")]
    assert spelled_states('def f():\n    """Once approved, it is done."""\n') == []
    assert spelled_states("x = Stage.approved\ny = 'approved by'\n") == []
    # words for people that happen to be a state's name
    assert spelled_states('W = {Stage.rejected: N_("rejected")}\nx = t("expired")\n') == []
    assert spelled_states('WORDS = {Stage.rejected: "rejected"}\n') == []
    assert spelled_states('WORDS = {Stage.rejected: "x", "expired": "y"}\n') == [(1, "expired")]


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_state_is_spelled_outside_the_machine(path: Path) -> None:
    found = spelled_states(path.read_text(encoding="utf-8"))
    assert found == [], (
        f"{path.relative_to(ROOT)} spells state names {found}: use flows.request_machine.Stage "
        "or ask the machine (may, is_collecting, at_summary, awaiting_decision, OPEN_STATES…)"
    )


def test_stage_is_the_machines_states_each_named_as_stored() -> None:
    assert [s.id for s in RequestLifecycle.states] == [m.value for m in Stage]
    assert all(m.name == m.value for m in Stage)  # the stored text, whatever adapts it
    assert all(isinstance(s.value, str) and type(s.value) is str for s in RequestLifecycle.states)


def test_the_state_sets_are_read_from_the_machine() -> None:
    assert set(Stage) == OPEN_STATES | FINAL_STATES and not OPEN_STATES & FINAL_STATES
    assert {s.id for s in RequestLifecycle.states if s.final} == FINAL_STATES
    assert all(not ALLOWED[s] for s in FINAL_STATES)
    assert {Stage.awaiting_approval, Stage.info_requested, Stage.approved} == PENDING_STATES
    assert (Stage.approved, Stage.rejected, Stage.info_requested) == DECISIONS
