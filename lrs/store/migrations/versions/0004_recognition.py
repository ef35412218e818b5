"""Recognition read models: decisions on claims, credentials bound to a person or role, and
the roster by atasan (pending lists).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("target_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("authority_key", sa.String(255)),
        sa.Column("home_page", sa.Text),
        sa.Column("account", sa.Text),
        sa.Column("mbox", sa.Text),
        sa.Column("jp", sa.String(32)),
        sa.Column("reason", sa.Text),
        sa.Column("decided_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_decisions_target", "decisions", ["target_id"])
    op.create_index("ix_roster_entries_atasan", "roster_entries", ["atasan_nip"])
    op.create_table(
        "credential_bindings",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("nip", sa.String(32)),
        sa.Column("role", sa.String(32)),
        sa.Column("instansi", sa.String(255)),
        sa.Column("unit_kerja", sa.Text),
        sa.Column("seq", Seq, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("credential_bindings")
    op.drop_index("ix_roster_entries_atasan", "roster_entries")
    op.drop_table("decisions")
