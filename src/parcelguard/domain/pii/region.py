"""The one division resolver: which place the names at the start of an address point to, or which places.

Order intake, the free-text detector, the label gate and the anonymisation operators all ask this module,
so they agree on what 鼓楼区 or 呼市 means. Every reading of the leading names is tried (吉林 is a province
and a city; 朝阳区 is in Beijing and in Changchun) and the best kept: most text explained, deepest, most
full names. When several places remain equally good, a town or sub-district named right after them and
found under only one of them settles it (江苏省鼓楼区琵琶街道: only Xuzhou's 鼓楼区 has 琵琶街道);
otherwise the answer lists every candidate and the caller decides. Order intake refuses such an address
(a carrier cannot deliver a guess); the detector only needs to know that names were there.

Towns come from the National Bureau of Statistics' town list (see ``data/README.md``); they are loaded on
the first ambiguous address only, so the common path costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from parcelguard.domain.pii.divisions import Division, DivisionTable, division_table

__all__ = [
    "Region",
    "clear_address_cache",
    "common_ancestor",
    "resolve_address_region",
    "resolve_region",
    "town_at",
]

# What may stand between two division names in an order's address field (spaces are already gone).
ADDRESS_GAPS = ",，、/;；:：|-"


@dataclass(frozen=True, slots=True)
class Region:
    """The divisions named at ``text[start:end]``.

    ``divisions`` holds the deepest division of every equally good reading: one when the names single out
    a place, several when they do not (朝阳区 alone: 北京市朝阳区 and 长春市朝阳区). ``names`` counts the
    names read and ``full`` says whether any was an official full name (广东省, not 广东).
    """

    start: int
    end: int
    names: int
    full: bool
    divisions: tuple[Division, ...]

    @property
    def division(self) -> Division | None:
        """The one place meant, or None when the names fit several."""
        return self.divisions[0] if len(self.divisions) == 1 else None

    @property
    def ambiguous(self) -> bool:
        """True when the names fit several places and nothing after them settled which."""
        return len(self.divisions) > 1


# A reading: (end, deepest division, names read, full names read).
_Reading = tuple[int, Division, int, int]


# What the search read of the text, for the address cache (see resolve_address_region): (kind, position,
# argument, what it gave, first position past what it looked at).
_Read = tuple[str, int, Any, Any, int]
_STEPS, _STARTS, _GAPS, _SHORT, _SETTLE = "steps", "starts", "gaps", "short", "settle"


class _ReadLog:
    """The reads of a search that looked past the furthest name matched so far (``reach``, the end of the
    furthest name the search matched): the others saw only text up to ``reach``."""

    __slots__ = ("reach", "reads")

    def __init__(self) -> None:
        self.reach = 0
        self.reads: list[_Read] = []


def _best_readings(
    table: DivisionTable,
    text: str,
    start: int,
    gaps: str,
    confirmed_only: bool,
    log: _ReadLog | None = None,
) -> list[_Reading]:
    """The best chains of nested division names from ``start``: furthest, deepest, most full names.

    Only confirmed chains count when ``confirmed_only`` (an ambiguous short form such as 朝阳 must be
    followed by a more specific name); when there is none, every chain reaching furthest is returned.
    ``log``, when given, receives every read of ``text`` that looks past the furthest name matched so
    far, in order, and that furthest end (see :class:`_ReadLog`).
    """
    reach = 0
    logged = log.reads.append if log is not None else None
    best_key: tuple[int, int, int] | None = None
    best: list[_Reading] = []
    furthest = -1
    unconfirmed: list[_Reading] = []
    length = len(text)
    stack: list[tuple[int, Division | None, int, int, bool]] = [(start, None, 0, 0, True)]
    # table.candidates, inlined: the names that start at pos come from table.steps (memoised per head and
    # place), so each position costs one lookup and a test per name, not a slice and lookup per length.
    steps_at = table.steps
    short_allowed = table.short_allowed
    has_children = table.has_children
    push = stack.append
    while stack:
        pos, current, names, fulls, confirmed = stack.pop()
        if current is not None:
            if confirmed or not confirmed_only:
                key = (pos, current.depth, fulls)
                if best_key is None or key > best_key:
                    best_key, best = key, [(pos, current, names, fulls)]
                elif key == best_key:
                    best.append((pos, current, names, fulls))
            elif best_key is None:
                if pos > furthest:
                    furthest, unconfirmed = pos, [(pos, current, names, fulls)]
                elif pos == furthest:
                    unconfirmed.append((pos, current, names, fulls))
            if not has_children(current):
                continue
        steps = steps_at(text[pos : pos + 2], current)
        if logged is not None and pos + 2 > reach:
            logged((_STEPS, pos, current, steps, pos + 2))
        for name, size, full_divisions, short_divisions in steps:
            end = pos + size
            if not text.startswith(name, pos):
                if logged is not None and end > reach:
                    logged((_STARTS, pos, name, False, end))
                continue
            after = end
            while after < length and text[after] in gaps:
                after += 1
            if logged is not None:  # a name matched: text up to its end is part of the key
                reach = max(reach, end)
                if after + 1 > reach:
                    logged((_GAPS, end, gaps, after, after + 1))
            for division in full_divisions:
                push((after, division, names + 1, fulls + 1, True))
            if short_divisions:
                allowed = short_allowed(text, end)
                if logged is not None and end + 2 > reach:
                    logged((_SHORT, end, None, allowed, end + 2))
                if allowed:
                    # An ambiguous short form is confirmed by a more specific name after it (朝阳 -> 朝阳区).
                    for division, ambiguous in short_divisions:
                        push((after, division, names + 1, fulls, not ambiguous))
    if log is not None:
        log.reach = reach
    return best if best_key is not None else unconfirmed


def _distinct(divisions: Iterable[Division]) -> tuple[Division, ...]:
    """One division per place: same-named siblings (重庆市 has two city codes) count once, lowest code."""
    kept: dict[tuple[str, str], Division] = {}
    for division in sorted(divisions, key=lambda d: d.code):
        parent = division.parent_code or ""
        kept.setdefault((parent, division.name), division)
    return tuple(kept.values())


def resolve_region(
    text: str,
    start: int = 0,
    *,
    gaps: str = ADDRESS_GAPS,
    settle: bool = True,
    confirmed_only: bool = True,
) -> Region | None:
    """The divisions named from ``text[start]`` on, or None when no division name starts there.

    ``gaps`` are the characters that may stand between two names. With ``settle`` (order intake, masks), a
    tie between places is broken by a town named right after the names, when only one place has it. A
    short form that fits several places and is not followed by a more specific name is returned with all
    its places. Without ``confirmed_only`` (the detector) the reading that goes furthest wins outright.
    """
    return _resolve(text, start, gaps, settle, confirmed_only, None)


def _resolve(
    text: str, start: int, gaps: str, settle: bool, confirmed_only: bool, log: _ReadLog | None
) -> Region | None:
    chosen = _best_readings(division_table(), text, start, gaps, confirmed_only, log)
    if not chosen:
        return None
    if len(chosen) == 1:
        end, division, names, fulls = chosen[0]
        return Region(start, end, names, fulls > 0, (division,))
    end, _, names, fulls = max(chosen, key=lambda r: (r[2], r[3]))
    divisions = _distinct(r[1] for r in chosen)
    if len(divisions) > 1 and settle:
        settled = _settle_by_town(divisions, text, end)
        if log is not None:  # a town name may be of any length: whatever follows counts
            log.reads.append((_SETTLE, end, divisions, settled, len(text) + 1))
        divisions = settled
    return Region(start, end, names, fulls > 0, divisions)


# -- the address cache ---------------------------------------------------------------------------------

_CACHE_SIZE = 32_768
"""Prefixes remembered, the least recently used forgotten first (about 370 bytes a prefix, flat entries;
630 before). Every region the benchmark corpora meet is about 16,900 prefixes, 6 MiB of a `waybill
issue`'s peak at 200,000 orders (10-12 MiB before the entries were flat), and it is worth its memory:
at 4,096 the peak was 7 MiB lower but issuance 7-10% slower on first-seen orders (bench_issuance
--rounds 1) and 10-18% on orders seen before (--rounds 2), 8,192 as slow for unique senders (issue 9)."""
_VARIANTS = 4
# Region prefix -> what was remembered for it, each variant one flat tuple (`_Entry`): the region, then
# kind, position, argument and what it gave of every read past the prefix, four items a read. A prefix
# with one variant (nearly all) holds that tuple itself, one with more a tuple of them. Flat, an entry
# holds about 400 bytes where a tuple per read, a pair and a tuple of variants held about 640 (issue 9).
_Entry = tuple[Any, ...]
_cache: dict[str, _Entry | tuple[_Entry, ...]] = {}
# The first _LEAD characters (first two of a shorter prefix) -> lengths of the prefixes cached under them,
# longest first: the lengths worth trying for a text.
_cached_lengths: dict[str, tuple[int, ...]] = {}
_LEAD = 4
# The divisions of the regions remembered, each tuple once: 16,381 prefixes name 2,858 (bounded by the
# division table's places and the few names several places share).
_divisions: dict[tuple[Division, ...], tuple[Division, ...]] = {}


def _variants(remembered: _Entry | tuple[_Entry, ...]) -> tuple[_Entry, ...]:
    """The variants of a cache value: itself when it is one (it starts with its region)."""
    return (remembered,) if type(remembered[0]) is Region else remembered


def resolve_address_region(text: str) -> Region | None:
    """``resolve_region(text)`` (from the start, address gaps, settled, confirmed only) for order intake,
    remembered by the region's own text, since addresses repeat their provinces, cities and districts.

    The search is a function of what it reads of ``text``. A miss runs it and logs every read; the entry
    is keyed on the text up to the end of the furthest name it matched, and keeps the reads that looked
    further (the character after the names, whether a short form may stand before it, a town name...) with
    what they gave. A text that starts with a cached prefix and gives the same for each kept read would be
    read alike from start to end, so it gets the same region: the entry is keyed on exactly what determines
    the result, however much of the street differs. Bounded: at most ``_CACHE_SIZE`` prefixes, the least
    recently used forgotten first.
    """
    known = _recall(text, _cached_lengths.get(text[:_LEAD]))
    if known is None and len(text) > 2:  # a prefix of two or three characters is filed by its head
        known = _recall(text, _cached_lengths.get(text[:2]))
    if known is not None:
        return known
    log = _ReadLog()
    region = _resolve(text, 0, ADDRESS_GAPS, True, True, log)
    if region is not None:
        _remember(text, log, region)
    return region


def _recall(text: str, lengths: tuple[int, ...] | None) -> Region | None:
    """The region remembered for a prefix of ``text`` of one of ``lengths`` whose reads give the same."""
    if lengths is None:
        return None
    length = len(text)
    for size in lengths:
        remembered = _cache.get(text[:size])
        if remembered is None:
            continue
        for entry in _variants(remembered):
            for i in range(1, len(entry), 4):
                kind = entry[i]
                if kind is _GAPS:  # the commonest read (what follows the names), inline
                    after, gaps = entry[i + 1], entry[i + 2]
                    while after < length and text[after] in gaps:
                        after += 1
                    if after != entry[i + 3]:
                        break
                elif not _same_read(text, kind, entry[i + 1], entry[i + 2], entry[i + 3]):
                    break
            else:
                key = text[:size]  # the most recently used last, forgotten last (another thread
                _cache.pop(key, None)  # may have forgotten it meanwhile: it comes back)
                _cache[key] = remembered
                known: Region = entry[0]
                return known
    return None


def clear_address_cache() -> None:
    """Forget every region :func:`resolve_address_region` remembers (benchmarks start from a known state)."""
    _cache.clear()
    _cached_lengths.clear()
    _divisions.clear()


def _same_read(text: str, kind: str, pos: int, argument: Any, result: Any) -> bool:
    """Whether a read of ``kind`` at ``pos`` gives on ``text`` what it gave when it was logged."""
    if kind is _GAPS:
        after, length = pos, len(text)
        while after < length and text[after] in argument:
            after += 1
        return after == int(result)
    if kind is _STARTS:
        return text.startswith(argument, pos) is bool(result)
    if kind is _SHORT:
        return division_table().short_allowed(text, pos) is bool(result)
    if kind is _STEPS:
        found = division_table().steps(text[pos : pos + 2], argument)
        return found is result or found == tuple(result)
    return _settle_by_town(argument, text, pos) == tuple(result)


def _remember(text: str, log: _ReadLog, region: Region) -> None:
    size = log.reach
    if size < 2 or size > len(text):
        return
    key = text[:size]
    divisions = _divisions.setdefault(region.divisions, region.divisions)
    if divisions is not region.divisions:  # the regions of a place share one tuple (48 bytes a prefix)
        region = replace(region, divisions=divisions)
    entry = (region, *[item for read in log.reads if read[4] > size for item in read[:4]])
    remembered = _cache.pop(key, None)
    variants = () if remembered is None else _variants(remembered)
    if remembered is not None and len(variants) >= _VARIANTS:
        _cache[key] = remembered
        return
    while len(_cache) >= _CACHE_SIZE:
        # the least recently used (first in order); its length stays listed under its head, where a
        # lookup finds nothing and goes on to the next length, until the lists are rebuilt
        _cache.pop(next(iter(_cache), key), None)
    if len(_cached_lengths) >= _LENGTHS_SIZE:
        _rebuild_lengths()
    _cache[key] = (*variants, entry) if variants else entry
    head = key[:_LEAD] if size >= _LEAD else key[:2]  # prefixes too short to have a lead: by their head
    lengths = _cached_lengths.get(head, ())
    if size not in lengths:
        _cached_lengths[head] = tuple(sorted((*lengths, size), reverse=True))


_LENGTHS_SIZE = 4 * _CACHE_SIZE
"""Heads listed at most: past it the lists are rebuilt from the prefixes still remembered."""


def _rebuild_lengths() -> None:
    _cached_lengths.clear()
    for key in list(_cache):  # a copy: another thread may add meanwhile
        size = len(key)
        head = key[:_LEAD] if size >= _LEAD else key[:2]
        lengths = _cached_lengths.get(head, ())
        if size not in lengths:
            _cached_lengths[head] = tuple(sorted((*lengths, size), reverse=True))


def common_ancestor(divisions: Iterable[Division]) -> Division | None:
    """The deepest division holding all of ``divisions`` (江苏省 for the two 鼓楼区 of Jiangsu)."""
    table = division_table()
    lineages = [(*table.ancestors(d), d) for d in divisions]
    if not lineages:
        return None
    shared: Division | None = None
    for level in zip(*lineages, strict=False):
        if any(d.code != level[0].code for d in level):
            break
        shared = level[0]
    return shared


# -- towns -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Towns:
    by_name: dict[str, tuple[str, ...]]  # town name -> county codes that have it
    lengths: dict[str, tuple[int, ...]]  # first two characters -> name lengths, longest first


@cache
def _towns() -> _Towns:
    text = resources.files("parcelguard.domain.pii").joinpath("data/towns.csv").read_text("utf-8")
    by_name: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        county, _, names = line.partition(",")
        for name in names.split():
            by_name.setdefault(name, []).append(county)
    lengths: dict[str, set[int]] = {}
    for name in by_name:
        lengths.setdefault(name[:2], set()).add(len(name))
    return _Towns(
        {name: tuple(codes) for name, codes in by_name.items()},
        {head: tuple(sorted(ls, reverse=True)) for head, ls in lengths.items()},
    )


def town_at(text: str, pos: int) -> tuple[str, tuple[str, ...]] | None:
    """The longest town or sub-district name at ``text[pos]`` and the county codes that have one so named."""
    towns = _towns()
    for length in towns.lengths.get(text[pos : pos + 2], ()):
        codes = towns.by_name.get(text[pos : pos + length])
        if codes is not None:
            return text[pos : pos + length], codes
    return None


def _settle_by_town(divisions: tuple[Division, ...], text: str, pos: int) -> tuple[Division, ...]:
    """The candidates that have the town named at ``text[pos]``, when that singles one out."""
    found = town_at(text, pos)
    if found is None:
        return divisions
    table = division_table()
    holders = [d for d in divisions if any(_holds(table, d, code) for code in found[1])]
    return tuple(holders) if len(holders) == 1 else divisions


def _holds(table: DivisionTable, division: Division, county_code: str) -> bool:
    county = table.by_code(county_code)
    if county is None:  # a county renamed since the town list was published
        county = table.successor(county_code)
    return county is not None and (county.code == division.code or table.is_within(county, division))
