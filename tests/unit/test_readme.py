"""The README is part of the product: its two commands and its lifecycle diagram must stay true."""

from __future__ import annotations

import re
from pathlib import Path

from flows.request_machine import mermaid_diagram

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readmes_lifecycle_diagram_is_the_one_the_machine_generates() -> None:
    match = re.search(r"```mermaid\n(.*?)```", README.read_text(), re.DOTALL)
    assert match, "README.md has no mermaid block"
    assert match.group(1).strip() == mermaid_diagram().strip(), (
        "README.md's diagram is stale: paste the output of `mosovo-bot diagram`"
    )


def test_the_readme_opens_with_the_run_and_test_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(), re.DOTALL)
    assert first_block
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]
    makefile = (README.parent / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
