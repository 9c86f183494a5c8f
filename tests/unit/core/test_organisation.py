"""Who sees which organisation's records, and what an organisation's name and kind may be."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.access import ALL_SCOPES, Principal, Scope
from parcelguard.domain.organisation import (
    CARRIER_ORGANISATION_ID,
    OrganisationKind,
    parse_organisation_kind,
    parse_organisation_name,
)
from parcelguard.errors import ValidationError

SHOP = 7


@pytest.mark.parametrize(
    ("kind", "scopes", "sees_other_tenants"),
    [
        (OrganisationKind.CARRIER, frozenset({Scope.ADMIN}), True),
        (OrganisationKind.CARRIER, ALL_SCOPES - {Scope.ADMIN}, False),
        (OrganisationKind.PLATFORM, ALL_SCOPES, False),
        (OrganisationKind.PLATFORM, frozenset({Scope.WAYBILL_READ}), False),
    ],
)
def test_only_the_carriers_admins_see_other_organisations(
    kind: OrganisationKind, scopes: frozenset[Scope], sees_other_tenants: bool
) -> None:
    own = CARRIER_ORGANISATION_ID if kind is OrganisationKind.CARRIER else SHOP
    principal = Principal("apikey:x", scopes, own, kind)
    assert principal.sees(own)
    other = SHOP + 1 if own == CARRIER_ORGANISATION_ID else CARRIER_ORGANISATION_ID
    assert principal.sees(other) is sees_other_tenants
    assert principal.visible_organisation == (None if sees_other_tenants else own)


@given(st.text(min_size=1, max_size=100).filter(lambda t: t.strip() == t and t.isprintable() and t))
def test_any_printable_name_up_to_100_characters_is_kept_as_given(name: str) -> None:
    assert parse_organisation_name(f" {name} ") == name


@given(st.text(max_size=200).filter(lambda t: not (0 < len(t.strip()) <= 100 and t.strip().isprintable())))
def test_other_names_are_refused_with_the_field_named(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_organisation_name(name)
    assert caught.value.field == "name"


def test_kinds_are_platform_or_carrier() -> None:
    assert parse_organisation_kind(" Platform ") is OrganisationKind.PLATFORM
    assert parse_organisation_kind("carrier") is OrganisationKind.CARRIER
    with pytest.raises(ValidationError) as caught:
        parse_organisation_kind("shop")
    assert caught.value.field == "kind"
