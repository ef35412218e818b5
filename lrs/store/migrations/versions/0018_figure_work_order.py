"""The queue of stored figures is read oldest first (seq, then nip and year): an index in that
order lets each refresh batch take its keys from the front instead of sorting every key queued
at the oldest seq (a national policy queues some 300,000 at one seq, sorted again per batch).

Revision ID: 0018
Revises: 0017
"""
from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_figure_work_seq", table_name="figure_work")
    op.create_index("ix_figure_work_order", "figure_work", ["seq", "nip", "year"])


def downgrade() -> None:
    op.drop_index("ix_figure_work_order", table_name="figure_work")
    op.create_index("ix_figure_work_seq", "figure_work", ["seq"])
