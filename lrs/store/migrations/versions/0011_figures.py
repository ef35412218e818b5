"""Stored figures: each pegawai's JP for a year (jp_figures), and the queue of figures to
recompute (figure_work). Starts empty: a figure not stored yet is computed on read, and every
change from now on queues the figures it touches (`lrs projections rebuild` stores them all).

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "jp_figures",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("nama", sa.Text),
        sa.Column("status", sa.String(32)),
        sa.Column("unit_kerja", sa.Text),
        sa.Column("instansi", sa.String(255)),
        sa.Column("jp_counted", sa.String(32), nullable=False),
        sa.Column("jp_pending", sa.String(32), nullable=False),
        sa.Column("jp_by_form", sa.Text, nullable=False),
        sa.Column("target_jp", sa.String(32)),
        sa.Column("target_met", sa.Boolean),
        sa.Column("policy_versions", sa.Text, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("suspected_duplicates", sa.Integer, nullable=False),
        sa.Column("total", sa.Text, nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )
    op.create_index("ix_jp_figures_instansi", "jp_figures", ["instansi", "year", "unit_kerja"])
    op.create_table(
        "figure_work",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("seq", Seq, nullable=False),
    )
    op.create_index("ix_figure_work_seq", "figure_work", ["seq"])


def downgrade() -> None:
    op.drop_table("figure_work")
    op.drop_table("jp_figures")
