"""The anonymize operators on every kind of identity document: masks the label gate accepts, FF1 that keeps
each number's shape (15-digit IDs included) and decrypts back."""

from __future__ import annotations

from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.crypto.ff1 import FF1
from parcelguard.domain.anonymize import fpe_decrypt_value, fpe_encrypt_value, fpe_tweak
from parcelguard.domain.anonymize.values import mask_value
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii.id_type import IdType
from parcelguard.domain.pii.identity import identity_leaks
from tests.unit.pii.id_strategies import kinds, numbers

CIPHER = FF1(bytes(range(32)))
_TRAVEL = {IdType.PASSPORT, IdType.HK_MACAU_TRAVEL, IdType.TAIWAN_TRAVEL}


@settings(max_examples=100, deadline=None)
@given(kinds, st.data())
def test_the_mask_operator_hides_all_but_two_characters_of_every_document(
    kind: IdType, data: st.DataObject
) -> None:
    number = data.draw(numbers(kind))
    entity_type = EntityType.PASSPORT if kind in _TRAVEL else EntityType.CN_ID
    masked, parsed = mask_value(entity_type, number)
    assert parsed
    assert sum(ch != "*" for ch in masked) <= 2
    assert identity_leaks(masked) == []


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_a_fifteen_digit_id_keeps_its_length_under_ff1_and_decrypts_back(data: st.DataObject) -> None:
    number = data.draw(numbers(IdType.RESIDENT_ID).filter(lambda n: len(n) == 15))
    tweak = fpe_tweak("shop", EntityType.CN_ID)
    encrypted = fpe_encrypt_value(EntityType.CN_ID, number, partial(CIPHER.encrypt, tweak=tweak))
    assert encrypted is not None and len(encrypted) == 15 and encrypted.isdigit()
    assert fpe_decrypt_value(EntityType.CN_ID, encrypted, partial(CIPHER.decrypt, tweak=tweak)) == number
