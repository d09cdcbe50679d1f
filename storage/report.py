"""The figures of `mosovo-bot report`, read from the database; running it is audited.

Only the legal basis is taken from the answers and only the late-notification flag from the flags;
nothing that names a person or a device leaves this module. The `reported` audit event records
who asked, why, and for which period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from flows.figures import Figures, RequestFacts, summarise
from storage.tables import requests_table as requests
from storage.unit_of_work import Database


class ReportRefused(ValueError):
    """The report was not allowed to run (nothing was read)."""


@dataclass(frozen=True)
class ReportRequest:
    """Who asks for the figures of which period [since, until), and why."""

    operator: str
    reason: str
    since: datetime
    until: datetime
    output: str = "table"

    def __post_init__(self) -> None:
        if not self.operator.strip():
            raise ReportRefused("a report needs the operator's name (--operator)")
        if not self.reason.strip():
            raise ReportRefused("a report needs a reason (--reason): every use is logged")
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ReportRefused("the period must be timezone-aware")
        if self.until <= self.since:
            raise ReportRefused("--until must be on or after --since")


def gather_figures(db: Database, request: ReportRequest) -> Figures:
    """The figures of the requests opened in the period; records a `reported` event."""
    query = select(
        requests.c.state,
        requests.c.answers,
        requests.c.submitted_at,
        requests.c.decided_at,
        requests.c.decision,
        requests.c.flags,
    ).where(requests.c.created_at >= request.since, requests.c.created_at < request.until)
    with db.read_session_factory() as session:
        facts = [
            RequestFacts(
                state=row.state,
                basis=row.answers.get("legal_basis"),
                submitted_at=row.submitted_at,
                decided_at=row.decided_at,
                decision=row.decision,
                late_notification="late_notification" in row.flags,
            )
            for row in session.execute(query)
        ]
    figures = summarise(facts, request.since, request.until)
    with db.uow() as uow:
        uow.audit.append(
            "reported",
            actor=f"operator:{request.operator.strip()}",
            at=db.clock.now(),
            detail={
                "operator": request.operator.strip(),
                "reason": request.reason.strip(),
                "since": request.since.isoformat(),
                "until": request.until.isoformat(),
                "output": request.output,
                "requests": figures.total,
            },
        )
        uow.commit()
    return figures
