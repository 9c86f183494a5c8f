"""Personal data on waybills: parse it, validate it, mask it, and check labels for leaks.

Every value object here has ``parse(raw)`` (raising ValidationError with a field name and a reason, never
the value) and ``masked()`` (the form a label or screen may show). Their ``repr`` is masked too, so a
stray log line or traceback does not leak what they hold.
"""

from parcelguard.domain.pii.address import Address
from parcelguard.domain.pii.divisions import Division, DivisionMatch, DivisionTable, division_table
from parcelguard.domain.pii.email import Email
from parcelguard.domain.pii.fold import Folded, fold, to_halfwidth
from parcelguard.domain.pii.id_type import ID_TYPES, IdType
from parcelguard.domain.pii.identity import IdentityNumber
from parcelguard.domain.pii.label_lint import (
    LabelViolation,
    assert_label_compliant,
    check_label_fields,
    check_label_text,
)
from parcelguard.domain.pii.landline import Landline
from parcelguard.domain.pii.mobile import Mobile
from parcelguard.domain.pii.name import PersonName
from parcelguard.domain.pii.phone import Phone, parse_phone
from parcelguard.domain.pii.resident_id import ResidentId, compute_check_char
from parcelguard.domain.pii.synthetic import SyntheticPeople, SyntheticPerson

__all__ = [
    "ID_TYPES",
    "Address",
    "Division",
    "DivisionMatch",
    "DivisionTable",
    "Email",
    "Folded",
    "IdType",
    "IdentityNumber",
    "LabelViolation",
    "Landline",
    "Mobile",
    "PersonName",
    "Phone",
    "ResidentId",
    "SyntheticPeople",
    "SyntheticPerson",
    "assert_label_compliant",
    "check_label_fields",
    "check_label_text",
    "compute_check_char",
    "division_table",
    "fold",
    "parse_phone",
    "to_halfwidth",
]
