"""transparency log (issue 11): the RFC 9162 tree of the audit events in chunks of perfect-subtree hashes,
the runs mapping audit sequence numbers to leaf indexes, the sequencer's state, and signed checkpoints

Revision ID: 0008_transparency_log
Revises: 0007_virtual_numbers
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_transparency_log"
down_revision = "0007_virtual_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tlog_node_chunk",
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.BigInteger(), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "chunk", name=op.f("pk_tlog_node_chunk")),
    )
    op.create_table(
        "tlog_leaf_run",
        sa.Column("first_leaf", sa.BigInteger(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("first_leaf", name=op.f("pk_tlog_leaf_run")),
        sa.UniqueConstraint("first_seq", name=op.f("uq_tlog_leaf_run_first_seq")),
    )
    op.create_table(
        "tlog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_state")),
    )
    op.create_table(
        "tlog_checkpoint",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_checkpoint")),
    )
    op.create_index(op.f("ix_tlog_checkpoint_tree_size"), "tlog_checkpoint", ["tree_size"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tlog_checkpoint_tree_size"), table_name="tlog_checkpoint")
    op.drop_table("tlog_checkpoint")
    op.drop_table("tlog_state")
    op.drop_table("tlog_leaf_run")
    op.drop_table("tlog_node_chunk")
