"""organisations (tenants) on waybills and API keys; the key canary

Every waybill and API key that existed before belongs to the carrier organisation created here (id 1), so
existing keys keep seeing what they saw. A platform's key added later sees only its own organisation's
waybills.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CARRIER_ORGANISATION_ID = 1  # domain.organisation.CARRIER_ORGANISATION_ID, frozen here as of this revision


def upgrade() -> None:
    organisation = op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    op.bulk_insert(
        organisation,
        [
            {
                "id": CARRIER_ORGANISATION_ID,
                "name": "carrier",
                "kind": "carrier",
                "created_at": datetime.now(UTC),
            }
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        # The row above was inserted with an explicit id: move the sequence past it.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('organisation', 'id'), (SELECT max(id) FROM organisation))"
        )

    # NOT NULL with a default fills existing rows without rewriting the table (PostgreSQL 11+, SQLite's
    # ADD COLUMN). The default is dropped again where that is cheap, so that new rows must name their
    # organisation; SQLite keeps it, as dropping it would copy the table (below).
    default = sa.text(str(CARRIER_ORGANISATION_ID))
    sqlite = op.get_bind().dialect.name == "sqlite"

    # api_key is small and nothing refers to it: a table copy on SQLite is fine, and it gets its foreign key.
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("organisation_id", sa.Integer(), nullable=False, server_default=default)
        )
    with op.batch_alter_table(
        "api_key", schema=None
    ) as batch_op:  # a second copy: the first filled the column
        batch_op.alter_column("organisation_id", server_default=None)
        batch_op.create_foreign_key(
            "fk_api_key_organisation_id_organisation", "organisation", ["organisation_id"], ["id"]
        )
        batch_op.create_index("ix_api_key_organisation_id", ["organisation_id"], unique=False)

    # waybill is large and label_token and tracking_event refer to it: no table copy (on SQLite, dropping the
    # old copy would break their foreign keys), and no foreign key to organisation (SQLite cannot add one
    # to an existing column; issuance, the hottest path, skips a per-row check; organisations are never
    # deleted and a waybill's organisation always comes from an authenticated key).
    op.add_column(
        "waybill", sa.Column("organisation_id", sa.Integer(), nullable=False, server_default=default)
    )
    if not sqlite:
        op.alter_column("waybill", "organisation_id", server_default=None)
    op.create_index("ix_waybill_organisation_id_created_at", "waybill", ["organisation_id", "created_at"])

    op.create_table(
        "key_canary",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kek_version", sa.Integer(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("index_check", sa.LargeBinary(length=32), nullable=False),
        sa.Column("token_check", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_canary")),
    )


def downgrade() -> None:
    op.drop_table("key_canary")
    op.drop_index("ix_waybill_organisation_id_created_at", table_name="waybill")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE waybill DROP COLUMN organisation_id")  # SQLite 3.35+, no table copy
    else:
        op.drop_column("waybill", "organisation_id")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index("ix_api_key_organisation_id")
        batch_op.drop_constraint("fk_api_key_organisation_id_organisation", type_="foreignkey")
        batch_op.drop_column("organisation_id")
    op.drop_table("organisation")
