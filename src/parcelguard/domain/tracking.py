"""Tracking numbers: carrier prefix, 12 CSPRNG digits and a Damm check digit.

Twelve random digits give 10^12 numbers per prefix, so guessing a live one is hopeless even before the
tracking endpoint's rate limit; nothing in the number is sequential or derived from the order. The Damm
check digit catches every single-digit typo and every adjacent transposition (Luhn misses 09 <-> 90).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from parcelguard.errors import ErrorCode, ValidationError

RANDOM_DIGITS = 12

_DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
# ASCII only: ``\d`` would also match full-width and other Unicode digits, which the Damm table cannot index.
_SHAPE = re.compile(r"([A-Z]{2,4})([0-9]{13})", re.ASCII)
MAX_TRACKING_NUMBER_CHARS = 64


def damm_check_digit(digits: str) -> str:
    """The digit that makes ``digits + check`` pass the Damm algorithm."""
    interim = 0
    for char in digits:
        interim = _DAMM_TABLE[interim][ord(char) - 48]
    return str(interim)


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    """A validated tracking number such as ``PG4821907735106``."""

    value: str

    @property
    def prefix(self) -> str:
        return self.value.rstrip("0123456789")

    @classmethod
    def generate(cls, prefix: str) -> TrackingNumber:
        """A fresh number from the operating system's CSPRNG; uniqueness is enforced by the database."""
        body = f"{secrets.randbelow(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
        return cls(prefix + body + damm_check_digit(body))

    @classmethod
    def parse(cls, raw: str) -> TrackingNumber:
        """Exactly the shape: 2-4 letters, 12 digits and a Damm check digit; lower-case letters are read as
        capitals (``pg...`` is ``PG...``), and that is the only leniency.

        Nothing is stripped: a blank, a tab, a line break or any other character outside the shape
        (``PG...%0A`` in a URL), full-width or other Unicode digits (``PG０００...``), a non-string or an
        overlong value raise INVALID_TRACKING_NUMBER like any other wrong shape. The API, the label and
        revoke routes and the CLI all parse here, so every path accepts the same spellings.
        """
        candidate = raw if isinstance(raw, str) else ""
        match = None
        if candidate.isascii() and len(candidate) <= MAX_TRACKING_NUMBER_CHARS:
            candidate = candidate.upper()
            match = _SHAPE.fullmatch(candidate)
        if match is None or damm_check_digit(match.group(2)[:-1]) != match.group(2)[-1]:
            raise ValidationError(
                "not a tracking number: letters, 12 digits and a check digit expected",
                code=ErrorCode.INVALID_TRACKING_NUMBER,
                field="tracking_number",
            )
        return cls(candidate)

    def __str__(self) -> str:
        return self.value
