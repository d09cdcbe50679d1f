"""Use cases behind App Home: what waits for a person, what they decided, what they asked for,
and opening one request in full (itself recorded: DPA 2018 s.62, consultation)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.services import Refused, Roles, UnknownRequest
from flows.clock import Clock
from flows.delegation import Delegation
from flows.errors import DomainError
from flows.models import AuditEvent, MonitoringRequest
from flows.ports import Page, UnitOfWorkFactory

log = logging.getLogger(__name__)

QUEUE_PAGE = 10
MINE_PAGE = 10
DECISIONS_SHOWN = 20


@dataclass(frozen=True)
class Home:
    user: str
    #: None for someone who decides nothing (they get no queue and no decisions)
    queue: Page[MonitoringRequest] | None
    decided: list[tuple[str, AuditEvent]]
    mine: Page[MonitoringRequest]
    #: delegations in force today, shown to deciders so nobody decides on a lapsed say-so
    delegations: list[Delegation] = field(default_factory=list)


class NotYoursToView(DomainError):
    """Only the officer, and those who may decide requests, open a request in full."""


class HomeService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        reads: UnitOfWorkFactory,
        roles: Callable[[str], Roles | Refused],
        clock: Clock,
        today: Callable[[], date],
    ) -> None:
        self.uow = uow
        self.reads = reads
        #: what a user may do, delegation included (RequestService.roles_of)
        self.roles = roles
        self.clock = clock
        #: today in the force's zone (a delegation runs to the end of its last local day)
        self.today = today

    def home(self, user_id: str, queue_offset: int = 0, mine_offset: int = 0) -> Home:
        roles = self._roles(user_id)  # may ask Slack: before the transaction
        with self.reads() as uow:
            queue, decided, delegations = None, [], []
            if roles.decides_some:
                delegations = uow.delegations.active(self.today())
                escalated_only = not roles.decides_any
                queue = uow.requests.awaiting_decision(
                    user_id, escalated_only, QUEUE_PAGE, queue_offset
                )
                decided = uow.audit.decisions_by(user_id, DECISIONS_SHOWN)
            mine = uow.requests.for_officer(user_id, MINE_PAGE, mine_offset)
        return Home(user_id, queue, decided, mine, delegations)

    def _roles(self, user_id: str) -> Roles:
        """Fails closed: when Slack cannot say who someone is, they decide nothing here."""
        roles = self.roles(user_id)
        return Roles() if isinstance(roles, Refused) else roles

    def view(self, request_id: str, user_id: str) -> MonitoringRequest | Refused:
        """The whole request for someone entitled to see it; each opening is audited `viewed`."""
        roles = self._roles(user_id)
        with self.uow() as uow:
            request = uow.requests.get(request_id)
            if request is None:
                error: DomainError = UnknownRequest(
                    lambda t: t("{request} is not in this bot's records.", request=request_id)
                )
                return Refused(error.message, error)
            if user_id != request.officer_id and not roles.decides_some:
                error = NotYoursToView(
                    lambda t: t(
                        "Only the officer who made {request} and the supervisors can open it.",
                        request=request_id,
                    )
                )
                log.info("view refused", extra={"request_id": request_id, "user": user_id})
                return Refused(error.message, error, request)
            uow.audit.append(
                "viewed", user_id, self.clock.now(), request_id, {"surface": "app_home"}
            )
            uow.commit()
        log.info("viewed", extra={"request_id": request_id, "user": user_id})
        return request
