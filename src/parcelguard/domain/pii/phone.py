"""One entry point for a "phone" field that may hold a mobile or a landline.

Order forms have a single phone box; callers should not have to guess which parser to try first, and a
failure must be reported once, against the field the customer filled in.
"""

from __future__ import annotations

from typing import TypeAlias

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.text import to_halfwidth
from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["Phone", "parse_phone"]

Phone: TypeAlias = Mobile | Landline
_SEPARATORS = str.maketrans("", "", " -().\t\u00a0")


def _looks_mobile(raw: str) -> bool:
    compact = to_halfwidth(raw).translate(_SEPARATORS)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
    if len(compact) == 13 and compact.startswith("86"):
        compact = compact[2:]
    return len(compact) == 11 and compact.startswith("1")


def parse_phone(raw: str) -> Phone:
    """Parse a mobile when the digits look like one, a landline otherwise; errors name the field ``phone``."""
    try:
        if _looks_mobile(raw):
            return Mobile.parse(raw)
        return Landline.parse(raw)
    except ValidationError as error:
        raise invalid(ErrorCode.INVALID_PHONE, "phone", error.message.partition(": ")[2]) from None
