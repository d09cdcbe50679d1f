"""The installation record: its outcome, the day it happened and the officer's notes.

Revision ID: 0007_installation_record
Revises: 0006_approval_delegation
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_installation_record"
down_revision: str | None = "0006_approval_delegation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("installation_outcome", sa.String(), nullable=True))
    op.add_column("requests", sa.Column("installation_date", sa.Date(), nullable=True))
    op.add_column("requests", sa.Column("installation_notes", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("requests", "installation_notes")
    op.drop_column("requests", "installation_date")
    op.drop_column("requests", "installation_outcome")
