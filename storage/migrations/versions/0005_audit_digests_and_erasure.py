"""Audit events hash a digest of their detail, so retention can erase the detail and the chain
still verifies; requests record when their content was erased.

Revision ID: 0005_audit_digests_and_erasure
Revises: 0004_approval_comment_review
Create Date: 2026-12-01

Existing events keep their hashes: they are marked scheme 1 (hashed over the detail itself) and
verify exactly as before. New events are scheme 2 (storage/audit.py). The append-only triggers
now allow one update, the erasure: the detail blanked, its salt removed, `erased_at` set, and
nothing the chain hashes touched. Columns are added natively (no table copy on SQLite), so the
triggers and AUTOINCREMENT stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_audit_digests_and_erasure"
down_revision: str | None = "0004_approval_comment_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)

#: the columns an erasure must leave exactly as they were
_KEPT = ("id", "actor", "action", "at", "prev_hash", "hash", "scheme")
_KEPT_OR_NULL = ("request_id", "detail_digest")


def upgrade() -> None:
    op.add_column(
        "audit_events", sa.Column("scheme", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("audit_events", sa.Column("detail_digest", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("detail_salt", sa.String(length=32), nullable=True))
    op.add_column("audit_events", sa.Column("erased_at", _AT, nullable=True))
    op.add_column("requests", sa.Column("erased_at", _AT, nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_guard()
    else:
        _sqlite_guard()


def _postgresql_guard() -> None:
    same = " AND ".join(
        [f"NEW.{c} = OLD.{c}" for c in _KEPT]
        + [f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _KEPT_OR_NULL]
    )
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                -- retention's erasure: the content goes, everything the chain hashes stays
                IF OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
                   AND NEW.detail::text = '{{}}' AND NEW.detail_salt IS NULL AND {same} THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION 'audit_events is append-only';
        END
        $$
        """
    )


def _sqlite_guard() -> None:
    same = " AND ".join(
        [f"NEW.{c} = OLD.{c}" for c in _KEPT] + [f"NEW.{c} IS OLD.{c}" for c in _KEPT_OR_NULL]
    )
    op.execute("DROP TRIGGER audit_events_no_update")
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "WHEN NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL "
        f"AND NEW.detail = '{{}}' AND NEW.detail_salt IS NULL AND {same}) "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
    )


def downgrade() -> None:
    bind = op.get_bind()
    sealed = bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE scheme <> 1")).scalar()
    erased = bind.execute(
        sa.text("SELECT count(*) FROM audit_events WHERE erased_at IS NOT NULL")
    ).scalar()
    if sealed or erased:
        # the first revision cannot verify digests or erased events: going back would break the
        # chain for good, so refuse rather than lose the log's proof
        raise RuntimeError("cannot downgrade: the audit log holds sealed or erased events")
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only';
            END
            $$
            """
        )
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute(
            "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )
    for column in ("erased_at", "detail_salt", "detail_digest", "scheme"):
        op.execute(f"ALTER TABLE audit_events DROP COLUMN {column}")
    op.execute("ALTER TABLE requests DROP COLUMN erased_at")
