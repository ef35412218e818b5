"""Claims refolded: minutes of learning now read every xAPI duration (weeks, decimal commas,
zero years and months), with the one reader the statement schema uses (lrs/xapi/durations.py).

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The next catch-up folds every claim again from the log (the only source of truth).
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'jp_claims'")
    op.execute("DELETE FROM jp_claims")


def downgrade() -> None:
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'jp_claims'")
    op.execute("DELETE FROM jp_claims")
