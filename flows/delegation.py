"""Delegation with an end: a supervisor lets someone decide until the end of a given day.

Plain rules, no I/O: who may delegate, to whom, until when; storage keeps the delegations and
the adapter asks it who is a delegate today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flows.errors import DomainError
from flows.i18n import Translator
from flows.parsers import format_date, parse_date

#: the longest a delegation may run: a force reviews who may decide at least once a year
LONGEST = timedelta(days=366)


class DelegationRefused(DomainError):
    """A delegation that may not be given or revoked, with why."""


class NotDelegator(DelegationRefused):
    """Someone who is not a supervisor tried to give or revoke a delegation: audited like a
    refused decision (a mistyped date by a supervisor is not evidence of anything)."""

    audit_action = "unauthorised_decision_attempt"


@dataclass
class Delegation:
    delegate_id: str
    delegator_id: str
    #: the last day the delegate may decide (to the end of that day in the force's zone)
    until: date
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    id: int | None = None

    def active_on(self, today: date) -> bool:
        return self.revoked_at is None and today <= self.until


def delegate(
    delegator: str,
    delegator_is_supervisor: bool,
    delegate_id: str,
    until_text: str,
    today: date,
    now: datetime,
) -> Delegation:
    """A new delegation, or DelegationRefused saying why not."""
    if not delegator_is_supervisor:
        raise NotDelegator(
            lambda t: t("Only a supervisor can delegate deciding monitoring requests.")
        )
    if delegate_id == delegator:
        raise DelegationRefused(lambda t: t("You cannot delegate to yourself."))
    try:
        until = parse_date(until_text, today)
    except DomainError:
        raise DelegationRefused(lambda t: _bad_date(until_text, today, t)) from None
    if until < today:
        raise DelegationRefused(
            lambda t: t(
                "{date} has passed: give today or a later day.",
                date=format_date(until, t.language),
            )
        )
    if until > today + LONGEST:
        raise DelegationRefused(lambda t: t("A delegation can run for a year at most."))
    return Delegation(delegate_id, delegator, until, now)


def check_revoker(revoker_is_supervisor: bool) -> None:
    if not revoker_is_supervisor:
        raise NotDelegator(lambda t: t("Only a supervisor can revoke a delegation."))


def _bad_date(until_text: str, today: date, t: Translator) -> str:
    """Why the end date was not understood, in the reader's language (the date's rules word it)."""
    try:
        parse_date(until_text, today, t)
    except DomainError as error:
        return t("The end date: {problem}", problem=error.shown(t))
    return t("The end date: {problem}", problem=until_text)
