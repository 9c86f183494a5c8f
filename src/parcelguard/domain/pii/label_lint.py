"""The last gate before a label is drawn: find personal data a privacy waybill must not show.

Masking happens upstream, but a template change, a new field or a careless "138****1234" would go
straight onto paper. The renderer runs every piece of label text through here and refuses to render on
any finding. Findings carry positions and rule names, never the text itself, so they are safe to log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parcelguard.domain.pii.identity import IDENTITY_RULES, identity_leaks
from parcelguard.domain.pii.text import normalize_with_offsets
from parcelguard.errors import LabelComplianceError

__all__ = [
    "RULES",
    "LabelViolation",
    "assert_label_compliant",
    "check_label_fields",
    "check_label_text",
]

_MIN_HIDDEN_PHONE_DIGITS = 6
_MASK_CHARS = frozenset("*●×")
_SLOT = "[0-9*●×]"
# 11 digit-or-star slots starting with 1 (or a star: "***12345678" hides only 3), any separators.
_MOBILE = re.compile(
    rf"(?<![0-9*●×])(?:(?:\+|00)?86\)?[ -]?)?(?P<number>[1*●×](?:[ -]?{_SLOT}){{10}})(?![0-9*●×])",
)
_LANDLINE = re.compile(
    r"(?<![0-9*●×])(?:(?:\+|00)86[ -]?\(?0?|\(?0)(?:10|2[0-9]|[3-9][0-9]{2})\)?[ -]?"
    rf"(?P<local>{_SLOT}(?:[ -]?{_SLOT}){{6,7}})(?![0-9*●×])",
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ADDRESS_DETAIL = re.compile(
    r"[0-9]+ ?(?:号楼|栋|幢|座|单元|室|层|楼|户|#)|[一二三四五六七八九十]+(?:号楼|单元)",
)
_HOUSE_NUMBER = re.compile(
    r"(?:大道|大街|胡同|路|街|道|巷|弄|里|村|段|条)[东西南北中]? ?[甲乙丙丁]?[0-9]+(?:[-之][0-9]+)? ?[号弄]",
)

# Every rule needs a digit, an @ or a spelled-out building/unit; text without any is skipped at once.
_ANY_TRIGGER = re.compile(r"[0-9@]|号楼|单元")

RULES: dict[str, str] = {
    "mobile_unmasked": "a mobile number is shown in full",
    "mobile_undermasked": "a mobile number hides fewer than 6 digits",
    "landline_unmasked": "a landline number is shown in full",
    "landline_undermasked": "a landline number hides fewer than 6 digits",
    **IDENTITY_RULES,  # one rule per identity document type: resident_id, passport, uscc ...
    "email": "an e-mail address is shown",
    "address_detail": "an address shows a building, unit, floor or room",
    "house_number": "an address shows a house number",
    "name_unmasked": "the name hides no character",
    "phone_unmasked": "the phone hides fewer than 6 digits",
}


@dataclass(frozen=True, slots=True)
class LabelViolation:
    """A finding: which rule, where (``[start, end)`` in the checked text), and in which field if known."""

    rule: str
    start: int
    end: int
    field: str | None = None

    @property
    def message(self) -> str:
        """A fixed description of the rule; never quotes the offending text."""
        return RULES[self.rule]


def _hidden(slots: str) -> int:
    return sum(ch in _MASK_CHARS for ch in slots)


def _phone_rule(kind: str, hidden: int) -> str | None:
    if hidden >= _MIN_HIDDEN_PHONE_DIGITS:
        return None
    return f"{kind}_unmasked" if hidden == 0 else f"{kind}_undermasked"


def _phone_findings(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _MOBILE.finditer(text):
        slots = match.group("number").replace(" ", "").replace("-", "")
        if slots[0] == "1" and slots[1] in "012":
            continue
        rule = _phone_rule("mobile", _hidden(slots))
        if rule:
            found.append((rule, match.start(), match.end()))
    for match in _LANDLINE.finditer(text):
        rule = _phone_rule("landline", _hidden(match.group("local")))
        if rule:
            found.append((rule, match.start(), match.end()))
    return found


def _findings(text: str) -> list[tuple[str, int, int]]:
    # Identity document numbers, unmasked or showing more than 2 characters (domain/pii/identity.py).
    ids = [(rule, start, end) for start, end, rule in identity_leaks(text)]
    # Digits inside an ID written with spaces can look like a phone number; report the ID once.
    found = [f for f in _phone_findings(text) if not any(s <= f[1] and f[2] <= e for _, s, e in ids)]
    found += ids
    for rule, pattern in (
        ("email", _EMAIL),
        ("address_detail", _ADDRESS_DETAIL),
        ("house_number", _HOUSE_NUMBER),
    ):
        found.extend((rule, match.start(), match.end()) for match in pattern.finditer(text))
    return found


def check_label_text(text: str) -> list[LabelViolation]:
    """Every finding in any label text, positions in ``text`` as given (full-width input included)."""
    normalised, offsets = normalize_with_offsets(text)
    if _ANY_TRIGGER.search(normalised) is None:
        return []
    violations = [
        LabelViolation(rule, offsets[start], offsets[end - 1] + 1)
        for rule, start, end in _findings(normalised)
    ]
    return sorted(violations, key=lambda v: (v.start, v.end, v.rule))


def _in_field(field: str, violations: list[LabelViolation]) -> list[LabelViolation]:
    return [LabelViolation(v.rule, v.start, v.end, field) for v in violations]


def _check_name(name: str) -> list[LabelViolation]:
    violations = _in_field("name", check_label_text(name))
    if "*" not in normalize_with_offsets(name)[0]:
        violations.append(LabelViolation("name_unmasked", 0, len(name), "name"))
    return violations


def _check_phone(phone: str) -> list[LabelViolation]:
    violations = _in_field("phone", check_label_text(phone))
    if normalize_with_offsets(phone)[0].count("*") < _MIN_HIDDEN_PHONE_DIGITS:
        violations.append(LabelViolation("phone_unmasked", 0, len(phone), "phone"))
    return violations


def check_label_fields(name: str, phone: str, address: str) -> list[LabelViolation]:
    """The text checks on each field, plus: the name hides a character, the phone hides 6 digits."""
    return _check_name(name) + _check_phone(phone) + _in_field("address", check_label_text(address))


def assert_label_compliant(
    text: str = "",
    *,
    name: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> None:
    """Raise LabelComplianceError when the free text or any field given breaks a rule.

    The message lists rule names only, so it can be logged and shown without leaking what was found.
    """
    violations = check_label_text(text)
    if name is not None:
        violations += _check_name(name)
    if phone is not None:
        violations += _check_phone(phone)
    if address is not None:
        violations += _in_field("address", check_label_text(address))
    if violations:
        rules = ", ".join(sorted({v.rule for v in violations}))
        raise LabelComplianceError(f"label is not compliant: {rules}")
