"""free text: remarks and kept originals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("waybill", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ct_remarks", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("ct_parcel_description_original", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("ct_remarks_original", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("waybill", schema=None) as batch_op:
        batch_op.drop_column("ct_remarks_original")
        batch_op.drop_column("ct_parcel_description_original")
        batch_op.drop_column("ct_remarks")
