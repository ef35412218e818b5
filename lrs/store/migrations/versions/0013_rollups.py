"""Stored roll-ups: each year's nation, instansi and unit kerja summaries as summed tallies
(rollups), each pegawai-year's part in them (rollup_parts), and the years rolled up
(rollup_years). Starts empty: a year is opened by the first figure with a claim stored for it
after this, which queues every pegawai the roster names for that year; until then summaries are
computed on read as before.

Revision ID: 0013
Revises: 0012
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "rollup_parts",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("parts", sa.Text, nullable=False),
    )
    op.create_table(
        "rollups",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("instansi", sa.String(255), nullable=False),
        sa.Column("unit_kerja", sa.Text, nullable=False),
        sa.Column("pegawai", sa.Integer, nullable=False),
        sa.Column("jp_counted", sa.String(32), nullable=False),
        sa.Column("tally", sa.Text, nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )
    op.create_index("ix_rollups_kind", "rollups", ["year", "kind", "instansi", "unit_kerja"])
    op.create_table(
        "rollup_years",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("opened_at", Seq, nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rollup_years")
    op.drop_table("rollups")
    op.drop_table("rollup_parts")
