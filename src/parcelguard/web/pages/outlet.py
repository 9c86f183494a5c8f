"""The outlet counter: hand a parcel over on its pickup code plus the last 4 digits of the mobile.

The clerk never sees the full mobile or the address: services/pickup.py checks the pair (blind index),
records the hand-over and answers the masked view, which is all the page shows. A wrong pair is refused
``pickup_verification_failed`` (403), shown in words; the service counts the failures.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from parcelguard.domain.people import Role
from parcelguard.errors import ParcelGuardError
from parcelguard.services.pickup import hand_over
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

COUNTER_STAFF = frozenset({Role.OUTLET_CLERK, Role.STATION_MANAGER})


@router.get("/outlet", response_class=HTMLResponse)
def counter(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, COUNTER_STAFF)
    return render(request, "outlet.html", staff, runtime)


@router.post("/outlet/handover", response_class=HTMLResponse)
def handover(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    pickup_code: Annotated[str, Form(max_length=32)],
    last4: Annotated[str, Form(max_length=8)],
) -> HTMLResponse:
    """Hands the parcel over and shows its masked view; refusals in words with their status."""
    require_role(staff, COUNTER_STAFF)
    try:
        view = hand_over(
            runtime.ctx,
            pickup_code=pickup_code,
            last4=last4,
            principal=staff.principal,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        return render_refusal(request, "outlet.html", staff, runtime, error)
    return render(
        request,
        "outlet.html",
        staff,
        runtime,
        {"handed": view},
        notice=f"已交付 · Handed over: {view.tracking_number}",
    )
