"""The event log, the statement read model, attachments and credentials.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lrs.store import guards

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    guards.install(op.get_bind())
    op.create_table(
        "statements",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("stored_ms", sa.BigInteger, nullable=False),
        sa.Column("verb_id", sa.Text, nullable=False),
        sa.Column("registration", sa.String(36)),
        sa.Column("voided", sa.Boolean, nullable=False),
        sa.Column("voiding_target", sa.String(36)),
    )
    op.create_index("ix_statements_stored_ms", "statements", ["stored_ms"])
    op.create_index("ix_statements_verb", "statements", ["verb_id", "seq"])
    op.create_index("ix_statements_registration", "statements", ["registration", "seq"])
    op.create_index("ix_statements_voiding_target", "statements", ["voiding_target"])
    for name, column in (("statement_agents", "ifi"), ("statement_activities", "activity_id")):
        op.create_table(
            name,
            sa.Column("seq", Seq, nullable=False),
            sa.Column(column, sa.Text, nullable=False),
            sa.Column("direct", sa.Boolean, nullable=False),
        )
        op.create_index(f"ix_{name}_{column.split('_')[0]}", name, [column, "seq"])
        op.create_index(f"ix_{name}_seq", name, ["seq"])
    op.create_table(
        "statement_targets",
        sa.Column("seq", Seq, nullable=False),
        sa.Column("target_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_statement_targets_target", "statement_targets", ["target_id", "seq"])
    op.create_index("ix_statement_targets_seq", "statement_targets", ["seq"])
    op.create_table(
        "attachments",
        sa.Column("sha2", sa.String(64), primary_key=True),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    raise RuntimeError("the event log is never dropped by a migration")
