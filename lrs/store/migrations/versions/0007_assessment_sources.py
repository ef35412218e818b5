"""Assessments keep the credential that posted them: only an assessor or the unit pengelola of
the pegawai's instansi, or a trusted source, sets the assessed level (domain brief 6.3).

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("authority_key", sa.String(255)))
    # The next catch-up folds every assessment again from the log (the only source of truth),
    # so the ones folded before this column existed get their credential.
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'assessments'")
    op.execute("DELETE FROM assessments")


def downgrade() -> None:
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'assessments'")
    op.execute("DELETE FROM assessments")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("authority_key")
