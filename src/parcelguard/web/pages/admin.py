"""Administration pages: stations, users (add, disable, offboard) and dispatch (assign a courier).

Administrators manage stations and users; station managers and administrators assign parcels to couriers and
record a parcel's steps. The services check everything again (roles, station, the parcel's state); these
pages only gather the form and show the answer. A new user of a role with a second factor gets its TOTP
provisioning URI once, on the answer page, as text and as a QR code (a ``data:`` image, which the CSP
allows); it is never put in a URL or a log and cannot be shown again.
"""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from parcelguard.bootstrap import Runtime
from parcelguard.domain.people import Role, parse_offboard_from, parse_role
from parcelguard.errors import ParcelGuardError
from parcelguard.services.dispatch import assign_courier
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.people import (
    add_station,
    add_user,
    disable_user,
    list_stations,
    list_users,
    offboard_user,
)
from parcelguard.web.client_address import client_of
from parcelguard.web.pages.common import (
    ROLE_LABELS,
    CurrentStaff,
    PageRoute,
    RuntimeDep,
    Staff,
    render,
    require_role,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

ADMINS = frozenset({Role.ADMIN})
DISPATCHERS = frozenset({Role.ADMIN, Role.STATION_MANAGER})
# The steps the dispatch page records (the pickup counter and the courier's phone record the others).
DISPATCH_STEPS = ("at_station", "out_for_delivery", "delivered", "returned", "exception")


def _stations_page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    *,
    error: ParcelGuardError | None = None,
    notice: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {"stations": list_stations(runtime.ctx), "form": form or {}}
    return render(request, "admin_stations.html", staff, runtime, context, notice=notice, error=error)


@router.get("/admin/stations", response_class=HTMLResponse)
def stations(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, ADMINS)
    return _stations_page(request, runtime, staff)


@router.post("/admin/stations", response_class=HTMLResponse)
def station_add(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    code: Annotated[str, Form(max_length=32)],
    name: Annotated[str, Form(max_length=200)],
    district: Annotated[str, Form(max_length=16)],
) -> HTMLResponse:
    require_role(staff, ADMINS)
    try:
        station = add_station(
            runtime.ctx, code=code, name=name, district=district, actor=staff.principal.actor
        )
    except ParcelGuardError as error:
        form = {"code": code, "name": name, "district": district}
        return _stations_page(request, runtime, staff, error=error, form=form)
    return _stations_page(request, runtime, staff, notice=f"已添加站点 · Station added: {station.code}")


def _users_page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    *,
    error: ParcelGuardError | None = None,
    notice: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HTMLResponse:
    context = {
        "users": list_users(runtime.ctx),
        "stations": list_stations(runtime.ctx),
        "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
        "form": {},
        **(extra or {}),
    }
    return render(request, "admin_users.html", staff, runtime, context, notice=notice, error=error)


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, ADMINS)
    return _users_page(request, runtime, staff)


@router.post("/admin/users", response_class=HTMLResponse)
def user_add(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1024)],
    station: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Adds a user; a second-factor role's provisioning URI is shown once, as text and QR code."""
    require_role(staff, ADMINS)
    try:
        user, uri = add_user(
            runtime.ctx,
            username=username,
            role=parse_role(role),
            password=password,
            station_code=station.strip() or None,
            actor=staff.principal.actor,
        )
    except ParcelGuardError as error:
        form = {"username": username, "role": role, "station": station}
        return _users_page(request, runtime, staff, error=error, extra={"form": form})
    extra: dict[str, Any] = {"new_user": user.username}
    if uri is not None:
        extra["provisioning_uri"] = uri
        extra["provisioning_qr"] = segno.make(uri, error="m").png_data_uri(scale=4, border=2)
    notice = f"已添加用户 · User added: {user.username}"
    return _users_page(request, runtime, staff, notice=notice, extra=extra)


@router.post("/admin/users/{username}/disable", response_class=HTMLResponse)
def user_disable(request: Request, runtime: RuntimeDep, staff: CurrentStaff, username: str) -> HTMLResponse:
    """Disables at once: the person's sessions and tokens stop working on their next request."""
    require_role(staff, ADMINS)
    try:
        disable_user(runtime.ctx, username, actor=staff.principal.actor)
    except ParcelGuardError as error:
        return _users_page(request, runtime, staff, error=error)
    return _users_page(request, runtime, staff, notice=f"已停用 · Disabled: {username}")


@router.post("/admin/users/{username}/offboard", response_class=HTMLResponse)
def user_offboard(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    username: str,
    from_: Annotated[str, Form(alias="from", max_length=40)],
) -> HTMLResponse:
    """From the date on, the person's reveals drop to zero and bulk activity raises an alert."""
    require_role(staff, ADMINS)
    try:
        offboard_user(runtime.ctx, username, from_=parse_offboard_from(from_), actor=staff.principal.actor)
    except ParcelGuardError as error:
        return _users_page(request, runtime, staff, error=error)
    return _users_page(request, runtime, staff, notice=f"已设置离职 · Offboarding set: {username}")


def _dispatch_page(
    request: Request,
    runtime: Runtime,
    staff: Staff,
    *,
    error: ParcelGuardError | None = None,
    notice: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    couriers = [user for user in list_users(runtime.ctx, role=Role.COURIER) if not user.disabled_at]
    if staff.principal.role is Role.STATION_MANAGER:
        couriers = [user for user in couriers if user.station_id == staff.principal.station_id]
    context: dict[str, Any] = {
        "couriers": couriers,
        "steps": DISPATCH_STEPS,
        "stations": list_stations(runtime.ctx),
        "form": form or {},
    }
    return render(request, "admin_dispatch.html", staff, runtime, context, notice=notice, error=error)


@router.get("/admin/dispatch", response_class=HTMLResponse)
def dispatch(request: Request, runtime: RuntimeDep, staff: CurrentStaff) -> HTMLResponse:
    require_role(staff, DISPATCHERS)
    return _dispatch_page(request, runtime, staff)


@router.post("/admin/dispatch/assign", response_class=HTMLResponse)
def dispatch_assign(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)],
    courier: Annotated[str, Form(max_length=64)],
) -> HTMLResponse:
    require_role(staff, DISPATCHERS)
    try:
        assign_courier(
            runtime.ctx,
            tracking_number,
            courier,
            principal=staff.principal,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        form = {"tracking_number": tracking_number, "courier": courier}
        return _dispatch_page(request, runtime, staff, error=error, form=form)
    number = tracking_number.strip().upper()
    return _dispatch_page(request, runtime, staff, notice=f"已分配 · Assigned {number} to {courier}")


@router.post("/admin/dispatch/event", response_class=HTMLResponse)
def dispatch_event(
    request: Request,
    runtime: RuntimeDep,
    staff: CurrentStaff,
    tracking_number: Annotated[str, Form(max_length=32)],
    status: Annotated[str, Form(max_length=32)],
    station: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Records a step of the parcel's life (the service checks the role, the station and the order)."""
    require_role(staff, DISPATCHERS)
    try:
        recorded = record_parcel_event(
            runtime.ctx,
            tracking_number,
            status,
            station_code=station.strip() or None,
            principal=staff.principal,
            client=client_of(request, runtime),
        )
    except ParcelGuardError as error:
        form = {"event_tracking_number": tracking_number, "status": status, "station": station}
        return _dispatch_page(request, runtime, staff, error=error, form=form)
    notice = f"已记录 · Recorded {recorded.status} for {recorded.tracking_number}"
    if recorded.pickup_code is not None:  # shown this once, for the notice to the recipient
        notice += f" · 取件码 Pickup code: {recorded.pickup_code}"
    return _dispatch_page(request, runtime, staff, notice=notice)
