"""Security review of issue 10 (people and controlled reveal): each finding's regression test.

Platforms issue their waybills through the carrier, whose people deliver them: the carrier's couriers,
managers and customer service must reach a platform's parcels (masked, then through the reveal policy),
while a platform's own people and keys never reach the carrier's people or other tenants' parcels.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import ALL_SCOPES, Principal
from parcelguard.domain.organisation import OrganisationKind
from parcelguard.domain.people import Role
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ErrorCode, NotFoundError, PermissionDeniedError
from parcelguard.services import people
from parcelguard.services.audit_events import SEARCH_REFUSED, list_alerts, list_audit_events
from parcelguard.services.cs_search import search_waybills
from parcelguard.services.dispatch import assign_courier, courier_deliveries
from parcelguard.services.issuance import issue_waybill
from parcelguard.services.organisations import add_organisation
from parcelguard.services.parcel_events import record_parcel_event
from parcelguard.services.reveal import reveal
from tests.reveal_world import LIMITS, PASSWORD, World, build_world

OPERATOR = Principal(actor="test", scopes=ALL_SCOPES)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime.ctx)


def platform_waybill(world: World, shop_id: int, seed: int = 31) -> str:
    order = SyntheticPeople(seed).order()
    number = issue_waybill(world.ctx, order, actor="test", organisation_id=shop_id).tracking_number
    world.orders[number] = order
    return number


def test_the_carriers_people_deliver_a_platforms_parcel(world: World) -> None:
    shop = add_organisation(world.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    number = platform_waybill(world, shop.id)
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ns"))
    record_parcel_event(world.ctx, number, "in_transit", principal=world.principal("manager.ns"))
    record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ns"))
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("manager.ns"))
    record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal("courier.ns"))
    assert [p.tracking_number for p in courier_deliveries(world.ctx, world.principal("courier.ns"))] == [
        number
    ]
    shown = reveal(
        world.ctx,
        world.principal("courier.ns"),
        tracking_number=number,
        fields=["recipient.address"],
        purpose="delivery",
    )
    # stored as given but for its blanks (issuance keeps an address in one piece)
    assert shown.fields["recipient.address"] == world.recipient(number)["address"].replace(" ", "")
    found = search_waybills(world.ctx, world.principal("agent.one"), tracking_number=number)
    assert [p.tracking_number for p in found] == [number]
    # another courier still may not, whoever issued the parcel
    with pytest.raises(PermissionDeniedError) as refused:
        reveal(
            world.ctx,
            world.principal("courier.two"),
            tracking_number=number,
            fields=["recipient.address"],
            purpose="delivery",
        )
    assert refused.value.code is ErrorCode.NOT_ASSIGNED


def test_a_platforms_people_never_reach_the_carriers_or_other_tenants_parcels(world: World) -> None:
    shop = add_organisation(world.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    other = add_organisation(world.ctx, actor="t", name="other shop", kind=OrganisationKind.PLATFORM)
    theirs = platform_waybill(world, other.id)
    carriers = world.issue()
    user, _ = people.add_user(
        world.ctx,
        username="shop.agent",
        role=Role.CS_AGENT,
        password=PASSWORD,
        organisation_id=shop.id,
        actor="test",
    )
    agent = Principal(
        actor=user.actor,
        scopes=user.scopes,
        organisation_id=shop.id,
        organisation_kind=OrganisationKind.PLATFORM,
        user_id=user.id,
        username=user.username,
        role=user.role,
        second_factor=True,
        auth_method="token",
    )
    for number in (theirs, carriers):
        assert search_waybills(world.ctx, agent, tracking_number=number) == []
        with pytest.raises((PermissionDeniedError, NotFoundError)):
            reveal(
                world.ctx,
                agent,
                tracking_number=number,
                fields=["recipient.name"],
                purpose="complaint",
                ticket="T-1",
            )


def test_a_platforms_admin_assigns_no_courier_and_records_no_step(world: World) -> None:
    shop = add_organisation(world.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    number = platform_waybill(world, shop.id)
    user, _ = people.add_user(
        world.ctx,
        username="shop.admin",
        role=Role.ADMIN,
        password=PASSWORD,
        organisation_id=shop.id,
        actor="t",
    )
    admin = Principal(
        actor=user.actor,
        scopes=user.scopes,
        organisation_id=shop.id,
        organisation_kind=OrganisationKind.PLATFORM,
        user_id=user.id,
        username=user.username,
        role=user.role,
        second_factor=True,
        auth_method="token",
    )
    for call in (
        lambda: assign_courier(world.ctx, number, "courier.ns", principal=admin),
        lambda: record_parcel_event(world.ctx, number, "picked_up", principal=admin),
        lambda: record_parcel_event(world.ctx, number, "cancelled", principal=admin),
    ):
        with pytest.raises(PermissionDeniedError) as refused:
            call()
        assert refused.value.code is ErrorCode.ROLE_NOT_ALLOWED


def test_a_manager_cannot_hand_another_stations_parcel_to_their_courier(world: World) -> None:
    number = world.issue()
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ft"))
    record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ft"))
    assign_courier(world.ctx, number, "courier.ft", principal=world.principal("admin.one"))
    record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal("courier.ft"))
    # out for delivery at 福田: 南山's manager reassigning it to 南山's courier would show them the address
    with pytest.raises(PermissionDeniedError) as refused:
        assign_courier(world.ctx, number, "courier.ns", principal=world.principal("manager.ns"))
    assert refused.value.code is ErrorCode.STATION_MISMATCH
    with pytest.raises(PermissionDeniedError) as hidden:
        reveal(
            world.ctx,
            world.principal("courier.ns"),
            tracking_number=number,
            fields=["recipient.address"],
            purpose="delivery",
        )
    assert hidden.value.code is ErrorCode.NOT_ASSIGNED


def test_a_parcel_goes_out_for_delivery_only_from_the_station_it_is_at(world: World) -> None:
    number = world.issue()
    record_parcel_event(world.ctx, number, "picked_up", principal=world.principal("courier.ft"))
    record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ft"))
    # even assigned by an administrator, 南山's courier does not take a parcel that is at 福田
    assign_courier(world.ctx, number, "courier.ns", principal=world.principal("admin.one"))
    with pytest.raises(PermissionDeniedError) as refused:
        record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal("courier.ns"))
    assert refused.value.code is ErrorCode.STATION_MISMATCH
    record_parcel_event(world.ctx, number, "in_transit", principal=world.principal("courier.ft"))
    record_parcel_event(world.ctx, number, "at_station", principal=world.principal("clerk.ns"))
    record_parcel_event(world.ctx, number, "out_for_delivery", principal=world.principal("courier.ns"))


def test_masked_searches_stop_at_the_days_request_ceiling_with_an_alert(world: World) -> None:
    """A leaving agent downloading masked results in bulk (mobile -> surname, street) is stopped too."""
    limits = replace(world.ctx.reveal_limits, daily_request_ceiling=LIMITS.daily_ceiling + 1)
    ctx = replace(world.ctx, reveal_limits=limits)
    number = world.issue()
    agent = world.principal("agent.one")
    for _ in range(limits.daily_request_ceiling):
        assert len(search_waybills(ctx, agent, tracking_number=number)) == 1
    with pytest.raises(PermissionDeniedError) as refused:
        search_waybills(ctx, agent, mobile=world.recipient(number)["mobile"])
    assert refused.value.code is ErrorCode.QUOTA_EXCEEDED
    [alert] = list_alerts(ctx, principal=OPERATOR)
    assert alert.kind == "reveal_ceiling_reached" and alert.details["reason"] == "quota_exceeded"
    events = list_audit_events(ctx, principal=OPERATOR, actor="agent.one")
    assert [e.details["reason"] for e in events if e.action == SEARCH_REFUSED] == ["quota_exceeded"]
