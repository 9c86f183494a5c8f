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
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parcelguard.domain.pii.divisions import Division, DivisionTable, division_table

__all__ = ["Region", "common_ancestor", "resolve_region", "town_at"]

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


def _best_readings(
    table: DivisionTable, text: str, start: int, gaps: str, confirmed_only: bool
) -> list[_Reading]:
    """The best chains of nested division names from ``start``: furthest, deepest, most full names.

    Only confirmed chains count when ``confirmed_only`` (an ambiguous short form such as 朝阳 must be
    followed by a more specific name); when there is none, every chain reaching furthest is returned.
    """
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
        for name, size, full_divisions, short_divisions in steps_at(text[pos : pos + 2], current):
            if not text.startswith(name, pos):
                continue
            end = pos + size
            after = end
            while after < length and text[after] in gaps:
                after += 1
            for division in full_divisions:
                push((after, division, names + 1, fulls + 1, True))
            if short_divisions and short_allowed(text, end):
                for division, ambiguous in short_divisions:
                    # An ambiguous short form is confirmed by a more specific name after it (朝阳 -> 朝阳区).
                    push((after, division, names + 1, fulls, not ambiguous))
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
    chosen = _best_readings(division_table(), text, start, gaps, confirmed_only)
    if not chosen:
        return None
    if len(chosen) == 1:
        end, division, names, fulls = chosen[0]
        return Region(start, end, names, fulls > 0, (division,))
    end, _, names, fulls = max(chosen, key=lambda r: (r[2], r[3]))
    divisions = _distinct(r[1] for r in chosen)
    if len(divisions) > 1 and settle:
        divisions = _settle_by_town(divisions, text, end)
    return Region(start, end, names, fulls > 0, divisions)


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
