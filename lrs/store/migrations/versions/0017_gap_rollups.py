"""The stored roll-ups count competency gaps (projections/rules/tallies.py: per competency a
standard names, its members, those with a gap and those not assessed), which the dashboard's
unit x competency heatmap reads: roll-ups summed before have none, so they are emptied, as 0016
did. A year rolls up again with its next figure stored with a claim (opening it queues every
member; `lrs projections rebuild` does all at once); until then its dashboards are computed from
the facts. Every stored figure is queued to be computed again as well: its JSON now carries each
reason as a code with its parameters (projections/rules/reasons.py) beside the English words,
which the pages say in Indonesian; until recomputed a figure shows its English reasons.

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
    op.execute("INSERT INTO figure_work (nip, year, reason, seq) SELECT f.nip, f.year, 'reason codes', "
               "f.current_as_of FROM jp_figures f WHERE NOT EXISTS (SELECT 1 FROM figure_work w "
               "WHERE w.nip = f.nip AND w.year = f.year)")


def downgrade() -> None:
    pass  # roll-ups with the extra counters read as before
