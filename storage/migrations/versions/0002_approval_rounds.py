"""Each approval round's record: what its card showed and how it ended.

Revision ID: 0002_approval_rounds
Revises: 0001
Create Date: 2026-12-01

Requests submitted before this revision have no record: their cards render from the current
answers, as they always did.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_approval_rounds"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "requests", sa.Column("rounds", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
    )


def downgrade() -> None:
    op.drop_column("requests", "rounds")
