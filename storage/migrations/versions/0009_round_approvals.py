"""Who has approved the current approval round: App Home's queue leaves a two-approval request
out for the decider who gave its first approval. Filled from the round records already stored.

Revision ID: 0009_round_approvals
Revises: 0008_home_indexes
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009_round_approvals"
down_revision: str | None = "0008_home_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    table = op.create_table(
        "round_approvals",
        sa.Column("request_id", _ID, nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"], name="fk_round_approvals_request"),
        sa.PrimaryKeyConstraint("request_id", "round", "approver"),
    )
    connection = op.get_bind()
    found = connection.execute(sa.text("SELECT id, rounds FROM requests WHERE rounds IS NOT NULL"))
    rows: set[tuple[int, int, str]] = set()
    for row in found:
        pk: Any = row[0]
        records: Any = json.loads(row[1]) if isinstance(row[1], str) else row[1]
        for record in records or []:
            for approval in (record or {}).get("approvals") or []:
                if record.get("round") is not None and approval.get("by"):
                    rows.add((int(pk), int(record["round"]), str(approval["by"])))
    if rows:
        op.bulk_insert(
            table,
            [{"request_id": pk, "round": n, "approver": by} for pk, n, by in sorted(rows)],
        )


def downgrade() -> None:
    op.drop_table("round_approvals")
