"""Access transparency for customers: prove control of a parcel, then see every access to its personal data.

Proving control (PIPL Art. 44-45, the right to know how one's data is processed): the tracking number, the
last 4 digits of the sender's or recipient's mobile, and a one-time code sent to that party's mobile through
the ``Notifier`` port. The mobile is decrypted only here, only to send the code, and never stored, logged or
returned. What is stored is a keyed digest of the code (``access_challenge``); the code lives 5 minutes, is
good for 5 tries and is used once.

No enumeration: a tracking number that does not exist, last 4 digits that match no party and the right
digits all get the same answer, a challenge id (a challenge row is written in each case, the first two with
a digest nobody can match), so neither the page nor the API says which numbers exist or which digits are
right; only the phone that receives a code learns it. Both limits are counted before the database is read:
per client (a token bucket) and per tracking number (a cap on codes asked for, whoever asks), so nobody can
flood a customer's phone with codes or try many codes. The matching path alone decrypts a mobile and calls
the notifier (after commit), which takes longer; a production notifier should queue rather than send inline.

The view pass a verified code earns (``pga_`` + 256 random bits, its SHA-256 stored, 15 minutes by default)
reads that one parcel's accesses and nothing else. Each access carries its leaf index in the transparency
log (services/transparency_log.py, RFC 9162) and an inclusion proof against the current signed checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from parcelguard.domain import access_transparency as at
from parcelguard.domain import waybill as wb
from parcelguard.domain.audit import AuditEvent, AuditValue
from parcelguard.domain.pii.fold import fold
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import AuthenticationError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services import transparency_log
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import (
    AccessChallengeRecord,
    AttemptLimiter,
    Notifier,
    NumberedAuditEvent,
    RateLimiter,
    UnitOfWork,
)
from parcelguard.services.tracking import parse_last4

PASS_PREFIX = "pga_"  # noqa: S105 - a token prefix, not a secret
CHANNEL = "sms"
FORGET_AFTER = timedelta(days=1)  # challenges (and the passes they earned) are deleted a day after
UNMATCHED_SUBJECT = "access_code:unknown"  # subject of a refused code on a challenge that matched nothing
CLIENT_KIND = "access_client"  # blind-index kind of a customer's client address in the audit log
_CHALLENGE_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
_PASS = re.compile(r"^pga_[A-Za-z0-9_-]{43}$")
_CODE = re.compile(rf"^[0-9]{{{at.CODE_DIGITS}}}$")
_MOBILE_FIELDS = {at.Party.RECIPIENT: wb.RECIPIENT_MOBILE, at.Party.SENDER: wb.SENDER_MOBILE}


@dataclass(frozen=True, slots=True)
class AccessDesk:
    """What guards and serves the customers' page, built by bootstrap: where codes go and the two limits
    (per client, per tracking number), and how long a view pass lives."""

    notifier: Notifier
    per_client: RateLimiter
    per_parcel: AttemptLimiter
    pass_ttl: timedelta = at.PASS_TTL


@dataclass(frozen=True, slots=True)
class Challenge:
    """The one answer to a request for a code, whatever matched: the id to send back with the code."""

    challenge_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessPass:
    """A verified code's view pass: ``token`` for the customer (cookie or bearer), ``csrf`` for its forms."""

    token: str
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ViewPass:
    """A live view pass as stored: the parcel it opens and its forms' CSRF token."""

    waybill_id: str
    parties: tuple[at.Party, ...]
    csrf: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessReport:
    """A parcel's accesses, oldest first, with their leaf indexes and the checkpoint the proofs are for."""

    tracking_number: str
    parties: tuple[at.Party, ...]
    entries: tuple[at.AccessEntry, ...]
    checkpoint: transparency_log.SignedCheckpoint
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccessProof:
    """One access and its inclusion proof (RFC 9162 section 2.1.3) against ``checkpoint``."""

    entry: at.AccessEntry
    proof: transparency_log.InclusionProof
    checkpoint: transparency_log.SignedCheckpoint


@dataclass(frozen=True, slots=True)
class AccessProofs:
    """Every provable access of a parcel, against one checkpoint."""

    checkpoint: transparency_log.SignedCheckpoint
    proofs: tuple[AccessProof, ...]


def request_access_code(
    ctx: ServiceContext, desk: AccessDesk, tracking_number: str, mobile_last4: str, *, client: str
) -> Challenge:
    """Send a one-time code to the mobile of each party of the parcel whose last 4 digits these are.

    Answers the same Challenge whether or not the number exists and the digits match. Raises
    RateLimitedError (per client, or too many codes for this number: 5 an hour by default),
    ValidationError ``invalid_tracking_number`` / ``invalid_request`` (``mobile_last4``) for malformed input.
    """
    desk.per_client.check(client)
    number = TrackingNumber.parse(tracking_number).value
    last4 = parse_last4(mobile_last4)
    desk.per_parcel.take(number)  # never refunded: it counts codes asked for, matched or not
    now = ctx.clock()
    challenge_id = secrets.token_urlsafe(16)
    code = f"{secrets.randbelow(10**at.CODE_DIGITS):0{at.CODE_DIGITS}d}"
    destinations: list[str] = []
    with ctx.uow() as uow:
        sealed = uow.waybills.get(number)
        parties: list[at.Party] = []
        if sealed is not None:
            wanted = ctx.index.mobile_last4(last4)
            indexes = {
                at.Party.RECIPIENT: sealed.indexes.recipient_mobile_last4,
                at.Party.SENDER: sealed.indexes.sender_mobile_last4,
            }
            parties = [p for p, stored in indexes.items() if hmac.compare_digest(wanted, stored)]
        if sealed is not None and parties:
            key = ctx.envelope.open_data_key(sealed.id, sealed.wrapped_key)
            for party in parties:
                field = _MOBILE_FIELDS[party]
                mobile = Mobile.parse(key.decrypt(field, sealed.ciphertexts[field])).value
                if mobile not in destinations:
                    destinations.append(mobile)
            digest = _code_digest(ctx, challenge_id, code)
        else:
            digest = secrets.token_bytes(16)  # no code was sent: nothing can match it
        uow.access_challenges.forget_before(now - FORGET_AFTER)
        uow.access_challenges.add(
            AccessChallengeRecord(
                id=challenge_id,
                waybill_id=sealed.id if sealed is not None and parties else None,
                parties=",".join(parties),
                code_digest=digest,
                created_at=now,
                expires_at=now + at.CODE_TTL,
            )
        )
        action = at.CODE_SENT if destinations else at.CODE_NOT_SENT
        details = {"parties": ",".join(parties) or None, "client": _client_ref(ctx, client)}
        uow.audit.append_many([_customer_event(action, now, number, parties, details)])
        uow.commit()
    message = (
        f"【{ctx.carrier_name}】查询验证码 {code}，{_minutes(at.CODE_TTL)} 分钟内有效，请勿告诉他人。"
        f" Your access code is {code} ({_minutes(at.CODE_TTL)} min). Do not share it."
    )
    for destination in destinations:
        desk.notifier.send_code(CHANNEL, destination, message)
    return Challenge(challenge_id=challenge_id, expires_at=now + at.CODE_TTL)


def verify_access_code(
    ctx: ServiceContext, desk: AccessDesk, challenge_id: str, code: str, *, client: str
) -> AccessPass:
    """Exchange the right code for a view pass of the parcel, once.

    Raises AuthenticationError ``access_code_invalid`` (a wrong code, or no such challenge: one answer),
    ``access_code_expired`` (used, older than 5 minutes, or 5 wrong tries), RateLimitedError per client,
    ValidationError ``invalid_request`` (``code``) unless 6 digits (full-width accepted) remain.
    """
    desk.per_client.check(client)
    digits = fold(code).text.strip()
    if not _CODE.match(digits):
        raise ValidationError(
            f"the code is {at.CODE_DIGITS} digits", code=ErrorCode.INVALID_REQUEST, field="code"
        )
    if not _CHALLENGE_ID.match(challenge_id):
        raise _wrong_code()
    now = ctx.clock()
    with ctx.uow() as uow:
        record = uow.access_challenges.get(challenge_id)
        if record is None:
            raise _wrong_code()
        subject = _subject_of(uow, record)
        parties = _parties(record.parties)
        if record.used_at is not None or now >= record.expires_at or record.failures >= at.MAX_TRIES:
            raise AuthenticationError("ask for a new code", code=ErrorCode.ACCESS_CODE_EXPIRED)
        matched = record.waybill_id is not None and hmac.compare_digest(
            _code_digest(ctx, challenge_id, digits), record.code_digest
        )
        if not matched:
            failures = uow.access_challenges.count_failure(challenge_id)
            details: dict[str, AuditValue] = {"failures": failures, "client": _client_ref(ctx, client)}
            uow.audit.append_many([_customer_event(at.CODE_REFUSED, now, subject, parties, details)])
            uow.commit()
            if failures >= at.MAX_TRIES:
                raise AuthenticationError("ask for a new code", code=ErrorCode.ACCESS_CODE_EXPIRED)
            raise _wrong_code()
        token = PASS_PREFIX + secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires_at = now + desk.pass_ttl
        granted = uow.access_challenges.grant_pass(
            challenge_id, at=now, pass_hash=_pass_hash(token), csrf=csrf, expires_at=expires_at
        )
        if not granted:  # a concurrent request used the code first
            raise AuthenticationError("ask for a new code", code=ErrorCode.ACCESS_CODE_EXPIRED)
        verified: dict[str, AuditValue] = {"client": _client_ref(ctx, client)}
        uow.audit.append_many([_customer_event(at.CODE_VERIFIED, now, subject, parties, verified)])
        uow.commit()
    return AccessPass(token=token, csrf=csrf, expires_at=expires_at)


def view_pass(ctx: ServiceContext, token: str | None) -> ViewPass:
    """The live view pass behind ``token``; AuthenticationError ``unauthenticated`` when there is none
    (never issued, expired, or ended)."""
    if not token or not _PASS.match(token):
        raise _no_pass()
    with ctx.uow() as uow:
        record = uow.access_challenges.by_pass(_pass_hash(token))
    now = ctx.clock()
    if (
        record is None
        or record.waybill_id is None
        or record.pass_csrf is None
        or record.pass_expires_at is None
        or now >= record.pass_expires_at
    ):
        raise _no_pass()
    return ViewPass(record.waybill_id, _parties(record.parties), record.pass_csrf, record.pass_expires_at)


def end_view_pass(ctx: ServiceContext, token: str | None) -> None:
    """End a view pass now (the customer leaves the page); an unknown or ended one is no error."""
    if token and _PASS.match(token):
        with ctx.uow() as uow:
            uow.access_challenges.end_pass(_pass_hash(token), ctx.clock())
            uow.commit()


def list_accesses(ctx: ServiceContext, token: str | None, *, client: str) -> AccessReport:
    """Every access to the parcel's personal data, oldest first, each with its leaf index (the log is
    brought up to date first), and the current signed checkpoint. The view is itself an audit event.

    Raises AuthenticationError ``unauthenticated`` without a live pass."""
    granted = view_pass(ctx, token)
    with ctx.uow() as uow:
        number, entries = _entries(ctx, uow, granted)
        now = ctx.clock()
        details: dict[str, AuditValue] = {"entries": len(entries), "client": _client_ref(ctx, client)}
        uow.audit.append_many([_customer_event(at.REPORT_VIEWED, now, number, granted.parties, details)])
        uow.commit()
    checkpoint, leaves = _checkpoint_for(ctx, [entry.seq for entry in entries])
    indexed = tuple(replace(entry, leaf_index=leaves[entry.seq]) for entry in entries)
    return AccessReport(number, granted.parties, indexed, checkpoint, granted.expires_at)


def prove_access(ctx: ServiceContext, token: str | None, seq: int) -> AccessProof:
    """The inclusion proof of one access of this pass's parcel against the current checkpoint.

    Raises AuthenticationError ``unauthenticated`` without a live pass; NotFoundError ``not_found`` for an
    event that is not one of this parcel's accesses (another parcel's, or not yet in the log): the same
    answer, so a pass says nothing about other parcels."""
    granted = view_pass(ctx, token)
    with ctx.uow() as uow:
        _, entries = _entries(ctx, uow, granted)
    entry = next((e for e in entries if e.seq == seq), None)
    if entry is None:
        raise _no_such_access()
    checkpoint, leaves = _checkpoint_for(ctx, [seq])
    index = leaves[seq]
    if index is None:
        raise _no_such_access()
    proof = transparency_log.inclusion_proof(ctx, index, checkpoint.size)
    return AccessProof(entry=replace(entry, leaf_index=index), proof=proof, checkpoint=checkpoint)


def prove_accesses(ctx: ServiceContext, token: str | None, *, client: str) -> AccessProofs:
    """Every access of the parcel with its inclusion proof, against one checkpoint (the JSON download and
    ``GET /v1/access/events``); accesses not yet in the log are left out."""
    report = list_accesses(ctx, token, client=client)
    proofs = tuple(
        AccessProof(
            entry=entry,
            proof=transparency_log.inclusion_proof(ctx, entry.leaf_index, report.checkpoint.size),
            checkpoint=report.checkpoint,
        )
        for entry in report.entries
        if entry.leaf_index is not None
    )
    return AccessProofs(checkpoint=report.checkpoint, proofs=proofs)


# -- helpers ------------------------------------------------------------------------------------------------


def _entries(
    ctx: ServiceContext, uow: UnitOfWork, granted: ViewPass
) -> tuple[str, tuple[at.AccessEntry, ...]]:
    sealed = uow.waybills.get_by_id(granted.waybill_id)
    if sealed is None:  # the waybill was erased while the pass lived
        raise _no_pass()
    numbered = uow.subject_audit.numbered_for_subject(sealed.tracking_number, limit=at.MAX_ENTRIES)
    resolver = _Accessors(ctx, uow, sealed.id)
    entries = tuple(_build(numbered, resolver))
    return sealed.tracking_number, entries


def _build(numbered: Sequence[NumberedAuditEvent], resolver: _Accessors) -> Iterator[at.AccessEntry]:
    for item in numbered:
        e = item.event
        if at.access_kind(e.action) is None:
            continue
        entry = at.entry_of(item.seq, e.action, e.occurred_at, e.details, resolver.of(e))
        if entry is not None:
            yield entry


class _Accessors:
    """Who made each access, in the customer's words: role, organisation name, station code, masked alias.

    Events that record the role, organisation and station (reveals, searches, dispatch) are read as
    recorded; for the others (a label printed through a key, a token resolved) the person's or key's
    current organisation and station are looked up."""

    def __init__(self, ctx: ServiceContext, uow: UnitOfWork, waybill_id: str) -> None:
        self._ctx = ctx
        self._uow = uow
        self._waybill_id = waybill_id
        self._organisations: dict[int, str | None] = {}
        self._stations: dict[int, str | None] = {}

    def of(self, event: AuditEvent) -> at.Accessor:
        kind, _, name = event.actor.partition(":")
        if kind == "customer":
            return at.Accessor(role="customer", organisation=None, station=None, alias=None)
        if kind == "system":
            return at.Accessor(role="system", organisation=None, station=None, alias=None)
        alias = at.staff_alias(
            self._ctx.index.digest(at.STAFF_ALIAS_KIND, f"{self._waybill_id}\n{event.actor}")
        )
        details = event.details
        role = details.get("role")
        organisation = details.get("organisation")
        station = details.get("station")
        if kind == "user" and (role is None or organisation is None):
            user = self._uow.users.get(name)
            if user is not None:
                role = user.role.value
                organisation = user.organisation_id
                station = station or self._station_code(user.station_id)
        elif kind == "apikey":
            key = self._uow.api_keys.get(name)
            role = "api_key"
            organisation = key.organisation_id if key is not None else None
        elif kind == "cli":
            role = "operator"
        return at.Accessor(
            role=str(role) if role is not None else None,
            organisation=self._organisation(organisation),
            station=str(station) if isinstance(station, str) and station else None,
            alias=alias,
        )

    def _organisation(self, organisation_id: object) -> str | None:
        if not isinstance(organisation_id, int) or isinstance(organisation_id, bool):
            return None
        if organisation_id not in self._organisations:
            found = self._uow.organisations.get(organisation_id)
            self._organisations[organisation_id] = found.name if found is not None else None
        return self._organisations[organisation_id]

    def _station_code(self, station_id: int | None) -> str | None:
        if station_id is None:
            return None
        if station_id not in self._stations:
            found = self._uow.stations.get(station_id)
            self._stations[station_id] = found.code if found is not None else None
        return self._stations[station_id]


def _checkpoint_for(
    ctx: ServiceContext, seqs: Sequence[int]
) -> tuple[transparency_log.SignedCheckpoint, dict[int, int | None]]:
    """The current signed checkpoint and the leaf index of each event it covers (None: not yet in the log).

    The log publishes at an interval; when one of these events is integrated but not yet covered by the
    latest checkpoint, a checkpoint is published on demand (so a customer's proof is never for a stale
    tree, and publishing follows new events of this parcel only)."""
    checkpoint = transparency_log.current_checkpoint(ctx)
    leaves = {seq: transparency_log.leaf_index_of(ctx, seq) for seq in seqs}
    if any(index is not None and index >= checkpoint.size for index in leaves.values()):
        checkpoint = transparency_log.current_checkpoint(ctx, max_age=timedelta(0))
    covered = {
        seq: index if index is not None and index < checkpoint.size else None for seq, index in leaves.items()
    }
    return checkpoint, covered


def _customer_event(
    action: str,
    now: datetime,
    subject: str,
    parties: Sequence[at.Party],
    details: Mapping[str, AuditValue],
) -> AuditEvent:
    actor = "customer:" + ("+".join(parties) if parties else "unverified")
    return AuditEvent(action=action, actor=actor, occurred_at=now, subject=subject, details=details)


def _subject_of(uow: UnitOfWork, record: AccessChallengeRecord) -> str:
    if record.waybill_id is None:
        return UNMATCHED_SUBJECT
    sealed = uow.waybills.get_by_id(record.waybill_id)
    return sealed.tracking_number if sealed is not None else UNMATCHED_SUBJECT


def _parties(stored: str) -> tuple[at.Party, ...]:
    return tuple(at.Party(p) for p in stored.split(",") if p)


def _code_digest(ctx: ServiceContext, challenge_id: str, code: str) -> bytes:
    return ctx.index.digest(at.CODE_DIGEST_KIND, f"{challenge_id}:{code}")


def _client_ref(ctx: ServiceContext, client: str) -> str:
    """A customer's client address as the audit log keeps it: 16 hex digits of its keyed digest. The log
    is append-only and handed to auditors, so it holds no address (personal data under PIPL), yet one
    client's repeated tries still read as one."""
    return ctx.index.digest(CLIENT_KIND, client).hex()[:16]


def _pass_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _wrong_code() -> AuthenticationError:
    return AuthenticationError(
        "the code is not right: check the text message", code=ErrorCode.ACCESS_CODE_INVALID
    )


def _no_pass() -> AuthenticationError:
    return AuthenticationError(
        "prove control of the parcel again (the view has ended)", code=ErrorCode.UNAUTHENTICATED
    )


def _no_such_access() -> NotFoundError:
    return NotFoundError("no such access of this parcel", code=ErrorCode.NOT_FOUND)
