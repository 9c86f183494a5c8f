"""The last gate before a label is drawn: find personal data a privacy waybill must not show.

Masking happens upstream, but a template change, a new field or a careless "138****1234" would go
straight onto paper. This module orchestrates one recogniser per kind of personal data (phones, identity
documents, e-mails, address detail); each kind is recognised in one place and the gate only decides which
kinds apply to which label field:

- a party's name, phone and address are checked as what they are (a name hides a character, a phone six
  digits, an address its house number and detail);
- free text (description, remarks, carrier and destination names) is scanned for every kind, where a number
  with 层, 楼 or # counts as address detail only when it is part of an address (`2层蛋糕` is a cake);
- tracking numbers, routing codes, dates and weights are not personal data and are never scanned as text:
  the digits of ``PG8613231614636`` are not a +86 phone.

Findings carry positions and rule names, never the text itself, so they are safe to log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from parcelguard.domain.pii.address_leaks import address_detail_leaks
from parcelguard.domain.pii.fold import NUMERALS, fold
from parcelguard.domain.pii.identity import IDENTITY_RULES, identity_leaks
from parcelguard.domain.pii.phone_recognizer import MIN_HIDDEN_DIGITS, phone_leaks
from parcelguard.errors import LabelComplianceError

__all__ = [
    "RULES",
    "LabelViolation",
    "assert_label_compliant",
    "check_address_field",
    "check_free_text",
    "check_label_fields",
    "check_label_text",
    "check_name_field",
    "check_phone_field",
    "free_text_is_clean",
    "mask_violations",
    "party_is_clean",
    "raise_for",
]

Finding = tuple[str, int, int]
"""``(rule, start, end)`` in normalised text."""

_MIN_HIDDEN_PHONE_DIGITS = MIN_HIDDEN_DIGITS
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

_MASKED_MOBILE = re.compile(r"1[0-9]{2}\*{6}[0-9]{2}")
# A building, unit or room number is household detail wherever it stands, also in free text whose address
# the address recogniser no longer sees (the detector masked its start: 建国路**号*****单元1201室).
_HOUSEHOLD_NUMBER = re.compile(r"(?<![0-9])[0-9]+ ?(?:号楼|栋|幢|单元|室)")

# Every rule needs a digit, an @ or a spelled-out building/unit; text without any is skipped at once.
_ANY_TRIGGER = re.compile(r"[0-9@]|号楼|单元")
# The same question asked of the raw text, before folding: printable ASCII without digits or @, and common
# CJK ideographs that no folding turns into a digit or a 号楼/单元, cannot trigger any rule. Most masked
# names and addresses on a label are such text, and skipping their fold is most of the gate's cost.
# The numerals are fold's own (radio digits 洞拐勾 included) plus the traditional spellings fold reaches
# through OpenCC and quantities (十百千万), so this pre-check cannot drift from what fold reads as a digit.
_RAW_MAY_TRIGGER = re.compile(
    rf"[^\x20-\x2f\x3a-\x3f\x41-\x7e\u4e00-\u9fff]|[{NUMERALS}十百千万拾貳參蔘陸]"
    r"|[号號][楼樓]|[单單]元"
)

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
    "not_a_tracking_number": "the tracking number field holds something else",
    "not_a_routing_code": "the routing code is not a division code",
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


# --- one recogniser per kind ---------------------------------------------------------------------------


def _phone_findings(text: str) -> list[Finding]:
    """Phones showing fewer than 6 digits, from the one phone recogniser (domain/pii/phone_recognizer.py)."""
    return [(rule, start, end) for start, end, rule in phone_leaks(text)]


def _identity_findings(text: str) -> list[Finding]:
    """Identity document numbers, unmasked or showing more than 2 characters (domain/pii/identity.py)."""
    return [(rule, start, end) for start, end, rule in identity_leaks(text)]


def _email_findings(text: str) -> list[Finding]:
    return [("email", match.start(), match.end()) for match in _EMAIL.finditer(text)]


def _address_findings(text: str, *, in_address: bool) -> list[Finding]:
    """House numbers, and buildings, units, floors and rooms, from the one address recogniser: in free text
    a number counts only inside an address (2层蛋糕 is a cake); in an address field every one counts."""
    found = [(rule, start, end) for start, end, rule in address_detail_leaks(text, is_address=in_address)]
    seen = {(start, end) for _, start, end in found}
    found += [
        ("address_detail", m.start(), m.end())
        for m in _HOUSEHOLD_NUMBER.finditer(text)
        if (m.start(), m.end()) not in seen
    ]
    return found


def _findings(text: str, *, in_address: bool) -> list[Finding]:
    ids = _identity_findings(text)
    # Digits inside an ID written with spaces can look like a phone number; report the ID once.
    found = [f for f in _phone_findings(text) if not any(s <= f[1] and f[2] <= e for _, s, e in ids)]
    found += ids
    found += _email_findings(text)
    found += _address_findings(text, in_address=in_address)
    return found


def _scan(text: str, *, in_address: bool) -> list[LabelViolation]:
    return list(_cached_scan(text, in_address))


_SCANS_CACHED = 2048
"""Texts whose findings are remembered (about 240 bytes each with their key). Replaying the gate's calls of
100,000 orders: 84% hits at 2,048, 95% at 8,192, about 0.3 us an order apart (a miss mostly stops at the
first regular expression); 1.5 MiB less for a `waybill issue` (issue 9)."""


@lru_cache(maxsize=_SCANS_CACHED)
def _cached_scan(text: str, in_address: bool) -> tuple[LabelViolation, ...]:
    """Cached: masked names, phones, addresses and common descriptions repeat from label to label."""
    if _RAW_MAY_TRIGGER.search(text) is None:
        return ()
    folded = fold(text)
    if _ANY_TRIGGER.search(folded.text) is None:
        return ()
    violations = [
        LabelViolation(rule, folded.origin(start), folded.origin(end - 1) + 1)
        for rule, start, end in _findings(folded.text, in_address=in_address)
    ]
    return tuple(sorted(violations, key=lambda v: (v.start, v.end, v.rule)))


# --- checks by field -------------------------------------------------------------------------------------


def check_label_text(text: str) -> list[LabelViolation]:
    """Every finding in address-like label text, positions in ``text`` as given (full-width input included).

    Every address detail counts here; use `check_free_text` for a description or remarks.
    """
    return _scan(text, in_address=True)


def check_free_text(text: str, field: str | None = None) -> list[LabelViolation]:
    """Findings in free text (description, remarks): a number with 层, 楼 or # alone is not an address."""
    return _in_field(field, _scan(text, in_address=False))


def _in_field(field: str | None, violations: list[LabelViolation]) -> list[LabelViolation]:
    if field is None or not violations:
        return violations
    return [LabelViolation(v.rule, v.start, v.end, field) for v in violations]


def _stars(text: str) -> int:
    """Mask stars, ASCII or full-width (what folding would turn into ``*``)."""
    return text.count("*") + text.count("＊")


def check_name_field(name: str, field: str = "name") -> list[LabelViolation]:
    """A printed name: nothing else hidden inside it, and at least one character masked."""
    violations = _in_field(field, check_label_text(name))
    if _stars(name) == 0:
        violations.append(LabelViolation("name_unmasked", 0, len(name), field))
    return violations


def check_phone_field(phone: str, field: str = "phone") -> list[LabelViolation]:
    """A printed phone: no number in full, and at least six digits hidden."""
    if _MASKED_MOBILE.fullmatch(phone):  # Mobile.masked(): five digits and six stars, nothing to find
        return []
    violations = _in_field(field, check_label_text(phone))
    if _stars(phone) < _MIN_HIDDEN_PHONE_DIGITS:
        violations.append(LabelViolation("phone_unmasked", 0, len(phone), field))
    return violations


def check_address_field(address: str, field: str = "address") -> list[LabelViolation]:
    """A printed address: no house number, building, unit, floor or room, and nothing else personal."""
    return _in_field(field, check_label_text(address))


def party_is_clean(name: str, phone: str, address: str) -> bool:
    """Whether `check_name_field`, `check_phone_field` and `check_address_field` all find nothing, answered
    without building their lists: the label gate's common case (a masked party) at a fraction of the cost."""
    scan = _cached_scan
    return (
        not scan(name, True)
        and ("*" in name or "＊" in name)
        and (
            _MASKED_MOBILE.fullmatch(phone) is not None
            or (not scan(phone, True) and _stars(phone) >= _MIN_HIDDEN_PHONE_DIGITS)
        )
        # an address is most often unique to its order: the cached scan's own first test, asked before the
        # cache (a miss costs twice the test), answers most of them
        and (_RAW_MAY_TRIGGER.search(address) is None or not scan(address, True))
    )


def free_text_is_clean(text: str) -> bool:
    """Whether `check_free_text` finds nothing in ``text``."""
    return not _cached_scan(text, False)


def check_label_fields(name: str, phone: str, address: str) -> list[LabelViolation]:
    """The text checks on each field, plus: the name hides a character, the phone hides 6 digits."""
    return check_name_field(name) + check_phone_field(phone) + check_address_field(address)


def mask_violations(text: str, violations: Iterable[LabelViolation]) -> str:
    """``text`` with every digit, Latin letter and Chinese numeral inside a finding replaced by ``*``.

    Used at issuance on free text, so what the gate would refuse to print is masked once, before storage,
    instead of making every later label request fail. Length and positions are kept.
    """
    chars = list(text)
    for violation in violations:
        for i in range(violation.start, violation.end):
            if _maskable(chars[i]):
                chars[i] = "*"
    return "".join(chars)


_CHINESE_DIGITS = frozenset("〇零一壹幺二贰两三叁四肆五伍六陆七柒八捌九玖十拾")


def _maskable(ch: str) -> bool:
    return ch.isdigit() or ch.isnumeric() or (ch.isascii() and ch.isalpha()) or ch in _CHINESE_DIGITS


def raise_for(violations: list[LabelViolation]) -> None:
    """Raise LabelComplianceError naming the rules (and fields) broken; the text is never quoted."""
    if violations:
        rules = ", ".join(sorted({v.rule for v in violations}))
        raise LabelComplianceError(f"label is not compliant: {rules}")


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
        violations += check_name_field(name)
    if phone is not None:
        violations += check_phone_field(phone)
    if address is not None:
        violations += check_address_field(address)
    raise_for(violations)
