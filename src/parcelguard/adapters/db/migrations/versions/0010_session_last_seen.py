"""user_session.last_seen_at: page sessions end after their idle timeout in the database

A page session ends after 15 minutes without a request (OWASP ASVS 5.0 V7.3.1; NIST SP 800-63B rev. 3
§4.3.3). Until now the time of the last request travelled only in a signed cookie, so a session nobody
presented again stayed live in the database until its absolute expiry (8 h). From here the row records it:
``last_seen_at`` is written at most once a minute per session, and a session whose ``last_seen_at`` (or
``issued_at`` when NULL) is older than the timeout is refused and closed, audited with reason ``idle``.

Rows already stored get their ``issued_at``, so a session older than the timeout ends at its next request
(its holder signs in again once).

Revision ID: 0010_session_last_seen
Revises: 0009_one_active_label_token
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_session_last_seen"
down_revision = "0009_one_active_label_token"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("user_session", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    session = sa.table("user_session", sa.column("issued_at"), sa.column("last_seen_at"))
    op.execute(session.update().values(last_seen_at=session.c.issued_at))


def downgrade() -> None:
    """Drops the column (the sessions themselves stay)."""
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("last_seen_at")
