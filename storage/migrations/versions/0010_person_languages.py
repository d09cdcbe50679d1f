"""Each person's language (issue 12): the choice made with the command or in App Home.

Revision ID: 0010_person_languages
Revises: 0009_round_approvals
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_person_languages"
down_revision: str | None = "0009_round_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_languages",
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("person_languages")
