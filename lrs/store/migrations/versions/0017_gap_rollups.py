"""The stored roll-ups count competency gaps (projections/rules/tallies.py: per competency a
standard names, its members, those with a gap and those not assessed), which the dashboard's
unit x competency heatmap reads: roll-ups summed before have none, so they are emptied, as 0016
did. A year rolls up again with its next figure stored with a claim (opening it queues every
member; `lrs projections rebuild` does all at once); until then its dashboards are computed from
the facts.

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("rollups", "rollup_parts", "rollup_years"):
        op.execute(f"DELETE FROM {table}")


def downgrade() -> None:
    pass  # roll-ups with the extra counters read as before
