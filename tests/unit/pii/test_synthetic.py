from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.name import PersonName
from parcelguard.domain.pii.resident_id import ResidentId
from parcelguard.domain.pii.synthetic import SyntheticPeople


def test_the_same_seed_gives_the_same_people() -> None:
    one, other = SyntheticPeople(42), SyntheticPeople(42)
    assert [one.person() for _ in range(3)] == [other.person() for _ in range(3)]
    first, second = SyntheticPeople(1), SyntheticPeople(1)
    assert [first.order() for _ in range(5)] == [second.order() for _ in range(5)]


def test_different_seeds_give_different_people() -> None:
    assert SyntheticPeople(1).person() != SyntheticPeople(2).person()


@given(st.integers(0, 2**32))
def test_every_synthetic_person_parses(seed: int) -> None:
    person = SyntheticPeople(seed).person()
    PersonName.parse(person.name)
    assert Mobile.parse(person.mobile).value == person.mobile
    assert ResidentId.parse(person.resident_id).value == person.resident_id
    assert Address.parse(person.address).adcode == person.adcode


def test_five_thousand_people_all_parse_back_to_their_division() -> None:
    people = SyntheticPeople(seed=2024)
    for _ in range(5000):
        person = people.person()
        assert Address.parse(person.address).adcode == person.adcode, person.adcode


def test_an_order_has_the_documented_shape() -> None:
    order = SyntheticPeople(3).order()
    assert set(order) == {"sender", "recipient", "parcel"}
    assert set(order["sender"]) == {"name", "mobile", "address", "id_type", "id_number"}
    assert order["sender"]["id_type"] == "resident_id"
    assert set(order["recipient"]) == {"name", "mobile", "address"}
    assert set(order["parcel"]) == {"description", "weight_kg"}
    assert 0.1 <= order["parcel"]["weight_kg"] <= 30.0


def test_orders_parse_with_the_value_objects() -> None:
    people = SyntheticPeople(5)
    for _ in range(500):
        order = people.order()
        for party in ("sender", "recipient"):
            PersonName.parse(order[party]["name"])
            Mobile.parse(order[party]["mobile"])
            Address.parse(order[party]["address"])
        ResidentId.parse(order["sender"]["id_number"])


def test_the_stream_mixes_compound_minority_and_latin_names_and_varied_address_styles() -> None:
    people = SyntheticPeople(11)
    persons = [people.person() for _ in range(3000)]
    names = [PersonName.parse(p.name) for p in persons]
    assert any(n.script == "latin" for n in names)
    assert any(n.surname is None and n.script == "han" for n in names)
    assert any(n.surname is not None and len(n.surname) == 2 for n in names)
    addresses = [p.address for p in persons]
    assert any(" " in a for a in addresses)
    assert any("５" in a or "１" in a for a in addresses)
    assert any(not a.startswith(Address.parse(a).province) for a in addresses)
