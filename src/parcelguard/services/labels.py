"""Printing labels and resolving the opaque token their QR code carries.

A label's QR code holds an authenticated token and nothing else. The token is issued when a label is first
printed, reused on reprints, and can be revoked (a lost or photographed label); a revoked or forged token
resolves to nothing. Resolving needs an authenticated principal with the right scope, and returns only the
masked view: revealing full data is a later, policy-checked use case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from parcelguard.domain import audit
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.audit import AuditEvent
from parcelguard.domain.label import LabelData, LabelParty
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.domain.waybill import MaskedOrder, SealedWaybill
from parcelguard.errors import ConflictError, ErrorCode, NotFoundError, TokenError, ValidationError
from parcelguard.services.context import ServiceContext
from parcelguard.services.ports import LabelFormat, LabelTokenRecord, UnitOfWork
from parcelguard.services.unseal import get_sealed, masked_order_of

LABEL_FORMATS: tuple[LabelFormat, ...] = ("pdf", "png", "zpl")
PENDING_QR_PAYLOAD = "PENDING"
"""Stands for the QR token at issuance, before the first print issues one: the gate never reads the QR."""
MAX_LABEL_BATCH = 1000
_STORE_ATTEMPTS = 3
"""Stores of a print's new tokens before it gives up (each retry needs a revocation committed meanwhile)."""
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ResolvedToken:
    tracking_number: str
    status: str
    masked: MaskedOrder


def parse_label_format(raw: str) -> LabelFormat:
    """``pdf``, ``png`` or ``zpl`` in any letter case (``PDF``, ``Pdf``), for the API and the CLI alike;
    anything else raises INVALID_LABEL_FORMAT (field ``format``)."""
    folded = raw.lower() if isinstance(raw, str) and raw.isascii() else ""
    for fmt in LABEL_FORMATS:
        if folded == fmt:
            return fmt
    raise ValidationError(
        f"format must be one of: {', '.join(LABEL_FORMATS)}",
        code=ErrorCode.INVALID_LABEL_FORMAT,
        field="format",
    )


def render_label(
    ctx: ServiceContext, tracking_number: str, fmt: LabelFormat, *, principal: Principal
) -> bytes:
    """One label in ``fmt``; the renderer's compliance gate refuses anything unmasked.

    A first print that overlaps another first print of the waybill prints the token that one stored (the
    same QR code, one active token): see :func:`_store_tokens`.
    """
    principal.require(Scope.LABEL_PRINT)
    number = TrackingNumber.parse(tracking_number).value
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        data, new_token = _label_data(ctx, uow, sealed)
        # Drawn before anything is written: a refused label rolls back nothing, and on SQLite the write
        # lock (taken at a transaction's first write) is held for the inserts and the commit, not the drawing.
        content = ctx.renderer.render_label(data, fmt)
        if new_token is not None:
            taken = _store_tokens(uow, [new_token])
            if taken:  # drawn again with the token the other print stored (a lost race: rare)
                content = ctx.renderer.render_label(_data_with(ctx, sealed, taken[sealed.id]), fmt)
        uow.audit.append_many([_printed(ctx, principal, number, fmt)])
        uow.commit()
    return content


def render_label_batch(
    ctx: ServiceContext, tracking_numbers: Sequence[str], *, principal: Principal
) -> bytes:
    """A multi-page PDF, one label a page, for platforms that print hundreds at once.

    Printed as :func:`render_labels` prints (one transaction, each label audited, each waybill its own
    token); raises what it raises.
    """
    return _print_batch(ctx, tracking_numbers, "pdf", ctx.renderer.render_pdf_batch, principal=principal)


def render_labels(
    ctx: ServiceContext, tracking_numbers: Sequence[str], fmt: LabelFormat, *, principal: Principal
) -> list[bytes]:
    """One ``fmt`` label per tracking number, in their order: how a carrier prints a shift's labels.

    Why a batch: one transaction, one read of the waybills and of their tokens, one insert of the new tokens
    and one of the audit events for up to 1,000 labels, where single prints pay each per label (ZPL labels
    are cheap enough that those were most of their cost). Each label is what :func:`render_label` prints:
    every label gets its audit event, every waybill its own token (the active one, or a new one stored with
    the print), and a number listed twice prints twice with that one token. Nothing is written unless every
    label was drawn: a waybill unknown or another tenant's (WAYBILL_NOT_FOUND, naming the first one's
    ``tracking_numbers.<index>``), a label the gate or the
    glyph check refuses (LABEL_NOT_COMPLIANT, LABEL_GLYPH_MISSING), 0 or over 1,000 numbers
    (BATCH_TOO_LARGE), a malformed number (its error names ``tracking_numbers.<index>``).
    """

    def draw(datas: Sequence[LabelData]) -> list[bytes]:
        drawn: dict[str, bytes] = {}  # a number listed twice is drawn once: the same data, token and bytes
        for data in datas:
            if data.tracking_number not in drawn:
                drawn[data.tracking_number] = ctx.renderer.render_label(data, fmt)
        return [drawn[data.tracking_number] for data in datas]

    fmt = parse_label_format(fmt)  # refused before anything is read
    return _print_batch(ctx, tracking_numbers, fmt, draw, principal=principal)


def _print_batch(
    ctx: ServiceContext,
    tracking_numbers: Sequence[str],
    fmt: LabelFormat,
    draw: Callable[[Sequence[LabelData]], _T],
    *,
    principal: Principal,
) -> _T:
    """Print ``tracking_numbers`` in one unit of work: ``draw`` gets every label's data in order, and what it
    returns is committed with the new tokens and one audit event per label, or nothing is when it raises."""
    principal.require(Scope.LABEL_PRINT)
    if not 0 < len(tracking_numbers) <= MAX_LABEL_BATCH:
        raise ValidationError(
            f"a label batch holds 1 to {MAX_LABEL_BATCH} tracking numbers",
            code=ErrorCode.BATCH_TOO_LARGE,
            field="tracking_numbers",
        )
    numbers = [_parse_number_at(raw, index) for index, raw in enumerate(tracking_numbers)]
    unique = list(dict.fromkeys(numbers))
    with ctx.uow() as uow:
        found = {
            w.tracking_number: w for w in uow.waybills.get_many(unique) if principal.sees(w.organisation_id)
        }
        missing = [index for index, number in enumerate(numbers) if number not in found]
        if missing:
            # Names the first one's place, so a shift's 1,000 labels are not refused without saying which
            # number to look at; another tenant's number reads exactly as one that does not exist.
            raise NotFoundError(
                f"{len(missing)} of the tracking numbers unknown, the first at index {missing[0]}",
                code=ErrorCode.WAYBILL_NOT_FOUND,
                field=f"tracking_numbers.{missing[0]}",
            )
        now = ctx.clock()
        active = uow.label_tokens.active_for_many([found[n].id for n in unique])
        new_tokens: list[LabelTokenRecord] = []
        labels: dict[str, LabelData] = {}
        for number in unique:
            sealed = found[number]
            record = active.get(sealed.id)
            if record is not None:
                qr_payload = ctx.tokens.encode(record.token_id, sealed.id)
            else:
                token = ctx.tokens.issue(sealed.id)
                new_tokens.append(LabelTokenRecord(token.token_id, sealed.id, now, None))
                qr_payload = token.text
            labels[number] = _data_of(ctx, sealed, qr_payload)
        # Drawn before anything is written, as a single print is (see render_label).
        content = draw([labels[n] for n in numbers])
        taken = _store_tokens(uow, new_tokens)
        if taken:  # drawn again, the waybills another print took first with its token (a lost race: rare)
            for number in unique:
                record = taken.get(found[number].id)
                if record is not None:
                    labels[number] = _data_with(ctx, found[number], record)
            content = draw([labels[n] for n in numbers])
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.LABEL_RENDERED,
                    actor=principal.actor,
                    occurred_at=now,
                    subject=number,
                    details={"format": fmt},
                )
                for number in numbers
            ]
        )
        uow.commit()
    return content


def _parse_number_at(raw: str, index: int) -> str:
    """The tracking number at ``index`` of a batch; its error names ``tracking_numbers.<index>``."""
    try:
        return TrackingNumber.parse(raw).value
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, field=f"tracking_numbers.{index}") from None


def resolve_label_token(ctx: ServiceContext, token_text: str, *, principal: Principal) -> ResolvedToken:
    """What a scanner learns from a label's QR code, given an authorised session."""
    principal.require(Scope.LABEL_TOKEN_RESOLVE)
    # Every token the caller may not use (malformed, forged, altered, unknown, another tenant's) gets the
    # same code, message and status, so no answer tells a platform that another platform's token exists.
    try:
        parsed = ctx.tokens.parse(token_text)
    except TokenError:
        raise _unknown_token() from None
    with ctx.uow() as uow:
        record = uow.label_tokens.get(parsed.token_id)
        if record is None:
            raise _unknown_token()
        sealed = uow.waybills.get_by_id(record.waybill_id)
        # Another tenant's token is unknown, before its MAC or revocation is looked at.
        if sealed is None or not principal.sees(sealed.organisation_id):
            raise _unknown_token()
        try:
            ctx.tokens.verify(parsed, record.waybill_id)
        except TokenError:
            raise _unknown_token() from None
        if record.revoked_at is not None:
            raise TokenError("this label token was revoked", code=ErrorCode.TOKEN_REVOKED)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.LABEL_TOKEN_RESOLVED,
                    actor=principal.actor,
                    occurred_at=ctx.clock(),
                    subject=sealed.tracking_number,
                    details={},
                )
            ]
        )
        masked = masked_order_of(ctx, sealed)
        uow.commit()
    return ResolvedToken(tracking_number=sealed.tracking_number, status=sealed.status.value, masked=masked)


def revoke_label_tokens(ctx: ServiceContext, tracking_number: str, *, principal: Principal) -> int:
    """Invalidate every QR token of a waybill (a label was lost); the next print issues a new one."""
    principal.require(Scope.LABEL_PRINT)
    number = TrackingNumber.parse(tracking_number).value
    with ctx.uow() as uow:
        sealed = get_sealed(uow, number, principal=principal)
        now = ctx.clock()
        revoked = uow.label_tokens.revoke_for(sealed.id, now)
        uow.audit.append_many(
            [
                AuditEvent(
                    action=audit.LABEL_TOKEN_REVOKED,
                    actor=principal.actor,
                    occurred_at=now,
                    subject=number,
                    details={"revoked": revoked},
                )
            ]
        )
        uow.commit()
    return revoked


def _unknown_token() -> TokenError:
    return TokenError("unknown label token", code=ErrorCode.TOKEN_INVALID)


def _token_text(
    ctx: ServiceContext, uow: UnitOfWork, sealed: SealedWaybill
) -> tuple[str, LabelTokenRecord | None]:
    """The QR token text for ``sealed``: its active token, or a new one with the record to store for it."""
    active = uow.label_tokens.active_for(sealed.id)
    if active is not None:
        return ctx.tokens.encode(active.token_id, sealed.id), None
    token = ctx.tokens.issue(sealed.id)
    record = LabelTokenRecord(
        token_id=token.token_id, waybill_id=sealed.id, issued_at=ctx.clock(), revoked_at=None
    )
    return token.text, record


def _label_data(
    ctx: ServiceContext, uow: UnitOfWork, sealed: SealedWaybill
) -> tuple[LabelData, LabelTokenRecord | None]:
    """What the label of ``sealed`` prints, and the new token record to store once it is drawn (if any)."""
    qr_payload, new_token = _token_text(ctx, uow, sealed)
    return _data_of(ctx, sealed, qr_payload), new_token


def _data_of(ctx: ServiceContext, sealed: SealedWaybill, qr_payload: str) -> LabelData:
    """What the label of ``sealed`` prints with ``qr_payload`` in its QR code."""
    return label_data_of(
        masked_order_of(ctx, sealed),
        carrier_name=ctx.carrier_name,
        tracking_number=sealed.tracking_number,
        routing_code=sealed.routing_code,
        routing_text=sealed.routing_text,
        qr_payload=qr_payload,
        issued_on=sealed.created_at.date(),
    )


def _data_with(ctx: ServiceContext, sealed: SealedWaybill, record: LabelTokenRecord) -> LabelData:
    """What the label of ``sealed`` prints with the stored token ``record`` in its QR code."""
    return _data_of(ctx, sealed, ctx.tokens.encode(record.token_id, sealed.id))


def _store_tokens(uow: UnitOfWork, new_tokens: Sequence[LabelTokenRecord]) -> dict[str, LabelTokenRecord]:
    """Store the tokens of a print's first prints; answers, by waybill id, the token to print instead where
    another print stored one first.

    Why: two first prints of a waybill that overlap both find no active token and both issue one; the database
    keeps one active token per waybill (``uq_label_token_active_waybill_id``), so the later insert is skipped,
    and the loser prints the winner's token: the same QR code on both labels, no error. ``add_many`` answers
    which inserts were skipped (from the driver's rowcount or RETURNING), so only those waybills are re-read:
    normally none, and a first print costs no read. A winner's token revoked between the two statements
    (PostgreSQL, Read Committed) leaves none active: the print then stores its own again, up to
    :data:`_STORE_ATTEMPTS` times, and past that raises ConflictError ``label_token_conflict`` (409; nothing
    written: print again).
    """
    taken: dict[str, LabelTokenRecord] = {}
    pending = list(new_tokens)
    for _ in range(_STORE_ATTEMPTS):
        skipped = set(uow.label_tokens.add_many(pending)) if pending else set()
        if not skipped:
            return taken
        pending = [record for record in pending if record.waybill_id in skipped]
        if len(pending) == 1:  # a single print: the one-waybill read is about 8 us cheaper on SQLite
            found = uow.label_tokens.active_for(pending[0].waybill_id)
            active = {} if found is None else {found.waybill_id: found}
        else:
            active = uow.label_tokens.active_for_many([record.waybill_id for record in pending])
        taken.update(
            (record.waybill_id, active[record.waybill_id])
            for record in pending
            if record.waybill_id in active
        )
        pending = [record for record in pending if record.waybill_id not in active]
    if pending:
        raise ConflictError(
            "this waybill's label token kept being revoked while the label was printed: print it again",
            code=ErrorCode.LABEL_TOKEN_CONFLICT,
        )
    return taken


def label_data_of(
    masked: MaskedOrder,
    *,
    carrier_name: str,
    tracking_number: str,
    routing_code: str,
    routing_text: str,
    qr_payload: str,
    issued_on: date,
) -> LabelData:
    """What a label prints for a masked order: the one mapping used at issuance (gate) and at printing."""
    return LabelData(
        carrier_name=carrier_name,
        tracking_number=tracking_number,
        routing_code=routing_code,
        routing_text=routing_text,
        recipient=LabelParty(masked.recipient.name, masked.recipient.mobile, masked.recipient.address),
        sender=LabelParty(masked.sender.name, masked.sender.mobile, masked.sender.address),
        qr_payload=qr_payload,
        parcel_description=masked.parcel_description,
        weight_kg=masked.weight_kg,
        issued_on=issued_on,
        remarks=masked.remarks,
    )


def _printed(ctx: ServiceContext, principal: Principal, tracking_number: str, fmt: str) -> AuditEvent:
    return AuditEvent(
        action=audit.LABEL_RENDERED,
        actor=principal.actor,
        occurred_at=ctx.clock(),
        subject=tracking_number,
        details={"format": fmt},
    )
