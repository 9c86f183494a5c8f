"""Organisations and their API keys through the services: audited, unique, scoped lookups."""

from __future__ import annotations

import pytest

from parcelguard.bootstrap import Runtime
from parcelguard.domain.access import Principal, Scope
from parcelguard.domain.organisation import CARRIER_ORGANISATION_ID, OrganisationKind
from parcelguard.domain.pii.synthetic import SyntheticPeople
from parcelguard.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from parcelguard.services.api_keys import authenticate, create_api_key, list_api_keys, revoke_api_key
from parcelguard.services.issuance import issue_batch
from parcelguard.services.organisations import add_organisation, find_organisation, list_organisations
from parcelguard.services.waybills import find_by_recipient_mobile


def test_the_migration_made_the_carrier_organisation_and_new_ones_follow_it(runtime: Runtime) -> None:
    shop = add_organisation(runtime.ctx, actor="cli:ops", name="  Shop 甲  ", kind=OrganisationKind.PLATFORM)
    listed = list_organisations(runtime.ctx)
    assert [(o.id, o.name, o.kind) for o in listed] == [
        (CARRIER_ORGANISATION_ID, "carrier", OrganisationKind.CARRIER),
        (shop.id, "Shop 甲", OrganisationKind.PLATFORM),
    ]
    assert find_organisation(runtime.ctx, "Shop 甲") == shop
    assert find_organisation(runtime.ctx, str(shop.id)) == shop
    with pytest.raises(NotFoundError) as missing:
        find_organisation(runtime.ctx, "nobody")
    assert missing.value.code is ErrorCode.ORGANISATION_NOT_FOUND


def test_an_organisation_name_is_unique_and_checked(runtime: Runtime) -> None:
    add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    with pytest.raises(ConflictError) as taken:
        add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.CARRIER)
    assert taken.value.code is ErrorCode.ORGANISATION_EXISTS
    for bad in ("", "   ", "x" * 101, "tab\there"):
        with pytest.raises(ValidationError):
            add_organisation(runtime.ctx, actor="t", name=bad, kind=OrganisationKind.PLATFORM)
    assert len(list_organisations(runtime.ctx)) == 2


def test_organisation_and_key_changes_are_audited_with_the_organisation(runtime: Runtime) -> None:
    shop = add_organisation(runtime.ctx, actor="cli:ops", name="shop", kind=OrganisationKind.PLATFORM)
    key = create_api_key(
        runtime.ctx, actor="cli:ops", name="till", scopes=[Scope.WAYBILL_ISSUE], organisation_id=shop.id
    )
    assert revoke_api_key(runtime.ctx, key.key_id, actor="cli:ops")
    with runtime.ctx.uow() as uow:
        org_events = uow.audit.for_subject(f"organisation:{shop.id}")
        key_events = uow.audit.for_subject(f"apikey:{key.key_id}")
    assert [(e.action, e.actor, dict(e.details)) for e in org_events] == [
        ("access:organisation:created", "cli:ops", {"kind": "platform"})
    ]
    assert [e.action for e in key_events] == ["access:api_key:created", "access:api_key:revoked"]
    assert key_events[0].details == {"scopes": "waybill:issue", "organisation_id": shop.id}


def test_a_key_acts_for_its_organisation_and_a_key_of_no_organisation_cannot_be_made(
    runtime: Runtime,
) -> None:
    shop = add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    key = create_api_key(runtime.ctx, actor="t", name="till", scopes=[Scope.ADMIN], organisation_id=shop.id)
    principal = authenticate(runtime.ctx, key.presented)
    assert principal == Principal(
        actor=f"apikey:{key.key_id}",
        scopes=frozenset({Scope.ADMIN}),
        organisation_id=shop.id,
        organisation_kind=OrganisationKind.PLATFORM,
    )
    assert not principal.sees_every_organisation
    with pytest.raises(NotFoundError) as missing:
        create_api_key(runtime.ctx, actor="t", name="x", scopes=[Scope.ADMIN], organisation_id=999)
    assert missing.value.code is ErrorCode.ORGANISATION_NOT_FOUND
    assert [k.key_id for k in list_api_keys(runtime.ctx)] == [key.key_id]


def test_key_listings_carry_no_secret_and_no_hash(runtime: Runtime) -> None:
    key = create_api_key(runtime.ctx, actor="t", name="ops", scopes=[Scope.ADMIN])
    [summary] = list_api_keys(runtime.ctx)
    assert summary.organisation_name == "carrier"
    assert key.secret not in repr(summary) and key.secret_hash not in repr(summary)


def test_a_lookup_by_blind_index_finds_only_the_callers_own_waybills(runtime: Runtime) -> None:
    shop = add_organisation(runtime.ctx, actor="t", name="shop", kind=OrganisationKind.PLATFORM)
    order = SyntheticPeople(11).order()
    issue_batch(runtime.ctx, [order], actor="apikey:a", organisation_id=shop.id)
    issue_batch(runtime.ctx, [order], actor="apikey:c")  # the same recipient, issued by the carrier
    mobile = order["recipient"]["mobile"]
    shop_reader = Principal("apikey:s", frozenset({Scope.WAYBILL_READ}), shop.id, OrganisationKind.PLATFORM)
    carrier_admin = Principal("apikey:c", frozenset({Scope.ADMIN}))
    carrier_reader = Principal("apikey:r", frozenset({Scope.WAYBILL_READ}))
    assert len(find_by_recipient_mobile(runtime.ctx, mobile, principal=shop_reader)) == 1
    assert len(find_by_recipient_mobile(runtime.ctx, mobile, principal=carrier_reader)) == 1
    assert len(find_by_recipient_mobile(runtime.ctx, mobile, principal=carrier_admin)) == 2
    assert set(find_by_recipient_mobile(runtime.ctx, mobile, principal=shop_reader)).isdisjoint(
        find_by_recipient_mobile(runtime.ctx, mobile, principal=carrier_reader)
    )
