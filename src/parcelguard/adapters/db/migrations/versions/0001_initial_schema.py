"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("key_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_api_key")),
    )
    op.create_table(
        "audit_event",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor"), ["actor"], unique=False)
        batch_op.create_index("ix_audit_event_subject_seq", ["subject", "seq"], unique=False)

    op.create_table(
        "idempotency_record",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_record")),
    )
    op.create_table(
        "waybill",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("sender_id_type", sa.String(length=20), nullable=False),
        sa.Column("routing_code", sa.String(length=12), nullable=False),
        sa.Column("routing_text", sa.String(length=64), nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("ct_sender_name", sa.LargeBinary(), nullable=False),
        sa.Column("ct_sender_mobile", sa.LargeBinary(), nullable=False),
        sa.Column("ct_sender_address", sa.LargeBinary(), nullable=False),
        sa.Column("ct_sender_id_number", sa.LargeBinary(), nullable=False),
        sa.Column("ct_recipient_name", sa.LargeBinary(), nullable=False),
        sa.Column("ct_recipient_mobile", sa.LargeBinary(), nullable=False),
        sa.Column("ct_recipient_address", sa.LargeBinary(), nullable=False),
        sa.Column("ct_parcel_description", sa.LargeBinary(), nullable=False),
        sa.Column("bi_recipient_mobile", sa.LargeBinary(length=32), nullable=False),
        sa.Column("bi_recipient_mobile_last4", sa.LargeBinary(length=32), nullable=False),
        sa.Column("bi_sender_mobile", sa.LargeBinary(length=32), nullable=False),
        sa.Column("bi_sender_mobile_last4", sa.LargeBinary(length=32), nullable=False),
        sa.Column("bi_sender_id_number", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybill")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_waybill_tracking_number")),
    )
    with op.batch_alter_table("waybill", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waybill_bi_recipient_mobile"), ["bi_recipient_mobile"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_bi_recipient_mobile_last4"), ["bi_recipient_mobile_last4"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_bi_sender_id_number"), ["bi_sender_id_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_waybill_bi_sender_mobile"), ["bi_sender_mobile"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_waybill_bi_sender_mobile_last4"), ["bi_sender_mobile_last4"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_waybill_kek_version"), ["kek_version"], unique=False)

    op.create_table(
        "label_token",
        sa.Column("token_id", sa.LargeBinary(length=16), nullable=False),
        sa.Column("waybill_id", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_label_token_waybill_id_waybill")
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_label_token")),
    )
    with op.batch_alter_table("label_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_label_token_waybill_id"), ["waybill_id"], unique=False)

    op.create_table(
        "tracking_event",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("waybill_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["waybill_id"], ["waybill.id"], name=op.f("fk_tracking_event_waybill_id_waybill")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_event")),
    )
    with op.batch_alter_table("tracking_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_event_waybill_id"), ["waybill_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_event_waybill_id"))

    op.drop_table("tracking_event")
    with op.batch_alter_table("label_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_label_token_waybill_id"))

    op.drop_table("label_token")
    with op.batch_alter_table("waybill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waybill_kek_version"))
        batch_op.drop_index(batch_op.f("ix_waybill_bi_sender_mobile_last4"))
        batch_op.drop_index(batch_op.f("ix_waybill_bi_sender_mobile"))
        batch_op.drop_index(batch_op.f("ix_waybill_bi_sender_id_number"))
        batch_op.drop_index(batch_op.f("ix_waybill_bi_recipient_mobile_last4"))
        batch_op.drop_index(batch_op.f("ix_waybill_bi_recipient_mobile"))

    op.drop_table("waybill")
    op.drop_table("idempotency_record")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_subject_seq")
        batch_op.drop_index(batch_op.f("ix_audit_event_actor"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
    op.drop_table("api_key")
