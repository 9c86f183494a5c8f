"""access transparency for customers: one-time-code challenges and the short view passes they earn

Revision ID: 0006_access_challenge
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_access_challenge"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_challenge",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("waybill_id", sa.String(length=32), nullable=True),
        sa.Column("parties", sa.String(length=20), nullable=False),
        sa.Column("code_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("pass_hash", sa.String(length=64), nullable=True),
        sa.Column("pass_csrf", sa.String(length=64), nullable=True),
        sa.Column("pass_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_access_challenge_waybill_id_waybill")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_challenge")),
    )
    op.create_index(op.f("ix_access_challenge_created_at"), "access_challenge", ["created_at"], unique=False)
    op.create_index(op.f("ix_access_challenge_pass_hash"), "access_challenge", ["pass_hash"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_access_challenge_pass_hash"), table_name="access_challenge")
    op.drop_index(op.f("ix_access_challenge_created_at"), table_name="access_challenge")
    op.drop_table("access_challenge")
