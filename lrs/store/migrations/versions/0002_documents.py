"""Document resources, canonical Activity definitions and agent names.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("registration", sa.String(36)),
        sa.Column("doc_id", sa.Text, nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("etag", sa.String(40), nullable=False),
        sa.Column("updated_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_documents_scope", "documents", ["scope", "updated_ms"])
    op.create_table(
        "activities",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("seq", Seq, nullable=False),
    )
    op.create_table(
        "agent_names",
        sa.Column("ifi", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("seq", Seq, nullable=False),
    )


def downgrade() -> None:
    for name in ("agent_names", "activities", "documents"):
        op.drop_table(name)
