"""Claims waiting for a decision, counted per atasan for an instansi's dashboard from the stored
claim rows alone: each row keeps the instansi and the atasan of the roster row in force on its
activity date, and the claim statement's seq, as columns; a partial index holds the waiting
claims of each year and instansi. The count reads the instansi's waiting claims, not every
member's claims, their roster rows, or the statements for their stored times (the lowest seq is
the oldest).

Revision ID: 0019
Revises: 0018
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

WAITING_SQL = "recognition IN ('submitted', 'supervisor_approved') AND status = 'pending'"


def upgrade() -> None:
    seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")
    with op.batch_alter_table("claim_figures") as batch:
        batch.add_column(sa.Column("instansi", sa.String(255)))
        batch.add_column(sa.Column("atasan_nip", sa.String(32)))
        batch.add_column(sa.Column("seq", seq))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE claim_figures SET instansi = json_extract(line, '$.instansi'), "
                   "seq = json_extract(line, '$.seq')")
    else:
        op.execute("UPDATE claim_figures SET instansi = line::json->>'instansi', seq = (line::json->>'seq')::bigint")
    op.execute("UPDATE claim_figures SET atasan_nip = (SELECT r.atasan_nip FROM roster_entries r "
               "WHERE r.nip = claim_figures.nip AND r.effective_from <= claim_figures.activity_date "
               "ORDER BY r.effective_from DESC LIMIT 1)")
    op.create_index("ix_claim_figures_waiting_instansi", "claim_figures", ["year", "instansi"],
                    postgresql_where=sa.text(WAITING_SQL), sqlite_where=sa.text(WAITING_SQL))


def downgrade() -> None:
    op.drop_index("ix_claim_figures_waiting_instansi", table_name="claim_figures")
    with op.batch_alter_table("claim_figures") as batch:
        batch.drop_column("seq")
        batch.drop_column("atasan_nip")
        batch.drop_column("instansi")
