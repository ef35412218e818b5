"""Stored figures per claim (claim_figures) and per competency (competency_profiles, and their
rows in competency_figures), computed with jp_figures for the same keys. Start empty: a figure not
stored yet is computed on read (`lrs projections rebuild` stores them all).

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "claim_figures",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("form_code", sa.String(64), nullable=False),
        sa.Column("activity_date", sa.String(10), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recognition", sa.String(32)),
        sa.Column("jp", sa.String(32)),
        sa.Column("jp_counted", sa.String(32), nullable=False),
        sa.Column("form_jp_counted", sa.String(32), nullable=False),
        sa.Column("decided_by", sa.String(36)),
        sa.Column("decider", sa.String(32)),
        sa.Column("decided_at", sa.String(40)),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )
    op.create_index("ix_claim_figures_statement", "claim_figures", ["statement_id"])
    op.create_index("ix_claim_figures_waiting", "claim_figures", ["recognition", "nip"])
    op.create_table(
        "competency_profiles",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )
    op.create_table(
        "competency_figures",
        sa.Column("nip", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("kompetensi", sa.String(64), primary_key=True),
        sa.Column("jenis", sa.String(32), nullable=False),
        sa.Column("instansi", sa.String(255)),
        sa.Column("unit_kerja", sa.Text),
        sa.Column("required_level", sa.Integer),
        sa.Column("assessed_level", sa.Integer),
        sa.Column("gap", sa.Integer),
        sa.Column("jp_learning", sa.String(32), nullable=False),
        sa.Column("current_as_of", Seq, nullable=False),
    )
    op.create_index("ix_competency_figures_unit", "competency_figures", ["instansi", "year", "unit_kerja"])


def downgrade() -> None:
    op.drop_table("competency_figures")
    op.drop_table("competency_profiles")
    op.drop_table("claim_figures")
