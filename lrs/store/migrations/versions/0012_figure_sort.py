"""The stored figures' JP as numbers (jp_counted_num, jp_pending_num, target_jp_num, filled from
the decimal texts) and the indexes the pegawai lists page by: an instansi's year by JP, nama or
nip. On PostgreSQL nama compares bytewise (COLLATE "C"), as SQLite and Python compare it.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NUMBERS = (("jp_counted_num", "jp_counted", False), ("jp_pending_num", "jp_pending", False),
           ("target_jp_num", "target_jp", True))


def upgrade() -> None:
    with op.batch_alter_table("jp_figures") as batch:
        for name, _, _ in NUMBERS:
            batch.add_column(sa.Column(name, sa.Numeric))
    op.execute("UPDATE jp_figures SET " + ", ".join(f"{name} = CAST({text} AS NUMERIC)" for name, text, _ in NUMBERS))
    with op.batch_alter_table("jp_figures") as batch:
        for name, _, nullable in NUMBERS:
            if not nullable:
                batch.alter_column(name, existing_type=sa.Numeric, nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE jp_figures ALTER COLUMN nama TYPE text COLLATE "C"')
    op.create_index("ix_jp_figures_jp", "jp_figures", ["instansi", "year", "jp_counted_num", "nip"])
    op.create_index("ix_jp_figures_nama", "jp_figures", ["instansi", "year", "nama", "nip"])
    op.create_index("ix_jp_figures_nip", "jp_figures", ["instansi", "year", "nip"])


def downgrade() -> None:
    for name in ("ix_jp_figures_nip", "ix_jp_figures_nama", "ix_jp_figures_jp"):
        op.drop_index(name, "jp_figures")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE jp_figures ALTER COLUMN nama TYPE text COLLATE "default"')
    with op.batch_alter_table("jp_figures") as batch:
        for name, _, _ in NUMBERS:
            batch.drop_column(name)
