"""Each statement row carries its stored authority, so a `statements/read/mine` credential lists
what it stored, and not every statement that names its agent (as an instructor, say).

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from lrs.xapi.statement import ifi

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.add_column("statements", sa.Column("authority", sa.Text))
    statements = sa.table("statements", sa.column("seq"), sa.column("authority"))
    events = sa.table("events", sa.column("seq"), sa.column("payload"))
    conn = op.get_bind()
    done = 0
    while True:  # from the log, the statements as stored, a batch at a time
        rows = conn.execute(
            sa.select(events.c.seq, events.c.payload)
            .join(statements, statements.c.seq == events.c.seq)
            .where(events.c.seq > done).order_by(events.c.seq).limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            sa.update(statements).where(statements.c.seq == sa.bindparam("row_seq"))
            .values(authority=sa.bindparam("row_authority")),
            [{"row_seq": seq, "row_authority": ifi(json.loads(payload).get("authority") or {})}
             for seq, payload in rows],
        )
        done = rows[-1].seq
    op.create_index("ix_statements_authority", "statements", ["authority", "seq"])


def downgrade() -> None:
    op.drop_index("ix_statements_authority", "statements")
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("authority")
