"""Virtual numbers where the rest of the parcel's life meets them, inside the callers' units of work.

Dispatch rebinds (or binds, per ``TelephonyPolicy.dispatch_model``) when a courier is assigned; a parcel
delivered, returned or handed over starts its number's grace period; the courier's screen and reveal show
the virtual number instead of the recipient's; key rotation rewraps the bindings' data keys. Each is one
call from the owning use case (services/dispatch.py, parcel_events.py, pickup.py, reveal.py, keys.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from parcelguard.domain import virtual_number as vn
from parcelguard.domain import waybill as wb
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.parcel_lifecycle import TERMINAL
from parcelguard.domain.waybill import SealedWaybill, WaybillStatus
from parcelguard.errors import ConflictError, ErrorCode
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import UnitOfWork
from parcelguard.services.virtual_numbers import (
    BINDING_CREATED,
    BINDING_EXPIRY_SET,
    BINDING_REBOUND,
    BINDING_SKIPPED,
    PARTY_A,
    PARTY_B,
    bind_in,
    binding_event,
    end_in,
    open_phone,
    owner_of,
    phone_owner,
    pools_for,
    provider_bind,
    provider_unbind,
)


def virtual_number_of(uow: UnitOfWork, waybill_id: str) -> str | None:
    """What a courier's screen or a label shows to call the recipient: X or X-extension, or None."""
    record = uow.virtual_numbers.live_for_waybill(waybill_id)
    return None if record is None else vn.label_form(record.number, record.extension)


def rewrap_keys(ctx: ServiceContext, uow: UnitOfWork, version: int) -> int:
    """Key rotation: the data keys of live bindings and of people's phones still under an older key
    version, rewrapped (ended bindings hold none: their parties are shredded when they end). How many."""
    bindings = uow.virtual_numbers.binding_keys_below(version)
    for binding_id, wrapped in bindings:
        uow.virtual_numbers.replace_binding_key(
            binding_id, ctx.envelope.rewrap(owner_of(binding_id), wrapped)
        )
    phones = uow.virtual_numbers.phone_keys_below(version)
    for user_id, wrapped in phones:
        uow.virtual_numbers.replace_phone_key(user_id, ctx.envelope.rewrap(phone_owner(user_id), wrapped))
    return len(bindings) + len(phones)


def with_virtual_number(uow: UnitOfWork, waybill_id: str, values: dict[str, str]) -> dict[str, str]:
    """A courier's revealed fields with the recipient's mobile replaced by the binding's number (or
    X-extension) while one is live: the courier gets a way to call, never the real number; without a
    binding the reveal policy's answer stands."""
    shown = virtual_number_of(uow, waybill_id) if wb.RECIPIENT_MOBILE in values else None
    return values if shown is None else {**values, wb.RECIPIENT_MOBILE: shown}


def on_courier_assigned(
    ctx: ServiceContext, uow: UnitOfWork, sealed: SealedWaybill, *, courier_id: int, now: datetime, actor: str
) -> None:
    """Dispatch assigned a courier: rebind the live binding to them, or bind at dispatch (policy).

    Never fails the dispatch for want of a number: an empty pool or a courier without a phone is an audit
    event ``telephony:binding:skipped`` instead (the courier then has no number to call through)."""
    live = uow.virtual_numbers.live_for_waybill(sealed.id)
    if live is None:
        model = ctx.telephony.dispatch_model
        assignment = uow.dispatch.get(sealed.id)
        pools = pools_for(uow, sealed, assignment.station_id if assignment else None)
        if model is None or not uow.virtual_numbers.pools_with_numbers(pools):
            return  # no masking here (nothing imported for these pools): dispatch as before
        try:
            record = bind_in(ctx, uow, sealed, model=model, pool=None, now=now, courier_id=courier_id)
        except ConflictError as error:
            if error.code in (ErrorCode.POOL_EXHAUSTED, ErrorCode.PARTY_PHONE_MISSING):
                _skipped(uow, actor, now, sealed, error.code)
                return
            raise
        uow.audit.append_many([binding_event(BINDING_CREATED, actor, now, sealed, record)])
        return
    if live.courier_id == courier_id:
        return
    phone = uow.virtual_numbers.get_phone(courier_id)
    if phone is None:  # the old courier must not reach the recipient any more
        end_in(ctx, uow, live, now=now, reason="courier_changed", actor=actor, subject=sealed.tracking_number)
        _skipped(uow, actor, now, sealed, ErrorCode.PARTY_PHONE_MISSING)
        return
    keys = vn.route_keys(live.model, phone.bi_mobile, live.bi_b, live.extension)
    if any(uow.virtual_numbers.route_holder(live.number, k) not in (None, live.id) for k in keys):
        # the new courier already talks to someone else through this number: move to another one
        end_in(ctx, uow, live, now=now, reason="courier_changed", actor=actor, subject=sealed.tracking_number)
        on_courier_assigned(ctx, uow, sealed, courier_id=courier_id, now=now, actor=actor)
        return
    key = ctx.envelope.open_data_key(owner_of(live.id), live.wrapped_key)
    digits = open_phone(ctx, phone)
    uow.virtual_numbers.replace_party_a(
        live, courier_id=courier_id, bi_a=phone.bi_mobile, ct_a=key.encrypt(PARTY_A, digits), keys=keys
    )
    if ctx.numbers is not None and live.provider_ref is not None:  # the provider holds the old courier
        provider_unbind(ctx, live)
        recipient = key.decrypt(PARTY_B, live.ct_b)
        ref = provider_bind(ctx, replace(live, courier_id=courier_id), digits, recipient)
        if ref is not None:
            uow.virtual_numbers.set_provider_ref(live.id, ref)
    uow.audit.append_many([binding_event(BINDING_REBOUND, actor, now, sealed, live)])


def on_parcel_status(
    ctx: ServiceContext,
    uow: UnitOfWork,
    sealed: SealedWaybill,
    status: WaybillStatus,
    *,
    now: datetime,
    actor: str,
) -> None:
    """A parcel delivered or returned keeps its number for the grace period; a cancelled one, not at all."""
    if status not in TERMINAL:
        return
    live = uow.virtual_numbers.live_for_waybill(sealed.id)
    if live is None:
        return
    ends = now if status is WaybillStatus.CANCELLED else vn.expiry_after_end(now, ctx.telephony.grace)
    if live.expires_at is not None and live.expires_at <= ends:
        return
    uow.virtual_numbers.set_expiry(live.id, ends)
    record = replace(live, expires_at=ends)
    uow.audit.append_many([binding_event(BINDING_EXPIRY_SET, actor, now, sealed, record)])


def _skipped(uow: UnitOfWork, actor: str, now: datetime, sealed: SealedWaybill, code: ErrorCode) -> None:
    uow.audit.append_many(
        [AuditEvent(BINDING_SKIPPED, actor, now, sealed.tracking_number, {"reason": code.value})]
    )
