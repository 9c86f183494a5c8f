"""The privacy gate every label passes, at issuance and again before anything is drawn (GB/T 41833-2022).

Each field is checked as what it is: a party's name must hide a character, its phone six digits, its address
the house number and detail; the description, remarks and the carrier and destination names are scanned for
every kind of personal data; the tracking number and routing code must be what they claim to be and are
otherwise not read as text (their digits are not phone numbers); dates, weights and the fixed captions come
from the layout itself and carry nothing personal.
"""

from __future__ import annotations

import re

from parcelguard.domain.label import LabelData
from parcelguard.domain.pii.label_lint import (
    LabelViolation,
    check_address_field,
    check_free_text,
    check_name_field,
    check_phone_field,
    free_text_is_clean,
    party_is_clean,
    raise_for,
)

__all__ = ["FREE_TEXT_FIELDS", "label_violations", "privacy_gate"]

FREE_TEXT_FIELDS = ("parcel.description", "remarks")
"""The fields whose findings issuance masks instead of refusing the order."""

_TRACKING_NUMBER = re.compile(r"[A-Z0-9]{1,30}")
_ROUTING_CODE = re.compile(r"[0-9]{6}")


def label_violations(data: LabelData) -> list[LabelViolation]:
    """Every finding on the label, each with its field (``recipient.phone``, ``parcel.description``...)."""
    if _is_clean(data):
        return []
    violations: list[LabelViolation] = []
    for role, party in (("recipient", data.recipient), ("sender", data.sender)):
        violations += check_name_field(party.name, f"{role}.name")
        violations += check_phone_field(party.phone, f"{role}.phone")
        violations += check_address_field(party.address, f"{role}.address")
    violations += check_free_text(data.parcel_description, "parcel.description")
    if data.remarks:
        violations += check_free_text(data.remarks, "remarks")
    violations += check_free_text(data.carrier_name, "carrier_name")
    violations += check_free_text(data.routing_text, "routing_text")
    if _TRACKING_NUMBER.fullmatch(data.tracking_number) is None:
        violations.append(
            LabelViolation("not_a_tracking_number", 0, len(data.tracking_number), "tracking_number")
        )
    if _ROUTING_CODE.fullmatch(data.routing_code) is None:
        violations.append(LabelViolation("not_a_routing_code", 0, len(data.routing_code), "routing_code"))
    return violations


def _is_clean(data: LabelData) -> bool:
    """Whether `label_violations` finds nothing, by the same checks without building their findings: nearly
    every label at issuance and at printing is clean, and this answers it in a few cached lookups."""
    recipient, sender = data.recipient, data.sender
    return (
        party_is_clean(recipient.name, recipient.phone, recipient.address)
        and party_is_clean(sender.name, sender.phone, sender.address)
        and free_text_is_clean(data.parcel_description)
        and (not data.remarks or free_text_is_clean(data.remarks))
        and free_text_is_clean(data.carrier_name)
        and free_text_is_clean(data.routing_text)
        and _TRACKING_NUMBER.fullmatch(data.tracking_number) is not None
        and _ROUTING_CODE.fullmatch(data.routing_code) is not None
    )


def privacy_gate(data: LabelData) -> None:
    """Raise LabelComplianceError (rule names only, never the text) when the label would leak."""
    raise_for(label_violations(data))
