"""The roster's optional jenis_jabatan (struktural, fungsional, pelaksana...), which summaries
group by (domain brief 7.1).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roster_entries") as batch:
        batch.add_column(sa.Column("jenis_jabatan", sa.String(64)))
    # Refold the roster from the log, which already holds any jenis_jabatan a file carried.
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'roster'")
    op.execute("DELETE FROM roster_entries")


def downgrade() -> None:
    with op.batch_alter_table("roster_entries") as batch:
        batch.drop_column("jenis_jabatan")
