"""Keyed pseudonyms: stable within a tenant, different across tenants and keys, and type-tagged."""

from __future__ import annotations

import pickle
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.crypto.pseudonym import PSEUDONYM_PATTERN, HmacPseudonymizer
from parcelguard.domain.anonymize import canonical_value
from parcelguard.domain.deid.entity import EntityType
from parcelguard.errors import ValidationError

MASTER = bytes(range(32))
tenants = st.text(st.characters(codec="utf-8", categories=("L", "N", "P")), min_size=1, max_size=30)
values = st.text(min_size=0, max_size=40)


@settings(max_examples=100, deadline=None)
@given(tenant=tenants, value=values)
def test_a_value_gets_the_same_pseudonym_every_time_within_a_tenant(tenant: str, value: str) -> None:
    first = HmacPseudonymizer(MASTER).pseudonym(tenant, "PHONE", value)
    again = HmacPseudonymizer(MASTER).pseudonym(tenant, "PHONE", value)
    assert first == again
    assert PSEUDONYM_PATTERN.match(first) is not None


@settings(max_examples=100, deadline=None)
@given(a=tenants, b=tenants, value=values)
def test_different_tenants_get_different_pseudonyms(a: str, b: str, value: str) -> None:
    if a == b:
        return
    pseudonyms = HmacPseudonymizer(MASTER)
    assert pseudonyms.pseudonym(a, "PHONE", value) != pseudonyms.pseudonym(b, "PHONE", value)


def test_a_different_master_key_gives_different_pseudonyms() -> None:
    one = HmacPseudonymizer(MASTER).pseudonym("shop", "PHONE", "13800138000")
    other = HmacPseudonymizer(secrets.token_bytes(32)).pseudonym("shop", "PHONE", "13800138000")
    assert one != other


def test_the_type_stays_recognisable_and_types_are_separated() -> None:
    pseudonyms = HmacPseudonymizer(MASTER)
    phone = pseudonyms.pseudonym("shop", "PHONE", "13800138000")
    card = pseudonyms.pseudonym("shop", "BANK_CARD", "13800138000")
    assert phone.startswith("PSN_PHONE_") and card.startswith("PSN_BANK_CARD_")
    assert phone.rsplit("_", 1)[1] != card.rsplit("_", 1)[1]


@pytest.mark.parametrize(
    ("entity_type", "spellings"),
    [
        (
            EntityType.PHONE,
            ["13800138000", "+86 138-0013-8000", "１３８００１３８０００", "0086 138 0013 8000"],
        ),
        (EntityType.CN_ID, ["11010519491231002X", "11010519491231002x", " 110105 19491231 002X "]),
        (EntityType.EMAIL, ["Zhang.San@Example.com", "zhang.san@example.com"]),
    ],
)
def test_spellings_of_one_value_share_one_pseudonym(entity_type: EntityType, spellings: list[str]) -> None:
    pseudonyms = HmacPseudonymizer(MASTER)
    results = {
        pseudonyms.pseudonym("shop", entity_type.value, canonical_value(entity_type, s)) for s in spellings
    }
    assert len(results) == 1


@pytest.mark.parametrize("tenant", ["", "x" * 201, "bad\x00tenant"])
def test_a_malformed_tenant_is_refused(tenant: str) -> None:
    with pytest.raises(ValidationError):
        HmacPseudonymizer(MASTER).pseudonym(tenant, "PHONE", "13800138000")


def test_short_master_keys_are_refused_and_keys_stay_out_of_repr() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        HmacPseudonymizer(bytes(16))
    assert MASTER.hex() not in repr(HmacPseudonymizer(MASTER))


def test_a_pickled_pseudonymizer_gives_the_same_pseudonyms() -> None:
    pseudonyms = HmacPseudonymizer(MASTER)
    clone = pickle.loads(pickle.dumps(pseudonyms))  # noqa: S301 - our own object, as Dask ships it
    assert clone.pseudonym("t", "PHONE", "1") == pseudonyms.pseudonym("t", "PHONE", "1")
