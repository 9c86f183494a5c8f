"""English-style addresses of Chinese places and the odd western one, for the detector and the label gate.

International parcels and English-speaking customers write "Room 1201, Unit 2, Building 5, No. 88 Keyuan
Rd., Nanshan District, Shenzhen, Guangdong 518000". Such an address has a street with a street-type word
(Road, Street, Avenue ...) at its heart; rooms and buildings come before it and districts, cities,
provinces and the postcode after it. A street with neither a number nor a district is a landmark (Nanjing
Road), not someone's address.
"""

from __future__ import annotations

import re

from parcelguard.domain.pii.address_finder import AddressSpan

__all__ = ["find_english_address_spans"]

_WORD = r"[A-Z][a-z]+(?:[-'][a-z]+)?"
_STREET = (
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Hutong|Alley|Highway|Hwy|Expressway|"
    r"Court|Ct|Place|Pl|Terrace|Square|Sq|Parkway|Pkwy)"
)
_PART = (
    r"(?:Room|Rm|Flat|Apt|Apartment|Unit|Suite|Ste|Building|Bldg|Block|Blk|Tower|Floor|Fl|Level|No|Gate|"
    r"Dormitory|Dorm|House)"
)
_REGION = r"(?:District|County|City|Province|Town|Township|Village|New Area|Area|Zone|Subdistrict|Community)"
_STOP = (
    r"(?!(?:Please|Thanks|Thank|Call|We|I|Our|The|Your|Tel|Phone|Mobile|Contact|Reschedule|Sorry|Regards|Hi|"
    r"Dear|If|Delivery|Order|Tracking|Note|Leave|Nobody|Package|Parcel)\b)"
)
# Every address here has a street-type word; looking for one first (literal words, fast) skips most texts.
_STREET_HINT = re.compile(_STREET + r"\b")
_MAX_BEFORE_STREET = 160
_ADDRESS = re.compile(
    rf"(?:(?<![A-Za-z]){_PART}\.? ?#?[A-Za-z0-9-]+,? ?)*"
    rf"(?:(?<![A-Za-z])No\. ?)?(?:(?<![A-Za-z0-9])[0-9]+[A-Za-z]?(?:-[0-9]+)?,? )?"
    rf"(?<![A-Za-z])(?:{_WORD} ){{1,3}}{_STREET}\b\.?(?: (?:North|South|East|West|Middle|N|S|E|W)\b)?"
    rf"(?:,? ?(?:{_WORD} ){{1,2}}{_REGION}\b)*"
    rf"(?:, ?{_STOP}{_WORD}(?: {_STOP}{_WORD})?)*"
    r"(?:,? ?(?:[A-Z]{2} )?[0-9]{5,6}\b)?(?:, ?(?:China|P\.? ?R\.? ?China|PRC|USA|UK)\b)?"
)


def find_english_address_spans(text: str) -> list[AddressSpan]:
    """English-style addresses in folded text."""
    found: list[AddressSpan] = []
    hint = _STREET_HINT.search(text)
    if hint is None:
        return found
    for match in _ADDRESS.finditer(text, max(0, hint.start() - _MAX_BEFORE_STREET)):
        span = match.group().rstrip(" ,")
        if any(ch.isdigit() for ch in span) or re.search(_REGION, span):
            start = match.start()
            found.append(AddressSpan(start, start + len(span), 0.85, "address.en"))
    return found
