"""The record of each approval round: what its card showed and how that round ended.

A decider acts on the card in front of them, so a card once decided or superseded is rendered
from its round's record, never from the request as it is now. Records are JSON-safe dicts on
`MonitoringRequest.rounds` (storage keeps them in one column); this module reads and writes them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.models import MonitoringRequest


@dataclass(frozen=True)
class Change:
    """One answer that differs from the previous round (`was_answered`/`is_answered` False: the
    question was not asked in that round)."""

    key: str
    before: Any
    after: Any
    was_answered: bool = True
    is_answered: bool = True


@dataclass(frozen=True)
class Round:
    number: int
    submitted_at: datetime | None
    answers: dict[str, Any]
    flags: dict[str, Any]
    outcome: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    on_behalf_of: str | None = None
    #: approvals given in this round, oldest first: {"by", "at", "on_behalf_of", "comment", ...}
    approvals: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    #: the officer's replies to this round's request for more information: {"at", "text"}
    replies: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def begin_round(request: MonitoringRequest, now: datetime) -> None:
    """Freeze what the new round's card shows (call after `approval_round` was advanced)."""
    request.rounds.append(
        {
            "round": request.approval_round,
            "submitted_at": now.isoformat(),
            "answers": copy.deepcopy(request.answers),
            "flags": copy.deepcopy(request.flags),
        }
    )


def record_outcome(
    request: MonitoringRequest,
    outcome: str,
    by: str | None,
    at: datetime,
    reason: str | None,
    on_behalf_of: str | None = None,
) -> None:
    """How the current round was decided."""
    record = _current(request)
    if record is not None:
        record["decision"] = {
            "outcome": outcome,
            "by": by,
            "at": at.isoformat(),
            "reason": reason,
            "on_behalf_of": on_behalf_of,
        }


def record_approval(request: MonitoringRequest, approval: dict[str, Any]) -> None:
    record = _current(request)
    if record is not None:
        record.setdefault("approvals", []).append(approval)


def record_reply(request: MonitoringRequest, text: str, at: datetime) -> None:
    """The officer answered the current round's request for more information."""
    record = _current(request)
    if record is not None:
        record.setdefault("replies", []).append({"at": at.isoformat(), "text": text})


def round_of(request: MonitoringRequest, number: int | None = None) -> Round:
    """The record of round `number` (default: the current one). A request saved before rounds
    were recorded has none: its current answers are the best record there is."""
    number = request.approval_round if number is None else number
    data = next((r for r in request.rounds if r.get("round") == number), None)
    if data is None:
        return Round(number, request.submitted_at, request.answers, request.flags)
    decision = data.get("decision") or {}
    return Round(
        number=number,
        submitted_at=_time(data.get("submitted_at")),
        answers=data.get("answers") or {},
        flags=data.get("flags") or {},
        outcome=decision.get("outcome"),
        decided_by=decision.get("by"),
        decided_at=_time(decision.get("at")),
        reason=decision.get("reason"),
        on_behalf_of=decision.get("on_behalf_of"),
        approvals=tuple(data.get("approvals") or ()),
        replies=tuple(data.get("replies") or ()),
    )


def previous_round(request: MonitoringRequest) -> Round | None:
    if request.approval_round <= 1:
        return None
    return round_of(request, request.approval_round - 1)


def changes(before: Round, after: Round) -> list[Change]:
    """Per answer, old -> new, in the order the newer round holds them (then any removed)."""
    found: list[Change] = []
    for key, value in after.answers.items():
        if key not in before.answers:
            found.append(Change(key, None, value, was_answered=False))
        elif before.answers[key] != value:
            found.append(Change(key, before.answers[key], value))
    for key, value in before.answers.items():
        if key not in after.answers:
            found.append(Change(key, value, None, is_answered=False))
    return found


def _current(request: MonitoringRequest) -> dict[str, Any] | None:
    """The current round's record; a request submitted before rounds were recorded gets one
    now, from what it holds (the best record there is)."""
    found = next((r for r in request.rounds if r.get("round") == request.approval_round), None)
    if found is None and request.approval_round >= 1:
        found = {
            "round": request.approval_round,
            "submitted_at": request.submitted_at.isoformat() if request.submitted_at else None,
            "answers": copy.deepcopy(request.answers),
            "flags": copy.deepcopy(request.flags),
        }
        request.rounds.append(found)
    return found


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
