"""Partial indexes on the log for the audit events: signed checkpoints and published keys
(`/api/v1/audit/checkpoints`), so finding them never scans the statements.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = {"ix_events_checkpoints": "checkpoint.signed", "ix_events_keys": "key.published"}


def upgrade() -> None:
    for name, kind in INDEXES.items():
        where = sa.text(f"type = '{kind}'")
        op.create_index(name, "events", ["seq"], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "events")
