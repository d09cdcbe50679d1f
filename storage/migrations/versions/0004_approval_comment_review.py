"""An approval's comment and the date the installation is to be reviewed.

Revision ID: 0004_approval_comment_review
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_approval_comment_review"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("decision_comment", sa.Text(), nullable=True))
    op.add_column("requests", sa.Column("review_date", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("requests", "review_date")
    op.drop_column("requests", "decision_comment")
