"""A parcel's life: which status may follow which, and which role may record each step.

``created -> picked_up -> in_transit -> at_station -> out_for_delivery -> delivered``, with the side roads
``returned`` and ``exception``. A parcel moves between stations (``at_station -> in_transit``), a failed
delivery comes back (``out_for_delivery -> at_station``), an outlet hands a parcel over at its counter
(``at_station -> delivered``, through the pickup flow), and an exception is resolved by moving the parcel
on or sending it back. ``delivered``, ``returned`` and ``cancelled`` end the life.

Roles are the ``domain.people.Role`` values. Who may record what follows who is physically there: the
courier who collects and delivers, the station's staff who receive and sort, the outlet clerk at the
counter; the station manager may record any step of their station, the administrator any step at all.
Station roles record only at their own station (checked by the service, which knows the stations).

Pure rules: no I/O. ``check_transition`` raises the coded errors the API and CLI translate.
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelguard.domain.people import Role
from parcelguard.domain.waybill import WaybillStatus
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError

S = WaybillStatus

NEXT: Mapping[WaybillStatus, frozenset[WaybillStatus]] = {
    S.CREATED: frozenset({S.PICKED_UP, S.CANCELLED, S.EXCEPTION}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.AT_STATION, S.EXCEPTION, S.RETURNED}),
    S.IN_TRANSIT: frozenset({S.AT_STATION, S.EXCEPTION, S.RETURNED}),
    S.AT_STATION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION, S.RETURNED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.AT_STATION, S.EXCEPTION, S.RETURNED}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.AT_STATION, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""The statuses each status may move to; the ending ones move nowhere."""

_STATION_STAFF = frozenset({Role.STATION_MANAGER, Role.ADMIN})
ROLES_FOR: Mapping[WaybillStatus, frozenset[Role]] = {
    S.PICKED_UP: _STATION_STAFF | {Role.COURIER},
    S.IN_TRANSIT: _STATION_STAFF | {Role.COURIER},
    S.AT_STATION: _STATION_STAFF | {Role.OUTLET_CLERK},
    S.OUT_FOR_DELIVERY: _STATION_STAFF | {Role.COURIER},
    S.DELIVERED: _STATION_STAFF | {Role.COURIER, Role.OUTLET_CLERK},
    S.RETURNED: _STATION_STAFF,
    S.EXCEPTION: _STATION_STAFF | {Role.COURIER, Role.OUTLET_CLERK},
    S.CANCELLED: frozenset({Role.ADMIN}),
}
"""Who may record a parcel reaching each status (``created`` is issuance, never an event)."""

NEEDS_STATION = frozenset({S.AT_STATION})
"""Statuses whose event names the station the parcel is at."""

TERMINAL = frozenset(status for status, following in NEXT.items() if not following)


def parse_status(raw: object) -> WaybillStatus:
    """The status an event sets, from its wire name (``at_station``); ``created`` is issuance, not an
    event. Raises ValidationError ``invalid_request`` (field ``status``) naming the accepted values."""
    for status in ROLES_FOR:
        if raw == status.value:
            return status
    names = ", ".join(status.value for status in ROLES_FOR)
    raise ValidationError(f"status must be one of: {names}", code=ErrorCode.INVALID_REQUEST, field="status")


def check_transition(current: WaybillStatus, new: WaybillStatus, role: Role | None) -> None:
    """Raise unless ``role`` may move a parcel from ``current`` to ``new``.

    Errors: PermissionDeniedError ``role_not_allowed`` when the role never records this step (an API key,
    ``role`` None, records none); ValidationError ``invalid_transition`` (409) when the parcel cannot take
    ``new`` from ``current`` (a delivered parcel cannot go out for delivery again).
    """
    allowed = ROLES_FOR.get(new, frozenset())
    if role is None or role not in allowed:
        raise PermissionDeniedError(
            f"this role may not record the status {new.value}", code=ErrorCode.ROLE_NOT_ALLOWED
        )
    if new not in NEXT[current]:
        raise ValidationError(
            f"a parcel that is {current.value} cannot become {new.value}",
            code=ErrorCode.INVALID_TRANSITION,
            field="status",
        )
