"""Two-person approval where a force's risk rules demand it (MOSOVO_SECOND_APPROVAL).

Conditions are `kind:value` pairs, e.g. `rosh:very_high,flag:no_monitoring_clause,basis:voluntary`;
a request for which any holds needs approvals from two different deciders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.catalogue import LEGAL_BASES, ROSH_LEVELS

#: short names a force may use for the flags flows.flags raises
FLAG_NAMES = {
    "no_monitoring_clause": "order_lacks_monitoring_clause",
    "order_lacks_monitoring_clause": "order_lacks_monitoring_clause",
    "late_notification": "late_notification",
    "stale_risk_assessment": "risk_assessment_stale",
    "risk_assessment_stale": "risk_assessment_stale",
    "shared_device": "device_not_solely_owned",
    "device_not_solely_owned": "device_not_solely_owned",
}
_VALUES: dict[str, tuple[str, ...]] = {
    "rosh": tuple(o.value for o in ROSH_LEVELS),
    "basis": LEGAL_BASES,
    "flag": tuple(FLAG_NAMES),
}


@dataclass(frozen=True)
class Condition:
    kind: str
    value: str

    def holds(self, answers: Mapping[str, Any], flags: Mapping[str, Any]) -> bool:
        if self.kind == "rosh":
            return answers.get("rosh_level") == self.value
        if self.kind == "basis":
            return answers.get("legal_basis") == self.value
        return FLAG_NAMES[self.value] in flags

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class SecondApproval:
    conditions: tuple[Condition, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SecondApproval:
        conditions = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            kind, colon, value = item.partition(":")
            kind, value = kind.strip().lower(), value.strip().lower()
            if kind not in _VALUES or not colon:
                raise ValueError(
                    f"{item!r} is not a condition: use rosh:<level>, flag:<name> or basis:<basis>"
                )
            if value not in _VALUES[kind]:
                raise ValueError(
                    f"{item!r} names an unknown {kind}: use one of {', '.join(_VALUES[kind])}"
                )
            conditions.append(Condition(kind, value))
        return cls(tuple(conditions))

    def reasons(self, answers: Mapping[str, Any], flags: Mapping[str, Any]) -> list[str]:
        """The conditions this request meets (empty: one approval is enough)."""
        return [str(c) for c in self.conditions if c.holds(answers, flags)]

    def approvals_needed(self, answers: Mapping[str, Any], flags: Mapping[str, Any]) -> int:
        return 2 if self.reasons(answers, flags) else 1
