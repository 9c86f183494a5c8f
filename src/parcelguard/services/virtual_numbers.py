"""Virtual numbers: importing the pool, binding a parcel's parties to a number, rebinding, unbinding.

A binding joins the courier (A) and the recipient (B) of one waybill through a number X of a pool (the
courier's station, else the parcel's routing code, else ``default``). Their real numbers are stored only as
ciphertext under the binding's own data key, beside the keyed mobile index of each (the one waybills use),
so a call can be routed by index and only its target decrypted. Dispatch binds (``TelephonyPolicy
.dispatch_model``) and rebinds when the courier changes; a delivered or returned parcel's binding ends
after the grace period (72 h); a number left with no binding rests before reuse. Every change is an audit
event in the same transaction, never holding a real number. Routing itself: services.call_routing; the
hooks dispatch, parcel events, reveal and key rotation call: services.parcel_numbers.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from parcelguard.domain import virtual_number as vn
from parcelguard.domain import waybill as wb
from parcelguard.domain.access import Principal
from parcelguard.domain.audit import AuditEvent, AuditValue
from parcelguard.domain.parcel_lifecycle import TERMINAL
from parcelguard.domain.people import Role, parse_username
from parcelguard.domain.pii import Mobile
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import SealedWaybill
from parcelguard.errors import ConflictError, ErrorCode, NotFoundError, ParcelGuardError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import (
    BindingRecord,
    PartyPhoneRecord,
    ProviderBinding,
    UnitOfWork,
    VirtualNumberRecord,
)
from parcelguard.services.unseal import get_sealed

NUMBERS_IMPORTED = "telephony:number:imported"
PHONE_SET = "telephony:party_phone:set"
BINDING_CREATED = "telephony:binding:created"
BINDING_REBOUND = "telephony:binding:rebound"
BINDING_ENDED = "telephony:binding:ended"
BINDING_EXTENDED = "telephony:binding:extended"
BINDING_EXPIRY_SET = "telephony:binding:expiry_set"
BINDING_SKIPPED = "telephony:binding:skipped"
PARTY_A = "party.a"  # field names bound into the ciphertexts' associated data: never rename
PARTY_B = "party.b"
DEFAULT_POOL = "default"
_ATTEMPTS = 8  # concurrent binds racing for the same routes retry this often before binding_conflict
_CANDIDATES = 16


@dataclass(frozen=True, slots=True)
class BoundNumber:
    """What a binding shows: the number (and extension) to print or dial, never a real number."""

    tracking_number: str
    number: str
    extension: str | None
    model: vn.BindingModel
    expires_at: datetime | None
    binding_id: str

    @property
    def display(self) -> str:
        """``17012345678`` or the label form ``17012345678-1234``."""
        return vn.label_form(self.number, self.extension)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    already_present: int


def owner_of(binding_id: str) -> str:
    """The owner id the binding's data key is bound to."""
    return f"vnum:{binding_id}"


def import_numbers(
    ctx: ServiceContext,
    rows: Iterable[tuple[str, str]],
    *,
    actor: str,
    lines: Sequence[int] | None = None,
) -> ImportResult:
    """Add (number, pool) pairs to the pool as free numbers; numbers already present stay as they are.

    Only numbers of the masking ranges (``ctx.telephony.number_prefixes``: MIIT's virtual-operator
    segments and the carrier's own blocks) are pool numbers: an ordinary mobile would be handed out as
    recipients' number and written to audit events. One bad row refuses the whole import.
    ValidationError ``invalid_mobile`` or ``invalid_request`` (pool) with field ``line N`` (``lines[i]``
    names row i, e.g. its line in a file; else its position from 1), never echoing the number;
    ``empty_input`` when there is nothing to import. One audit event per pool, holding the count only.
    """
    parsed: dict[str, str] = {}
    prefixes = ctx.telephony.number_prefixes
    for position, (raw_number, raw_pool) in enumerate(rows):
        where = f"line {lines[position] if lines is not None else position + 1}"
        try:
            number = vn.parse_pool_number(raw_number, prefixes, field=where)
            pool = vn.parse_pool(raw_pool or DEFAULT_POOL)
        except ValidationError as error:
            raise ValidationError(error.message, code=error.code, field=where) from None
        parsed[number] = pool
    if not parsed:
        raise ValidationError("no numbers to import", code=ErrorCode.EMPTY_INPUT)
    now = ctx.clock()
    with ctx.uow() as uow:
        present = set(uow.virtual_numbers.add_numbers(sorted(parsed.items()), now))
        per_pool: dict[str, int] = {}
        for number, pool in parsed.items():
            if number not in present:
                per_pool[pool] = per_pool.get(pool, 0) + 1
        uow.audit.append_many(
            [
                AuditEvent(NUMBERS_IMPORTED, actor, now, f"pool:{pool}", {"count": count})
                for pool, count in sorted(per_pool.items())
            ]
        )
        uow.commit()
    return ImportResult(added=len(parsed) - len(present), already_present=len(present))


def set_party_phone(ctx: ServiceContext, username: str, mobile: str, *, actor: str) -> None:
    """The phone a courier is reached on through bindings, stored encrypted with its keyed index.

    The courier's live bindings follow at once (their party A becomes the new phone), so a phone given up
    (a SIM handed back, lost, reissued) no longer reaches recipients and the recipient's calls go to the
    new one; a binding whose number already carries the new phone for another pair ends instead.

    Only a courier takes calls through bindings (party A is the parcel's assigned courier, and dispatch
    assigns couriers only): any other role's phone would be a real number stored for nothing.

    A number of the pool is never a courier's phone: calls to a binding's number go to party A, so one of
    the pool's own numbers would send them back into the pool (a loop that reaches nobody).

    NotFoundError ``user_not_found``; ValidationError ``role_not_allowed`` (field ``username``, not a
    courier), ``invalid_mobile`` (field ``mobile``: not a mobile, or a number of the pool)."""
    name = parse_username(username)
    digits = Mobile.parse(mobile).value
    now = ctx.clock()
    with ctx.uow() as uow:
        user = uow.users.get(name)
        if user is None:
            raise NotFoundError("no user with this username", code=ErrorCode.USER_NOT_FOUND, field="username")
        if user.role is not Role.COURIER:
            raise ValidationError(
                f"only a courier is reached through virtual numbers, not a {user.role.value}",
                code=ErrorCode.ROLE_NOT_ALLOWED,
                field="username",
            )
        if uow.virtual_numbers.get_number(digits) is not None:
            raise ValidationError(
                "is a virtual number of the pool, not a phone a courier is reached on",
                code=ErrorCode.INVALID_MOBILE,
                field="mobile",
            )
        key, wrapped = ctx.envelope.new_data_key(phone_owner(user.id))
        phone = PartyPhoneRecord(
            user_id=user.id,
            bi_mobile=ctx.index.mobile(digits),
            wrapped_key=wrapped,
            ct_mobile=key.encrypt("mobile", digits),
            updated_at=now,
        )
        uow.virtual_numbers.put_phone(phone)
        uow.audit.append_many([AuditEvent(PHONE_SET, actor, now, user.actor)])
        for live in uow.virtual_numbers.live_for_courier(user.id):
            _follow_phone(ctx, uow, live, phone, digits, now=now, actor=actor)
        uow.commit()


def bind_waybill(
    ctx: ServiceContext,
    tracking_number: str,
    *,
    model: vn.BindingModel,
    principal: Principal,
    pool: str | None = None,
    ttl: timedelta | None = None,
) -> BoundNumber:
    """Bind the waybill's recipient (and its courier, if assigned and reachable) to a number of the pool.

    Errors: ConflictError ``binding_exists`` (the waybill already has a live binding: unbind or extend
    it), ``pool_exhausted`` (no number of the pool can take it), ``party_phone_missing`` (axb without a
    courier with a phone), ``binding_conflict`` (concurrent binds kept taking the same routes: retry),
    ``provider_failed``; NotFoundError ``waybill_not_found``; ValidationError for the inputs.
    """
    number = TrackingNumber.parse(tracking_number).value
    chosen_pool = vn.parse_pool(pool) if pool is not None else None
    if ttl is not None and not timedelta(0) < ttl <= timedelta(days=30):
        raise ValidationError("ttl is more than 0 s and at most 30 days", field="ttl_seconds")
    for attempt in range(_ATTEMPTS):
        now = ctx.clock()
        with ctx.uow() as uow:
            sealed = get_sealed(uow, number, principal=principal)
            if sealed.status in TERMINAL:
                raise ValidationError(
                    f"a parcel that is {sealed.status.value} gets no new number",
                    code=ErrorCode.INVALID_TRANSITION,
                    field="tracking_number",
                )
            if uow.virtual_numbers.live_for_waybill(sealed.id) is not None:
                raise ConflictError("this waybill already has a live binding", code=ErrorCode.BINDING_EXISTS)
            try:
                record = bind_in(ctx, uow, sealed, model=model, pool=chosen_pool, now=now, ttl=ttl)
            except ConflictError as error:
                if error.code is ErrorCode.BINDING_CONFLICT and attempt < _ATTEMPTS - 1:
                    continue  # the unit of work rolls back; another number or extension next time
                if error.code is ErrorCode.POOL_EXHAUSTED and attempt == 0 and _release_in(ctx, uow, now):
                    uow.commit()  # ended what was over; try again with the numbers it freed
                    continue
                raise
            uow.audit.append_many([binding_event(BINDING_CREATED, principal.actor, now, sealed, record)])
            uow.commit()
        return _bound(sealed.tracking_number, record)
    raise ConflictError("concurrent binds kept colliding: try again", code=ErrorCode.BINDING_CONFLICT)


def bind_in(
    ctx: ServiceContext,
    uow: UnitOfWork,
    sealed: SealedWaybill,
    *,
    model: vn.BindingModel,
    pool: str | None,
    now: datetime,
    ttl: timedelta | None = None,
    courier_id: int | None = None,
) -> BindingRecord:
    """Bind inside the caller's unit of work (issuance, dispatch); nothing is committed here."""
    assignment = uow.dispatch.get(sealed.id)
    courier = courier_id if courier_id is not None else (assignment.courier_id if assignment else None)
    phone = uow.virtual_numbers.get_phone(courier) if courier is not None else None
    if model is vn.BindingModel.AXB and phone is None:
        raise ConflictError(
            "an axb binding needs the courier's phone (assign a courier; parcelguard vnum phone)",
            code=ErrorCode.PARTY_PHONE_MISSING,
        )
    a_digits = open_phone(ctx, phone) if phone is not None else None
    b_index = sealed.indexes.recipient_mobile
    a_index = phone.bi_mobile if phone is not None else None
    pools = (
        [pool] if pool is not None else pools_for(uow, sealed, assignment.station_id if assignment else None)
    )
    probe = vn.route_keys(model, a_index, b_index, "0001" if model is vn.BindingModel.AXE else None)
    probe = [k for k in probe if not k.startswith(b"e")]
    candidates = _pool_candidates(ctx, uow, pools, model, probe, now)
    if model is vn.BindingModel.AXN:
        secrets.SystemRandom().shuffle(candidates)  # concurrent binds spread over the free numbers
    for candidate in candidates:
        extension = None
        if model is vn.BindingModel.AXE:
            taken = uow.virtual_numbers.extensions_on(candidate.number)
            extension = vn.free_extension(taken, secrets.randbelow(vn.AXE_CAPACITY) + 1)
            if extension is None:
                continue
        if not uow.virtual_numbers.take(candidate.number, model, vn.CAPACITY[model], now):
            continue  # filled up or taken for another model meanwhile
        binding_id = "vb_" + secrets.token_hex(10)
        key, wrapped = ctx.envelope.new_data_key(owner_of(binding_id))
        recipient = ctx.envelope.open_data_key(sealed.id, sealed.wrapped_key).decrypt(
            wb.RECIPIENT_MOBILE, sealed.ciphertexts[wb.RECIPIENT_MOBILE]
        )
        record = BindingRecord(
            id=binding_id,
            number=candidate.number,
            model=model,
            extension=extension,
            waybill_id=sealed.id,
            courier_id=courier if phone is not None else None,
            bi_a=a_index,
            bi_b=b_index,
            wrapped_key=wrapped,
            ct_a=key.encrypt(PARTY_A, a_digits) if a_digits is not None else None,
            ct_b=key.encrypt(PARTY_B, recipient),
            created_at=now,
            expires_at=now + ttl if ttl is not None else None,
        )
        uow.virtual_numbers.add_binding(record, vn.route_keys(model, a_index, b_index, extension))
        ref = provider_bind(ctx, record, a_digits, recipient)
        if ref is not None:
            uow.virtual_numbers.set_provider_ref(record.id, ref)
            record = replace(record, provider_ref=ref)
        return record
    raise ConflictError(
        f"no number of the pool can take another {model.value} binding", code=ErrorCode.POOL_EXHAUSTED
    )


def _pool_candidates(
    ctx: ServiceContext,
    uow: UnitOfWork,
    pools: Sequence[str],
    model: vn.BindingModel,
    probe: Sequence[bytes],
    now: datetime,
) -> list[VirtualNumberRecord]:
    """Up to :data:`_CANDIDATES` usable numbers of the masking ranges, in the pool's order.

    A number outside the ranges (imported before they were checked) is never handed out, and must not
    crowd out those inside either: an ordinary mobile (13x, 15x) sorts before 16x/17x numbers, so the
    first ``_CANDIDATES`` rows could all be such numbers while the pool still has free masking numbers
    (pool_exhausted for nothing). The window grows (x4) until it holds enough, or holds every usable number.
    """
    limit = _CANDIDATES
    while True:
        found = uow.virtual_numbers.usable(pools, model, probe, now, limit)
        candidates = [c for c in found if vn.is_pool_number(c.number, ctx.telephony.number_prefixes)]
        if len(candidates) >= _CANDIDATES or len(found) < limit:
            return candidates
        limit *= 4


def unbind_waybill(ctx: ServiceContext, tracking_number: str, *, principal: Principal) -> BoundNumber:
    """End the waybill's live binding now; its number rests if nothing else uses it.

    NotFoundError ``waybill_not_found`` / ``binding_not_found``."""
    number = TrackingNumber.parse(tracking_number).value
    now = ctx.clock()
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        record = _live(uow, sealed.id)
        end_in(ctx, uow, record, now=now, reason="unbound", actor=principal.actor, subject=number)
        uow.commit()
    return _bound(number, record)


def extend_binding(
    ctx: ServiceContext, tracking_number: str, *, hours: float, principal: Principal
) -> BoundNumber:
    """Push the end of the waybill's live binding ``hours`` further (a late delivery, a return call).

    Only a binding with an end (delivered, returned or handed over, or bound with a ttl) can be extended;
    one still open lasts until that end plus the grace period anyway.
    A binding on a number outside the masking ranges (one imported before they were checked) is not
    extended: it shows an ordinary subscriber's mobile as the recipient's number until it ends.
    NotFoundError ``binding_not_found``; ValidationError ``invalid_request`` (field ``hours``),
    ``invalid_transition`` (the binding has no end yet, or its number is outside the ranges; nothing
    changes)."""
    number = TrackingNumber.parse(tracking_number).value
    if not 0 < hours <= vn.MAX_EXTENSION_HOURS:  # also NaN; before timedelta, which overflows on huge values
        raise ValidationError(
            f"an extension is more than 0 and at most {vn.MAX_EXTENSION_HOURS} hours", field="hours"
        )
    now = ctx.clock()
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        record = _live(uow, sealed.id)
        if not vn.is_pool_number(record.number, ctx.telephony.number_prefixes):
            raise ValidationError(
                "this binding's number is outside the masking ranges (imported before they were checked): "
                "unbind it and bind the waybill again instead of extending it",
                code=ErrorCode.INVALID_TRANSITION,
                field="tracking_number",
            )
        expires = vn.extended(record.expires_at, now, timedelta(hours=hours))
        uow.virtual_numbers.set_expiry(record.id, expires)
        record = replace(record, expires_at=expires)
        uow.audit.append_many([binding_event(BINDING_EXTENDED, principal.actor, now, sealed, record)])
        uow.commit()
    return _bound(number, record)


def current_binding(ctx: ServiceContext, tracking_number: str, *, principal: Principal) -> BoundNumber:
    """The waybill's live binding, as shown: NotFoundError ``binding_not_found`` when there is none."""
    number = TrackingNumber.parse(tracking_number).value
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        return _bound(number, _live(uow, sealed.id))


def release_due(ctx: ServiceContext, *, actor: str) -> int:
    """End every binding whose time is over (the cron job, ``parcelguard vnum release``): how many."""
    now = ctx.clock()
    with ctx.uow() as uow:
        ended = _release_in(ctx, uow, now, actor=actor)
        uow.commit()
    return len(ended)


def end_in(
    ctx: ServiceContext,
    uow: UnitOfWork,
    record: BindingRecord,
    *,
    now: datetime,
    reason: str,
    actor: str,
    subject: str,
) -> None:
    """End a live binding inside the caller's unit of work, free its routes and rest its number.

    The provider is told first: if it cannot unbind, nothing ends here (the transaction rolls back), so
    ParcelGuard never believes a binding gone that the provider would still connect."""
    if uow.virtual_numbers.end_binding(record.id, now, reason):
        provider_unbind(ctx, record)
        uow.virtual_numbers.give_back(record.number, now, ctx.telephony.cooldown)
        uow.audit.append_many(
            [AuditEvent(BINDING_ENDED, actor, now, subject, {**_details(record), "reason": reason})]
        )


# -- helpers -------------------------------------------------------------------------------------------


def _follow_phone(
    ctx: ServiceContext,
    uow: UnitOfWork,
    live: BindingRecord,
    phone: PartyPhoneRecord,
    digits: str,
    *,
    now: datetime,
    actor: str,
) -> None:
    """Party A of a live binding becomes the courier's new phone (keys, index, ciphertext, provider)."""
    subject = f"binding:{live.id}"
    if live.bi_a == phone.bi_mobile:
        return
    keys = vn.route_keys(live.model, phone.bi_mobile, live.bi_b, live.extension)
    if any(uow.virtual_numbers.route_holder(live.number, k) not in (None, live.id) for k in keys):
        end_in(ctx, uow, live, now=now, reason="courier_phone_changed", actor=actor, subject=subject)
        return
    key = ctx.envelope.open_data_key(owner_of(live.id), live.wrapped_key)
    uow.virtual_numbers.replace_party_a(
        live, courier_id=phone.user_id, bi_a=phone.bi_mobile, ct_a=key.encrypt(PARTY_A, digits), keys=keys
    )
    if ctx.numbers is not None and live.provider_ref is not None:  # the provider holds the old phone
        provider_unbind(ctx, live)
        ref = provider_bind(ctx, live, digits, key.decrypt(PARTY_B, live.ct_b))
        if ref is not None:
            uow.virtual_numbers.set_provider_ref(live.id, ref)
    uow.audit.append_many([AuditEvent(BINDING_REBOUND, actor, now, subject, _details(live))])


def _release_in(
    ctx: ServiceContext, uow: UnitOfWork, now: datetime, *, actor: str = "system:vnum"
) -> list[BindingRecord]:
    due = uow.virtual_numbers.due(now, 1000)
    for record in due:
        end_in(ctx, uow, record, now=now, reason="expired", actor=actor, subject=f"binding:{record.id}")
    return due


def pools_for(uow: UnitOfWork, sealed: SealedWaybill, station_id: int | None) -> list[str]:
    pools: list[str] = []
    station = uow.stations.get(station_id) if station_id is not None else None
    if station is not None:
        pools.append(station.code)
    if sealed.routing_code:
        pools.append(sealed.routing_code)
    pools.append(DEFAULT_POOL)
    return pools


def phone_owner(user_id: int) -> str:
    return f"vnum-phone:{user_id}"


def open_phone(ctx: ServiceContext, phone: PartyPhoneRecord) -> str:
    key = ctx.envelope.open_data_key(phone_owner(phone.user_id), phone.wrapped_key)
    return key.decrypt("mobile", phone.ct_mobile)


def provider_bind(ctx: ServiceContext, record: BindingRecord, a: str | None, b: str) -> str | None:
    if ctx.numbers is None:
        return None
    request = ProviderBinding(
        binding_id=record.id,
        number=record.number,
        model=record.model,
        party_a=a,
        party_b=b,
        extension=record.extension,
        expires_at=record.expires_at,
    )
    try:
        return ctx.numbers.bind(request)
    except ParcelGuardError:
        raise
    except Exception as error:  # any transport failure is the provider's
        raise ConflictError(
            f"the number provider failed: {type(error).__name__}", code=ErrorCode.PROVIDER_FAILED
        ) from None


def provider_unbind(ctx: ServiceContext, record: BindingRecord) -> None:
    if ctx.numbers is not None and record.provider_ref is not None:
        ctx.numbers.unbind(record.provider_ref, record.number)


def _live(uow: UnitOfWork, waybill_id: str) -> BindingRecord:
    record = uow.virtual_numbers.live_for_waybill(waybill_id)
    if record is None:
        raise NotFoundError("this waybill has no live binding", code=ErrorCode.BINDING_NOT_FOUND)
    return record


def _bound(tracking_number: str, record: BindingRecord) -> BoundNumber:
    return BoundNumber(
        tracking_number=tracking_number,
        number=record.number,
        extension=record.extension,
        model=record.model,
        expires_at=record.expires_at,
        binding_id=record.id,
    )


def _details(record: BindingRecord) -> dict[str, AuditValue]:
    return {
        "binding": record.id,
        "number": record.number,
        "model": record.model.value,
        "extension": record.extension,
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
    }


def binding_event(
    action: str, actor: str, now: datetime, sealed: SealedWaybill, record: BindingRecord
) -> AuditEvent:
    return AuditEvent(action, actor, now, sealed.tracking_number, _details(record))
