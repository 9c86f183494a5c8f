"""The tables, as SQLAlchemy Core metadata. Alembic migrations create them; this file must agree.

Personal data lives only in the ``ct_*`` columns (AES-GCM ciphertext) and as keyed HMACs in the ``bi_*``
columns. The waybill's wrapped data key sits beside them: rotation rewrites only ``kek_version`` and
``wrapped_key``, and a later crypto-shredding clears ``wrapped_key`` to make the row unreadable forever.
The "created" tracking event is the row's ``created_at``; later events go to ``tracking_event``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)

from parcelguard.domain import waybill as wb

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)  # noqa: S101 - the column type guarantees it
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Blob(LargeBinary):
    """Binary column passed to the driver as is: both sqlite3 and psycopg take ``bytes`` natively, and
    skipping SQLAlchemy's per-value wrapping matters when issuance writes ~15 blobs per waybill."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None


def ciphertext_column(field: str) -> str:
    """``sender.name`` -> ``ct_sender_name``."""
    return "ct_" + field.replace(".", "_")


AutoId = BigInteger().with_variant(Integer, "sqlite")

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

waybill = Table(
    "waybill",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tracking_number", String(20), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("sender_id_type", String(20), nullable=False),
    Column("routing_code", String(12), nullable=False),
    Column("routing_text", String(64), nullable=False),
    Column("kek_version", Integer, nullable=False, index=True),
    Column("wrapped_key", Blob, nullable=True),
    *(
        Column(ciphertext_column(field), Blob, nullable=field in wb.OPTIONAL_FIELDS)
        for field in wb.ENCRYPTED_FIELDS
    ),
    Column("bi_recipient_mobile", Blob(32), nullable=False, index=True),
    Column("bi_recipient_mobile_last4", Blob(32), nullable=False, index=True),
    Column("bi_sender_mobile", Blob(32), nullable=False, index=True),
    Column("bi_sender_mobile_last4", Blob(32), nullable=False, index=True),
    Column("bi_sender_id_number", Blob(32), nullable=False, index=True),
    # The issuing tenant. Indexed with created_at, not alone: a handful of tenants own millions of rows, so
    # the useful index is "this tenant's waybills in time order" (listing, retention by month of issue).
    # No foreign key: none is checked per row on the issuance path, and migration 0003 says why else.
    Column("organisation_id", Integer, nullable=False),
    Index("ix_waybill_organisation_id_created_at", "organisation_id", "created_at"),
)

tracking_event = Table(
    "tracking_event",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("waybill_id", String(32), ForeignKey("waybill.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("location", String(64), nullable=False),
    # Who recorded the step and at which station (migration 0005); none for events from before people.
    # No foreign key: added to a large table by a plain ALTER on both backends, and checked by the service.
    Column("actor", String(100), nullable=True),
    Column("station_id", Integer, nullable=True),
)

_UNREVOKED = "revoked_at IS NULL"  # the condition of uq_label_token_active_waybill_id: an active token

label_token = Table(
    "label_token",
    metadata,
    Column("token_id", Blob(16), primary_key=True),
    Column("waybill_id", String(32), ForeignKey("waybill.id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    # One active (unrevoked) token per waybill, enforced here rather than by the printing path alone: two
    # first prints that overlap both find none, and the second insert is skipped (migration 0009).
    Index(
        "uq_label_token_active_waybill_id",
        "waybill_id",
        unique=True,
        sqlite_where=text(_UNREVOKED),
        postgresql_where=text(_UNREVOKED),
    ),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("seq", AutoId, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("actor", String(100), nullable=False, index=True),
    Column("action", String(64), nullable=False, index=True),
    Column("subject", String(100), nullable=False),
    Column("details", Text, nullable=False),
    Index("ix_audit_event_subject_seq", "subject", "seq"),
)

api_key = Table(
    "api_key",
    metadata,
    Column("key_id", String(12), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(300), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False, index=True),
)

idempotency_record = Table(
    "idempotency_record",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# One row sealed with the key file at first start. Every start opens it, so a key file that does not belong
# to this database (deleted and recreated, an old backup, another installation's) is refused before it
# wraps a single new data key. Holds no personal data: a wrapped random key and two keyed digests of
# constants (domain-separated from every real index and token).
key_canary = Table(
    "key_canary",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_key", Blob, nullable=False),
    Column("index_check", Blob(32), nullable=False),
    Column("token_check", Blob(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# -- people and stations (issue 10, migration 0004) ---------------------------------------------------------

# An outlet or depot of the carrier organisation, serving one administrative district (GB/T 2260 code).
station = Table(
    "station",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False, index=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("district", String(6), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# A person who signs in. The password is an argon2id hash (PHC string); the TOTP secret is AES-GCM
# ciphertext under the user's own data key, wrapped by the key file's KEK like a waybill's (never plain).
# ``totp_last_step`` is the last RFC 6238 time step accepted: a code of that step or an earlier one is a
# replay. Failed sign-ins are counted in ``login_throttle``, for usernames that do not exist too.
app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False, index=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("station_id", Integer, ForeignKey("station.id"), nullable=True, index=True),
    Column("password_hash", String(200), nullable=False),
    Column("kek_version", Integer, nullable=True),
    Column("wrapped_key", Blob, nullable=True),
    Column("ct_totp_secret", Blob, nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("offboard_from", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
)

# Bearer tokens (``kind`` token) and page sessions (``kind`` session), found by the SHA-256 of the secret
# the client holds (256 random bits: a fast hash is enough, and a dump of this table opens nothing). The
# user's state is read with the row on every request, so disabling or offboarding takes effect at once.
user_session = Table(
    "user_session",
    metadata,
    Column("secret_hash", String(64), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=True),
    Column("second_factor", Integer, nullable=False),
    Column("device", String(64), nullable=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    # The last request of a page session, written at most once a minute (migration 0010): a session idle past
    # its timeout is refused from the database, whether or not anyone presents it again. NULL: issued_at.
    Column("last_seen_at", UtcDateTime, nullable=True),
)

# Failed sign-ins per subject: a keyed digest (blind index) of ``user:<name>`` or ``client:<address>``, so
# neither client addresses nor mistyped usernames (sometimes a password typed in the wrong box) are stored.
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("subject", Blob(32), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
)

# -- dispatch and controlled reveal (issue 10, migration 0005) ----------------------------------------------

# The courier a waybill is assigned to (one at a time; every assignment is also an audit event).
dispatch_assignment = Table(
    "dispatch_assignment",
    metadata,
    Column("waybill_id", String(32), ForeignKey("waybill.id"), primary_key=True),
    Column("courier_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("station_id", Integer, ForeignKey("station.id"), nullable=True),
    Column("assigned_by", String(100), nullable=False),
    Column("assigned_at", UtcDateTime, nullable=False),
)

# A pickup code made when a parcel reaches a station. Only a keyed digest of ``<station id>:<code>`` is
# stored (the code itself is shown once, to be sent to the recipient), with the wrong tries made on it.
pickup_code = Table(
    "pickup_code",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("waybill_id", String(32), ForeignKey("waybill.id"), nullable=False, index=True),
    Column("station_id", Integer, ForeignKey("station.id"), nullable=False),
    Column("code_digest", Blob(32), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("failures", Integer, nullable=False),
)

# A break-glass request: a customer-service agent asks to see ``fields`` (JSON list) of the named waybills
# (JSON list of tracking numbers) beyond the daily quota; a security officer other than the requester
# approves it, and it is good for ``minutes`` from the approval.
reveal_grant = Table(
    "reveal_grant",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False),
    Column("requester_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("tracking_numbers", Text, nullable=False),
    Column("fields", String(200), nullable=False),
    Column("purpose", String(30), nullable=False),
    Column("ticket", String(40), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("approved_by", Integer, ForeignKey("app_user.id"), nullable=True),
    Column("approved_at", UtcDateTime, nullable=True),
    Column("expires_at", UtcDateTime, nullable=True),
)

# Each person's day (China Standard Time, ``YYYY-MM-DD``): reveals allowed, and every request counted.
# Reveals are taken with a conditional UPDATE, so two requests cannot both take the last one.
reveal_counter = Table(
    "reveal_counter",
    metadata,
    Column("user_id", Integer, ForeignKey("app_user.id"), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("revealed", Integer, nullable=False),
    Column("requests", Integer, nullable=False),
)

# Something a security officer should look at: a reveal asked beyond every quota, a person under notice or
# gone who is busy. One per kind, person and day; ``details`` is JSON without personal data.
alert = Table(
    "alert",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("day", String(10), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("raised_at", UtcDateTime, nullable=False),
    Column("details", Text, nullable=False),
    UniqueConstraint("kind", "user_id", "day", name="uq_alert_kind_user_id_day"),
)

# -- virtual numbers (issue 12, migration 0007_virtual_numbers) ---------------------------------------------

# A number of the carrier's masking pool (not personal data: it is ours). ``state`` free / bound /
# quarantined; ``model`` the binding model it serves while bound; ``bindings`` how many live bindings use it.
vnum_number = Table(
    "vnum_number",
    metadata,
    Column("number", String(20), primary_key=True),
    Column("pool", String(40), nullable=False, index=True),
    Column("state", String(12), nullable=False),
    Column("model", String(3), nullable=True),
    Column("bindings", Integer, nullable=False),
    Column("quarantined_until", UtcDateTime, nullable=True),
    Column("imported_at", UtcDateTime, nullable=False),
)

# A binding of a parcel's parties to a virtual number. The parties' real numbers are ciphertext under the
# binding's own wrapped data key, found by the keyed index of each (``bi_*``, the waybills' mobile index).
# ``live_waybill_id`` is the waybill while the binding lives, NULL after: one live binding per waybill.
vnum_binding = Table(
    "vnum_binding",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("number", String(20), ForeignKey("vnum_number.number"), nullable=False),
    Column("model", String(3), nullable=False),
    Column("extension", String(4), nullable=True),
    Column("waybill_id", String(32), ForeignKey("waybill.id"), nullable=True, index=True),
    Column("live_waybill_id", String(32), nullable=True),
    # Indexed (migration 0009): a courier's live bindings are looked up on every re-bind.
    Column("courier_id", Integer, ForeignKey("app_user.id"), nullable=True, index=True),
    Column("bi_a", Blob(32), nullable=True),
    Column("bi_b", Blob(32), nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_key", Blob, nullable=False),
    Column("ct_a", Blob, nullable=True),
    Column("ct_b", Blob, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True, index=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("ended_reason", String(20), nullable=True),
    Column("provider_ref", String(64), nullable=True),
    UniqueConstraint("live_waybill_id", name="uq_vnum_binding_live_waybill_id"),
)

# What a call to a number may match, one row per key of a live binding: a party's keyed index (``p`` +
# index), an extension (``e`` + digits) or the number itself (``n``, AXN). The primary key is what keeps every
# route unambiguous, also between concurrent binds.
vnum_route = Table(
    "vnum_route",
    metadata,
    Column("number", String(20), ForeignKey("vnum_number.number"), primary_key=True),
    Column("route_key", Blob(40), primary_key=True),
    Column("binding_id", String(24), ForeignKey("vnum_binding.id"), nullable=False, index=True),
)

# The phone a courier (or any of the carrier's people) is reached on through a binding: encrypted.
vnum_party_phone = Table(
    "vnum_party_phone",
    metadata,
    Column("user_id", Integer, ForeignKey("app_user.id"), primary_key=True),
    Column("bi_mobile", Blob(32), nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("wrapped_key", Blob, nullable=False),
    Column("ct_mobile", Blob, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# -- access transparency for customers (issue 11, migration 0006_access_challenge) --------------------------

# A customer's attempt to prove control of a parcel: a one-time code sent to the matching party's mobile.
# Only a keyed digest of ``<challenge id>:<code>`` is kept (a plain hash of 6 digits is reversed at once). A
# request whose tracking number or last 4 digits match nothing gets a row too (``waybill_id`` NULL, a code
# nobody was sent), so both answer alike. A verified challenge carries the short view pass it earned: the
# SHA-256 of the pass the customer holds, and the CSRF token of the pages it opens.
access_challenge = Table(
    "access_challenge",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("waybill_id", String(32), ForeignKey("waybill.id"), nullable=True),
    Column("parties", String(20), nullable=False),
    Column("code_digest", Blob(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("failures", Integer, nullable=False),
    Column("pass_hash", String(64), nullable=True),
    Column("pass_csrf", String(64), nullable=True),
    Column("pass_expires_at", UtcDateTime, nullable=True),
    Index("ix_access_challenge_pass_hash", "pass_hash", unique=True),
)

# -- transparency log (issue 11, migration 0008_transparency_log) -------------------------------------------

# The RFC 9162 tree of the audit events, as hashes of *perfect* subtrees (they never change once complete):
# row (level, chunk) holds up to 256 consecutive 32-byte hashes of that level, the subtrees
# [chunk * 256 + i] * 2**level leaves on. Level 0 holds the leaf hashes. About 2n hashes for n leaves in
# n / 128 rows, so an inclusion proof reads O(log n) rows and never rehashes the log.
tlog_node_chunk = Table(
    "tlog_node_chunk",
    metadata,
    Column("level", Integer, primary_key=True),
    Column("chunk", BigInteger, primary_key=True),
    Column("hashes", Blob, nullable=False),
)

# Leaf indexes are given in audit_event.seq order; a run maps ``count`` consecutive leaves from
# ``first_leaf`` to consecutive seqs from ``first_seq`` (a gap in seq, a rolled-back insert, starts a run).
tlog_leaf_run = Table(
    "tlog_leaf_run",
    metadata,
    Column("first_leaf", BigInteger, primary_key=True, autoincrement=False),
    Column("first_seq", BigInteger, nullable=False, unique=True),
    Column("count", BigInteger, nullable=False),
)

# The sequencer's one row (id 1): the tree size and the highest audit seq integrated.
tlog_state = Table(
    "tlog_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Signed checkpoints (C2SP tlog-checkpoint as a signed note), as published.
tlog_checkpoint = Table(
    "tlog_checkpoint",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False, index=True),
    Column("root_hash", Blob(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)
