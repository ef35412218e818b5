"""Snapshots of the projection read models at a seq (snapshots, snapshot_parts), which as-of
replays start from. Starts empty: the runner takes them as the projections pass each multiple of
LRS_SNAPSHOT_EVERY (`lrs projections rebuild` takes them over the whole log).

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("shape", sa.String(16), nullable=False),
        sa.Column("taken", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
        sa.Column("bytes", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "snapshot_parts",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot_parts")
    op.drop_table("snapshots")
