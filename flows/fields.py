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
from flows.i18n import N_, translator
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
    #: other things people type for this option on a phone ("mobile" for a phone, "L2" for
    #: level 2); matched like the value and label, ignoring case, spaces, `_` and `-`
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParseContext:
    """What a parser may look at besides the text: today's local date, earlier answers, config."""

    today: date
    answers: Mapping[str, Any]
    config: FlowConfig
    #: the language refusals are worded in (the officer's); answers are read in either
    language: str = "en"


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


#: the sections a request is asked in, in order (a form's pages follow them too)
#: (titles marked for the `conversation` catalogue: show them with `t(title)`)
SECTIONS = (
    ("person", N_("The person")),
    ("basis", N_("Legal basis")),
    ("risk", N_("Risk")),
    ("device", N_("The device")),
    ("software", N_("Software and necessity")),
)


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
    #: the legal basis this field belongs to, if any: asked only on that basis
    branch: str | None = None
    #: a further condition on earlier answers (the serial only when there is no IMEI)
    condition: Applies | None = None
    #: one of SECTIONS
    section: str = "person"
    #: fields that share a question number: an alternative (IMEI or serial) or a follow-up
    #: (who else uses the device, after its ownership); defaults to the field's own key
    slot: str = ""
    #: free text that may run over several lines (a whole message is its answer)
    multiline: bool = False
    #: shown only by its last four characters wherever people see it (IMEIs, serial numbers);
    #: in full only in the record and the export
    masked: bool = False
    #: its answer changes which questions follow (the basis, the device type, the IMEI, the
    #: ownership): answers typed on later lines of the same message stop here
    decides: bool = False
    #: the language its texts (label, prompt, help, example, option labels) are in
    language: str = "en"

    def __post_init__(self) -> None:
        if self.section not in dict(SECTIONS):
            raise ValueError(f"{self.key}: unknown section {self.section!r}")
        if not self.slot:
            object.__setattr__(self, "slot", self.key)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether this question is asked, given the answers so far."""
        if self.branch is not None and answers.get("legal_basis") != self.branch:
            return False
        return self.condition is None or self.condition(answers)

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
        """The answer as a person reads it in the field's language (labels for choices). Not
        escaped for any markup."""
        t = translator(self.language)
        if value is None:
            return t("(skipped)")
        if self.options:
            for option in self.options:
                if option.value == value:
                    return option.label
        if isinstance(value, bool):
            return t("Yes") if value else t("No")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) if value else t("None")
        if self.kind == FieldKind.DATE and isinstance(value, str):
            day = stored_date({self.key: value}, self.key)
            if day:
                return format_date(day, self.language)
            return t("indefinite") if value == "indefinite" else value
        if value == "unknown" and self.key == "device_os":
            return t("unknown")
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

    def __init__(
        self,
        fields: tuple[Field, ...],
        bases: tuple[str, ...] = (),
        config: FlowConfig | None = None,
        language: str = "en",
    ) -> None:
        keys = [f.key for f in fields]
        if len(set(keys)) != len(keys):
            raise ValueError("field keys must be unique")
        self.fields = fields
        self._by_key = {f.key: f for f in fields}
        #: the legal bases a branch may name (the options of `legal_basis`)
        self.bases = bases or tuple(sorted({f.branch for f in fields if f.branch}))
        #: the force's configuration the questions were built from
        self.config = config or FlowConfig()
        #: the language its questions are worded in (the same keys, values and rules in each)
        self.language = language

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.fields)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Field:
        return self._by_key[key]

    def applicable(self, answers: Mapping[str, Any]) -> list[Field]:
        """The questions that apply given the answers so far, in asking order."""
        return [f for f in self.fields if f.applies(answers)]

    def branch_fields(self, basis: str) -> list[Field]:
        """The questions asked only on `basis`, in asking order (the card's basis facts)."""
        return [f for f in self.fields if f.branch == basis]

    def slots(self, answers: Mapping[str, Any]) -> list[str]:
        """The numbered questions on the path of the chosen basis, in order.

        Conditions other than the branch are ignored, so the count is fixed once the basis is
        known: a follow-up or an alternative shares the number of its slot. Before the basis is
        known, the longest path is counted (it can only shrink, once, at question 3 or so).
        """
        basis = answers.get("legal_basis")
        if basis is None or basis not in self.bases:
            paths = [self._slots_for(b) for b in self.bases] or [self._slots_for(None)]
            return max(paths, key=len)
        return self._slots_for(str(basis))

    def _slots_for(self, basis: str | None) -> list[str]:
        slots: list[str] = []
        for field in self.fields:
            if field.branch in (None, basis) and field.slot not in slots:
                slots.append(field.slot)
        return slots

    def in_section(self, section: str, answers: Mapping[str, Any]) -> list[Field]:
        return [f for f in self.applicable(answers) if f.section == section]
