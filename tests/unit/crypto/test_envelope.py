from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelguard.adapters.crypto import DataKey, Envelope, KeyFile, WrappedKey
from parcelguard.errors import CryptoError, ErrorCode, KeyStoreError

from .conftest import StaticKeks

OWNER = "wb_01HZX3K9Q7"
OTHER_OWNER = "wb_01HZX3K9Q8"
NAME = "张伟"
ADDRESS = "广东省深圳市南山区科技园南区高新南七道18号"

owner_ids = st.text(min_size=1).filter(lambda s: "\x00" not in s)


def _fails_to_decrypt(key: DataKey, field: str, ciphertext: bytes) -> CryptoError:
    with pytest.raises(CryptoError) as caught:
        key.decrypt(field, ciphertext)
    assert caught.value.code is ErrorCode.DECRYPTION_FAILED
    return caught.value


@given(owner_id=owner_ids, field=st.text(), plaintext=st.text())
def test_any_unicode_text_survives_an_encrypt_decrypt_round_trip(
    envelope: Envelope, owner_id: str, field: str, plaintext: str
) -> None:
    key, wrapped = envelope.new_data_key(owner_id)
    ciphertext = key.encrypt(field, plaintext)
    assert key.decrypt(field, ciphertext) == plaintext
    assert envelope.open_data_key(owner_id, wrapped).decrypt(field, ciphertext) == plaintext


@given(plaintext=st.text(min_size=6))
def test_plaintext_never_appears_in_the_ciphertext_bytes(envelope: Envelope, plaintext: str) -> None:
    key, _ = envelope.new_data_key(OWNER)
    assert plaintext.encode("utf-8") not in key.encrypt("recipient.address", plaintext)


def test_known_personal_data_never_appears_in_the_ciphertext_bytes(envelope: Envelope) -> None:
    key, wrapped = envelope.new_data_key(OWNER)
    for value in (NAME, ADDRESS, "13800138000", "11010519491231002X"):
        ciphertext = key.encrypt("f", value)
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            assert value.encode(encoding) not in ciphertext
            assert value.encode(encoding) not in wrapped.blob


def test_encrypting_the_same_value_twice_gives_different_ciphertexts(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    assert key.encrypt("recipient.name", NAME) != key.encrypt("recipient.name", NAME)


def test_a_ciphertext_is_one_format_byte_a_nonce_the_data_and_a_tag(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    ciphertext = key.encrypt("recipient.name", NAME)
    assert ciphertext[0] == 1
    assert len(ciphertext) == 1 + 12 + len(NAME.encode()) + 16


def test_a_ciphertext_moved_to_another_owner_fails_to_decrypt(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    ciphertext = key.encrypt("recipient.name", NAME)
    other_key, _ = envelope.new_data_key(OTHER_OWNER)
    _fails_to_decrypt(other_key, "recipient.name", ciphertext)


def test_the_same_data_key_bound_to_another_owner_rejects_the_ciphertext() -> None:
    dek = bytes(range(32))
    ciphertext = DataKey(OWNER, dek).encrypt("recipient.name", NAME)
    _fails_to_decrypt(DataKey(OTHER_OWNER, dek), "recipient.name", ciphertext)


def test_a_ciphertext_moved_to_another_field_fails_to_decrypt(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    ciphertext = key.encrypt("recipient.name", NAME)
    error = _fails_to_decrypt(key, "sender.name", ciphertext)
    assert error.field == "sender.name"


def test_owner_and_field_cannot_be_shifted_into_each_other() -> None:
    dek = bytes(range(32))
    ciphertext = DataKey("ab", dek).encrypt("c", NAME)
    _fails_to_decrypt(DataKey("a", dek), "bc", ciphertext)
    with pytest.raises(ValueError, match="NUL"):
        DataKey("a\x00b", dek)


def test_changing_any_single_byte_of_a_ciphertext_makes_it_fail(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    ciphertext = key.encrypt("recipient.address", ADDRESS)
    for position in range(len(ciphertext)):
        tampered = bytearray(ciphertext)
        tampered[position] ^= 0x01
        _fails_to_decrypt(key, "recipient.address", bytes(tampered))


@pytest.mark.parametrize("length", [0, 1, 13, 28])
def test_a_truncated_ciphertext_fails_to_decrypt(envelope: Envelope, length: int) -> None:
    key, _ = envelope.new_data_key(OWNER)
    _fails_to_decrypt(key, "f", key.encrypt("f", "")[:length])


def test_a_decryption_failure_names_the_field_but_holds_no_data_and_no_chained_error(
    envelope: Envelope,
) -> None:
    key, _ = envelope.new_data_key(OWNER)
    ciphertext = bytearray(key.encrypt("recipient.name", NAME))
    ciphertext[-1] ^= 0xFF
    error = _fails_to_decrypt(key, "recipient.name", bytes(ciphertext))
    assert error.__cause__ is None
    assert error.__context__ is None
    assert NAME not in str(error)
    assert error.to_dict()["field"] == "recipient.name"


def test_a_lone_surrogate_is_refused_without_echoing_the_plaintext(envelope: Envelope) -> None:
    key, _ = envelope.new_data_key(OWNER)
    with pytest.raises(CryptoError) as caught:
        key.encrypt("recipient.name", "secret\udc80value")
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert caught.value.__context__ is None
    assert "secret" not in str(caught.value)


def test_a_wrapped_key_opens_only_for_its_owner(envelope: Envelope) -> None:
    _, wrapped = envelope.new_data_key(OWNER)
    with pytest.raises(CryptoError) as caught:
        envelope.open_data_key(OTHER_OWNER, wrapped)
    assert caught.value.code is ErrorCode.DECRYPTION_FAILED
    assert caught.value.__context__ is None


def test_changing_any_single_byte_of_a_wrapped_key_makes_it_fail(envelope: Envelope) -> None:
    _, wrapped = envelope.new_data_key(OWNER)
    assert len(wrapped.blob) == 61
    for position in range(len(wrapped.blob)):
        tampered = bytearray(wrapped.blob)
        tampered[position] ^= 0x80
        with pytest.raises(CryptoError):
            envelope.open_data_key(OWNER, dataclasses.replace(wrapped, blob=bytes(tampered)))
    with pytest.raises(CryptoError):
        envelope.open_data_key(OWNER, dataclasses.replace(wrapped, blob=wrapped.blob[:-1]))


def test_a_real_key_file_reports_a_wrapped_key_with_an_unknown_version(keyfile: KeyFile) -> None:
    envelope = Envelope(keyfile)
    _, wrapped = envelope.new_data_key(OWNER)
    with pytest.raises(KeyStoreError) as caught:
        envelope.open_data_key(OWNER, dataclasses.replace(wrapped, kek_version=99))
    assert caught.value.code is ErrorCode.KEY_VERSION_UNKNOWN


def test_a_key_wrapped_under_an_old_version_still_opens_after_rotation(keyfile: KeyFile) -> None:
    envelope = Envelope(keyfile)
    key, wrapped = envelope.new_data_key(OWNER)
    ciphertext = key.encrypt("recipient.name", NAME)
    keyfile.add_kek_version()
    assert wrapped.kek_version == 1
    assert envelope.open_data_key(OWNER, wrapped).decrypt("recipient.name", ciphertext) == NAME
    _, fresh = envelope.new_data_key(OTHER_OWNER)
    assert fresh.kek_version == 2


def test_rewrap_gives_the_current_version_and_the_same_data_key(keyfile: KeyFile) -> None:
    envelope = Envelope(keyfile)
    key, wrapped = envelope.new_data_key(OWNER)
    fields = {"recipient.name": NAME, "recipient.address": ADDRESS}
    ciphertexts = {f: key.encrypt(f, v) for f, v in fields.items()}
    keyfile.add_kek_version()
    keyfile.add_kek_version()

    rewrapped = envelope.rewrap(OWNER, wrapped)

    assert rewrapped.kek_version == 3
    assert rewrapped.blob != wrapped.blob
    reopened = envelope.open_data_key(OWNER, rewrapped)
    assert {f: reopened.decrypt(f, c) for f, c in ciphertexts.items()} == fields


def test_rewrap_of_a_current_key_returns_that_very_key(keyfile: KeyFile) -> None:
    envelope = Envelope(keyfile)
    _, wrapped = envelope.new_data_key(OWNER)
    assert envelope.rewrap(OWNER, wrapped) is wrapped


def test_rewrap_refuses_a_key_belonging_to_another_owner(keyfile: KeyFile) -> None:
    envelope = Envelope(keyfile)
    _, wrapped = envelope.new_data_key(OWNER)
    keyfile.add_kek_version()
    with pytest.raises(CryptoError):
        envelope.rewrap(OTHER_OWNER, wrapped)


def test_reprs_show_no_key_material() -> None:
    keks = StaticKeks()
    envelope = Envelope(keks)
    dek = bytes(range(100, 132))
    key = DataKey(OWNER, dek)
    wrapped = WrappedKey(1, b"\x01" + bytes(60))
    for text in (repr(key), repr(envelope), repr(wrapped)):
        assert dek.hex()[:8] not in text
        assert repr(dek)[2:10] not in text
        assert keks.kek(1).hex()[:8] not in text
    assert "blob" not in repr(wrapped)
