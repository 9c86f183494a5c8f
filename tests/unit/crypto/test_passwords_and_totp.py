"""argon2id password hashes and RFC 6238 one-time codes (the adapters, real libraries)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from parcelguard.adapters.crypto.passwords import Argon2Passwords
from parcelguard.adapters.crypto.totp import PyOtpTotp

AT = datetime(2026, 11, 30, 8, 0, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def hasher() -> Argon2Passwords:
    return Argon2Passwords(time_cost=1, memory_kib=8192, parallelism=1)


def test_a_password_hash_is_a_salted_argon2id_phc_string(hasher: Argon2Passwords) -> None:
    first, second = hasher.hash("correct horse battery"), hasher.hash("correct horse battery")
    assert first.startswith("$argon2id$v=19$m=8192,t=1,p=1$") and first != second
    assert "correct horse battery" not in first
    assert hasher.verify(first, "correct horse battery") and hasher.verify(second, "correct horse battery")


def test_a_wrong_password_or_a_malformed_hash_never_matches(hasher: Argon2Passwords) -> None:
    stored = hasher.hash("correct horse battery")
    assert not hasher.verify(stored, "correct horse batterY")
    assert not hasher.verify("not a hash", "correct horse battery")
    assert not hasher.verify(stored[:-4], "correct horse battery")
    hasher.verify_nothing("anything")  # costs a verification, matches nothing, raises nothing


def test_the_production_parameters_are_rfc_9106_low_memory_and_weaker_hashes_need_rehashing(
    hasher: Argon2Passwords,
) -> None:
    production = Argon2Passwords()
    assert production.needs_rehash(hasher.hash("x" * 12))
    assert not hasher.needs_rehash(hasher.hash("x" * 12))
    assert production.needs_rehash("garbage")


def test_the_provisioning_uri_names_issuer_and_account_and_carries_a_160_bit_secret() -> None:
    totp = PyOtpTotp(issuer="ParcelGuard Express")
    secret = totp.new_secret()
    assert len(secret) == 32 and len(base64.b32decode(secret)) == 20
    uri = totp.provisioning_uri(secret, "admin.01")
    assert uri.startswith("otpauth://totp/ParcelGuard%20Express:admin.01?") and f"secret={secret}" in uri
    assert totp.new_secret() != secret


def test_a_code_matches_its_own_step_and_one_step_either_side_only() -> None:
    totp = PyOtpTotp(issuer="t")
    secret = totp.new_secret()
    step = int(AT.timestamp()) // 30
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, AT + timedelta(seconds=30 * offset))
        assert totp.matching_step(secret, code, AT) == step + offset
    for offset in (-3, -2, 2, 3):
        code = totp.code_at(secret, AT + timedelta(seconds=30 * offset))
        found = totp.matching_step(secret, code, AT)
        assert found is None or found != step + offset  # a 6-digit coincidence with a near step is possible


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "１２３４５６", " 123456"])
def test_anything_but_six_ascii_digits_never_matches(code: str) -> None:
    totp = PyOtpTotp(issuer="t")
    assert totp.matching_step(totp.new_secret(), code, AT) is None


def test_the_code_agrees_with_the_rfc_6238_reference_vector() -> None:
    # RFC 6238 Appendix B, SHA-1 secret "12345678901234567890" at T=59 s: 94287082 (8 digits) -> 287082.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    totp = PyOtpTotp(issuer="t")
    assert totp.code_at(secret, datetime.fromtimestamp(59, tz=UTC)) == "287082"
    assert totp.matching_step(secret, "287082", datetime.fromtimestamp(59, tz=UTC)) == 1
