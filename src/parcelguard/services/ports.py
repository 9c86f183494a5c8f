"""The interfaces services need. Adapters implement them; services never import adapters.

Keeping these narrow is what lets the audit table become a Merkle log, or the local key file become an HSM,
without touching a use case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Literal, Protocol, Self, TypeVar

from parcelguard.domain.access import Scope
from parcelguard.domain.anonymize import PartitionStats, QiKey, Table
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.checkpoint import NoteSignature, NoteVerifier
from parcelguard.domain.deid.entity import Entity
from parcelguard.domain.deid.words import Tagging
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.label import LabelData
from parcelguard.domain.organisation import Organisation, OrganisationKind
from parcelguard.domain.people import FailureCount, Role, Station, User
from parcelguard.domain.virtual_number import BindingModel, BindingView, NumberState
from parcelguard.domain.waybill import SealedWaybill, TrackingEvent

Clock = Callable[[], datetime]
LabelFormat = Literal["pdf", "png", "zpl"]


class DataKey(Protocol):
    def encrypt(self, field: str, plaintext: str) -> bytes: ...
    def decrypt(self, field: str, ciphertext: bytes) -> str: ...


class Envelope(Protocol):
    """Per-record data keys wrapped by versioned key-encryption keys."""

    def new_data_key(self, owner_id: str) -> tuple[DataKey, WrappedKey]: ...
    def open_data_key(self, owner_id: str, wrapped: WrappedKey) -> DataKey: ...
    def rewrap(self, owner_id: str, wrapped: WrappedKey) -> WrappedKey: ...


class KeyRing(Protocol):
    """The versioned key-encryption keys themselves (a key file today, a KMS later)."""

    @property
    def current_kek_version(self) -> int: ...
    def add_kek_version(self) -> int: ...


class BlindIndex(Protocol):
    def digest(self, kind: str, normalized_value: str) -> bytes: ...
    def mobile(self, eleven_digits: str) -> bytes: ...
    def mobile_last4(self, four_digits: str) -> bytes: ...
    def resident_id(self, eighteen_chars: str) -> bytes: ...
    def id_number(self, id_type: str, normalized: str) -> bytes: ...


class IssuedLabelToken(Protocol):
    @property
    def token_id(self) -> bytes: ...
    @property
    def text(self) -> str: ...


class ParsedLabelToken(Protocol):
    @property
    def token_id(self) -> bytes: ...


ParsedT = TypeVar("ParsedT", bound=ParsedLabelToken)


class LabelTokenCodec(Protocol[ParsedT]):
    """Issues and checks the opaque tokens in label QR codes; what ``parse`` returns, ``verify`` takes."""

    def issue(self, waybill_id: str) -> IssuedLabelToken: ...
    def encode(self, token_id: bytes, waybill_id: str) -> str: ...
    def parse(self, text: str) -> ParsedT: ...
    def verify(self, parsed: ParsedT, waybill_id: str) -> None: ...


class LabelRenderer(Protocol):
    def render_label(self, data: LabelData, fmt: str) -> bytes: ...
    def render_pdf_batch(self, datas: Iterable[LabelData]) -> bytes: ...
    def preflight(self, data: LabelData) -> None:
        """Raise LabelComplianceError when the label could not be printed (the gate, a missing glyph)."""
        ...


class RateLimiter(Protocol):
    def check(self, client: str) -> None:
        """Raise RateLimitedError when ``client`` has used up its allowance."""
        ...


class AttemptLimiter(Protocol):
    """A cap on failed attempts per subject (last-4 guesses on one tracking number), whoever makes them."""

    def take(self, subject: str) -> None:
        """Count one attempt as failed until refunded; raise RateLimitedError when the cap is reached."""
        ...

    def refund(self, subject: str) -> None:
        """The attempt succeeded: it no longer counts."""
        ...


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    name: str
    secret_hash: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None
    organisation_id: int
    organisation_kind: OrganisationKind | None = None  # filled in by reads (joined), ignored on add
    organisation_name: str | None = None  # likewise


@dataclass(frozen=True, slots=True)
class LabelTokenRecord:
    token_id: bytes
    waybill_id: str
    issued_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    request_hash: str
    response: str


@dataclass(frozen=True, slots=True)
class KeyCanaryRecord:
    """A random data key wrapped at first start, and keyed digests of constants: what the key file must open.

    ``index_check`` and ``token_check`` prove the blind-index and label-token keys are the ones that made
    the stored indexes and printed tokens; the wrapped key proves the key-encryption keys are.
    """

    kek_version: int
    wrapped_key: bytes
    index_check: bytes
    token_check: bytes
    created_at: datetime


class WaybillRepository(Protocol):
    def add_many(self, waybills: Sequence[SealedWaybill]) -> None: ...
    def get(self, tracking_number: str) -> SealedWaybill | None: ...
    def get_by_id(self, waybill_id: str) -> SealedWaybill | None: ...
    def get_many(self, tracking_numbers: Sequence[str]) -> list[SealedWaybill]: ...
    def taken(self, tracking_numbers: Sequence[str]) -> set[str]: ...
    def any_tracking_number(self, organisation_id: int | None = None) -> str | None: ...
    def add_event(self, waybill_id: str, event: TrackingEvent) -> None: ...
    def find_by_recipient_mobile(self, index: bytes, organisation_id: int | None = None) -> list[str]:
        """Tracking numbers with this blind index; only ``organisation_id``'s unless it is None (all)."""
        ...

    def find_by_sender_id_number(self, index: bytes, organisation_id: int | None = None) -> list[str]: ...
    def any_wrapped_key(self) -> tuple[str, WrappedKey] | None:
        """One stored (waybill id, wrapped data key), to check the key file against."""
        ...

    def highest_kek_version(self) -> int | None: ...
    def count_wrapped_below(self, version: int) -> int:
        """How many data keys are still wrapped under a version older than ``version``."""
        ...

    def iter_wrapped_keys(
        self, older_than_version: int, batch_size: int
    ) -> Iterator[list[tuple[str, WrappedKey]]]:
        """Batches of (waybill id, wrapped key) still wrapped under an older key version."""
        ...

    def replace_wrapped_keys(self, items: Sequence[tuple[str, WrappedKey]]) -> None: ...


class LabelTokenRepository(Protocol):
    def add(self, record: LabelTokenRecord) -> None: ...
    def add_many(self, records: Sequence[LabelTokenRecord]) -> list[str]:
        """Store ``records`` (a print's first tokens) in one write; answers the waybill ids of those not
        stored, normally none.

        A waybill keeps one active token: an unrevoked record whose waybill has an active token by then
        (another print stored one first) is skipped, not raised, so the print can re-read only those
        waybills and print the token that won. Revoked records are always stored; a token id already stored
        raises the database's IntegrityError.
        """
        ...

    def get(self, token_id: bytes) -> LabelTokenRecord | None: ...
    def active_for(self, waybill_id: str) -> LabelTokenRecord | None:
        """The waybill's newest unrevoked token (equal instants: the greater token id), or None."""
        ...

    def active_for_many(self, waybill_ids: Sequence[str]) -> dict[str, LabelTokenRecord]:
        """What ``active_for`` answers for each of ``waybill_ids``, in one read: by waybill id, only the
        waybills that have an active token."""
        ...

    def revoke_for(self, waybill_id: str, at: datetime) -> int: ...


class AuditLog(Protocol):
    def append_many(self, events: Sequence[AuditEvent]) -> None: ...
    def for_subject(self, subject: str) -> list[AuditEvent]: ...


class ApiKeyRepository(Protocol):
    def add(self, record: ApiKeyRecord) -> None: ...
    def get(self, key_id: str) -> ApiKeyRecord | None:
        """The key with its organisation's kind and name filled in, or None."""
        ...

    def revoke(self, key_id: str, at: datetime) -> bool: ...
    def list(self, organisation_id: int | None = None) -> list[ApiKeyRecord]:
        """Every key (revoked ones too), oldest first; only one organisation's unless None."""
        ...


class OrganisationRepository(Protocol):
    def add(self, name: str, kind: OrganisationKind, at: datetime) -> Organisation:
        """Store a new organisation; ConflictError ``organisation_exists`` if the name is taken."""
        ...

    def get(self, organisation_id: int) -> Organisation | None: ...
    def get_by_name(self, name: str) -> Organisation | None: ...
    def list(self) -> list[Organisation]: ...


class PasswordHasher(Protocol):
    """argon2id today (adapters/crypto/passwords.py)."""

    def hash(self, password: str) -> str: ...
    def verify(self, stored_hash: str, password: str) -> bool: ...
    def verify_nothing(self, password: str) -> None:
        """Cost one verification for a username that does not exist (timing parity)."""
        ...

    def needs_rehash(self, stored_hash: str) -> bool: ...


class OneTimePasswords(Protocol):
    """RFC 6238 TOTP (adapters/crypto/totp.py)."""

    def new_secret(self) -> str: ...
    def provisioning_uri(self, secret: str, account: str) -> str: ...
    def code_at(self, secret: str, at: datetime) -> str: ...
    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step whose code is ``code`` within the accepted drift of ``at``, or None."""
        ...


@dataclass(frozen=True, slots=True)
class UserCredentials:
    """What sign-in needs beyond the User: the password hash and the sealed TOTP secret."""

    user: User
    password_hash: str
    totp_key: WrappedKey | None
    ct_totp_secret: bytes | None
    totp_last_step: int | None


@dataclass(frozen=True, slots=True)
class NewUser:
    organisation_id: int
    username: str
    role: Role
    station_id: int | None
    password_hash: str
    totp_key: WrappedKey | None
    ct_totp_secret: bytes | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A bearer token (``kind`` token) or page session (``kind`` session), found by its secret's hash."""

    secret_hash: str
    kind: Literal["token", "session"]
    user_id: int
    csrf_token: str | None
    second_factor: bool
    device: str | None
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class StationRepository(Protocol):
    def add(self, *, organisation_id: int, code: str, name: str, district: str, at: datetime) -> Station:
        """Store a new station; ConflictError ``station_exists`` if the code is taken."""
        ...

    def get(self, station_id: int) -> Station | None: ...
    def get_by_code(self, code: str) -> Station | None: ...
    def list(self, organisation_id: int | None = None) -> list[Station]: ...


class UserRepository(Protocol):
    def add(self, new: NewUser) -> User:
        """Store a new user; ConflictError ``user_exists`` if the username is taken."""
        ...

    def get(self, username: str) -> User | None: ...
    def get_by_id(self, user_id: int) -> User | None: ...
    def credentials(self, username: str) -> UserCredentials | None: ...
    def list(
        self, *, organisation_id: int | None = None, role: Role | None = None, station_id: int | None = None
    ) -> list[User]: ...
    def set_disabled(self, user_id: int, at: datetime) -> None: ...
    def set_offboard_from(self, user_id: int, from_: datetime) -> None: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def confirm_admission(
        self,
        user_id: int,
        *,
        password_hash: str,
        ct_totp_secret: bytes | None,
        now: datetime,
        new_password_hash: str | None = None,
    ) -> bool:
        """Lock the user's row if its password hash and sealed TOTP secret are still the ones a sign-in
        checked and the user is neither disabled nor offboarded at ``now``; store ``new_password_hash``
        (a rehash) if given. False: something changed since the check, so the sign-in is refused."""
        ...

    def claim_totp_step(self, user_id: int, step: int) -> bool:
        """Record ``step`` as used unless it (or a later one) already was: False means a replay."""
        ...

    def totp_keys_below(self, version: int) -> Sequence[tuple[int, str, WrappedKey]]:
        """(user id, username, wrapped data key) of TOTP secrets still under a KEK older than ``version``."""
        ...

    def replace_totp_key(self, user_id: int, wrapped: WrappedKey) -> None: ...
    def set_enabled(self, user_id: int) -> bool:
        """Clear the disabled state; False when the user was not disabled (nothing changed)."""
        ...

    def replace_totp_secret(
        self, user_id: int, ct_totp_secret: bytes, *, used_through: int, wrapped: WrappedKey | None = None
    ) -> None:
        """Store a new sealed TOTP secret, under ``wrapped`` when given (else the data key the user has),
        and count every time step up to ``used_through`` as used (a later one already recorded stays)."""
        ...


class SessionRepository(Protocol):
    def add(self, record: SessionRecord) -> None: ...
    def get_with_user(self, secret_hash: str) -> tuple[SessionRecord, User] | None:
        """The token or session and its user's current state, in one read (every request does this)."""
        ...

    def revoke(self, secret_hash: str, at: datetime) -> bool: ...
    def revoke_for_user(self, user_id: int, at: datetime) -> int:
        """Revoke every live token and session of the user; how many there were."""
        ...

    def forget_ended(self, user_id: int, before: datetime) -> int:
        """Delete the user's tokens and sessions that expired before ``before`` (the audit log keeps the
        sign-ins); how many."""
        ...


class LoginThrottleRepository(Protocol):
    """Failed sign-ins per subject digest (an account or a client address, never stored as such)."""

    def get(self, subject: bytes) -> FailureCount | None: ...
    def record_failure(
        self, subject: bytes, *, now: datetime, window: timedelta, lockout: timedelta, limit: int
    ) -> FailureCount:
        """Count one failure atomically (parallel attempts must not lose counts) and answer the new count.

        A window older than ``window`` restarts at 1; reaching ``limit`` locks until ``now + lockout``;
        a lock still running is kept as it is (never extended by a failure that raced past it).
        """
        ...

    def clear(self, subject: bytes) -> None: ...
    def refund(self, subject: bytes, *, limit: int) -> None:
        """Take one counted failure back (it was no guess), and the lock with it once below ``limit``."""
        ...

    def forget_stale(self, window_started_before: datetime, now: datetime) -> int:
        """Delete counts whose window began before the cutoff (or that were all refunded) and that hold no
        lock at ``now``."""
        ...


class KeyCanaryRepository(Protocol):
    def get(self) -> KeyCanaryRecord | None: ...
    def put(self, record: KeyCanaryRecord) -> None:
        """Store the canary, replacing any earlier one (rotation rewraps it)."""
        ...


class IdempotencyStore(Protocol):
    def get(self, key: str) -> IdempotencyRecord | None: ...
    def put(self, key: str, record: IdempotencyRecord, at: datetime) -> None: ...


# -- dispatch and controlled reveal (issue 10) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    """The courier (user id) a waybill is assigned to; ``courier_username`` filled in by reads."""

    waybill_id: str
    courier_id: int
    station_id: int | None
    assigned_by: str
    assigned_at: datetime
    courier_username: str | None = None


class DispatchRepository(Protocol):
    def assign(self, assignment: Assignment) -> None:
        """Assign the waybill, replacing any earlier assignment."""
        ...

    def get(self, waybill_id: str) -> Assignment | None: ...
    def waybill_ids_of(self, courier_id: int) -> list[str]:
        """The waybills assigned to this courier, oldest assignment first."""
        ...


@dataclass(frozen=True, slots=True)
class PickupCodeRecord:
    id: int
    waybill_id: str
    station_id: int
    created_at: datetime
    used_at: datetime | None
    failures: int


class PickupCodeRepository(Protocol):
    def add(self, *, waybill_id: str, station_id: int, code_digest: bytes, at: datetime) -> int: ...
    def digest_in_use(self, code_digest: bytes) -> bool:
        """Whether an unused code has this digest (a new code must differ from every live one)."""
        ...

    def live_by_digest(self, code_digest: bytes) -> PickupCodeRecord | None: ...
    def count_failure(self, code_id: int) -> int:
        """One more wrong try on this code; how many there are now."""
        ...

    def mark_used(self, code_id: int, at: datetime) -> None: ...
    def retire_for(self, waybill_id: str, at: datetime) -> int:
        """End every live code of the waybill (it left the station): how many."""
        ...


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A break-glass request as stored; ``requester``/``approver`` usernames filled in by reads."""

    id: int
    organisation_id: int
    requester_id: int
    tracking_numbers: tuple[str, ...]
    fields: tuple[str, ...]
    purpose: str
    ticket: str
    minutes: int
    requested_at: datetime
    approved_by: int | None
    approved_at: datetime | None
    expires_at: datetime | None
    requester: str | None = None
    approver: str | None = None


class RevealGrantRepository(Protocol):
    def add(self, record: GrantRecord) -> int:
        """Store a request (``id`` and approval fields ignored); its new id."""
        ...

    def get(self, grant_id: int) -> GrantRecord | None: ...
    def approve(self, grant_id: int, *, approver_id: int, at: datetime, expires_at: datetime) -> bool:
        """Approve a pending request; False when it was approved already (by a concurrent approver)."""
        ...

    def approved_for(self, requester_id: int, now: datetime) -> list[GrantRecord]:
        """The requester's approved grants that have not expired."""
        ...

    def pending(self, organisation_id: int | None = None) -> list[GrantRecord]: ...


class RevealCounterRepository(Protocol):
    """Per person and day (``YYYY-MM-DD``, China Standard Time): reveals taken and requests made."""

    def count_request(self, user_id: int, day: str) -> tuple[int, int]:
        """Count one request; (reveals, requests) before it. Holds the row until the transaction ends,
        so one person's reveals are decided one after the other."""
        ...

    def take(self, user_id: int, day: str, limit: int) -> bool:
        """Take one reveal unless ``limit`` are taken already: atomic, so two requests cannot both
        take the last one."""
        ...


@dataclass(frozen=True, slots=True)
class AlertRecord:
    kind: str
    user_id: int
    day: str
    subject: str
    raised_at: datetime
    details: Mapping[str, str | int | None]
    id: int | None = None
    username: str | None = None  # filled in by reads


class AlertRepository(Protocol):
    def raise_once(self, alert: AlertRecord) -> bool:
        """Store the alert unless one of its kind, person and day exists: whether it was new."""
        ...

    def list(self, *, limit: int = 100) -> list[AlertRecord]:
        """Newest first."""
        ...


@dataclass(frozen=True, slots=True)
class ParcelEventRecord:
    """A tracking event as staff see it: who recorded it, at which station."""

    status: str
    occurred_at: datetime
    location: str
    actor: str | None
    station_code: str | None


class ParcelEventRepository(Protocol):
    def add(self, waybill_id: str, event: TrackingEvent, *, station_id: int | None) -> None:
        """Record the event (with its actor) and set the waybill's status to it."""
        ...

    def for_waybill(self, waybill_id: str) -> list[ParcelEventRecord]: ...


class AuditSearch(Protocol):
    def search(
        self,
        *,
        subject: str | None = None,
        actor: str | None = None,
        action_prefix: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEvent]:
        """Events matching every filter given, oldest first, at most ``limit``."""
        ...


# -- access transparency for customers (issue 11) -----------------------------------------------------------


class Notifier(Protocol):
    """Sends a one-time code to a customer (an SMS gateway in production; adapters/notify/console.py prints
    it with the destination masked). ``channel`` is ``sms``; ``destination`` an 11-digit mainland mobile,
    which an implementation never logs whole; ``message`` holds the code and no personal data."""

    def send_code(self, channel: str, destination: str, message: str) -> None: ...


@dataclass(frozen=True, slots=True)
class AccessChallengeRecord:
    """A customer's one-time-code challenge as stored (``waybill_id`` None: it matched no parcel), and the
    view pass it earned once verified (``pass_*``)."""

    id: str
    waybill_id: str | None
    parties: str
    code_digest: bytes
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    failures: int = 0
    pass_csrf: str | None = None
    pass_expires_at: datetime | None = None


class AccessChallengeRepository(Protocol):
    def add(self, record: AccessChallengeRecord) -> None: ...
    def get(self, challenge_id: str) -> AccessChallengeRecord | None:
        """The challenge, its row held until the transaction ends (two tries are judged one after the
        other)."""
        ...

    def count_failure(self, challenge_id: str) -> int:
        """One more wrong code on this challenge; how many there are now."""
        ...

    def grant_pass(
        self, challenge_id: str, *, at: datetime, pass_hash: str, csrf: str, expires_at: datetime
    ) -> bool:
        """Mark the challenge used and attach a view pass, unless it was used already (False)."""
        ...

    def by_pass(self, pass_hash: str) -> AccessChallengeRecord | None: ...
    def end_pass(self, pass_hash: str, at: datetime) -> bool:
        """End a view pass before its time (the customer closed the page)."""
        ...

    def forget_before(self, at: datetime) -> int:
        """Delete challenges (and their passes) created before ``at``; how many."""
        ...


@dataclass(frozen=True, slots=True)
class NumberedAuditEvent:
    """An audit event with its sequence number in the log (what the transparency log's leaves follow)."""

    seq: int
    event: AuditEvent


class SubjectAuditReader(Protocol):
    def numbered_for_subject(self, subject: str, *, limit: int) -> list[NumberedAuditEvent]:
        """The subject's events with their sequence numbers, oldest first, at most ``limit`` (the newest)."""
        ...


# -- virtual numbers (issue 12) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VirtualNumberRecord:
    """A number of the masking pool: ours, not personal data."""

    number: str
    pool: str
    state: NumberState
    model: BindingModel | None
    bindings: int
    quarantined_until: datetime | None


@dataclass(frozen=True, slots=True)
class BindingRecord:
    """A binding as stored: the parties' numbers as ciphertext under the binding's own data key
    (``wrapped_key``; owner id ``vnum:<id>``), found by their keyed mobile indexes ``bi_a`` / ``bi_b``."""

    id: str
    number: str
    model: BindingModel
    extension: str | None
    waybill_id: str | None
    courier_id: int | None
    bi_a: bytes | None
    bi_b: bytes
    wrapped_key: WrappedKey
    ct_a: bytes | None
    ct_b: bytes
    created_at: datetime
    expires_at: datetime | None
    ended_at: datetime | None = None
    ended_reason: str | None = None
    provider_ref: str | None = None


@dataclass(frozen=True, slots=True)
class PartyPhoneRecord:
    user_id: int
    bi_mobile: bytes
    wrapped_key: WrappedKey
    ct_mobile: bytes
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RouteSnapshot:
    """What routing one call reads: the number (None: not ours), the candidate bindings for the decision,
    and each one's sealed parties (wrapped key, ``ct_a`` or None, ``ct_b``) to open the target."""

    number: VirtualNumberRecord | None
    candidates: list[BindingView]
    sealed: dict[str, tuple[WrappedKey, bytes | None, bytes]]


class VirtualNumberRepository(Protocol):
    def add_numbers(self, numbers: Sequence[tuple[str, str]], at: datetime) -> list[str]:
        """Add (number, pool) pairs as free; return the numbers already present (left as they are)."""
        ...

    def get_number(self, number: str) -> VirtualNumberRecord | None: ...
    def usable(
        self, pools: Sequence[str], model: BindingModel, keys: Sequence[bytes], now: datetime, limit: int
    ) -> list[VirtualNumberRecord]:
        """Numbers of the first of ``pools`` that has any, that can take one more ``model`` binding and
        hold none of ``keys``: bound numbers of that model first (fullest first), then free or rested."""
        ...

    def pools_with_numbers(self, pools: Sequence[str]) -> list[str]: ...
    def take(self, number: str, model: BindingModel, capacity: int, now: datetime) -> bool:
        """One more binding on the number if it still can take it (a conditional update): True if taken."""
        ...

    def give_back(self, number: str, now: datetime, cooldown: timedelta) -> None:
        """One binding fewer; a number left with none is quarantined until now + cooldown."""
        ...

    def add_binding(self, record: BindingRecord, keys: Sequence[bytes]) -> None:
        """Store the binding live with its route keys; ConflictError ``binding_conflict`` when a key is
        taken meanwhile, ``binding_exists`` when the waybill got a live binding meanwhile."""
        ...

    def live_for_waybill(self, waybill_id: str) -> BindingRecord | None: ...
    def live_for_courier(self, courier_id: int) -> list[BindingRecord]:
        """The live bindings whose party A is this courier (to follow a change of their phone)."""
        ...

    def get_binding(self, binding_id: str) -> BindingRecord | None: ...
    def get_by_provider_ref(self, provider_ref: str) -> BindingRecord | None: ...
    def route_snapshot(self, number: str, keys: Sequence[bytes]) -> RouteSnapshot:
        """In one read: the number's record and the live bindings on it holding any of ``keys``."""
        ...

    def route_holder(self, number: str, key: bytes) -> str | None:
        """The id of the live binding holding this route key on the number, if any."""
        ...

    def extensions_on(self, number: str) -> list[str]: ...
    def end_binding(self, binding_id: str, at: datetime, reason: str) -> bool:
        """End a live binding, free its route keys and shred its parties (the wrapped key and ciphertexts
        are cleared: nothing can route to or reveal them any more): False if it was not live."""
        ...

    def set_expiry(self, binding_id: str, expires_at: datetime | None) -> None: ...
    def set_provider_ref(self, binding_id: str, provider_ref: str) -> None: ...
    def replace_party_a(
        self, record: BindingRecord, *, courier_id: int, bi_a: bytes, ct_a: bytes, keys: Sequence[bytes]
    ) -> None:
        """Put another courier on a live binding: its A party and its route keys (``keys``: the new set)."""
        ...

    def due(self, now: datetime, limit: int) -> list[BindingRecord]:
        """Live bindings whose time is over, oldest end first."""
        ...

    def live_count(self) -> int: ...
    def binding_keys_below(self, version: int) -> list[tuple[str, WrappedKey]]:
        """(binding id, wrapped key) of live bindings whose data key is under an older key version."""
        ...

    def replace_binding_key(self, binding_id: str, wrapped: WrappedKey) -> None: ...
    def phone_keys_below(self, version: int) -> list[tuple[int, WrappedKey]]: ...
    def replace_phone_key(self, user_id: int, wrapped: WrappedKey) -> None: ...
    def put_phone(self, record: PartyPhoneRecord) -> None: ...
    def get_phone(self, user_id: int) -> PartyPhoneRecord | None: ...


@dataclass(frozen=True, slots=True)
class ProviderBinding:
    """What a number provider is asked to bind: X, the real numbers, the model, extension and end."""

    binding_id: str
    number: str
    model: BindingModel
    party_a: str | None
    party_b: str
    extension: str | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProviderCallRecord:
    """A call record as a provider reports it, in our terms: never the content, never a real number."""

    provider_ref: str
    call_id: str
    number: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    outcome: str


class NumberProvider(Protocol):
    """Who carries the calls: our own SIP server (the binding table is the truth, Kamailio asks us per
    call) or a cloud number-protection API (bindings pushed to it, call records pushed back)."""

    @property
    def name(self) -> str: ...
    def bind(self, binding: ProviderBinding) -> str:
        """Make the binding effective at the provider; its reference for later unbind/query."""
        ...

    def unbind(self, provider_ref: str, number: str) -> None: ...
    def query(self, provider_ref: str, number: str) -> bool:
        """Whether the provider still holds the binding."""
        ...

    def parse_call_record(self, payload: Mapping[str, object]) -> ProviderCallRecord:
        """A call record pushed by the provider, in its documented shape."""
        ...


# -- transparency log (issue 11) ---------------------------------------------------------------------------


class NoteSigner(Protocol):
    """Signs checkpoint bodies as C2SP signed-note lines (adapters.crypto.note_keys.Ed25519NoteSigner)."""

    @property
    def name(self) -> str: ...
    @property
    def verifier(self) -> NoteVerifier: ...
    @property
    def verifier_key(self) -> str:
        """The public verifier key text ``name+hash+base64``: safe to print and publish."""
        ...

    def sign(self, body: str) -> NoteSignature: ...


@dataclass(frozen=True, slots=True)
class LogKeys:
    """The log's name (checkpoint origin), its signing key, and the keys its checkpoints are checked with.

    ``witness_keys``: the cosigner verifier keys of the witnesses the carrier trusts (PARCELGUARD_WITNESSES,
    parties of their own: domain/witness.py), whose cosignature lines are stored with the checkpoints.
    ``retired``: verifiers of keys that signed earlier checkpoints and sign nothing new (the key file's old
    ``witness_key``, which the carrier held, so its line proves nothing); still checked on old checkpoints.
    Only the log's key signs here: a witness's key never sits with the carrier."""

    origin: str
    log: NoteSigner
    witness_keys: tuple[NoteVerifier, ...] = ()
    retired: tuple[NoteVerifier, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    id: int
    tree_size: int
    root_hash: bytes
    note: str
    published_at: datetime


# (seq, action, actor, occurred_at as domain.audit.utc_text, subject, details as stored JSON text)
EventFields = tuple[int, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class LeafRun:
    """``count`` consecutive leaves from ``first_leaf`` are the audit events of consecutive seqs from
    ``first_seq``."""

    first_leaf: int
    first_seq: int
    count: int


class TransparencyStore(Protocol):
    """The stored RFC 9162 tree of the audit events (adapters/db/transparency_repository.py)."""

    def settled_seq(self) -> int:
        """The highest audit seq such that no event with a seq up to it can still commit (waits for
        transactions writing audit events to end); 0 for none. Commit right after: it may hold a lock."""
        ...

    def state(self) -> tuple[int, int]:
        """(tree size, highest audit seq integrated)."""
        ...

    def claim(self, tree_size: int, last_seq: int, at: datetime) -> bool:
        """Move the sequencer's state from (``tree_size``, ``last_seq``) to itself, taking the write lock:
        False when another sequencer moved it first."""
        ...

    def events_after(self, seq: int, upto: int, limit: int) -> list[tuple[int, AuditEvent]]:
        """Audit events with ``seq < event seq <= upto``, in seq order, at most ``limit``."""
        ...

    def leaf_fields_after(self, seq: int, upto: int, limit: int) -> list[EventFields]:
        """``events_after`` as raw fields, for hashing many events fast."""
        ...

    def append_leaves(
        self, tree_size: int, seqs: Sequence[int], leaf_hashes: Sequence[bytes], at: datetime
    ) -> None:
        """Add leaves after ``tree_size`` (their perfect-subtree hashes, their seq runs) and set the state."""
        ...

    def chunks(self, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored hash chunks by (level, chunk), 256 hashes of 32 bytes at most each."""
        ...

    def leaf_index_of(self, seq: int) -> int | None: ...
    def runs_between(self, start: int, end: int) -> list[LeafRun]:
        """The runs covering leaves ``[start, end)``, in leaf order."""
        ...

    def events_between(self, first_seq: int, last_seq: int) -> list[tuple[int, AuditEvent]]:
        """Audit events with ``first_seq <= seq <= last_seq`` in seq order."""
        ...

    def add_checkpoint(
        self, tree_size: int, root_hash: bytes, note: str, at: datetime
    ) -> StoredCheckpoint: ...
    def latest_checkpoint(self) -> StoredCheckpoint | None: ...
    def checkpoints(self) -> list[StoredCheckpoint]:
        """Every checkpoint published, oldest first."""
        ...

    def add_signatures(self, checkpoint_id: int, lines: Sequence[NoteSignature]) -> StoredCheckpoint | None:
        """Append witness cosignature ``lines`` to checkpoint ``checkpoint_id``'s stored note, skipping any
        whose key (name and key ID) already signed it, by a conditional UPDATE (the note as read), so two
        appenders at once never lose or duplicate a line. The checkpoint as stored afterwards; None when
        there is no such checkpoint. The caller has verified the lines."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything a use case writes lands together or not at all."""

    @property
    def waybills(self) -> WaybillRepository: ...
    @property
    def label_tokens(self) -> LabelTokenRepository: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def api_keys(self) -> ApiKeyRepository: ...
    @property
    def idempotency(self) -> IdempotencyStore: ...
    @property
    def organisations(self) -> OrganisationRepository: ...
    @property
    def key_canary(self) -> KeyCanaryRepository: ...
    @property
    def stations(self) -> StationRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def login_throttle(self) -> LoginThrottleRepository: ...
    @property
    def dispatch(self) -> DispatchRepository: ...
    @property
    def pickup_codes(self) -> PickupCodeRepository: ...
    @property
    def reveal_grants(self) -> RevealGrantRepository: ...
    @property
    def reveal_counters(self) -> RevealCounterRepository: ...
    @property
    def alerts(self) -> AlertRepository: ...
    @property
    def parcel_events(self) -> ParcelEventRepository: ...
    @property
    def audit_search(self) -> AuditSearch: ...
    @property
    def virtual_numbers(self) -> VirtualNumberRepository: ...
    # access transparency for customers (issue 11)
    @property
    def access_challenges(self) -> AccessChallengeRepository: ...
    @property
    def subject_audit(self) -> SubjectAuditReader: ...
    @property
    def transparency(self) -> TransparencyStore: ...  # issue 11: the audit log's Merkle tree

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


# -- de-identification ---------------------------------------------------------------------------------


class EntityDetector(Protocol):
    """Finds personal data in free text (``domain.deid.Detector`` is the real one)."""

    def detect(self, text: str) -> list[Entity]: ...


class BatchEntityDetector(Protocol):
    """A detector with modes (``accurate``: sequence model and rules; ``fast``: rules) that reads many texts
    at once, so the model batches them (``domain.deid.Detector``). Raises ValueError for an unknown mode."""

    def detect_many(self, texts: Sequence[str], mode: str | None = None) -> list[list[Entity]]: ...


class EntityTagger(Protocol):
    """The sequence model of ``accurate`` mode: words and tags of many texts in one call
    (``adapters.ner.LacTagger``: Baidu LAC on ONNX Runtime)."""

    def tag_many(self, texts: Sequence[str]) -> list[Tagging]: ...


# Builds (or returns the process's) tagger; picklable, so cluster workers load their own model.
EntityTaggerFactory = Callable[[], EntityTagger]


class Pseudonymizer(Protocol):
    """Keyed pseudonyms, stable within a tenant and unlinkable across tenants."""

    def pseudonym(self, tenant: str, kind: str, canonical_value: str) -> str: ...


class FormatPreservingCipher(Protocol):
    """FF1 over decimal digits: same length out as in; the tweak separates tenants and types."""

    def encrypt(self, text: str, tweak: bytes = b"") -> str: ...
    def decrypt(self, text: str, tweak: bytes = b"") -> str: ...


DatasetFormat = Literal["csv", "jsonl", "parquet"]


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """Where a dataset is and how it is written; ``path`` may be local or anything the engine reads."""

    path: str
    format: DatasetFormat
    encoding: str = "utf-8-sig"  # CSV and JSONL text; utf-8-sig reads UTF-8 with or without a BOM


@dataclass(frozen=True, slots=True)
class EngineRun:
    stats: PartitionStats
    partitions: int


class DatasetEngine(Protocol):
    """Runs per-partition functions over a dataset: in this process, or on a cluster.

    ``count`` sums what ``fn`` returns for each partition (the global view k-anonymity needs);
    ``transform`` writes what ``fn`` returns for each partition to ``dest``, in input order;
    ``passthrough`` columns are copied unchanged, so they keep their type where the format has types.
    """

    @property
    def name(self) -> str: ...
    def columns(self, source: DatasetRef) -> list[str]: ...
    def count(self, source: DatasetRef, fn: Callable[[Table], Counter[QiKey]]) -> Counter[QiKey]: ...
    def transform(
        self,
        source: DatasetRef,
        dest: DatasetRef,
        columns: Sequence[str],
        fn: Callable[[Table], tuple[Table, PartitionStats]],
        *,
        passthrough: Sequence[str] = (),
    ) -> EngineRun: ...
