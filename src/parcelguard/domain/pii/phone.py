"""One entry point for a "phone" field that may hold a mobile or a landline.

Order forms have a single phone box; callers should not have to guess which parser to try first, and a
failure must be reported once, against the field the customer filled in. Which one it is, the phone
recogniser decides (:mod:`parcelguard.domain.pii.phone_recognizer`), as it does for free text.
"""

from __future__ import annotations

from typing import TypeAlias

from parcelguard.domain.pii._errors import invalid
from parcelguard.domain.pii.fold import fold_text
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.phone_recognizer import match_mobile
from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["Phone", "parse_phone"]

Phone: TypeAlias = Mobile | Landline


def parse_phone(raw: str) -> Phone:
    """Parse a mobile when the text has a mobile's shape, a landline otherwise; errors name ``phone``."""
    try:
        if match_mobile(fold_text(raw)) is not None:
            return Mobile.parse(raw)
        return Landline.parse(raw)
    except ValidationError as error:
        raise invalid(ErrorCode.INVALID_PHONE, "phone", error.message.partition(": ")[2]) from None
