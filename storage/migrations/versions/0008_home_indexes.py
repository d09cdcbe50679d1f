"""Indexes for App Home: the decision queue by submission time, and a person's own events.

Revision ID: 0008_home_indexes
Revises: 0007_installation_record
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_home_indexes"
down_revision: str | None = "0007_installation_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_requests_state_submitted", "requests", ["state", "submitted_at", "id"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_requests_state_submitted", table_name="requests")
