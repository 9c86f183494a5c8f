"""one active label token per waybill (a partial unique index), and an index on vnum_binding.courier_id

Two first prints of one waybill that overlapped could each store a token, leaving two active tokens and
labels with different QR codes (issue 9 review). From here the database holds at most one unrevoked token per
waybill: ``uq_label_token_active_waybill_id`` on ``waybill_id`` WHERE ``revoked_at IS NULL``, on SQLite and
PostgreSQL alike, and the printing path re-reads the winner's token when its own insert is skipped.

Duplicates already stored are revoked first, keeping the NEWEST active token of each waybill (the greater
``issued_at``, equal instants by the greater ``token_id``). Why the newest: it is the one every read has
answered since the duplicate appeared (``active_for`` orders newest first), so every reprint and batch since
carried it, and keeping it changes no label a reprint would print; the older one was printed only by the
overlapping first print that lost the race. A label still carrying a revoked duplicate answers
``token_revoked`` on a scan, as a lost label does; printing it again gives the kept token.

Couriers' live bindings are looked up by ``courier_id`` (``live_for_courier``, on every re-bind when a
courier changes): without an index that scanned every binding ever made.

Revision ID: 0009_one_active_label_token
Revises: 0008_transparency_log
Create Date: 2026-11-30
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_one_active_label_token"
down_revision = "0008_transparency_log"
branch_labels = None
depends_on = None

_ACTIVE = "revoked_at IS NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Prints that run during the upgrade wait here, so none adds a duplicate between the revocation below
        # and the index (SQLite's UPDATE takes the database's one write lock, which covers both).
        op.execute("LOCK TABLE label_token IN SHARE ROW EXCLUSIVE MODE")
    token = sa.table(
        "label_token",
        sa.column("token_id", sa.LargeBinary()),
        sa.column("waybill_id", sa.String()),
        sa.column("issued_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    newer = token.alias("newer")
    has_newer = (
        sa.exists()
        .where(
            newer.c.waybill_id == token.c.waybill_id,
            newer.c.revoked_at.is_(None),
            sa.or_(
                newer.c.issued_at > token.c.issued_at,
                sa.and_(newer.c.issued_at == token.c.issued_at, newer.c.token_id > token.c.token_id),
            ),
        )
        .correlate(token)
    )
    op.execute(
        token.update().where(token.c.revoked_at.is_(None), has_newer).values(revoked_at=datetime.now(UTC))
    )
    op.create_index(
        "uq_label_token_active_waybill_id",
        "label_token",
        ["waybill_id"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE),
        postgresql_where=sa.text(_ACTIVE),
    )
    op.create_index(op.f("ix_vnum_binding_courier_id"), "vnum_binding", ["courier_id"], unique=False)


def downgrade() -> None:
    """Drops both indexes; the duplicates revoked by the upgrade stay revoked (a revocation is not undone)."""
    op.drop_index(op.f("ix_vnum_binding_courier_id"), table_name="vnum_binding")
    op.drop_index("uq_label_token_active_waybill_id", table_name="label_token")
