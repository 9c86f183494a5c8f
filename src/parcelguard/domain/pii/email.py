"""E-mail addresses, for notifications.

The check is pragmatic (what shops and mail providers actually issue), not RFC 5322: quoted local parts
and IP-literal domains are refused because no customer types them and they hide injection attempts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.fold import to_halfwidth
from parcelguard.errors import ErrorCode

__all__ = ["Email"]

_FIELD = "email"
_MAX_LENGTH = 254
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address; the domain is lower-cased, the local part kept as typed."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Validate one address such as ``zhang.san+shop@example.com``."""
        text = to_halfwidth(raw).strip()
        if not text:
            raise invalid(ErrorCode.INVALID_EMAIL, _FIELD, "is empty")
        if len(text) > _MAX_LENGTH:
            raise invalid(ErrorCode.INVALID_EMAIL, _FIELD, "is too long for an email address")
        local, at, domain = text.rpartition("@")
        if not at or len(local) > 64 or not _LOCAL.fullmatch(local):
            raise invalid(ErrorCode.INVALID_EMAIL, _FIELD, "has a malformed local part")
        labels = domain.split(".")
        if (
            len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)
            or not _TLD.fullmatch(labels[-1])
        ):
            raise invalid(ErrorCode.INVALID_EMAIL, _FIELD, "has a malformed domain")
        return cls(value=f"{local}@{domain.lower()}")

    @property
    def domain(self) -> str:
        """The part after ``@``; not personal on its own for public mail providers."""
        return self.value.rpartition("@")[2]

    def masked(self) -> str:
        """First character of the local part, then ``***``, then the domain: ``z***@example.com``."""
        local, _, domain = self.value.rpartition("@")
        return f"{local[0]}***@{domain}"

    def __repr__(self) -> str:
        return f"Email({self.masked()!r})"
