"""Envelope encryption: one data key (DEK) per owner, wrapped by a versioned key-encryption key (KEK).

Why envelopes rather than one key for everything:

* Rotating the KEK only rewraps 61-byte wrapped keys, never re-encrypts the personal data itself.
* Crypto-shredding: deleting one owner's wrapped key makes that owner's fields unrecoverable, backups too.
* A DEK encrypts one owner's handful of fields, so AES-GCM's random-nonce limits are never approached.

Binding, through AES-GCM associated data (AD), so ciphertexts cannot be moved around undetected:

* a wrapped DEK is bound to its owner:   ``b"parcelguard/dek/v1\\x00" + owner_id``
* a field ciphertext to owner and field: ``b"parcelguard/field/v1\\x00" + owner_id + b"\\x00" + field``

``owner_id`` may not contain NUL, which makes both encodings unambiguous (the field name is the tail).
Copying a ciphertext to another row or another column therefore fails to decrypt instead of silently
showing one customer's data as another's.

Byte layouts (the leading format byte leaves room for a future scheme without guessing):

* wrapped DEK:      ``0x01 | nonce(12) | AES-256-GCM(KEK, DEK(32)) + tag(16)``  = 61 bytes
* field ciphertext: ``0x01 | nonce(12) | AES-256-GCM(DEK, UTF-8 plaintext) + tag(16)``

Every failure to open either is a :class:`CryptoError` ``DECRYPTION_FAILED`` naming at most the field,
never the key, the ciphertext or the plaintext, and with no chained ``cryptography`` exception.
"""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.domain.keys import WrappedKey
from parcelguard.errors import CryptoError, ErrorCode

_FORMAT_V1 = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_DEK_BYTES = 32
_OVERHEAD = len(_FORMAT_V1) + _NONCE_BYTES + _TAG_BYTES
_WRAPPED_BYTES = _OVERHEAD + _DEK_BYTES
_DEK_AD = b"parcelguard/dek/v1\x00"
_FIELD_AD = b"parcelguard/field/v1\x00"


class KekSource(Protocol):
    """What the envelope needs from a key store; :class:`~.keyfile.KeyFile` is the real one."""

    @property
    def current_kek_version(self) -> int: ...

    def kek(self, version: int) -> bytes: ...


def _owner_bytes(owner_id: str) -> bytes:
    if not owner_id or "\x00" in owner_id:
        raise ValueError("owner_id must be a non-empty string without NUL characters")
    return owner_id.encode("utf-8")


class DataKey:
    """One owner's data key, ready to encrypt and decrypt that owner's fields.

    The AES-GCM object and the owner's part of the associated data are built once here, because a waybill
    encrypts about eight fields with the same key and issuance is throughput-bound.
    """

    __slots__ = ("_ad_head", "_aead", "owner_id")

    def __init__(self, owner_id: str, key: bytes) -> None:
        if len(key) != _DEK_BYTES:
            raise ValueError(f"a data key is {_DEK_BYTES} bytes")
        self.owner_id = owner_id
        self._ad_head = _FIELD_AD + _owner_bytes(owner_id) + b"\x00"
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return f"DataKey(owner_id={self.owner_id!r})"

    def encrypt(self, field: str, plaintext: str) -> bytes:
        """Encrypt ``plaintext`` for ``field`` of this owner, with a fresh random 96-bit nonce."""
        try:
            data = plaintext.encode("utf-8")
        except UnicodeEncodeError:
            # from None: the UnicodeEncodeError carries the whole plaintext in its .object attribute.
            data = None
        if data is None:
            raise CryptoError(
                "plaintext is not valid Unicode (lone surrogate)", code=ErrorCode.INVALID_REQUEST, field=field
            )
        nonce = os.urandom(_NONCE_BYTES)
        return _FORMAT_V1 + nonce + self._aead.encrypt(nonce, data, self._ad_head + field.encode("utf-8"))

    def decrypt(self, field: str, ciphertext: bytes) -> str:
        """Decrypt a value made by :meth:`encrypt` for the same owner and field; anything else fails."""
        if len(ciphertext) < _OVERHEAD or ciphertext[:1] != _FORMAT_V1:
            raise CryptoError("ciphertext is malformed", field=field)
        try:
            data = self._aead.decrypt(
                ciphertext[1 : 1 + _NONCE_BYTES],
                ciphertext[1 + _NONCE_BYTES :],
                self._ad_head + field.encode("utf-8"),
            )
        except InvalidTag:
            data = None
        if data is None:
            raise CryptoError(
                "ciphertext failed authentication (wrong key, owner or field, or it was altered)", field=field
            )
        return data.decode("utf-8")  # authenticated bytes came from str.encode, so this cannot fail


class Envelope:
    """Makes, opens and rewraps per-owner data keys under the key source's KEKs."""

    __slots__ = ("_kek_aeads", "_keys")

    def __init__(self, keys: KekSource) -> None:
        self._keys = keys
        self._kek_aeads: dict[int, AESGCM] = {}

    def __repr__(self) -> str:
        return "Envelope(<keys hidden>)"  # no key version either: reprs reach logs

    def new_data_key(self, owner_id: str) -> tuple[DataKey, WrappedKey]:
        """A fresh random DEK for ``owner_id`` and its wrapping under the current KEK, to store alongside."""
        dek = AESGCM.generate_key(bit_length=256)
        return DataKey(owner_id, dek), self._wrap(owner_id, dek)

    def open_data_key(self, owner_id: str, wrapped: WrappedKey) -> DataKey:
        """Unwrap ``owner_id``'s DEK; fails if the wrapped key belongs to someone else or was altered."""
        return DataKey(owner_id, self._unwrap(owner_id, wrapped))

    def rewrap(self, owner_id: str, wrapped: WrappedKey) -> WrappedKey:
        """The same DEK wrapped under the current KEK, so an old KEK can eventually be retired.

        Returns ``wrapped`` itself when it is already current (cheap no-op for a rotation sweep). The DEK is
        unchanged, so field ciphertexts need no re-encryption.
        """
        if wrapped.kek_version == self._keys.current_kek_version:
            return wrapped
        return self._wrap(owner_id, self._unwrap(owner_id, wrapped))

    def _kek_aead(self, version: int) -> AESGCM:
        aead = self._kek_aeads.get(version)
        if aead is None:
            aead = self._kek_aeads[version] = AESGCM(self._keys.kek(version))
        return aead

    def _wrap(self, owner_id: str, dek: bytes) -> WrappedKey:
        # Read on every wrap: a key file reloads itself after another process rotated it, so a new data
        # key is never wrapped for long under a version that rotation has retired.
        version = self._keys.current_kek_version
        nonce = os.urandom(_NONCE_BYTES)
        blob = self._kek_aead(version).encrypt(nonce, dek, _DEK_AD + _owner_bytes(owner_id))
        return WrappedKey(version, _FORMAT_V1 + nonce + blob)

    def _unwrap(self, owner_id: str, wrapped: WrappedKey) -> bytes:
        blob = wrapped.blob
        if len(blob) != _WRAPPED_BYTES or blob[:1] != _FORMAT_V1:
            raise CryptoError("wrapped data key is malformed")
        aead = self._kek_aead(wrapped.kek_version)  # KeyStoreError KEY_VERSION_UNKNOWN if not in the file
        try:
            dek = aead.decrypt(
                blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :], _DEK_AD + _owner_bytes(owner_id)
            )
        except InvalidTag:
            dek = None
        if dek is None:
            raise CryptoError("wrapped data key failed authentication (wrong owner, or it was altered)")
        return dek
