"""Customer-service search: by tracking number, or by the recipient's mobile through its blind index.

Results are masked (GB/T 41833-2022): finding a parcel is not seeing its data, which is a separate,
audited reveal. Every search is audited (never the mobile searched for), counts as one request of the
person's day, and a person with an offboarding date who searches in bulk raises an alert; from the
offboarding date on, searching is refused like revealing.
"""

from __future__ import annotations

from parcelguard.domain.access import Principal
from parcelguard.domain.people import Role
from parcelguard.domain.pii import Mobile
from parcelguard.domain.reveal_policy import (
    AlertKind,
    Usage,
    busy_under_notice,
    check_person,
    day_of,
    searches_exhausted,
)
from parcelguard.domain.tracking import TrackingNumber
from parcelguard.errors import ErrorCode, PermissionDeniedError, ValidationError
from parcelguard.services.audit_events import (
    SEARCH_MASKED,
    SEARCH_REFUSED,
    Circumstances,
    person_event,
    station_code_of,
)
from parcelguard.services.context import ServiceContext
from parcelguard.services.parcel_view import MaskedParcel, masked_parcel
from parcelguard.services.reveal import raise_alert
from parcelguard.services.staff import requester_of

SEARCHERS = frozenset({Role.CS_AGENT, Role.REGULATOR})
MAX_RESULTS = 50
MOBILE_SUBJECT = "search:mobile"


def search_waybills(
    ctx: ServiceContext,
    principal: Principal,
    *,
    tracking_number: str | None = None,
    mobile: str | None = None,
    client: str | None = None,
) -> list[MaskedParcel]:
    """Masked parcels with this tracking number, or whose recipient has this mobile (newest 50).

    Errors: ValidationError ``invalid_request`` (both or neither given), ``invalid_tracking_number``,
    ``invalid_mobile``; PermissionDeniedError ``role_not_allowed`` (customer service and regulators
    search) and the person checks (``user_disabled``, ``offboarding``, ``second_factor_required``), each
    recorded.
    """
    if (tracking_number is None) == (mobile is None):
        raise ValidationError(
            "search by tracking_number or by mobile (one of them)",
            code=ErrorCode.INVALID_REQUEST,
            field="tracking_number",
        )
    number = TrackingNumber.parse(tracking_number).value if tracking_number is not None else None
    index = ctx.index.mobile(Mobile.parse(mobile).value) if mobile is not None else None
    subject = number if number is not None else MOBILE_SUBJECT
    now = ctx.clock()
    day = day_of(now)
    with ctx.uow() as uow:
        circumstances = Circumstances(client=client, station_code=station_code_of(uow, principal))
        requester = requester_of(uow, principal)
        usage = Usage()
        if principal.user_id is not None:
            revealed, requests = uow.reveal_counters.count_request(principal.user_id, day)
            usage = Usage(revealed=revealed, requests=requests)
        refusal = check_person(requester, now)
        refused: tuple[ErrorCode, str] | None = None
        if refusal is not None:
            refused = ErrorCode(refusal.reason), refusal.message
        elif requester.role not in SEARCHERS:
            refused = ErrorCode.ROLE_NOT_ALLOWED, "this role does not search waybills"
        alert = refusal.alert if refusal is not None else None
        if refused is None and searches_exhausted(usage, ctx.reveal_limits):
            refused = (
                ErrorCode.QUOTA_EXCEEDED,
                "the day's requests are used up: searching stops until tomorrow",
            )
            alert = AlertKind.CEILING_REACHED
        if alert is None and busy_under_notice(requester, usage, ctx.reveal_limits):
            alert = AlertKind.OFFBOARDING_ACTIVITY
        if alert is not None and principal.user_id is not None:
            raise_alert(
                ctx,
                uow,
                principal,
                alert,
                subject=subject,
                reason=refusal.reason if refusal is not None else (refused[0].value if refused else "search"),
                day=day,
                circumstances=circumstances,
            )
        by = "tracking_number" if number is not None else "mobile"
        if refused is not None:
            uow.audit.append_many(
                [
                    person_event(
                        ctx,
                        principal,
                        SEARCH_REFUSED,
                        subject=subject,
                        circumstances=circumstances,
                        details={"by": by, "reason": refused[0].value},
                    )
                ]
            )
            uow.commit()
            raise PermissionDeniedError(refused[1], code=refused[0])
        if number is not None:
            found = uow.waybills.get(number)
            sealed = [found] if found is not None and principal.sees(found.organisation_id) else []
        else:
            assert index is not None  # noqa: S101 - one of the two was given
            numbers = uow.waybills.find_by_recipient_mobile(index, principal.visible_organisation)
            sealed = uow.waybills.get_many(numbers[-MAX_RESULTS:])
            sealed.sort(key=lambda w: w.created_at, reverse=True)
        uow.audit.append_many(
            [
                person_event(
                    ctx,
                    principal,
                    SEARCH_MASKED,
                    subject=subject,
                    circumstances=circumstances,
                    details={"by": by, "results": len(sealed)},
                )
            ]
        )
        views = [masked_parcel(ctx, w) for w in sealed]
        uow.commit()
    return views
