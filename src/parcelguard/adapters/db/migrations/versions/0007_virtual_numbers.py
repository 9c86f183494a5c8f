"""virtual numbers (issue 12): the number pool, bindings (AXB, AXE, AXN) and their route keys, and the
phones of the carrier's people that bindings connect (encrypted, found by a keyed index)

Revision ID: 0007_virtual_numbers
Revises: 0006_access_challenge
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_virtual_numbers"
down_revision = "0006_access_challenge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vnum_number",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("pool", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("model", sa.String(length=3), nullable=True),
        sa.Column("bindings", sa.Integer(), nullable=False),
        sa.Column("quarantined_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_vnum_number")),
    )
    op.create_index(op.f("ix_vnum_number_pool"), "vnum_number", ["pool"], unique=False)

    op.create_table(
        "vnum_binding",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=3), nullable=False),
        sa.Column("extension", sa.String(length=4), nullable=True),
        sa.Column("waybill_id", sa.String(length=32), nullable=True),
        sa.Column("live_waybill_id", sa.String(length=32), nullable=True),
        sa.Column("courier_id", sa.Integer(), nullable=True),
        sa.Column("bi_a", sa.LargeBinary(length=32), nullable=True),
        sa.Column("bi_b", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("ct_a", sa.LargeBinary(), nullable=True),
        sa.Column("ct_b", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=20), nullable=True),
        sa.Column("provider_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["number"], ["vnum_number.number"], name=op.f("fk_vnum_binding_number_vnum_number")
        ),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_vnum_binding_waybill_id_waybill")
        ),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["app_user.id"], name=op.f("fk_vnum_binding_courier_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vnum_binding")),
        sa.UniqueConstraint("live_waybill_id", name="uq_vnum_binding_live_waybill_id"),
    )
    op.create_index(op.f("ix_vnum_binding_waybill_id"), "vnum_binding", ["waybill_id"], unique=False)
    op.create_index(op.f("ix_vnum_binding_expires_at"), "vnum_binding", ["expires_at"], unique=False)

    op.create_table(
        "vnum_route",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("route_key", sa.LargeBinary(length=40), nullable=False),
        sa.Column("binding_id", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["number"], ["vnum_number.number"], name=op.f("fk_vnum_route_number_vnum_number")
        ),
        sa.ForeignKeyConstraint(
            ["binding_id"], ["vnum_binding.id"], name=op.f("fk_vnum_route_binding_id_vnum_binding")
        ),
        sa.PrimaryKeyConstraint("number", "route_key", name=op.f("pk_vnum_route")),
    )
    op.create_index(op.f("ix_vnum_route_binding_id"), "vnum_route", ["binding_id"], unique=False)

    op.create_table(
        "vnum_party_phone",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bi_mobile", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("ct_mobile", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_vnum_party_phone_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_vnum_party_phone")),
    )


def downgrade() -> None:
    op.drop_table("vnum_party_phone")
    op.drop_index(op.f("ix_vnum_route_binding_id"), table_name="vnum_route")
    op.drop_table("vnum_route")
    op.drop_index(op.f("ix_vnum_binding_expires_at"), table_name="vnum_binding")
    op.drop_index(op.f("ix_vnum_binding_waybill_id"), table_name="vnum_binding")
    op.drop_table("vnum_binding")
    op.drop_index(op.f("ix_vnum_number_pool"), table_name="vnum_number")
    op.drop_table("vnum_number")
