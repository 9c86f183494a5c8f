"""dispatch and controlled reveal: assignments, pickup codes, break-glass grants, reveal counters, alerts;
who recorded each tracking event and where

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns without a default: a plain ALTER on both backends, no copy of the table.
    op.add_column("tracking_event", sa.Column("actor", sa.String(length=100), nullable=True))
    op.add_column("tracking_event", sa.Column("station_id", sa.Integer(), nullable=True))

    op.create_table(
        "dispatch_assignment",
        sa.Column("waybill_id", sa.String(length=32), nullable=False),
        sa.Column("courier_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_dispatch_assignment_waybill_id_waybill")
        ),
        sa.ForeignKeyConstraint(
            ["courier_id"], ["app_user.id"], name=op.f("fk_dispatch_assignment_courier_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_dispatch_assignment_station_id_station")
        ),
        sa.PrimaryKeyConstraint("waybill_id", name=op.f("pk_dispatch_assignment")),
    )
    op.create_index(
        op.f("ix_dispatch_assignment_courier_id"), "dispatch_assignment", ["courier_id"], unique=False
    )

    op.create_table(
        "pickup_code",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("waybill_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_pickup_code_waybill_id_waybill")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_pickup_code_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_code")),
    )
    op.create_index(op.f("ix_pickup_code_waybill_id"), "pickup_code", ["waybill_id"], unique=False)
    op.create_index(op.f("ix_pickup_code_code_digest"), "pickup_code", ["code_digest"], unique=False)

    op.create_table(
        "reveal_grant",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("tracking_numbers", sa.Text(), nullable=False),
        sa.Column("fields", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("ticket", sa.String(length=40), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_reveal_grant_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["app_user.id"], name=op.f("fk_reveal_grant_requester_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["app_user.id"], name=op.f("fk_reveal_grant_approved_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reveal_grant")),
    )
    op.create_index(op.f("ix_reveal_grant_requester_id"), "reveal_grant", ["requester_id"], unique=False)

    op.create_table(
        "reveal_counter",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("revealed", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_reveal_counter_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_reveal_counter")),
    )

    op.create_table(
        "alert",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_alert_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("kind", "user_id", "day", name="uq_alert_kind_user_id_day"),
    )
    op.create_index(op.f("ix_alert_user_id"), "alert", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alert_user_id"), table_name="alert")
    op.drop_table("alert")
    op.drop_table("reveal_counter")
    op.drop_index(op.f("ix_reveal_grant_requester_id"), table_name="reveal_grant")
    op.drop_table("reveal_grant")
    op.drop_index(op.f("ix_pickup_code_code_digest"), table_name="pickup_code")
    op.drop_index(op.f("ix_pickup_code_waybill_id"), table_name="pickup_code")
    op.drop_table("pickup_code")
    op.drop_index(op.f("ix_dispatch_assignment_courier_id"), table_name="dispatch_assignment")
    op.drop_table("dispatch_assignment")
    with op.batch_alter_table("tracking_event") as batch_op:
        batch_op.drop_column("station_id")
        batch_op.drop_column("actor")
