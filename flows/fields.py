"""The field catalogue: every question the bot asks, in order, with its parser and rules.

A field's `key` is public contract (Slack block ids and exports use it): never rename one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flows.config import FlowConfig
from flows.errors import InvalidAnswer
from flows.parsers import format_date


class FieldKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"
    DATE = "date"
    NUMBER = "number"
    IMEI = "imei"
    PNC = "pnc"
    REFERENCE = "reference"


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class ParseContext:
    """What a parser may look at besides the text: today's local date, earlier answers, config."""

    today: date
    answers: Mapping[str, Any]
    config: FlowConfig


Parser = Callable[[str, ParseContext], Any]
Applies = Callable[[Mapping[str, Any]], bool]


def stored_date(answers: Mapping[str, Any], key: str) -> date | None:
    """An earlier answer as a date, or None if it is missing or not a stored date (e.g. an
    order that runs indefinitely)."""
    value = answers.get(key)
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _always(_answers: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    prompt: str
    help: str
    example: str
    kind: FieldKind
    #: normalises the officer's text or raises InvalidAnswer with a specific message
    parser: Parser
    options: tuple[Option, ...] = ()
    #: may be answered with `skip` (stored as None)
    optional: bool = False
    #: the legal basis this field belongs to, if any
    branch: str | None = None
    applies: Applies = _always

    def parse(self, text: str, ctx: ParseContext) -> Any:
        return self.parser(text, ctx)

    def as_text(self, value: Any) -> str:
        """The answer as text the parser accepts again (for `back`, edits and re-checks)."""
        if value is None:
            return "skip"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) if value else "none"
        return str(value)

    def display(self, value: Any) -> str:
        """The answer as a person reads it (labels for choices). Not escaped for any markup."""
        if value is None:
            return "(skipped)"
        if self.options:
            for option in self.options:
                if option.value == value:
                    return option.label
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) if value else "None"
        if self.kind == FieldKind.DATE and isinstance(value, str):
            day = stored_date({self.key: value}, self.key)
            return format_date(day) if day else value  # e.g. "indefinite"
        return str(value)


@dataclass(frozen=True)
class Accepted:
    value: Any


@dataclass(frozen=True)
class Rejected:
    message: str


def validate(field: Field, text: str, ctx: ParseContext) -> Accepted | Rejected:
    """Parse an answer; never raises: any text yields a value or a message."""
    try:
        return Accepted(field.parse(text, ctx))
    except InvalidAnswer as refusal:
        return Rejected(refusal.message)


class Catalogue:
    """The ordered questions for one force's configuration."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        keys = [f.key for f in fields]
        if len(set(keys)) != len(keys):
            raise ValueError("field keys must be unique")
        self.fields = fields
        self._by_key = {f.key: f for f in fields}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.fields)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Field:
        return self._by_key[key]

    def applicable(self, answers: Mapping[str, Any]) -> list[Field]:
        """The questions that apply given the answers so far, in asking order."""
        return [f for f in self.fields if f.applies(answers)]
