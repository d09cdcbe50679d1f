"""Two-person approval, no self-approval and delegation: who contributed to a request, on whose
behalf a delegate decided, and the delegations themselves.

Revision ID: 0006_approval_delegation
Revises: 0005_audit_digests_and_erasure
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_approval_delegation"
down_revision: str | None = "0005_audit_digests_and_erasure"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("requests", sa.Column("decided_on_behalf_of", sa.String(), nullable=True))
    op.add_column(
        "requests",
        sa.Column("contributors", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "delegations",
        sa.Column("id", _ID, sa.Identity(always=False), autoincrement=True, nullable=False),
        sa.Column("delegate_id", sa.String(), nullable=False),
        sa.Column("delegator_id", sa.String(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("revoked_at", _AT, nullable=True),
        sa.Column("revoked_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_delegations_delegate_until", "delegations", ["delegate_id", "until"])


def downgrade() -> None:
    op.drop_index("ix_delegations_delegate_until", table_name="delegations")
    op.drop_table("delegations")
    op.drop_column("requests", "contributors")
    op.drop_column("requests", "decided_on_behalf_of")
