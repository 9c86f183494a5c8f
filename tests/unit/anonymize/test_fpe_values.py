"""Format-preserving encryption of typed values: same shape, valid check digits, reversible per tenant."""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.crypto.ff1 import FF1
from parcelguard.domain.anonymize import fpe_decrypt_value, fpe_encrypt_value, fpe_tweak
from parcelguard.domain.anonymize.fpe import luhn_digit
from parcelguard.domain.deid.entity import EntityType
from parcelguard.domain.pii import ResidentId, compute_check_char
from tests.unit.pii.strategies import mobile_digits, resident_ids

CIPHER = FF1(bytes(range(32)))


def roundtrip(entity_type: EntityType, value: str, tenant: str = "shop") -> tuple[str, str]:
    tweak = fpe_tweak(tenant, entity_type)
    encrypted = fpe_encrypt_value(entity_type, value, partial(CIPHER.encrypt, tweak=tweak))
    assert encrypted is not None
    decrypted = fpe_decrypt_value(entity_type, encrypted, partial(CIPHER.decrypt, tweak=tweak))
    assert decrypted is not None
    return encrypted, decrypted


@settings(max_examples=100, deadline=None)
@given(number=mobile_digits)
def test_a_mobile_keeps_its_segment_and_decrypts_back(number: str) -> None:
    encrypted, decrypted = roundtrip(EntityType.PHONE, number)
    assert len(encrypted) == 11 and encrypted[:3] == number[:3] and encrypted.isdigit()
    assert decrypted == number


@settings(max_examples=100, deadline=None)
@given(number=resident_ids())
def test_a_resident_id_stays_checksum_valid_and_decrypts_back(number: str) -> None:
    encrypted, decrypted = roundtrip(EntityType.CN_ID, number)
    assert len(encrypted) == 18 and compute_check_char(encrypted[:17]) == encrypted[17]
    assert decrypted == ResidentId.parse(number).value


@settings(max_examples=100, deadline=None)
@given(body=st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_a_bank_card_keeps_its_bin_and_a_valid_luhn_digit(body: str) -> None:
    card = body + luhn_digit(body)
    encrypted, decrypted = roundtrip(EntityType.BANK_CARD, card)
    assert encrypted[:6] == card[:6] and luhn_digit(encrypted[:-1]) == encrypted[-1]
    assert decrypted == card


def test_landlines_and_passports_keep_their_prefixes() -> None:
    encrypted, decrypted = roundtrip(EntityType.PHONE, "010-62345678")
    assert encrypted.startswith("010-") and decrypted == "010-62345678"
    encrypted, decrypted = roundtrip(EntityType.PASSPORT, "E12345678")
    assert encrypted.startswith("E") and len(encrypted) == 9 and decrypted == "E12345678"


def test_tenants_get_different_ciphertexts() -> None:
    assert (
        roundtrip(EntityType.PHONE, "13800138000", "a")[0]
        != roundtrip(EntityType.PHONE, "13800138000", "b")[0]
    )


@pytest.mark.parametrize(
    ("entity_type", "value"),
    [
        (EntityType.PHONE, "12345"),
        (EntityType.CN_ID, "110105194912310021"),
        (EntityType.BANK_CARD, "6222021234567890"),  # fails Luhn
        (EntityType.BANK_CARD, "123456789012"),  # too short to keep a BIN and encrypt 6 digits
        (EntityType.PASSPORT, "E123"),
        (EntityType.PERSON, "张伟"),
    ],
)
def test_values_without_an_encryptable_shape_get_no_ciphertext(entity_type: EntityType, value: str) -> None:
    assert fpe_encrypt_value(entity_type, value, CIPHER.encrypt) is None
