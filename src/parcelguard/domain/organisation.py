"""Organisations: the carrier that runs ParcelGuard, and the platforms that issue waybills through it.

Every API key (and, later, every user and station) belongs to exactly one organisation, and every waybill
records the organisation that issued it. That is the tenant boundary: a platform sees only what it issued,
whatever key it uses; only the carrier's administrators see every tenant (they operate the network that
delivers all of them). Stations, couriers and outlet clerks (issue 10) belong to the carrier organisation.

The migration that introduced organisations (0003) created the carrier organisation with id
``CARRIER_ORGANISATION_ID`` and gave it every waybill and key that existed before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from parcelguard.errors import ErrorCode, ValidationError

CARRIER_ORGANISATION_ID = 1
CARRIER_ORGANISATION_NAME = "carrier"
MAX_NAME_CHARS = 100


class OrganisationKind(StrEnum):
    CARRIER = "carrier"  # runs ParcelGuard: its admins see every tenant
    PLATFORM = "platform"  # an e-commerce shop or merchant issuing waybills: sees only its own


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    kind: OrganisationKind
    created_at: datetime


def parse_organisation_name(raw: str) -> str:
    """A display name: 1 to 100 printable characters, surrounding spaces dropped; unique per installation.

    Raises ValidationError ``invalid_request`` (field ``name``) otherwise.
    """
    name = raw.strip()
    if not 0 < len(name) <= MAX_NAME_CHARS or not name.isprintable():
        raise ValidationError(
            f"an organisation name is 1 to {MAX_NAME_CHARS} printable characters",
            code=ErrorCode.INVALID_REQUEST,
            field="name",
        )
    return name


def parse_organisation_kind(raw: str) -> OrganisationKind:
    """``platform`` or ``carrier``; anything else is ValidationError ``invalid_request`` (field ``kind``)."""
    try:
        return OrganisationKind(raw.strip().lower())
    except ValueError:
        raise ValidationError(
            "kind must be platform or carrier", code=ErrorCode.INVALID_REQUEST, field="kind"
        ) from None
