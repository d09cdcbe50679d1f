"""The schema. Column names match `flows.models.MonitoringRequest` so mapping stays mechanical.

Timestamps are `UTCDateTime` and JSON is `JSONValue` (storage/types.py): both databases hand back
exactly what the domain stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from storage.types import JSONValue, UTCDateTime

metadata = SQLModel.metadata

# SQLite only makes INTEGER PRIMARY KEY an auto-assigned rowid; BIGINT would not be.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _at(nullable: bool = True, **kwargs: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, **kwargs))


def _json(**kwargs: Any) -> Any:
    return Field(sa_column=Column(JSONValue(), nullable=False, **kwargs))


def _text(nullable: bool = True) -> Any:
    return Field(sa_column=Column(Text(), nullable=nullable))


def _str(nullable: bool = True) -> Any:
    return Field(sa_column=Column(String(), nullable=nullable))


def _int(default: int = 0) -> Any:
    return Field(sa_column=Column(Integer(), nullable=False, default=default))


class RequestRow(SQLModel, table=True):
    """One monitoring request. Its public id "MR-<n>" is the identity value of `id`, so two
    replicas can never hand out the same one."""

    __tablename__ = "requests"
    __table_args__ = (
        Index("uq_requests_thread", "channel_id", "thread_ts", unique=True),
        Index("ix_requests_state_due_at", "state", "due_at"),
        Index("ix_requests_officer_state", "officer_id", "state"),
        # App Home's queue: awaiting approval, oldest submission first, one page at a time
        Index("ix_requests_state_submitted", "state", "submitted_at", "id"),
        # the scheduler's "what is due?" scans this index from the oldest due_at: the work is
        # proportional to what is due, and closed requests (due_at NULL) are not in it at all
        Index(
            "ix_requests_due_at",
            "due_at",
            "id",
            postgresql_where="due_at IS NOT NULL",
            sqlite_where="due_at IS NOT NULL",
        ),
        # never reuse the id of a deleted row: public ids are quoted in emails and records
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_BigId, Identity(), primary_key=True, autoincrement=True)
    )
    officer_id: str = _str(nullable=False)
    channel_id: str = _str(nullable=False)
    thread_ts: str | None = _str()
    state: str = _str(nullable=False)
    answers: dict[str, Any] = _json()
    flags: dict[str, Any] = _json()
    current_field: str | None = _str()
    strikes: int = _int()
    created_at: datetime = _at(nullable=False)
    submitted_at: datetime | None = _at()
    decided_at: datetime | None = _at()
    decided_by: str | None = _str()
    decided_on_behalf_of: str | None = _str()
    decision: str | None = _str()
    decision_reason: str | None = _text()
    decision_comment: str | None = _text()
    review_date: date | None = Field(sa_column=Column(Date(), nullable=True))
    installed_at: datetime | None = _at()
    installation_outcome: str | None = _str()
    installation_date: date | None = Field(sa_column=Column(Date(), nullable=True))
    installation_notes: str | None = _text()
    closed_at: datetime | None = _at()
    closed_reason: str | None = _text()
    last_activity_at: datetime | None = _at()
    approval_round: int = _int()
    approval_card_ref: str | None = _str()
    rounds: list[dict[str, Any]] = _json()
    due_at: datetime | None = _at()
    nudges: dict[str, str] = _json()
    contributors: list[str] = _json()
    question_ref: str | None = _str()
    restarted_from: str | None = _str()
    restarted_as: str | None = _str()
    prefill: dict[str, Any] = _json()
    #: while set and in the future, one scheduler replica is working on this request
    lease_until: datetime | None = _at()
    #: when retention erased its content (flows/retention.py); None while it is kept in full
    erased_at: datetime | None = _at()
    version: int = _int()


class AuditEventRow(SQLModel, table=True):
    """An append-only, hash-chained log (storage/audit.py). `id` is assigned by the appender as
    previous + 1 under the chain lock, not by a sequence: sequences skip values on rollback, and
    a gap must only ever mean a deleted event."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_request", "request_id", "id"),
        # App Home's "your last decisions": a person's newest events without scanning the log
        Index("ix_audit_events_actor", "actor", "id"),
        UniqueConstraint("hash", name="uq_audit_events_hash"),
    )

    id: int = Field(sa_column=Column(_BigId, primary_key=True, autoincrement=False))
    request_id: int | None = Field(
        default=None,
        sa_column=Column(_BigId, ForeignKey("requests.id", name="fk_audit_events_request")),
    )
    actor: str = _str(nullable=False)
    action: str = _str(nullable=False)
    at: datetime = _at(nullable=False)
    detail: dict[str, Any] = _json()
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    #: 1: `hash` covers `detail` itself (the first revision); 2: it covers `detail_digest`
    scheme: int = Field(sa_column=Column(Integer(), nullable=False, server_default="1"))
    #: salted SHA-256 of the detail (scheme 2); kept when the detail is erased
    detail_digest: str | None = Field(default=None, sa_column=Column(String(64)))
    detail_salt: str | None = Field(default=None, sa_column=Column(String(32)))
    #: set when retention erased the detail (the one update the database allows)
    erased_at: datetime | None = _at()


class ProcessedDeliveryRow(SQLModel, table=True):
    """A Slack delivery (event id, action id) already acted on: a retry or double click is not."""

    __tablename__ = "processed_deliveries"
    __table_args__ = (Index("ix_processed_deliveries_at", "at"),)

    key: str = Field(sa_column=Column(String(), primary_key=True))
    at: datetime = _at(nullable=False)


class OutboxRow(SQLModel, table=True):
    """A Slack call still to make. Rows are kept after sending or giving up (never dropped)."""

    __tablename__ = "outbox"
    __table_args__ = (
        # only unsent rows are claimable, so only they are indexed: the claim scans what is due
        Index(
            "ix_outbox_due",
            "next_attempt_at",
            "id",
            postgresql_where="sent_at IS NULL AND gave_up_at IS NULL",
            sqlite_where="sent_at IS NULL AND gave_up_at IS NULL",
        ),
        Index("ix_outbox_request", "request_id"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_BigId, Identity(), primary_key=True, autoincrement=True)
    )
    request_id: int | None = Field(
        default=None,
        sa_column=Column(_BigId, ForeignKey("requests.id", name="fk_outbox_request")),
    )
    method: str = _str(nullable=False)
    payload: dict[str, Any] = _json()
    purpose: str = _str(nullable=False)
    extra: dict[str, Any] = _json()
    attempts: int = _int()
    next_attempt_at: datetime = _at(nullable=False)
    lease_until: datetime | None = _at()
    sent_at: datetime | None = _at()
    gave_up_at: datetime | None = _at()
    last_error: str | None = _text()
    created_at: datetime = _at(nullable=False)


class DelegationRow(SQLModel, table=True):
    """A supervisor lets someone decide until the end of a day (or until revoked). Rows are kept
    after they lapse or are revoked: they are evidence of who could decide when."""

    __tablename__ = "delegations"
    __table_args__ = (
        Index("ix_delegations_delegate_until", "delegate_id", "until"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_BigId, Identity(), primary_key=True, autoincrement=True)
    )
    delegate_id: str = _str(nullable=False)
    delegator_id: str = _str(nullable=False)
    until: date = Field(sa_column=Column(Date(), nullable=False))
    created_at: datetime = _at(nullable=False)
    revoked_at: datetime | None = _at()
    revoked_by: str | None = _str()


class RoundApprovalRow(SQLModel, table=True):
    """Who has given an approval in which approval round of a request: where two approvals are
    needed, App Home's queue leaves a request out for a decider who already gave the first.
    Written by the repository from the round record (`requests.rounds`) in the same transaction
    as the request; kept, like the approvals themselves."""

    __tablename__ = "round_approvals"

    request_id: int = Field(
        sa_column=Column(
            _BigId,
            ForeignKey("requests.id", name="fk_round_approvals_request"),
            primary_key=True,
        )
    )
    round: int = Field(sa_column=Column(Integer(), primary_key=True, autoincrement=False))
    approver: str = Field(sa_column=Column(String(), primary_key=True))


class PersonLanguageRow(SQLModel, table=True):
    """The language a person chose to be spoken to in (`en` or `cy`); one row a person,
    changed in place. Each choice is also in the audit log (`language_set`: who, when, old, new)."""

    __tablename__ = "person_languages"

    user_id: str = Field(sa_column=Column(String(), primary_key=True))
    language: str = Field(sa_column=Column(String(8), nullable=False))
    set_at: datetime = _at(nullable=False)


requests_table = RequestRow.__table__  # type: ignore[attr-defined]
audit_events_table = AuditEventRow.__table__  # type: ignore[attr-defined]
processed_deliveries_table = ProcessedDeliveryRow.__table__  # type: ignore[attr-defined]
outbox_table = OutboxRow.__table__  # type: ignore[attr-defined]
delegations_table = DelegationRow.__table__  # type: ignore[attr-defined]
round_approvals_table = RoundApprovalRow.__table__  # type: ignore[attr-defined]
person_languages_table = PersonLanguageRow.__table__  # type: ignore[attr-defined]
