"""The stored roll-ups count JP by month x learning form (projections/rules/tallies.py), which the
dashboard charts: roll-ups summed before have none, so they are emptied. A year rolls up again
with its next figure stored with a claim (opening it queues every member; `lrs projections
rebuild` does all at once); until then its summaries and dashboards are computed from the facts.

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("rollups", "rollup_parts", "rollup_years"):
        op.execute(f"DELETE FROM {table}")


def downgrade() -> None:
    pass  # roll-ups with the extra counter read as before
