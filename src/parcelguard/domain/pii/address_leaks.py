"""What the label gate asks about addresses: which house numbers and household details a text shows.

One recogniser decides what an address is (:mod:`.address_finder`, :mod:`.address_en`, the same finders the
detector uses); this module only says which numbers inside the addresses found are unmasked, so a waybill
whose free text has no address (2层蛋糕, 5#电池, 3楼模型) always prints.
"""

from __future__ import annotations

import re

from parcelguard.domain.pii.address_en import find_english_address_spans
from parcelguard.domain.pii.address_finder import find_address_spans
from parcelguard.domain.pii.address_grammar import HOUSE_NUMBER, HOUSEHOLD

_CN_NUM = "[一二三四五六七八九十百零〇两]+"

__all__ = ["LeakRule", "address_detail_leaks"]


LeakRule = str
"""``house_number`` or ``address_detail`` (building, unit, floor, room)."""

# A number inside an address with what it numbers: 88号 and 123弄 are house numbers; anything else
# (3号楼, 2单元, 12层, 1201室, 5-2-1201, B座) is the household detail a label must hide.
_NUMBER_IN_ADDRESS = re.compile(
    rf"(?P<house>{HOUSE_NUMBER.pattern})"
    r"|(?P<detail>[A-Za-z]?[0-9][0-9A-Za-z]*(?:[-之#][0-9A-Za-z]+)*"
    r"(?:号楼|号院|号馆|号门|号铺|号|栋|幢|撞|懂|座|单元|层|楼|室|房间|房|户|门|#|F|f)?"
    rf"|{_CN_NUM}(?:号楼|号|栋|幢|撞|懂|座|单元|层|楼|室)|(?<![A-Za-z])[A-Za-z](?:座|栋|幢|撞|懂|室))"
)
# Words that number nothing but a household (3号楼, 5栋, 2单元, 1201室): detail wherever they stand, also in
# text whose address the finder cannot see any more (建国路**号*****单元1201室, its start already masked).
_STRONG_DETAIL = re.compile(r"(?<![0-9])[0-9]+ ?(?:号楼|栋|幢|撞|懂|单元|室)")
# A number just before where the finder starts an address (三号楼|二单元: the walk back stops at 号).
_NUMBER_BEFORE = re.compile(rf"(?:[0-9]+|{_CN_NUM})(?:号楼|号|栋|幢|座)?$")
_POSTCODE = re.compile(r"[0-9]{5,6}")


def address_detail_leaks(text: str, *, is_address: bool = False) -> list[tuple[int, int, LeakRule]]:
    """Unmasked house numbers and household detail that are part of an address in folded ``text``.

    Inside an address found in the text every number counts (the masked form of a parsed address keeps
    none); in a field that is all address (``is_address``) also every number with a household word after
    it (88号, 3号楼, 2单元, 12层, 1201室, 5-2-1201 after a name), but not a bare number (a postcode).

    This is the label gate's address check (GB/T 41833 hides the unit and room; we also hide the house
    number and building). In free text a number counts only inside an address this module finds, so
    ``2层蛋糕``, ``5#电池`` and ``3楼模型`` pass while ``阳光花园3栋1802`` does not; a number with a word
    that only households have (号楼, 栋, 幢, 单元, 室) counts anywhere. With ``is_address`` (a
    label's address field) the whole text is an address. The masked form of a parsed address
    (:meth:`.address.Address.masked`) has no digit left and always passes. Returns ``(start, end, rule)``
    triples, positions in ``text``, rules ``house_number`` or ``address_detail``; never the text itself.
    """
    if not any(ch.isdigit() for ch in text) and not _CN_DETAIL_HINT.search(text):
        return []
    # The detector's vetoes (货架号5-2-12 is a shelf): imported here because the detector imports the finder.
    from parcelguard.domain.deid.address import anchor_vetoed

    leaks: dict[tuple[int, int], LeakRule] = {}
    if is_address:
        _household_numbers(text, leaks)
    for match in _STRONG_DETAIL.finditer(text):
        leaks.setdefault(match.span(), "address_detail")
    spans = [(s.start, s.end, False) for s in find_address_spans(text, anchor_vetoed)]
    spans += [(s.start, s.end, True) for s in find_english_address_spans(text)]
    for start, end, latin in spans:
        before = _NUMBER_BEFORE.search(text, max(0, start - 8), start)
        start = before.start() if before is not None else start
        for match in _NUMBER_IN_ADDRESS.finditer(text, start, end):
            if latin and _POSTCODE.fullmatch(match.group()):
                continue
            rule = "house_number" if match.lastgroup == "house" else "address_detail"
            leaks.setdefault((match.start(), match.end()), rule)
    return sorted((s, e, rule) for (s, e), rule in leaks.items())


def _household_numbers(text: str, leaks: dict[tuple[int, int], LeakRule]) -> None:
    for match in HOUSE_NUMBER.finditer(text):
        leaks.setdefault(match.span(), "house_number")
    for match in HOUSEHOLD.finditer(text):
        start = match.start()
        if match.lastgroup == "dash" and not (start and "\u4e00" <= text[start - 1] <= "\u9fff"):
            continue  # 2024-05-01 is a date; 阳光花园5-2-1201 is building, unit and room
        if not any(span[0] <= start < span[1] for span in leaks):
            leaks.setdefault(match.span(), "address_detail")


_CN_DETAIL_HINT = re.compile(
    "[一二三四五六七八九十百零〇两]+(?:号楼|号|栋|幢|撞|懂|座|单元|层|楼|室)|[A-Za-z](?:座|栋|幢|撞|懂|室)"
)
