"""Field nonces of a fresh data key (a random start and a counter) and blind indexes on OpenSSL's HMAC state:
the same stored layout and digests as before, and no nonce ever repeated under one key."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import threading

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto import BlindIndex, Envelope
from parcelguard.adapters.crypto import envelope as envelope_module
from parcelguard.adapters.crypto.blind_index import _openssl_state

OWNER = "0190a1b2c3d4e5f60718293a4b5c6d7e"
_FIELD_AD = b"parcelguard/field/v1\x00"


def _nonce(ciphertext: bytes) -> bytes:
    assert ciphertext[:1] == b"\x01"
    return ciphertext[1:13]


def test_a_fresh_key_counts_its_nonces_up_from_a_random_start(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    nonces = [_nonce(key.encrypt(f"f{n}", "x")) for n in range(20)]
    assert len(set(nonces)) == 20
    assert len({n[:8] for n in nonces}) == 1
    tails = [int.from_bytes(n[8:], "big") for n in nonces]
    assert all((b - a) % 2**32 == 1 for a, b in itertools.pairwise(tails))


def test_two_fresh_keys_start_their_nonces_apart(envelope: Envelope) -> None:
    starts = {_nonce(envelope.new_data_key(OWNER)[0].encrypt("f", "x")) for _ in range(50)}
    assert len(starts) == 50


@given(fields=st.lists(st.tuples(st.text(max_size=8), st.text(max_size=40)), min_size=1, max_size=12))
def test_what_a_fresh_key_seals_opens_with_bare_aes_gcm_and_the_documented_layout(
    envelope: Envelope, fields: list[tuple[str, str]]
) -> None:
    fresh = os.urandom(56)
    key = envelope_module.DataKey(OWNER, fresh[:32], nonce_start=fresh[44:])
    aead = AESGCM(fresh[:32])
    for field, text in fields:
        ciphertext = key.encrypt(field, text)
        ad = _FIELD_AD + OWNER.encode() + b"\x00" + field.encode()
        assert aead.decrypt(ciphertext[1:13], ciphertext[13:], ad).decode() == text


def test_a_ciphertext_made_the_old_way_still_opens(envelope: Envelope) -> None:
    key, wrapped = envelope.new_data_key(OWNER)
    # The previous code's way: a random nonce per field, in the same layout.
    dek = envelope._unwrap(OWNER, wrapped)  # the test needs the bare key
    nonce = os.urandom(12)
    ad = _FIELD_AD + OWNER.encode() + b"\x00" + b"recipient.name"
    old = b"\x01" + nonce + AESGCM(dek).encrypt(nonce, "张伟".encode(), ad)
    assert envelope.open_data_key(OWNER, wrapped).decrypt("recipient.name", old) == "张伟"
    assert key.decrypt("recipient.name", old) == "张伟"


def test_an_opened_key_draws_a_random_nonce_each_time(envelope: Envelope) -> None:
    key, wrapped = envelope.new_data_key(OWNER)
    first = [_nonce(key.encrypt("f", "x")) for _ in range(3)]
    opened = envelope.open_data_key(OWNER, wrapped)
    later = [_nonce(opened.encrypt("f", "x")) for _ in range(20)]
    assert len(set(first + later)) == 23
    assert len({n[:8] for n in later}) == 20  # not a counter: the heads differ too


def test_past_the_counters_range_a_fresh_key_falls_back_to_random_nonces(
    envelope: Envelope, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(envelope_module, "_COUNTER_LIMIT", 3)
    key, wrapped = envelope.new_data_key(OWNER)
    ciphertexts = [key.encrypt("f", str(n)) for n in range(10)]
    nonces = [_nonce(c) for c in ciphertexts]
    assert len(set(nonces)) == 10
    assert len({n[:8] for n in nonces[:3]}) == 1
    assert len({n[:8] for n in nonces[3:]}) == 7
    opened = envelope.open_data_key(OWNER, wrapped)
    assert [opened.decrypt("f", c) for c in ciphertexts] == [str(n) for n in range(10)]


def test_threads_sharing_a_fresh_key_never_share_a_nonce(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    found: list[list[bytes]] = [[] for _ in range(8)]

    def work(out: list[bytes]) -> None:
        out.extend(_nonce(key.encrypt("f", "x")) for _ in range(2000))

    threads = [threading.Thread(target=work, args=(out,)) for out in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [n for out in found for n in out]
    assert len(set(every)) == len(every) == 16000


def test_a_nonce_start_must_be_twelve_bytes() -> None:
    with pytest.raises(ValueError, match="12 bytes"):
        envelope_module.DataKey(OWNER, os.urandom(32), nonce_start=b"short")


def test_the_wrapped_key_keeps_its_61_byte_layout(envelope: Envelope) -> None:
    keys = [envelope.new_data_key(OWNER)[1] for _ in range(20)]
    assert {len(k.blob) for k in keys} == {61}
    assert len({k.blob[1:13] for k in keys}) == 20  # a random wrapping nonce each


@given(
    key=st.binary(min_size=32, max_size=100),
    kind=st.text(min_size=1, max_size=20).filter(lambda k: "\x00" not in k),
    values=st.lists(st.text(max_size=40), min_size=1, max_size=5),
)
def test_a_digest_equals_a_fresh_hmac_of_the_whole_message(key: bytes, kind: str, values: list[str]) -> None:
    index = BlindIndex(key)
    for value in values:  # repeated: the cached per-kind state must not absorb earlier values
        message = b"parcelguard/blind-index/v1\x00" + kind.encode() + b"\x00" + value.encode()
        assert index.digest(kind, value) == hmac.new(key, message, hashlib.sha256).digest()[:16]
        assert index.digest(kind, value) == hmac.new(key, message, hashlib.sha256).digest()[:16]


def test_without_an_openssl_state_the_python_hmac_serves() -> None:
    class Plain:
        def __init__(self) -> None:
            self.mac = hmac.new(b"k" * 32, b"m", hashlib.sha256)

        def copy(self) -> Plain:
            return self

        def update(self, data: bytes, /) -> None:
            self.mac.update(data)

        def digest(self) -> bytes:
            return self.mac.digest()

    plain = Plain()
    assert _openssl_state(plain) is plain  # type: ignore[arg-type]
    real = hmac.new(b"k" * 32, b"m", hashlib.sha256)
    state = _openssl_state(real)
    state_copy = state.copy()
    state_copy.update(b"v")
    real.update(b"v")
    assert state_copy.digest() == real.digest()
