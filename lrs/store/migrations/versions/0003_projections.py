"""Projection read models: checkpoints, policy versions, roster, trusted sources, JP claims.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("credentials") as batch:
        batch.add_column(sa.Column("trusted_source", sa.Boolean, nullable=False, server_default="0"))
    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
    )
    op.create_table(
        "policy_versions",
        sa.Column("policy_id", sa.String(255), primary_key=True),
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("instansi", sa.String(255)),
        sa.Column("effective_from", sa.String(10), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "roster_entries",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("effective_from", sa.String(10), primary_key=True),
        sa.Column("nama", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("jabatan", sa.Text, nullable=False),
        sa.Column("unit_kerja", sa.Text, nullable=False),
        sa.Column("instansi", sa.String(255), nullable=False),
        sa.Column("atasan_nip", sa.String(32)),
        sa.Column("mbox", sa.Text),
        sa.Column("seq", Seq, nullable=False),
    )
    op.create_index("ix_roster_entries_mbox", "roster_entries", ["mbox"])
    op.create_index("ix_roster_entries_instansi", "roster_entries", ["instansi", "unit_kerja"])
    op.create_table(
        "trusted_sources",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
    )
    op.create_table(
        "jp_claims",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("home_page", sa.Text),
        sa.Column("account", sa.Text),
        sa.Column("mbox", sa.Text),
        sa.Column("verb_id", sa.Text, nullable=False),
        sa.Column("activity_id", sa.Text, nullable=False),
        sa.Column("registration", sa.String(36)),
        sa.Column("form_code", sa.String(64), nullable=False),
        sa.Column("jp_declared", sa.String(32)),
        sa.Column("minutes", sa.String(32)),
        sa.Column("activity_date", sa.String(10), nullable=False),
        sa.Column("activity_time", sa.String(40), nullable=False),
        sa.Column("authority_key", sa.String(255)),
    )
    op.create_index("ix_jp_claims_account", "jp_claims", ["account"])
    op.create_index("ix_jp_claims_mbox", "jp_claims", ["mbox"])
    op.create_table(
        "jp_voids",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
    )


def downgrade() -> None:
    for name in ("jp_voids", "jp_claims", "trusted_sources", "roster_entries", "policy_versions",
                 "projection_checkpoints"):
        op.drop_table(name)
    with op.batch_alter_table("credentials") as batch:
        batch.drop_column("trusted_source")
