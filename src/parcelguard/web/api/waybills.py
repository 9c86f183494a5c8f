"""/v1/waybills: issue, view masked, print labels, revoke label tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from starlette.concurrency import run_in_threadpool

from parcelguard.adapters.render import CONTENT_TYPES
from parcelguard.domain.access import Scope
from parcelguard.services import issuance, labels, waybills
from parcelguard.web.api import schemas as s
from parcelguard.web.api.deps import Ctx, CurrentPrincipal
from parcelguard.web.api.views import batch_read, events_read, masked_read

router = APIRouter(prefix="/v1", tags=["waybills"])


@router.post("/waybills", status_code=201, response_model=s.WaybillIssued)
def create_waybill(body: s.WaybillCreate, ctx: Ctx, principal: CurrentPrincipal) -> s.WaybillIssued:
    """Issue one privacy waybill; the answer shows only masked data."""
    principal.require(Scope.WAYBILL_ISSUE)
    issued = issuance.issue_waybill(ctx, body.model_dump(), actor=principal.actor)
    return s.WaybillIssued(tracking_number=issued.tracking_number, masked=masked_read(issued.masked))


@router.post("/waybills/batch", response_model=s.WaybillBatchRead)
def create_waybill_batch(
    body: s.WaybillBatchCreate,
    ctx: Ctx,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(description="makes a retried batch safe")] = None,
) -> s.WaybillBatchRead:
    """Issue up to 1,000 orders; each succeeds or fails on its own with a coded error."""
    principal.require(Scope.WAYBILL_ISSUE)
    result = issuance.issue_batch(ctx, body.orders, actor=principal.actor, idempotency_key=idempotency_key)
    return batch_read(result)


@router.get("/waybills/{tracking_number}", response_model=s.WaybillRead)
def get_waybill(tracking_number: str, ctx: Ctx, principal: CurrentPrincipal) -> s.WaybillRead:
    """The masked view of a waybill."""
    view = waybills.view_waybill(ctx, tracking_number, principal=principal)
    return s.WaybillRead(
        tracking_number=view.tracking_number,
        status=view.status,
        created_at=view.created_at,
        routing_code=view.routing_code,
        masked=masked_read(view.masked),
        events=events_read(view.events),
    )


@router.get(
    "/waybills/{tracking_number}/label",
    responses={200: {"content": {v: {} for v in CONTENT_TYPES.values()}}},
    response_class=Response,
)
async def get_label(
    tracking_number: str,
    ctx: Ctx,
    principal: CurrentPrincipal,
    format: Annotated[str, Query(description="pdf, png or zpl")] = "pdf",
) -> Response:
    """A 100 x 150 mm privacy e-waybill: masked data, Code 128, and a QR holding an opaque token."""
    fmt = labels.parse_label_format(format)
    content = await run_in_threadpool(labels.render_label, ctx, tracking_number, fmt, principal=principal)
    filename = f"{tracking_number}.{fmt}"
    return Response(
        content,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post("/labels/batch", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def print_label_batch(body: s.LabelBatchRequest, ctx: Ctx, principal: CurrentPrincipal) -> Response:
    """One multi-page PDF for up to 1,000 waybills."""
    content = await run_in_threadpool(
        labels.render_label_batch, ctx, body.tracking_numbers, principal=principal
    )
    return Response(content, media_type="application/pdf", headers={"Cache-Control": "no-store"})


@router.post("/waybills/{tracking_number}/label/revoke", response_model=s.RevokedRead)
def revoke_label(tracking_number: str, ctx: Ctx, principal: CurrentPrincipal) -> s.RevokedRead:
    """Invalidate the QR tokens printed so far (a label was lost or photographed)."""
    return s.RevokedRead(revoked=labels.revoke_label_tokens(ctx, tracking_number, principal=principal))


@router.post("/labels/resolve", response_model=s.TokenResolved)
def resolve_token(body: s.TokenResolve, ctx: Ctx, principal: CurrentPrincipal) -> s.TokenResolved:
    """What a scanned QR code refers to, for an authorised session; masked data only."""
    resolved = labels.resolve_label_token(ctx, body.token, principal=principal)
    return s.TokenResolved(
        tracking_number=resolved.tracking_number, status=resolved.status, masked=masked_read(resolved.masked)
    )
