"""Customer service: search by tracking number or mobile (masked results), reveal with ticket and purpose,
and the break-glass request when the day's quota is used (a security officer approves it: security.py).

The search and every reveal go through the services (services/cs_search.py, reveal.py, break_glass.py),
which look the mobile up through the blind index, count the quota, write the audit events and decide. The
mobile is sent in a POST body, never in a URL. A reveal refused ``approval_required`` comes back with the
break-glass form filled in for that waybill and those fields, so the agent can ask a security officer at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.domain.reveal_policy import REVEALABLE_FIELDS, Purpose
from parcelguard.errors import ErrorCode, ParcelGuardError, ValidationError
from parcelguard.services.break_glass import request_break_glass
from parcelguard.services.cs_search import search_waybills
from parcelguard.services.reveal import reveal
from parcelguard.web.client_address import client_of
from parcelguard.web.pages.common import (
    CurrentStaff,
    PageRoute,
    RuntimeDep,
    Staff,
    render,
    render_refusal,
    require_role,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

AGENTS = frozenset({Role.CS_AGENT, Role.REGULATOR})  # a regulator searches and reveals on a legal request
FIELD_LABELS = {
    "recipient.name": "收件人姓名 · Recipient's name",
    "recipient.mobile": "收件人手机 · Recipient's mobile",
    "recipient.address": "收件人地址 · Recipient's address",
    "sender.name": "寄件人姓名 · Sender's name",
    "sender.mobile": "寄件人手机 · Sender's mobile",
    "sender.address": "寄件人地址 · Sender's address",
}
PURPOSE_LABELS = {
    Purpose.CUSTOMER_REQUEST.value: "客户来电 · Customer request",
    Purpose.COMPLAINT.value: "投诉 · Complaint",
    Purpose.CLAIM.value: "理赔 · Claim",
    Purpose.RETURN.value: "退回 · Return",
    Purpose.DELIVERY.value: "派送问题 · Delivery problem",
    Purpose.LEGAL_REQUEST.value: "依法调取 · Legal request",
}
BREAK_GLASS_MINUTES = (15, 30, 60, 120)


def _choices() -> dict[str, Any]:
    return {
        "field_choices": [(name, FIELD_LABELS.get(name, name)) for name in REVEALABLE_FIELDS],
        "purpose_choices": list(PURPOSE_LABELS.items()),
        "minutes_choices": BREAK_GLASS_MINUTES,
    }


@router.get("/support", response_class=HTMLResponse)
def support(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, AGENTS)
    return render(request, "support.html", staff, runtime, {"results": None, **_choices()})


@router.post("/support/search", response_class=HTMLResponse)
def search(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    query: Annotated[str, Form(max_length=64)],
) -> HTMLResponse:
    """One box: a tracking number (letters then digits) or a mobile (any spelling the intake accepts)."""
    require_role(staff, AGENTS)
    text = query.strip()
    fragment = request.headers.get("HX-Request") == "true"
    template = "_support_results.html" if fragment else "support.html"
    try:
        if not text:
            raise ValidationError("type a tracking number or a mobile", code=ErrorCode.MISSING_FIELD)
        by_number = text[:1].isalpha()
        results = search_waybills(
            runtime.ctx,
            staff.principal,
            tracking_number=text if by_number else None,
            mobile=None if by_number else text,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        return render_refusal(request, template, staff, runtime, error, {"results": None, **_choices()})
    return render(request, template, staff, runtime, {"results": results, **_choices()})


def _reveal_answer(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    context: dict[str, Any],
    error: ParcelGuardError | None = None,
) -> HTMLResponse:
    fragment = request.headers.get("HX-Request") == "true"
    template = "_support_reveal.html" if fragment else "support_reveal.html"
    values = {**_choices(), **context}
    return render(request, template, staff, runtime, values, error=error)


@router.post("/support/reveal", response_class=HTMLResponse)
def support_reveal(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)],
    fields: Annotated[list[str] | None, Form(max_length=64)] = None,
    purpose: Annotated[str, Form(max_length=32)] = "",
    ticket: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """Reveals the chosen fields against a ticket and a purpose; ``approval_required`` offers break-glass."""
    require_role(staff, AGENTS)
    chosen = list(fields or [])
    context: dict[str, Any] = {
        "tracking_number": tracking_number.strip().upper(),
        "chosen": chosen,
        "purpose": purpose,
        "ticket": ticket.strip(),
    }
    try:
        if not chosen:
            raise ValidationError("choose the fields to reveal", code=ErrorCode.MISSING_FIELD, field="fields")
        result = reveal(
            runtime.ctx,
            staff.principal,
            tracking_number=tracking_number,
            fields=chosen,
            purpose=purpose or None,
            ticket=ticket.strip() or None,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        context["offer_break_glass"] = error.code is ErrorCode.APPROVAL_REQUIRED
        return _reveal_answer(request, runtime, staff, context, error)
    context["result"] = result
    context["field_labels"] = FIELD_LABELS
    return _reveal_answer(request, runtime, staff, context)


@router.post("/support/break-glass", response_class=HTMLResponse)
def break_glass(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)],
    fields: Annotated[list[str] | None, Form(max_length=64)] = None,
    purpose: Annotated[str, Form(max_length=32)] = "",
    ticket: Annotated[str, Form(max_length=64)] = "",
    minutes: Annotated[int, Form(ge=1, le=24 * 60)] = 30,
) -> HTMLResponse:
    """Asks a security officer for a time-boxed approval for this waybill and these fields."""
    require_role(staff, AGENTS)
    chosen = list(fields or [])
    context: dict[str, Any] = {
        "tracking_number": tracking_number.strip().upper(),
        "chosen": chosen,
        "purpose": purpose,
        "ticket": ticket.strip(),
    }
    try:
        grant = request_break_glass(
            runtime.ctx,
            staff.principal,
            tracking_numbers=[tracking_number],
            fields=chosen,
            purpose=purpose or None,
            ticket=ticket.strip() or None,
            minutes=minutes,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        context["offer_break_glass"] = True
        return _reveal_answer(request, runtime, staff, context, error)
    context["requested"] = grant
    return _reveal_answer(request, runtime, staff, context)
