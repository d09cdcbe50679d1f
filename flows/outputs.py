"""What the domain wants said, as data. bot/ renders these as Block Kit; tests read them directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.fields import Field


@dataclass(frozen=True)
class Question:
    field: Field
    number: int
    total: int
    #: the answer already held (after `back` or `edit`), shown so the officer can keep or change it
    previous: Any = None
    has_previous: bool = False
    #: shares its number with the question before (an alternative or a follow-up)
    continued: bool = False
    #: labels of the questions that surely follow in this section: they may be answered in the
    #: same message, one a line
    coming: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerAccepted:
    """The current question was answered: its message (`ref`, where it was posted) now shows
    the answer instead of its buttons."""

    question: Question
    value: Any
    ref: str


@dataclass(frozen=True)
class AnswerRejected:
    field: Field
    message: str
    #: several bad answers in a row: also say how to get help or cancel
    add_hint: bool = False


@dataclass(frozen=True)
class FieldHelp:
    field: Field


@dataclass(frozen=True)
class SummaryRow:
    number: int
    field: Field
    value: Any
    #: the request this answer was reused from (prefill), if it was
    reused_from: str | None = None


@dataclass(frozen=True)
class Summary:
    rows: tuple[SummaryRow, ...]
    flags: dict[str, Any]
    #: an order's notification deadline and its rule in words, e.g. "by 22 November 2026: 3
    #: days beginning with 20 November"; None when no duty applies or it is not known yet
    deadline: str | None = None
    #: what the officer declares by submitting
    declaration: str = ""


@dataclass(frozen=True)
class PrefillOffered:
    """An earlier request in the unit is about the same person: reuse its answers about them?"""

    source_id: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """A short plain-text remark, e.g. why a command did nothing."""

    text: str


@dataclass(frozen=True)
class AnswersDropped:
    """Earlier answers no longer fit (a branch changed, or a date rule failed) and will be asked."""

    labels: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class SubmittedForApproval:
    request_id: str
    round: int
    #: the previous approval card, if this is a resubmission: it must be marked superseded
    superseded_card: str | None = None


@dataclass(frozen=True)
class Withdrawn:
    request_id: str
    from_state: str
    #: the approval card to update, if one was posted
    card: str | None = None


@dataclass(frozen=True)
class InfoReplyRecorded:
    request_id: str


Output = (
    Question
    | PrefillOffered
    | AnswerAccepted
    | AnswerRejected
    | FieldHelp
    | Summary
    | Notice
    | AnswersDropped
    | SubmittedForApproval
    | Withdrawn
    | InfoReplyRecorded
)
