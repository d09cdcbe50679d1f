"""The officer's conversation, second edition: the current question's message (rewritten once
answered), links between a request and its restart, and answers reused from an earlier request.

Revision ID: 0003
Revises: 0002_approval_rounds
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002_approval_rounds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("question_ref", sa.String(), nullable=True))
        batch.add_column(sa.Column("restarted_from", sa.String(), nullable=True))
        batch.add_column(sa.Column("restarted_as", sa.String(), nullable=True))
        # existing rows have reused nothing: an empty object, as the domain's default. A plain
        # string default, not sa.text(): with an SQL expression Alembic's SQLite batch mode
        # copies the table, which drops AUTOINCREMENT and fails on the audit log's foreign key
        # in any database that holds requests
        batch.add_column(sa.Column("prefill", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("prefill")
        batch.drop_column("restarted_as")
        batch.drop_column("restarted_from")
        batch.drop_column("question_ref")
