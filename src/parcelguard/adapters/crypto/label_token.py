"""Label tokens: the only thing the QR code on a printed privacy waybill carries.

Why opaque: a label is read by everyone who handles the parcel. It must let an authorised courier app find
the waybill (and, through the server, the recipient) without itself holding any personal data, and without
a forger being able to mint a valid code for a waybill they have never seen.

Token text::

    "PGT1" + base32(token_id(16) || mac(16))      -> 4 + 52 = 56 characters
    mac = HMAC-SHA256(token_key, b"parcelguard/label-token/v1\\x00" + token_id + b"\\x00" + waybill_id)[:16]

* ``token_id`` is 16 random bytes: the database maps it to the waybill and a revoked flag. Reprinting a
  label issues a new token (the old one can be revoked); two tokens for one waybill both verify.
* The MAC binds the token to its waybill, so a token copied onto another waybill's record fails, and a
  database row edited to point a token elsewhere is caught too.
* Base32 is RFC 4648, upper-case, no padding: every character (and the ``PGT1`` prefix) is in the QR
  alphanumeric set, which encodes 5.5 bits per character instead of 8.

Parsing is strict, and deliberately so: upper-case only (lower-case is refused, not folded), no padding,
no whitespace, and the encoding must be canonical (the 4 spare bits of the last character must be zero).
One token therefore has exactly one valid spelling, and any single-character change is rejected. Callers
that read from a scanner may ``strip()`` trailing newlines first; nothing else is forgiven.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import os

from parcelguard.errors import TokenError

PREFIX = "PGT1"
TOKEN_ID_BYTES = 16
MAC_BYTES = 16
MIN_KEY_BYTES = 32
_RAW_BYTES = TOKEN_ID_BYTES + MAC_BYTES
_B32_CHARS = -(-_RAW_BYTES * 8 // 5)  # 52: ceil(256 / 5), no padding
TEXT_LENGTH = len(PREFIX) + _B32_CHARS
_PADDING = "=" * (-_B32_CHARS % 8)
_B32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_DOMAIN = b"parcelguard/label-token/v1\x00"


@dataclasses.dataclass(frozen=True, slots=True)
class LabelToken:
    """A freshly issued token: store ``token_id`` against the waybill, print ``text`` in the QR code."""

    token_id: bytes
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedToken:
    """A well-formed token text, not yet verified: look ``token_id`` up, then :meth:`verify` it."""

    token_id: bytes
    mac: bytes


class LabelTokenCodec:
    """Issues, parses and verifies label tokens under one token key."""

    __slots__ = ("_keyed",)

    def __init__(self, token_key: bytes) -> None:
        if len(token_key) < MIN_KEY_BYTES:
            raise ValueError(f"a label-token key is at least {MIN_KEY_BYTES} bytes")
        self._keyed = hmac.new(token_key, _DOMAIN, hashlib.sha256)

    def __repr__(self) -> str:
        return "LabelTokenCodec(<key hidden>)"

    def issue(self, waybill_id: str) -> LabelToken:
        """A new random token for ``waybill_id``; each call gives a different, independently valid token."""
        token_id = os.urandom(TOKEN_ID_BYTES)
        return LabelToken(token_id=token_id, text=self.encode(token_id, waybill_id))

    def encode(self, token_id: bytes, waybill_id: str) -> str:
        """The text of an already issued token (reprints carry the same token until it is revoked)."""
        if len(token_id) != TOKEN_ID_BYTES:
            raise ValueError("token_id has the wrong length")
        encoded = base64.b32encode(token_id + self._mac(token_id, waybill_id)).decode("ascii")
        return PREFIX + encoded.rstrip("=")

    def parse(self, text: str) -> ParsedToken:
        """Split a token text into id and MAC, refusing anything that is not exactly a canonical token."""
        body = text[len(PREFIX) :]
        if not (
            len(text) == TEXT_LENGTH
            and text.startswith(PREFIX)
            and body.isascii()
            and _B32_ALPHABET.issuperset(body)
        ):
            raise TokenError("label token is malformed")
        raw: bytes | None = None
        try:
            raw = base64.b32decode(body + _PADDING)
        except (binascii.Error, ValueError):
            raw = None
        # Non-canonical spellings decode to the same bytes; re-encoding catches them.
        if raw is None or base64.b32encode(raw).decode("ascii").rstrip("=") != body:
            raise TokenError("label token is malformed")
        return ParsedToken(token_id=raw[:TOKEN_ID_BYTES], mac=raw[TOKEN_ID_BYTES:])

    def verify(self, parsed: ParsedToken, waybill_id: str) -> None:
        """Raise ``TOKEN_INVALID`` unless ``parsed`` was issued for ``waybill_id`` under this key."""
        if len(parsed.token_id) != TOKEN_ID_BYTES:  # fixed length keeps the MAC input unambiguous
            raise TokenError("label token is malformed")
        expected = self._mac(parsed.token_id, waybill_id)
        if not hmac.compare_digest(expected, parsed.mac):
            raise TokenError("label token does not match this waybill")

    def _mac(self, token_id: bytes, waybill_id: str) -> bytes:
        mac = self._keyed.copy()
        mac.update(token_id + b"\x00" + waybill_id.encode("utf-8"))
        return mac.digest()[:MAC_BYTES]
