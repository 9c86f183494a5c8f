"""Keyed pseudonyms: the same person gets the same token within a tenant, and a different one elsewhere.

Why keyed: a plain hash of an 11-digit mobile number is reversed by hashing all 10^10 of them; an HMAC
under a key the analyst never sees is not. Why per tenant: two platforms (or two analysts' exports) must
not be joinable with each other, so each tenant's HMAC key is derived from the master key in the key file
with HKDF-SHA256 (``info`` names the tenant). Within one tenant the pseudonyms are stable, so analysts can
still count and join on them.

Format: ``PSN_<TYPE>_<20 hex digits>`` (``PSN_PHONE_7f3a9c2e1b4d5a60c1e2``). The prefix tells a reader at
once that the value is a pseudonym and of what; 80 bits keep accidental collisions out of reach for any
realistic number of people (birthday bound around 10^12 values).

Inputs must already be in canonical form (the domain's ``canonical_value``), so that ``+86 138 0013 8000``
and ``13800138000`` give one pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["PSEUDONYM_PATTERN", "HmacPseudonymizer"]

MIN_KEY_BYTES = 32
DIGEST_HEX = 20
_SALT = b"parcelguard/pseudonym/v1"
_KIND = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
_MAX_TENANT = 200
_MAX_CACHED_TENANTS = 1024
PSEUDONYM_PATTERN = re.compile(rf"^PSN_([A-Z][A-Z0-9_]*)_([0-9a-f]{{{DIGEST_HEX}}})$")


class HmacPseudonymizer:
    """HMAC-SHA256 pseudonyms under per-tenant keys derived (HKDF-SHA256) from one master key."""

    __slots__ = ("_lock", "_master", "_tenants")

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < MIN_KEY_BYTES:
            raise ValueError(f"a pseudonym master key is at least {MIN_KEY_BYTES} bytes")
        self._master = bytes(master_key)
        self._tenants: dict[str, hmac.HMAC] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "HmacPseudonymizer(<key hidden>)"

    def __reduce__(self) -> tuple[Any, ...]:
        # Lets a Dask worker rebuild it; HMAC objects themselves cannot be pickled.
        return (HmacPseudonymizer, (self._master,))

    def pseudonym(self, tenant: str, kind: str, canonical_value: str) -> str:
        """``PSN_<kind>_<hex>`` for ``canonical_value``; equal inputs under one tenant give equal outputs."""
        if not _KIND.match(kind):
            raise ValueError("a pseudonym kind is an upper-case identifier such as PHONE")
        mac = self._keyed(tenant).copy()
        mac.update(kind.encode("ascii") + b"\x00" + canonical_value.encode("utf-8"))
        return f"PSN_{kind}_{mac.hexdigest()[:DIGEST_HEX]}"

    def _keyed(self, tenant: str) -> hmac.HMAC:
        keyed = self._tenants.get(tenant)
        if keyed is not None:
            return keyed
        if not tenant or len(tenant) > _MAX_TENANT or not tenant.isprintable():
            raise ValidationError(
                f"a tenant is 1 to {_MAX_TENANT} printable characters",
                code=ErrorCode.INVALID_REQUEST,
                field="tenant",
            )
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"tenant\x00" + tenant.encode("utf-8")
        ).derive(self._master)
        keyed = hmac.new(derived, digestmod=hashlib.sha256)
        with self._lock:
            if len(self._tenants) >= _MAX_CACHED_TENANTS:
                self._tenants.clear()
            self._tenants[tenant] = keyed
        return keyed
