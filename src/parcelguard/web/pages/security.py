"""The security officer's approvals: break-glass requests from customer service, approved one by one.

An approval lets its requester see the named fields of the named waybills until it expires; the service
refuses an officer approving their own request (``self_approval``) and records every approval.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role
from parcelguard.errors import ParcelGuardError
from parcelguard.services.break_glass import approve_break_glass, list_pending
from parcelguard.web.client_address import client_of
from parcelguard.web.pages.common import (
    CurrentStaff,
    PageRoute,
    RuntimeDep,
    Staff,
    render,
    require_role,
)
from parcelguard.web.pages.support import FIELD_LABELS, PURPOSE_LABELS

router = APIRouter(include_in_schema=False, route_class=PageRoute)

OFFICERS = frozenset({Role.SECURITY_OFFICER})


def _approvals_page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    *,
    error: ParcelGuardError | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    context = {
        "pending": list_pending(runtime.ctx, staff.principal),
        "field_labels": FIELD_LABELS,
        "purpose_labels": PURPOSE_LABELS,
    }
    return render(request, "security_approvals.html", staff, runtime, context, notice=notice, error=error)


@router.get("/security/approvals", response_class=HTMLResponse)
def approvals(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    """Break-glass requests waiting for a security officer (never approvable by their requester)."""
    require_role(staff, OFFICERS)
    return _approvals_page(request, runtime, staff)


@router.post("/security/approvals/{grant_id}/approve", response_class=HTMLResponse)
def approve(request: Request, runtime: RuntimeDep, staff: CurrentStaff, grant_id: int) -> HTMLResponse:
    require_role(staff, OFFICERS)
    try:
        approve_break_glass(runtime.ctx, staff.principal, grant_id, client=client_of(request, runtime))
    except ParcelGuardError as error:
        return _approvals_page(request, runtime, staff, error=error)
    return _approvals_page(request, runtime, staff, notice=f"已批准 · Approved request #{grant_id}")
