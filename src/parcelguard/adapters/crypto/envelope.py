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

Nonces. Under a data key just made by :meth:`Envelope.new_data_key`, field nonces are a random 96-bit start
plus an invocation counter (the deterministic construction of NIST SP 800-38D 8.2.1, with a random rather
than fixed field): distinct for the key's first 2^32 encryptions by construction, each one as unpredictable
as a random nonce, and one ``os.urandom`` per data key (DEK, the wrapping nonce and that start at once)
instead of one per field. A data key opened later (:meth:`Envelope.open_data_key`) cannot know which
nonces were used, so it draws a random nonce per encryption as before; a random 96-bit nonce meets one of
the counter's few nonces with probability about 2^-96 each. The stored layout is the same either way.

Every failure to open either is a :class:`CryptoError` ``DECRYPTION_FAILED`` naming at most the field,
never the key, the ciphertext or the plaintext, and with no chained ``cryptography`` exception.
"""

from __future__ import annotations

import itertools
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
_COUNTER_LIMIT = 1 << 32  # nonces from the counter; past it (never for a waybill) random ones again


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

    __slots__ = ("_ad_head", "_aead", "_counter", "_nonce_head", "_nonce_tail", "owner_id")

    def __init__(self, owner_id: str, key: bytes, *, nonce_start: bytes | None = None) -> None:
        """``nonce_start``: 12 random bytes, only for a key never used before (see the module's notes on
        nonces); without it every encryption draws a random nonce."""
        if len(key) != _DEK_BYTES:
            raise ValueError(f"a data key is {_DEK_BYTES} bytes")
        self.owner_id = owner_id
        self._ad_head = _FIELD_AD + _owner_bytes(owner_id) + b"\x00"
        self._aead = AESGCM(key)
        self._counter: itertools.count[int] | None = None
        self._nonce_head = b""
        self._nonce_tail = 0
        if nonce_start is not None:
            if len(nonce_start) != _NONCE_BYTES:
                raise ValueError(f"a nonce start is {_NONCE_BYTES} bytes")
            self._nonce_head = nonce_start[:8]
            self._nonce_tail = int.from_bytes(nonce_start[8:], "big")
            # next() on itertools.count is atomic under the GIL: two threads never draw the same value.
            self._counter = itertools.count()

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
        return _FORMAT_V1 + self._seal(data, self._ad_head + field.encode("utf-8"))

    def _seal(self, data: bytes, ad: bytes) -> bytes:
        """``nonce | AES-GCM(data) + tag``; the nonce from the counter while it lasts, else random."""
        counter = self._counter
        if counter is not None:
            n = next(counter)
            if n < _COUNTER_LIMIT:
                nonce = self._nonce_head + ((self._nonce_tail + n) & 0xFFFFFFFF).to_bytes(4, "big")
                return nonce + self._aead.encrypt(nonce, data, ad)
            self._counter = None
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, ad)

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
        """A fresh random DEK for ``owner_id`` and its wrapping under the current KEK, to store alongside.

        One draw from the OS gives the DEK, the wrapping nonce and the start of the DEK's field nonces.
        """
        fresh = os.urandom(_DEK_BYTES + 2 * _NONCE_BYTES)
        dek = fresh[:_DEK_BYTES]
        wrap_nonce = fresh[_DEK_BYTES : _DEK_BYTES + _NONCE_BYTES]
        key = DataKey(owner_id, dek, nonce_start=fresh[_DEK_BYTES + _NONCE_BYTES :])
        return key, self._wrap(owner_id, dek, wrap_nonce)

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

    def _wrap(self, owner_id: str, dek: bytes, nonce: bytes | None = None) -> WrappedKey:
        # Read on every wrap: a key file reloads itself after another process rotated it, so a new data
        # key is never wrapped for long under a version that rotation has retired. The KEK wraps every
        # DEK, so its nonce is always random (96 bits), drawn here or by the caller.
        version = self._keys.current_kek_version
        if nonce is None:
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
