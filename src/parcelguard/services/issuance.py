"""Issuing waybills: validate, seal (encrypt and index), store, audit, in one transaction.

A batch is all-or-nothing at the storage level (one commit) and item-by-item at the validation level: a bad
order becomes a coded failure for that item while the good ones are issued. An idempotency key makes a
retried request (one order or a batch) return the first answer instead of issuing twice; the key is scoped to
the caller and bound to a hash of the request, so the same key with a different request is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parcelguard.domain import audit
from parcelguard.domain import waybill as wb
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.order import Order, SenderCache, parse_order
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import (
    BlindIndexes,
    MaskedOrder,
    SealedWaybill,
    WaybillStatus,
    routing_of,
)
from parcelguard.errors import (
    ConflictError,
    ErrorCode,
    LabelComplianceError,
    ParcelGuardError,
    ValidationError,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.free_text import FreeTextRedactor
from parcelguard.services.ports import IdempotencyRecord, UnitOfWork
from parcelguard.services.unseal import masked_order_of

MAX_BATCH = 1000
MAX_IDEMPOTENCY_KEY_CHARS = 128
IDEMPOTENCY_KEY_PATTERN = r"[!-~](?:[ -~]*[!-~])?"
"""An idempotency key's characters, on every path (the HTTP header, ``waybill issue --idempotency-key``, this
service): printable ASCII, neither the first nor the last a blank. A server strips the blanks around a header
value (RFC 9110 section 5.5), so a blank or padded key would mean what arrives as an empty one; given but
empty is refused, never read as "no key" (a retry would issue again)."""
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def is_idempotency_key(key: str) -> bool:
    """Whether ``key`` is 1 to MAX_IDEMPOTENCY_KEY_CHARS characters of IDEMPOTENCY_KEY_PATTERN."""
    return len(key) <= MAX_IDEMPOTENCY_KEY_CHARS and _IDEMPOTENCY_KEY.fullmatch(key) is not None


@dataclass(frozen=True, slots=True)
class IssuedWaybill:
    index: int
    tracking_number: str
    masked: MaskedOrder
    replayed: bool = False  # answered from an idempotency record: nothing was issued this time

    def as_dict(self) -> dict[str, Any]:
        return {"tracking_number": self.tracking_number, "masked": self.masked.as_dict()}


@dataclass(frozen=True, slots=True)
class FailedItem:
    index: int
    error: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "error": self.error}


BatchItem = IssuedWaybill | FailedItem


@dataclass(frozen=True, slots=True)
class BatchResult:
    items: list[BatchItem]
    replayed: bool = False

    @property
    def issued(self) -> int:
        return sum(isinstance(item, IssuedWaybill) for item in self.items)


def issue_waybill(
    ctx: ServiceContext,
    order: Any,
    *,
    actor: str,
    idempotency_key: str | None = None,
    organisation_id: int = CARRIER_ORGANISATION_ID,
) -> IssuedWaybill:
    """Issue one waybill; a bad order raises its ValidationError instead of returning a failure.

    With ``idempotency_key`` (1-128 printable ASCII characters), a retry of the same order returns the first
    waybill with ``replayed=True``; the same key with another order raises IDEMPOTENCY_CONFLICT. A refused
    order records nothing, so fixing it and retrying with the same key works.
    """
    parsed = parse_order(order)
    scoped_key = _scoped_idempotency_key(actor, idempotency_key, organisation_id)
    if scoped_key is None:
        with ctx.uow() as uow:
            [issued] = _store(ctx, uow, [(0, parsed)], actor=actor, organisation_id=organisation_id)
            uow.commit()
        return issued
    return _issue_one_idempotent(
        ctx, order, parsed, actor=actor, organisation_id=organisation_id, scoped_key=scoped_key
    )


def _issue_one_idempotent(
    ctx: ServiceContext, raw: Any, parsed: Order, *, actor: str, organisation_id: int, scoped_key: str
) -> IssuedWaybill:
    # Tagged so that one order sent alone and the same order sent as a batch of one never share a record.
    request_hash = _request_hash({"waybill": raw})
    replay = _replay(ctx, scoped_key, request_hash)
    if replay is None:
        try:
            with ctx.uow() as uow:
                [issued] = _store(ctx, uow, [(0, parsed)], actor=actor, organisation_id=organisation_id)
                record = IdempotencyRecord(request_hash=request_hash, response=_summarise([issued]))
                uow.idempotency.put(scoped_key, record, ctx.clock())
                uow.commit()
            return issued
        except ConflictError:
            # Another request with the same key committed first: answer with its waybill.
            replay = _replay(ctx, scoped_key, request_hash)
            if replay is None:
                raise
    [first] = replay.items
    if not isinstance(first, IssuedWaybill):  # pragma: no cover - a single order's record holds one waybill
        raise ConflictError("this idempotency key was used with a different request")
    return IssuedWaybill(first.index, first.tracking_number, first.masked, replayed=True)


def issue_batch(
    ctx: ServiceContext,
    orders: Sequence[Any],
    *,
    actor: str,
    idempotency_key: str | None = None,
    organisation_id: int = CARRIER_ORGANISATION_ID,
) -> BatchResult:
    """Issue up to MAX_BATCH orders; each one succeeds or fails on its own."""
    _check_batch_size(orders)
    scoped_key = _scoped_idempotency_key(actor, idempotency_key, organisation_id)
    request_hash = _request_hash(orders) if scoped_key else ""
    if scoped_key:
        replay = _replay(ctx, scoped_key, request_hash)
        if replay is not None:
            return replay

    items: list[BatchItem] = []
    valid, refused = _parse_all(orders)
    items.extend(FailedItem(index=index, error=error.to_dict()) for index, error in refused.items())

    try:
        return _issue_valid(
            ctx,
            items,
            valid,
            actor=actor,
            organisation_id=organisation_id,
            scoped_key=scoped_key,
            request_hash=request_hash,
        )
    except ConflictError:
        # Another request with the same idempotency key committed first: answer with its result.
        replay = _replay(ctx, scoped_key, request_hash) if scoped_key else None
        if replay is None:
            raise
        return replay


def issue_orders(
    ctx: ServiceContext,
    orders: Sequence[Any],
    *,
    actor: str,
    organisation_id: int = CARRIER_ORGANISATION_ID,
) -> list[IssuedWaybill | Exception]:
    """Issue up to MAX_BATCH orders in one transaction as if each were issued alone by ``issue_waybill``.

    For callers that gather single orders (the issuance queue): one ``waybill:issued`` event per waybill and
    nothing else (no ``waybill:batch:issued`` event, no idempotency record). Returns, in the orders' order,
    each waybill or the very error its order was refused with (ValidationError, LabelComplianceError, or
    whatever else its parsing raised), the one ``issue_waybill`` would raise for it: the gathered orders may
    be many customers' checkouts, and one order's failure is never the others'. When every order is
    refused, nothing is committed. Raises BATCH_TOO_LARGE beyond MAX_BATCH; a storage failure (a database
    error, which is what a tracking number taken meanwhile is: the unique constraint's IntegrityError) raises
    and issues nothing.
    """
    _check_batch_size(orders)
    valid, refused = _parse_isolated(orders, Exception)  # each order's failure its own
    issued: list[IssuedWaybill] = []
    if valid:
        with ctx.uow() as uow:
            gated: dict[int, ParcelGuardError] = {}
            issued = _store(ctx, uow, valid, actor=actor, organisation_id=organisation_id, refused=gated)
            refused.update(gated)
            if issued:
                uow.commit()
    results: list[IssuedWaybill | Exception | None] = [None] * len(orders)
    for index, error in refused.items():
        results[index] = error
    for waybill in issued:
        results[waybill.index] = waybill
    return [result for result in results if result is not None]


def _check_batch_size(orders: Sequence[Any]) -> None:
    if len(orders) > MAX_BATCH:
        raise ValidationError(
            f"a batch holds at most {MAX_BATCH} orders", code=ErrorCode.BATCH_TOO_LARGE, field="orders"
        )


def _parse_all(orders: Sequence[Any]) -> tuple[list[tuple[int, Order]], dict[int, ParcelGuardError]]:
    """The orders that parse, with their positions, and each other one's ValidationError by position; a
    merchant's repeated sender is parsed once (``SenderCache``). Any other error of an order raises."""
    valid, refused = _parse_isolated(orders, ValidationError)
    return valid, {index: error for index, error in refused.items() if isinstance(error, ValidationError)}


def _parse_isolated(
    orders: Sequence[Any], caught: type[Exception]
) -> tuple[list[tuple[int, Order]], dict[int, Exception]]:
    """The orders that parse, with their positions, and each other one's error of type ``caught`` by
    position; a merchant's repeated sender is parsed once (``SenderCache``)."""
    valid: list[tuple[int, Order]] = []
    refused: dict[int, Exception] = {}
    senders: SenderCache = {}
    for index, raw in enumerate(orders):
        try:
            valid.append((index, parse_order(raw, senders=senders)))
        except caught as error:
            refused[index] = error
    return valid, refused


def _issue_valid(
    ctx: ServiceContext,
    items: list[BatchItem],
    valid: Sequence[tuple[int, Order]],
    *,
    actor: str,
    organisation_id: int,
    scoped_key: str | None,
    request_hash: str,
) -> BatchResult:
    items = list(items)
    with ctx.uow() as uow:
        refused: dict[int, ParcelGuardError] = {}
        issued = _store(ctx, uow, valid, actor=actor, organisation_id=organisation_id, refused=refused)
        items.extend(FailedItem(index=index, error=error.to_dict()) for index, error in refused.items())
        items.extend(issued)
        items.sort(key=lambda item: item.index)
        now = ctx.clock()
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.WAYBILL_BATCH_ISSUED,
                    actor=actor,
                    occurred_at=now,
                    subject=f"batch:{len(items)}",
                    details={"issued": len(issued), "failed": len(items) - len(issued)},
                )
            ]
        )
        if scoped_key:
            uow.idempotency.put(
                scoped_key,
                IdempotencyRecord(request_hash=request_hash, response=_summarise(items)),
                now,
            )
        uow.commit()
    return BatchResult(items=items)


def _store(
    ctx: ServiceContext,
    uow: UnitOfWork,
    orders: Sequence[tuple[int, Order]],
    *,
    actor: str,
    organisation_id: int,
    refused: dict[int, ParcelGuardError] | None = None,
) -> list[IssuedWaybill]:
    """Seal and add ``orders``; an order the label gate refuses raises, or with ``refused`` (a batch) has its
    error put there by its index while the others are issued."""
    now = ctx.clock()
    sealed: list[SealedWaybill] = []
    issued: list[IssuedWaybill] = []
    events: list[AuditEvent] = []
    numbers = _fresh_tracking_numbers(ctx, uow, len(orders))
    indexes = _BatchIndexes(ctx)
    redactor = FreeTextRedactor(ctx)
    redactor.prefetch(order for _, order in orders)  # the detector's model reads the batch's texts at once
    for (index, order), tracking_number in zip(orders, numbers, strict=True):
        try:
            redacted = redactor.order(order, tracking_number=tracking_number, issued_on=now.date())
        except LabelComplianceError as error:
            if refused is None:
                raise
            refused[index] = error
            continue
        record = seal_order(
            ctx,
            redacted.shown,
            tracking_number=tracking_number,
            actor=actor,
            originals=redacted.originals,
            organisation_id=organisation_id,
            indexes=indexes,
            routing=redacted.routing,
            now=now,
        )
        sealed.append(record)
        issued.append(IssuedWaybill(index=index, tracking_number=tracking_number, masked=redacted.masked))
        events.append(
            AuditEvent(
                action=audit.WAYBILL_ISSUED,
                actor=actor,
                occurred_at=now,
                subject=tracking_number,
                details={"waybill_id": record.id},
            )
        )
    if sealed:
        uow.waybills.add_many(sealed)
        uow.audit.append_many(events)
    return issued


def seal_order(
    ctx: ServiceContext,
    order: Order,
    *,
    tracking_number: str,
    actor: str,
    originals: Mapping[str, str] | None = None,
    organisation_id: int = CARRIER_ORGANISATION_ID,
    indexes: _BatchIndexes | None = None,
    routing: tuple[str, str] | None = None,
    now: datetime | None = None,
) -> SealedWaybill:
    """Encrypt every personal field under a fresh data key bound to this waybill; index what is looked up.

    ``order`` carries free text already redacted; ``originals`` are the unredacted texts worth keeping.
    ``indexes``: a batch's blind indexes, so a merchant's repeated sender is indexed once per batch.
    ``routing``: ``routing_of(order)`` when already known; ``now``: the batch's time of issue (the clock's
    when not given).
    """
    waybill_id = new_waybill_id()
    data_key, wrapped = ctx.envelope.new_data_key(waybill_id)
    encrypt = data_key.encrypt
    sender, recipient = order.sender, order.recipient
    ciphertexts = {
        wb.SENDER_NAME: encrypt(wb.SENDER_NAME, sender.name.value),
        wb.SENDER_MOBILE: encrypt(wb.SENDER_MOBILE, sender.mobile.value),
        wb.SENDER_ADDRESS: encrypt(wb.SENDER_ADDRESS, sender.address.full),
        wb.SENDER_ID_NUMBER: encrypt(wb.SENDER_ID_NUMBER, order.sender_id.number.value),
        wb.RECIPIENT_NAME: encrypt(wb.RECIPIENT_NAME, recipient.name.value),
        wb.RECIPIENT_MOBILE: encrypt(wb.RECIPIENT_MOBILE, recipient.mobile.value),
        wb.RECIPIENT_ADDRESS: encrypt(wb.RECIPIENT_ADDRESS, recipient.address.full),
        wb.PARCEL_DESCRIPTION: encrypt(wb.PARCEL_DESCRIPTION, order.parcel.description),
    }
    if order.remarks is not None:
        ciphertexts[wb.REMARKS] = encrypt(wb.REMARKS, order.remarks)
    for field, text in (originals or {}).items():
        ciphertexts[field] = encrypt(field, text)
    index = ctx.index
    sender_indexes = None if indexes is None else indexes.sender(order)
    if sender_indexes is None:
        sender_indexes = _sender_indexes(ctx, order)
    routing_code, routing_text = routing_of(order) if routing is None else routing
    if now is None:
        now = ctx.clock()
    return SealedWaybill(
        id=waybill_id,
        tracking_number=tracking_number,
        status=WaybillStatus.CREATED,
        created_at=now,
        created_by=actor,
        weight_grams=max(1, round(order.parcel.weight_kg * 1000)),
        sender_id_type=order.sender_id.id_type,
        routing_code=routing_code,
        routing_text=routing_text,
        wrapped_key=wrapped,
        ciphertexts=ciphertexts,
        indexes=BlindIndexes(
            recipient_mobile=index.mobile(recipient.mobile.value),
            recipient_mobile_last4=index.mobile_last4(recipient.mobile.last4),
            sender_mobile=sender_indexes[0],
            sender_mobile_last4=sender_indexes[1],
            sender_id_number=sender_indexes[2],
        ),
        organisation_id=organisation_id,
    )


_ID_RANDOM_BYTES = 10


def new_waybill_id() -> str:
    """A waybill's internal id: 32 lower-case hex digits, the first 12 the Unix time in milliseconds and the
    other 20 random (80 bits, as UUIDv7 of RFC 9562 lays them out, without its version bits).

    Time first keeps the primary key's index append-only: random ids scatter every insert over the whole
    B-tree, which on SQLite makes issuance slower as the table outgrows the page cache. The id is internal
    (never printed, never in a URL); what customers see, the tracking number, stays wholly random.
    """
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(_ID_RANDOM_BYTES)}"


_SenderIndexes = tuple[bytes, bytes, bytes]


def _sender_indexes(ctx: ServiceContext, order: Order) -> _SenderIndexes:
    """The sender's blind indexes: mobile, its last four digits, ID number."""
    index, sender, document = ctx.index, order.sender, order.sender_id
    return (
        index.mobile(sender.mobile.value),
        index.mobile_last4(sender.mobile.last4),
        index.id_number(document.id_type, document.number.index_value),
    )


class _BatchIndexes:
    """The sender's blind indexes, computed once per sender of a batch (a merchant's orders share one
    parsed sender: the same Party and IdDocument objects), keyed by those objects' identity."""

    __slots__ = ("_ctx", "_done")

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._done: dict[tuple[int, int], tuple[Order, _SenderIndexes]] = {}

    def sender(self, order: Order) -> _SenderIndexes:
        key = (id(order.sender), id(order.sender_id))
        done = self._done.get(key)
        if done is not None and done[0].sender is order.sender and done[0].sender_id is order.sender_id:
            return done[1]
        found = _sender_indexes(self._ctx, order)
        self._done[key] = (order, found)
        return found


def _fresh_tracking_numbers(ctx: ServiceContext, uow: UnitOfWork, count: int) -> list[str]:
    """Random numbers that are not yet taken; the unique constraint still guards against a race."""
    numbers: list[str] = []
    while len(numbers) < count:
        candidates = {TrackingNumber.generate(ctx.carrier_prefix).value for _ in range(count - len(numbers))}
        candidates -= set(numbers)
        taken = uow.waybills.taken(sorted(candidates)) if candidates else set()
        numbers.extend(sorted(candidates - taken))
    return numbers


def _scoped_idempotency_key(actor: str, key: str | None, organisation_id: int) -> str | None:
    if key is None:
        return None
    if not is_idempotency_key(key):
        raise ValidationError(
            f"idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, neither "
            "the first nor the last a blank",
            code=ErrorCode.INVALID_REQUEST,
            field="idempotency_key",
        )
    # Hashed so that neither separator characters nor length can make two clients' keys collide.
    # Scoped to the key's organisation and the key itself: no tenant ever sees another's record.
    return hashlib.sha256(f"{organisation_id}\x00{actor}\x00{key}".encode()).hexdigest()


def _request_hash(request: Any) -> str:
    """SHA-256 of the canonical JSON of a decoded request body.

    ``surrogatepass``: a lone surrogate (``"\\ud800"`` decodes from JSON) hashes instead of raising; the
    order holding it is then refused with its own coded error, alone.
    """
    payload = list(request) if isinstance(request, Sequence) and not isinstance(request, str) else request
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _summarise(items: Sequence[BatchItem]) -> str:
    """What the idempotency record keeps: tracking numbers and error codes, never personal data."""
    summary = [
        {"tracking_number": item.tracking_number}
        if isinstance(item, IssuedWaybill)
        else {"error": item.error}
        for item in items
    ]
    return json.dumps(summary, separators=(",", ":"), ensure_ascii=False)


def _replay(ctx: ServiceContext, scoped_key: str, request_hash: str) -> BatchResult | None:
    with ctx.uow() as uow:
        record = uow.idempotency.get(scoped_key)
        if record is None:
            return None
        if record.request_hash != request_hash:
            raise ConflictError(
                "this idempotency key was used with a different request", code=ErrorCode.IDEMPOTENCY_CONFLICT
            )
        summary: list[Mapping[str, Any]] = json.loads(record.response)
        numbers = [entry["tracking_number"] for entry in summary if "tracking_number" in entry]
        sealed = {w.tracking_number: w for w in uow.waybills.get_many(numbers)}
        items: list[BatchItem] = []
        for index, entry in enumerate(summary):
            if "tracking_number" in entry:
                number = entry["tracking_number"]
                items.append(IssuedWaybill(index, number, masked_order_of(ctx, sealed[number])))
            else:
                items.append(FailedItem(index=index, error=dict(entry["error"])))
    return BatchResult(items=items, replayed=True)
