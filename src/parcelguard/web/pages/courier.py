"""The courier's phone: today's deliveries (masked) and the scan page that reveals address and phone.

A reveal goes through services/reveal.py, which decides (assigned to this courier, out for delivery or
within the grace period after delivery), writes the audit event in the same transaction, and answers the
recipient's name, address and mobile, or refuses with a reason code that the page shows in words (403).
The scan page reads the label's QR code with the browser's BarcodeDetector where there is one
(static/scan.js), or takes the code typed from under the QR code; both post the same form, so the server
sees one path. The token is sent in the body, never in a URL. At pickup, the courier checks the sender's
identity document against the registered one (match / no match) on the verify page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from parcelguard.domain.people import Role
from parcelguard.domain.reveal_policy import RECIPIENT_FIELDS, Purpose
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services.dispatch import courier_deliveries
from parcelguard.services.pickup import verify_sender_identity
from parcelguard.services.reveal import reveal
from parcelguard.web.client_address import client_of
from parcelguard.web.pages.common import (
    CurrentStaff,
    PageRoute,
    RuntimeDep,
    render,
    render_refusal,
    require_role,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

COURIERS = frozenset({Role.COURIER})


@router.get("/courier", response_class=HTMLResponse)
def deliveries(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    """The parcels assigned to this courier, masked; each can be revealed in place."""
    require_role(staff, COURIERS)
    views = courier_deliveries(runtime.ctx, staff.principal)
    return render(request, "courier_deliveries.html", staff, runtime, {"deliveries": views})


@router.get("/courier/scan", response_class=HTMLResponse)
def scan(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, COURIERS)
    return render(request, "courier_scan.html", staff, runtime)


@router.post("/courier/reveal", response_class=HTMLResponse)
def courier_reveal(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)] = "",
    token: Annotated[str, Form(max_length=128)] = "",
) -> HTMLResponse:
    """Address and a way to call for one parcel, from its tracking number or its label's QR token.

    htmx swaps the answer into the page (``_reveal_result.html``); without JavaScript the whole scan page
    comes back with it. A refusal answers 403 with its reason code in words.
    """
    require_role(staff, COURIERS)
    fragment = request.headers.get("HX-Request") == "true"
    template = "_reveal_result.html" if fragment else "courier_scan.html"
    try:
        if not tracking_number.strip() and not token.strip():
            raise ValidationError(
                "scan the QR code or type the code under it", code=ErrorCode.MISSING_FIELD, field="token"
            )
        result = reveal(
            runtime.ctx,
            staff.principal,
            tracking_number=None if token.strip() else tracking_number.strip(),
            token=token.strip() or None,
            fields=list(RECIPIENT_FIELDS),
            purpose=Purpose.DELIVERY.value,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        return render_refusal(request, template, staff, runtime, error)
    return render(request, template, staff, runtime, {"result": result})


@router.get("/courier/verify", response_class=HTMLResponse)
def verify_form(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, COURIERS)
    return render(request, "courier_verify.html", staff, runtime)


@router.post("/courier/verify", response_class=HTMLResponse)
def verify(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)],
    id_number: Annotated[str, Form(max_length=64)],
) -> HTMLResponse:
    """Real-name pickup (快递暂行条例 Art. 22): the sender's document number, typed or scanned, is compared
    through the blind index; the answer is match or no match, and the page never shows the stored number
    (nor echoes the typed one back)."""
    require_role(staff, COURIERS)
    try:
        match = verify_sender_identity(
            runtime.ctx,
            tracking_number,
            id_number,
            principal=staff.principal,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        return render_refusal(request, "courier_verify.html", staff, runtime, error)
    context = {"checked": tracking_number.strip().upper(), "match": match}
    return render(request, "courier_verify.html", staff, runtime, context)
