"""FF1 (NIST SP 800-38G) against NIST's sample vectors, round trips, and the minimum domain size."""

from __future__ import annotations

import pickle
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.adapters.crypto.ff1 import DECIMAL, FF1, LOWER_ALNUM, MIN_DOMAIN
from parcelguard.errors import ErrorCode, ValidationError

KEY_128 = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3C")
KEY_192 = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F")
KEY_256 = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94")
NO_TWEAK = b""
TWEAK_10 = bytes.fromhex("39383736353433323130")
TWEAK_11 = bytes.fromhex("3737373770717273373737")

# NIST "FF1 samples" (Computer Security Resource Center, examples for SP 800-38G), samples 1 to 9.
NIST_SAMPLES = [
    (KEY_128, NO_TWEAK, DECIMAL, "0123456789", "2433477484"),
    (KEY_128, TWEAK_10, DECIMAL, "0123456789", "6124200773"),
    (KEY_128, TWEAK_11, LOWER_ALNUM, "0123456789abcdefghi", "a9tv40mll9kdu509eum"),
    (KEY_192, NO_TWEAK, DECIMAL, "0123456789", "2830668132"),
    (KEY_192, TWEAK_10, DECIMAL, "0123456789", "2496655549"),
    (KEY_192, TWEAK_11, LOWER_ALNUM, "0123456789abcdefghi", "xbj3kv35jrawxv32ysr"),
    (KEY_256, NO_TWEAK, DECIMAL, "0123456789", "6657667009"),
    (KEY_256, TWEAK_10, DECIMAL, "0123456789", "1001623463"),
    (KEY_256, TWEAK_11, LOWER_ALNUM, "0123456789abcdefghi", "xs8a0azh2avyalyzuwd"),
]
IDS = [f"sample-{i}" for i in range(1, 10)]


@pytest.mark.parametrize(("key", "tweak", "alphabet", "plaintext", "ciphertext"), NIST_SAMPLES, ids=IDS)
def test_encryption_matches_the_nist_sample(
    key: bytes, tweak: bytes, alphabet: str, plaintext: str, ciphertext: str
) -> None:
    assert FF1(key, alphabet).encrypt(plaintext, tweak) == ciphertext


@pytest.mark.parametrize(("key", "tweak", "alphabet", "plaintext", "ciphertext"), NIST_SAMPLES, ids=IDS)
def test_decryption_matches_the_nist_sample(
    key: bytes, tweak: bytes, alphabet: str, plaintext: str, ciphertext: str
) -> None:
    assert FF1(key, alphabet).decrypt(ciphertext, tweak) == plaintext


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from([KEY_128, KEY_192, KEY_256]),
    digits=st.text(alphabet=DECIMAL, min_size=6, max_size=40),
    tweak=st.binary(max_size=40),
)
def test_decimal_values_round_trip_and_keep_their_length(key: bytes, digits: str, tweak: bytes) -> None:
    cipher = FF1(key)
    encrypted = cipher.encrypt(digits, tweak)
    assert len(encrypted) == len(digits) and encrypted.isdigit()
    assert cipher.decrypt(encrypted, tweak) == digits


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=LOWER_ALNUM, min_size=4, max_size=30), tweak=st.binary(max_size=20))
def test_radix_36_values_round_trip(text: str, tweak: bytes) -> None:
    cipher = FF1(KEY_256, LOWER_ALNUM)
    encrypted = cipher.encrypt(text, tweak)
    assert set(encrypted) <= set(LOWER_ALNUM) and len(encrypted) == len(text)
    assert cipher.decrypt(encrypted, tweak) == text


@settings(max_examples=50, deadline=None)
@given(text=st.text(alphabet="ab", min_size=20, max_size=24))
def test_an_arbitrary_alphabet_round_trips(text: str) -> None:
    cipher = FF1(KEY_128, "ab")
    assert cipher.decrypt(cipher.encrypt(text), b"") == text


def test_the_tweak_changes_the_ciphertext() -> None:
    cipher = FF1(KEY_256)
    assert cipher.encrypt("13800138000", b"tenant-a") != cipher.encrypt("13800138000", b"tenant-b")


@pytest.mark.parametrize(
    ("alphabet", "too_short", "long_enough"),
    [(DECIMAL, "12345", "123456"), (LOWER_ALNUM, "abc", "abcd"), ("01", "0" * 19, "0" * 20)],
)
def test_domains_below_a_million_values_are_refused(alphabet: str, too_short: str, long_enough: str) -> None:
    cipher = FF1(KEY_128, alphabet)
    assert len(alphabet) ** len(too_short) < MIN_DOMAIN <= len(alphabet) ** len(long_enough)
    with pytest.raises(ValidationError) as caught:
        cipher.encrypt(too_short)
    assert caught.value.code is ErrorCode.FPE_DOMAIN_TOO_SMALL
    assert too_short not in caught.value.message
    assert cipher.decrypt(cipher.encrypt(long_enough)) == long_enough


def test_characters_outside_the_alphabet_are_refused_without_echoing_them() -> None:
    with pytest.raises(ValidationError) as caught:
        FF1(KEY_128).encrypt("1380013800X")
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert "1380013800X" not in str(caught.value)


@pytest.mark.parametrize("key", [b"", bytes(15), bytes(33)])
def test_keys_must_be_aes_keys(key: bytes) -> None:
    with pytest.raises(ValueError, match="16, 24 or 32"):
        FF1(key)


def test_the_key_stays_out_of_repr_and_survives_pickling() -> None:
    cipher = FF1(KEY_256)
    assert KEY_256.hex() not in repr(cipher).lower()
    clone = pickle.loads(pickle.dumps(cipher))  # noqa: S301 - our own object, as Dask ships it
    assert clone.encrypt("0123456789") == cipher.encrypt("0123456789")


def test_threads_sharing_one_cipher_get_correct_results() -> None:
    cipher = FF1(KEY_128)
    expected = {f"{i:010d}": cipher.encrypt(f"{i:010d}") for i in range(200)}
    wrong: list[str] = []

    def work() -> None:
        for plain, ciphertext in expected.items():
            if cipher.encrypt(plain) != ciphertext:
                wrong.append(plain)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


@settings(max_examples=20, deadline=None)
@given(digits=st.text(alphabet=DECIMAL, min_size=62, max_size=120), tweak=st.binary(max_size=300))
def test_long_values_and_tweaks_take_the_general_path_and_round_trip(digits: str, tweak: bytes) -> None:
    cipher = FF1(KEY_192)
    assert cipher.decrypt(cipher.encrypt(digits, tweak), tweak) == digits
