"""The interfaces services need. Adapters implement them; services never import adapters.

Keeping these narrow is what lets the audit table become a Merkle log, or the local key file become an HSM,
without touching a use case.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, Protocol, Self, TypeVar

from parcelguard.domain.access import Scope
from parcelguard.domain.anonymize import PartitionStats, QiKey, Table
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.deid.entity import Entity
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.label import LabelData
from parcelguard.domain.organisation import Organisation, OrganisationKind
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
    def get(self, token_id: bytes) -> LabelTokenRecord | None: ...
    def active_for(self, waybill_id: str) -> LabelTokenRecord | None: ...
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


class KeyCanaryRepository(Protocol):
    def get(self) -> KeyCanaryRecord | None: ...
    def put(self, record: KeyCanaryRecord) -> None:
        """Store the canary, replacing any earlier one (rotation rewraps it)."""
        ...


class IdempotencyStore(Protocol):
    def get(self, key: str) -> IdempotencyRecord | None: ...
    def put(self, key: str, record: IdempotencyRecord, at: datetime) -> None: ...


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
