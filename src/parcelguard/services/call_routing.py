"""Routing a call or SMS to a virtual number, and its call detail record.

The SIP server asks for every INVITE (``POST /v1/telephony/route``): the caller by keyed index and the
number dialled (with an optional extension) go through the pure decision of domain.virtual_number, and
only the target of a call that connects is decrypted. The decision is an audit event
(``telephony:call:routed`` / ``telephony:sms:routed``) in the same transaction, and the call's end one more
(``telephony:call:ended``: start, answer, end, duration, outcome). Neither ever holds a real number or
anything said or written: only the virtual number, the binding, which party called, and the outcome.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from parcelguard.domain import virtual_number as vn
from parcelguard.domain.audit import AuditEvent, AuditValue
from parcelguard.domain.keys import WrappedKey
from parcelguard.domain.pii import Mobile
from parcelguard.errors import ErrorCode, NotFoundError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import ProviderCallRecord, RouteSnapshot, UnitOfWork
from parcelguard.services.virtual_numbers import PARTY_A, PARTY_B, owner_of

CALL_ROUTED = "telephony:call:routed"
SMS_ROUTED = "telephony:sms:routed"
CALL_ENDED = "telephony:call:ended"
KINDS = ("call", "sms")
OUTCOMES = ("answered", "busy", "no_answer", "failed", "cancelled", "rejected")
MAX_FIELD_CHARS = 64
MAX_CALL = timedelta(hours=24)
_CALL_ID = re.compile(r"^c_[0-9a-f]{24}$")


@dataclass(frozen=True, slots=True)
class RouteAnswer:
    """The routing decision as the SIP server reads it (``as_json``): connect to ``target`` showing
    ``caller_id``, or reject with ``reason``."""

    call_id: str
    target: str | None = None
    caller_id: str | None = None
    reason: vn.RejectReason | None = None

    @property
    def action(self) -> str:
        return "connect" if self.reason is None else "reject"

    def as_json(self) -> dict[str, str]:
        if self.reason is not None:
            return {"action": "reject", "reason": self.reason.value, "call_id": self.call_id}
        assert self.target is not None and self.caller_id is not None  # noqa: S101 - set when connecting
        return {
            "action": "connect",
            "target": self.target,
            "caller_id": self.caller_id,
            "call_id": self.call_id,
        }


@dataclass(frozen=True, slots=True)
class CallEnd:
    call_id: str
    duration_s: int


def _text(raw: object, field: str, *, required: bool) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise ValidationError(f"{field} is required", code=ErrorCode.MISSING_FIELD, field=field)
        return None
    if not isinstance(raw, str) or len(raw) > MAX_FIELD_CHARS or not raw.isprintable():
        raise ValidationError(
            f"{field} is a string of at most {MAX_FIELD_CHARS} printable characters", field=field
        )
    return raw


def _caller_index(ctx: ServiceContext, caller: str) -> bytes:
    """The caller's keyed mobile index; a caller that is no mainland mobile (a landline, abroad,
    ``anonymous``) is a stranger whom no party key can match (an empty key)."""
    try:
        return ctx.index.mobile(Mobile.parse(caller).value)
    except ValidationError:
        return b""


def route_call(
    ctx: ServiceContext,
    *,
    caller: object,
    called: object,
    extension: object = None,
    kind: object = None,
    actor: str,
) -> RouteAnswer:
    """Where a call (or SMS) from ``caller`` to the virtual number ``called`` goes.

    ``called`` may carry the extension in the label form ``17012345678-1234``. A number that is not ours
    is ``no_binding``, not an error: the SIP server asks about whatever was dialled. Errors (bad requests
    only): ValidationError ``missing_field`` / ``invalid_request`` with field ``caller``, ``called``,
    ``extension`` or ``kind``.
    """
    caller_text = _text(caller, "caller", required=True)
    called_text = _text(called, "called", required=True)
    extension_text = _text(extension, "extension", required=False)
    kind_text = _text(kind, "kind", required=False) or "call"
    if kind_text not in KINDS:
        raise ValidationError("kind is call or sms", field="kind")
    assert caller_text is not None and called_text is not None  # noqa: S101 - required above
    dialled, in_label = vn.split_label_form(called_text)
    ext = vn.parse_extension(extension_text if extension_text is not None else in_label)
    if extension_text is not None and in_label is not None and vn.parse_extension(in_label) != ext:
        raise ValidationError(  # two different extensions: which party is meant is anyone's guess
            "extension differs from the one in called (X-EEEE)", field="extension"
        )
    try:
        number: str | None = Mobile.parse(dialled).value
    except ValidationError:
        number = None
    caller_index = _caller_index(ctx, caller_text)
    call_id = "c_" + secrets.token_hex(12)
    now = ctx.clock()
    with ctx.uow() as uow:
        snapshot = (
            uow.virtual_numbers.route_snapshot(number, vn.candidate_keys(caller_index, ext))
            if number is not None
            else RouteSnapshot(number=None, candidates=[], sealed={})
        )
        record = snapshot.number
        view = (
            vn.NumberView(
                state=record.state, quarantined_until=record.quarantined_until, bindings=record.bindings
            )
            if record is not None
            else None
        )
        decision = vn.decide(
            number=view, caller_index=caller_index, extension=ext, candidates=snapshot.candidates, now=now
        )
        if decision.connects and not _courier_active(uow, decision, now):
            decision = vn.Decision(reason=vn.RejectReason.CALLER_NOT_PARTY, binding_id=decision.binding_id)
        answer = RouteAnswer(call_id=call_id, reason=decision.reason)
        if decision.connects and decision.binding_id is not None and number is not None:
            sealed = snapshot.sealed.get(decision.binding_id)
            answer = _connect(ctx, decision, sealed, call_id, number)
        details: dict[str, AuditValue] = {
            "number": number,
            "extension": ext,
            "action": answer.action,
            "reason": answer.reason.value if answer.reason else None,
            "binding": decision.binding_id,
            "caller_party": decision.caller_party.value if decision.caller_party else None,
        }
        action = SMS_ROUTED if kind_text == "sms" else CALL_ROUTED
        uow.audit.append_many([AuditEvent(action, actor, now, f"call:{call_id}", details)])
        uow.commit()
    return answer


def _courier_active(uow: UnitOfWork, decision: vn.Decision, now: datetime) -> bool:
    """Whether the courier a call involves (as caller or callee) still works here: a disabled or
    offboarded courier neither reaches the recipient nor is reached, like every other way they had to
    the parcel's people. True when the call does not involve party A."""
    if vn.Party.A not in (decision.party, decision.caller_party) or decision.binding_id is None:
        return True
    binding = uow.virtual_numbers.get_binding(decision.binding_id)
    if binding is None or binding.courier_id is None:
        return False
    courier = uow.users.get_by_id(binding.courier_id)
    return courier is not None and courier.disabled_at is None and not courier.offboarded_at(now)


def _connect(
    ctx: ServiceContext,
    decision: vn.Decision,
    sealed: tuple[WrappedKey, bytes | None, bytes] | None,
    call_id: str,
    number: str,
) -> RouteAnswer:
    if sealed is None or decision.binding_id is None:
        return RouteAnswer(call_id=call_id, reason=vn.RejectReason.NO_BINDING)
    wrapped, ct_a, ct_b = sealed
    ciphertext = ct_a if decision.party is vn.Party.A else ct_b
    if ciphertext is None:
        return RouteAnswer(call_id=call_id, reason=vn.RejectReason.CALLER_NOT_PARTY)
    key = ctx.envelope.open_data_key(owner_of(decision.binding_id), wrapped)
    target = key.decrypt(PARTY_A if decision.party is vn.Party.A else PARTY_B, ciphertext)
    return RouteAnswer(call_id=call_id, target=target, caller_id=number)


def record_call_end(
    ctx: ServiceContext,
    *,
    call_id: object,
    started_at: datetime,
    answered_at: datetime | None,
    ended_at: datetime,
    outcome: object,
    actor: str,
) -> CallEnd:
    """The end of a routed call, as a call detail record in the audit log (idempotent per call).

    ``duration_s`` is the talk time (answer to end; 0 unanswered). Errors: ValidationError
    ``invalid_request`` (fields ``call_id``, ``outcome`` (also: "answered" for a call the route answer
    rejected), ``answered_at`` (set exactly when the outcome is "answered"), ``ended_at``); NotFoundError
    ``call_not_found`` (no routed call with this id)."""
    if not isinstance(call_id, str) or not _CALL_ID.match(call_id):
        raise ValidationError("call_id is the id the route answer gave", field="call_id")
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise ValidationError(f"outcome is one of {', '.join(OUTCOMES)}", field="outcome")
    for name, value in (("started_at", started_at), ("answered_at", answered_at), ("ended_at", ended_at)):
        if value is not None and value.tzinfo is None:
            raise ValidationError(f"{name} needs a time zone (Z or +08:00)", field=name)
    if answered_at is not None and not started_at <= answered_at <= ended_at:
        raise ValidationError("answered_at lies between started_at and ended_at", field="answered_at")
    if (outcome == "answered") != (answered_at is not None):
        raise ValidationError("answered_at is set exactly when the call was answered", field="answered_at")
    if not timedelta(0) <= ended_at - started_at <= MAX_CALL:  # no datetime overflow near year 9999
        raise ValidationError("ended_at lies within 24 h after started_at", field="ended_at")
    duration = int((ended_at - answered_at).total_seconds()) if answered_at is not None else 0
    subject = f"call:{call_id}"
    with ctx.uow() as uow:
        events = uow.audit.for_subject(subject)
        routed = next((e for e in events if e.action in (CALL_ROUTED, SMS_ROUTED)), None)
        if routed is None:
            raise NotFoundError("no routed call with this id", code=ErrorCode.CALL_NOT_FOUND, field="call_id")
        if routed.details.get("action") == "reject" and (outcome == "answered" or answered_at is not None):
            # Nothing was connected: an "answered" record would put talk time on a call that never rang.
            raise ValidationError("the route answer rejected this call: not answered", field="outcome")
        ended = next((e for e in events if e.action == CALL_ENDED), None)
        if ended is not None:
            kept = ended.details.get("duration_s")
            return CallEnd(call_id=call_id, duration_s=kept if isinstance(kept, int) else duration)
        uow.audit.append_many(
            [
                AuditEvent(
                    CALL_ENDED,
                    actor,
                    ctx.clock(),
                    subject,
                    _cdr(routed.details, started_at, answered_at, ended_at, duration, outcome),
                )
            ]
        )
        uow.commit()
    return CallEnd(call_id=call_id, duration_s=duration)


def record_provider_call(ctx: ServiceContext, record: ProviderCallRecord, *, actor: str) -> CallEnd:
    """A call record a cloud provider pushed (already parsed by its adapter), into the audit log once.

    The record is the provider's word, so it is checked like a CDR of our own (ValidationError
    ``invalid_request``: ``call_id`` 1-120 printable characters, ``outcome`` one of OUTCOMES, times in
    order within 24 h), and its number is kept only when it is one of ours (the binding's, or a pool
    number): a provider that put a party's real number there must not write it into the audit log."""
    if not 0 < len(record.call_id) <= 120 or not record.call_id.isprintable():
        raise ValidationError("call_id is 1 to 120 printable characters", field="call_id")
    if record.outcome not in OUTCOMES:
        raise ValidationError(f"outcome is one of {', '.join(OUTCOMES)}", field="outcome")
    if not timedelta(0) <= record.ended_at - record.started_at <= MAX_CALL:
        raise ValidationError("ended_at lies within 24 h after started_at", field="ended_at")
    if record.answered_at is not None and not record.started_at <= record.answered_at <= record.ended_at:
        raise ValidationError("answered_at lies between started_at and ended_at", field="answered_at")
    duration = int((record.ended_at - record.answered_at).total_seconds()) if record.answered_at else 0
    subject = f"call:{record.call_id}"
    with ctx.uow() as uow:
        if any(e.action == CALL_ENDED for e in uow.audit.for_subject(subject)):
            return CallEnd(call_id=record.call_id, duration_s=duration)
        binding = uow.virtual_numbers.get_by_provider_ref(record.provider_ref)
        ours = _our_number(uow, record.number)
        routed: dict[str, AuditValue] = {
            "number": binding.number if binding is not None else ours,
            "binding": binding.id if binding is not None else None,
            "provider_ref": record.provider_ref,
        }
        details = _cdr(
            routed, record.started_at, record.answered_at, record.ended_at, duration, record.outcome
        )
        uow.audit.append_many([AuditEvent(CALL_ENDED, actor, ctx.clock(), subject, details)])
        uow.commit()
    return CallEnd(call_id=record.call_id, duration_s=duration)


def _our_number(uow: UnitOfWork, raw: str) -> str | None:
    """``raw`` as a number of our pool, or None (not a mobile, or someone's real number)."""
    try:
        number = Mobile.parse(raw).value
    except ValidationError:
        return None
    return number if uow.virtual_numbers.get_number(number) is not None else None


def _cdr(
    routed: Mapping[str, AuditValue],
    started_at: datetime,
    answered_at: datetime | None,
    ended_at: datetime,
    duration: int,
    outcome: str,
) -> dict[str, AuditValue]:
    return {
        **{
            k: routed.get(k)
            for k in ("number", "extension", "binding", "caller_party", "provider_ref")
            if k in routed
        },
        "started_at": started_at.isoformat(),
        "answered_at": answered_at.isoformat() if answered_at else None,
        "ended_at": ended_at.isoformat(),
        "duration_s": duration,
        "outcome": outcome,
    }
