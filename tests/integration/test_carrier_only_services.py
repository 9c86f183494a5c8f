"""What only the carrier holds is refused to a platform's principals in the service itself, not only at the
HTTP layer: the audit events list, the alerts list and the verifiable log's reader check."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import Role
from parcelguard.errors import ErrorCode, PermissionDeniedError
from parcelguard.services import transparency_log
from parcelguard.services.audit_events import list_alerts, list_audit_events

PLATFORM_KEY = Principal(
    actor="apikey:shop2",
    scopes=ALL_SCOPES,
    organisation_id=7,
    organisation_kind=OrganisationKind.PLATFORM,
)
PLATFORM_ADMIN = Principal(
    actor="user:shop2.admin",
    scopes=ALL_SCOPES,
    organisation_id=7,
    organisation_kind=OrganisationKind.PLATFORM,
    user_id=41,
    username="shop2.admin",
    role=Role.ADMIN,
    second_factor=True,
    auth_method="token",
)
CARRIER_KEY = Principal(actor="apikey:ops", scopes=ALL_SCOPES)


@pytest.mark.parametrize("principal", [PLATFORM_KEY, PLATFORM_ADMIN], ids=["key", "person"])
def test_a_platform_with_every_scope_reads_no_audit_events_alerts_or_log(
    runtime: Runtime, principal: Principal
) -> None:
    for read in (
        lambda: list_audit_events(runtime.ctx, principal=principal),
        lambda: list_alerts(runtime.ctx, principal=principal),
        lambda: transparency_log.require_auditor(principal),
    ):
        with pytest.raises(PermissionDeniedError) as refused:
            read()
        assert refused.value.code is ErrorCode.FORBIDDEN


def test_the_carriers_admin_key_reads_them(runtime: Runtime) -> None:
    assert isinstance(list_audit_events(runtime.ctx, principal=CARRIER_KEY), list)
    assert isinstance(list_alerts(runtime.ctx, principal=CARRIER_KEY), list)
    transparency_log.require_auditor(CARRIER_KEY)
