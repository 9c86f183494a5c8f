"""IP: IPv4 and IPv6 addresses, which identify a customer's line in complaint logs and app reports.

IPv4 octets are range-checked by the pattern; an IPv6 candidate is any run of hex digits and colons with at
least two colons, confirmed by :mod:`ipaddress` so that times (14:30:00) and MAC addresses are not taken.
A dotted quad right after ``v`` or a version label is a version number, not an address.
"""

from __future__ import annotations

import ipaddress
import re

from parcelguard.domain.deid._candidate import Candidate
from parcelguard.domain.deid.entity import EntityType

__all__ = ["find_ips"]

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?<![0-9.])(?<![vV])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9])")
_IPV6 = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z:])"
)
_THREE_COLONS = re.compile("[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]")
_DOTTED_QUAD = re.compile(r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")
_VERSION = re.compile(r"(?:版本|version|ver\.?)\s*[:号]?\s*$", re.IGNORECASE)


def _valid_v6(candidate: str) -> bool:
    if not any(ch.isalnum() for ch in candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def find_ips(text: str) -> list[Candidate]:
    """IPv4 and IPv6 addresses in normalised text."""
    found: list[Candidate] = []
    if _DOTTED_QUAD.search(text) is not None:
        for match in _IPV4.finditer(text):
            if _VERSION.search(text, max(0, match.start() - 10), match.start()) is None:
                found.append(Candidate(match.start(), match.end(), EntityType.IP, 0.9, "ip.v4"))
    if "::" in text or _THREE_COLONS.search(text) is not None:
        for match in _IPV6.finditer(text):
            start = match.start()
            candidate = match.group()
            if candidate.startswith(":") and not candidate.startswith("::"):
                start, candidate = start + 1, candidate[1:]  # the colon of a label: "IP:2001:db8::1"
            if _valid_v6(candidate.split("%", 1)[0]):
                found.append(Candidate(start, match.end(), EntityType.IP, 0.9, "ip.v6"))
    return found
