"""Competency read models: assessments, development plans, position standards; the competency
codes a claim's activity names.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("jp_claims") as batch:
        batch.add_column(sa.Column("competency_codes", sa.Text))
    # Claims folded before this column existed have no codes until `lrs projections rebuild jp_claims`.
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'jp_claims'")
    op.execute("DELETE FROM jp_claims")
    op.create_table(
        "assessments",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("home_page", sa.Text),
        sa.Column("account", sa.Text),
        sa.Column("mbox", sa.Text),
        sa.Column("competency", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("assessor", sa.Text),
        sa.Column("assessed_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_assessments_account", "assessments", ["account"])
    op.create_index("ix_assessments_mbox", "assessments", ["mbox"])
    op.create_table(
        "plans",
        sa.Column("statement_id", sa.String(36), primary_key=True),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("home_page", sa.Text),
        sa.Column("account", sa.Text),
        sa.Column("mbox", sa.Text),
        sa.Column("plan_year", sa.Integer, nullable=False),
        sa.Column("activity_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("form_code", sa.String(64)),
        sa.Column("jp", sa.String(32)),
        sa.Column("competency_codes", sa.Text),
    )
    op.create_index("ix_plans_account", "plans", ["account"])
    op.create_index("ix_plans_mbox", "plans", ["mbox"])
    op.create_table(
        "competency_standards",
        sa.Column("instansi", sa.String(255), primary_key=True),
        sa.Column("jabatan", sa.String(255), primary_key=True),
        sa.Column("kompetensi", sa.String(64), primary_key=True),
        sa.Column("effective_from", sa.String(10), primary_key=True),
        sa.Column("jenis", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("seq", Seq, nullable=False),
    )


def downgrade() -> None:
    for name in ("competency_standards", "plans", "assessments"):
        op.drop_table(name)
    with op.batch_alter_table("jp_claims") as batch:
        batch.drop_column("competency_codes")
