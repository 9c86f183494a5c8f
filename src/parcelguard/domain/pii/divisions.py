"""China's administrative divisions (province, prefecture, county), shipped inside the package.

Addresses are parsed, generated and detected against this one table, so the three always agree on what
a place is called. It is loaded once per process (about 3,400 rows) and indexed for prefix matching: the
address parser and the free-text detector both ask "which divisions start at this position?" (through
:func:`.region.resolve_region`, the one resolver). Besides official names and short forms, the index knows
everyday abbreviations (呼市), former names of renamed divisions (祁阳县, from ``data/renames.csv``) and the
folded spelling of names that folding changes (乾县 folds to 干县).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from parcelguard.domain.pii._lexicon import NATIONS
from parcelguard.domain.pii.address_grammar import STREET_CHARS
from parcelguard.domain.pii.fold import fold

__all__ = [
    "MUNICIPALITIES",
    "SPECIAL_ADMINISTRATIVE_REGIONS",
    "Division",
    "DivisionMatch",
    "DivisionTable",
    "Level",
    "Step",
    "division_table",
    "short_name_of",
]

Level = Literal["province", "prefecture", "county"]

_DEPTH: dict[Level, int] = {"province": 1, "prefecture": 2, "county": 3}
# Province-level divisions that are cities themselves: their districts are the "county" level.
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
SPECIAL_ADMINISTRATIVE_REGIONS = frozenset({"81", "82"})
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Suffixes a short form drops, longest first so "新区" wins over "区" (浦东新区 -> 浦东).
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "地区",
    "林区",
    "省",
    "市",
    "区",
    "县",
    "盟",
)
# Characters that end a division name: a short form followed by one of them is a different division.
SUFFIX_CHARS = frozenset("省市区县州盟旗")
_NATIONS = tuple(sorted(NATIONS, key=len, reverse=True))
# Ethnic names that appear in division names without 族 (博尔塔拉蒙古自治州, 新疆维吾尔自治区).
_NATIONS_WITHOUT_ZU = ("柯尔克孜", "维吾尔", "哈萨克", "蒙古")
# Everyday names that no rule derives: 内蒙 for 内蒙古, and the "first character + 市" names of cities
# whose short form has three or more characters (呼市 is 呼和浩特, never 呼伦贝尔, which is 呼盟).
_ALIASES = {
    "内蒙": "150000",
    "呼市": "150100",
    "呼盟": "150700",
    "乌市": "650100",
    "哈市": "230100",
    "齐市": "230200",
    "牡市": "231000",
    "佳市": "230800",
    "版纳": "532800",
}
# Prefectures that another prefecture administers although their codes are siblings: the sub-provincial
# 伊犁哈萨克自治州 holds 塔城地区 and 阿勒泰地区 (新疆伊犁哈萨克自治州塔城地区额敏县 is 654221).
_ALSO_WITHIN = {"654000": ("6542", "6543")}
_WITHIN_MEMO_SIZE = 65_536


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the table; ``parent_code`` skips levels that do not exist (省直辖县 -> province)."""

    code: str
    name: str
    level: Level
    short_name: str | None
    parent_code: str | None
    depth: int = field(init=False, repr=False, compare=False)  # 1 province, 2 prefecture, 3 county
    scope: str = field(init=False, repr=False, compare=False)  # code prefix shared by every descendant

    def __post_init__(self) -> None:
        depth = _DEPTH[self.level]
        object.__setattr__(self, "depth", depth)
        object.__setattr__(self, "scope", self.code[: 2 * depth])

    @property
    def province_code(self) -> str:
        """The 6-digit code of the province this division belongs to."""
        return self.code[:2] + "0000"


@dataclass(frozen=True, slots=True)
class DivisionMatch:
    """A division name found at ``text[start:end]``.

    ``is_short`` marks short forms (深圳 for 深圳市); ``ambiguous`` marks a short form that cannot single
    out this division in the given context (朝阳: a city in Liaoning, districts in Beijing and Changchun).
    """

    division: Division
    start: int
    end: int
    is_short: bool
    ambiguous: bool


def _strip_nations(stem: str) -> str:
    changed = True
    while changed:
        changed = False
        for nation in _NATIONS:
            if stem.endswith(nation + "族"):
                stem, changed = stem[: -len(nation) - 1], True
                break
            if nation in _NATIONS_WITHOUT_ZU and stem.endswith(nation) and len(stem) - len(nation) >= 2:
                stem, changed = stem[: -len(nation)], True
                break
    return stem


def short_name_of(name: str) -> str | None:
    """The everyday short form of a division name (广西壮族自治区 -> 广西), never a single character."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                stem = _strip_nations(stem)
            if len(stem) >= 2:
                return stem
    return None


def _suffix_aliases(division: Division) -> tuple[str, ...]:
    """Everyday names of autonomous divisions: 延边州, 酉阳县, 莫力达瓦旗 (short form + kind)."""
    short = division.short_name
    if short is None:
        return ()
    for kind, alias_suffix in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if division.name.endswith(kind):
            return (short + alias_suffix,)
    return ()


def _level_of(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _within(division: Division, ancestor: Division) -> bool:
    if division.depth > ancestor.depth and division.code.startswith(ancestor.scope):
        return True
    extra = _ALSO_WITHIN.get(ancestor.code)
    return extra is not None and division.code.startswith(extra)


def _inside(divisions: tuple[Division, ...], ancestor: Division) -> tuple[Division, ...]:
    depth, scope = ancestor.depth, ancestor.scope
    extra = _ALSO_WITHIN.get(ancestor.code)
    if extra is None:
        return tuple(d for d in divisions if d.depth > depth and d.code.startswith(scope))
    return tuple(
        d for d in divisions if (d.depth > depth and d.code.startswith(scope)) or d.code.startswith(extra)
    )


def _one_lineage(divisions: list[Division]) -> bool:
    """True when the divisions are nested names of one place (北京: the municipality and its city).

    Same-named siblings count as one place (重庆市 has two city-level codes); differently named siblings
    do not (临夏 is both 临夏市 and 临夏县).
    """
    top_depth = min(d.depth for d in divisions)
    tops = [d for d in divisions if d.depth == top_depth]
    names_at_depth: dict[int, set[str]] = {}
    for d in divisions:
        names_at_depth.setdefault(d.depth, set()).add(d.name)
    if any(len(names) > 1 for names in names_at_depth.values()):
        return False
    return all(d.depth == top_depth or any(_within(d, top) for top in tops) for d in divisions)


def _short_ambiguity(shorts: tuple[Division, ...]) -> tuple[bool, ...]:
    """Per division sharing a short form: does the short form alone fail to single it out?

    Nested names of one place are all fine (北京). Otherwise only a unique outermost division that holds
    all the others is (临夏 is surely in 临夏州, but 临夏市 or 临夏县 cannot be told).
    """
    if len(shorts) <= 1 or _one_lineage(list(shorts)):
        return (False,) * len(shorts)
    top_depth = min(d.depth for d in shorts)
    tops = [d for d in shorts if d.depth == top_depth]
    if len(tops) == 1 and all(d is tops[0] or _within(d, tops[0]) for d in shorts):
        return tuple(d is not tops[0] for d in shorts)
    return (True,) * len(shorts)


# Per name: the divisions with that full name, those with that short form, and for each of the latter
# whether the short form is ambiguous for it.
_Entry = tuple[tuple[Division, ...], tuple[Division, ...], tuple[bool, ...]]
Step = tuple[str, int, tuple[Division, ...], tuple[tuple[Division, bool], ...]]
"""A name (key, its length), the divisions it is the full name of, and those it is a short form of with
whether it is ambiguous for each: see :meth:`DivisionTable.steps`."""


class DivisionTable:
    """Lookups by code, by name and by prefix over the division table."""

    def __init__(
        self,
        rows: Iterable[tuple[str, str]],
        former: Iterable[tuple[str, str, str]] = (),
        spelling: Callable[[str], str] | None = None,
    ) -> None:
        """``rows`` are ``(code, name)``; ``former`` are ``(old code, old name, new code)`` of renamed or
        abolished divisions (new code empty when nothing carries the name on). ``spelling`` is the fold
        applied to text before lookups: a name it changes (乾县 folds to 干县) is also found as folded."""
        names = {code: name for code, name in rows if name not in _PLACEHOLDER_NAMES}
        self._by_code: dict[str, Division] = {}
        self._children: dict[str, list[Division]] = {}
        for code in sorted(names):
            level = _level_of(code)
            parent: str | None = None
            if level == "prefecture":
                parent = code[:2] + "0000"
            elif level == "county":
                parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
            if parent is not None and parent not in names:
                parent = None
            division = Division(code, names[code], level, short_name_of(names[code]), parent)
            self._by_code[code] = division
            if parent is not None:
                self._children.setdefault(parent, []).append(division)
        index: dict[str, list[tuple[Division, bool]]] = {}
        for division in self._by_code.values():
            index.setdefault(division.name, []).append((division, False))
            if division.short_name:
                index.setdefault(division.short_name, []).append((division, True))
        for alias, code in _ALIASES.items():
            if code in self._by_code:
                index.setdefault(alias, []).append((self._by_code[code], True))
        for division in self._by_code.values():
            for alias in _suffix_aliases(division):
                if alias not in index:
                    index.setdefault(alias, []).append((division, False))
        self._successors: dict[str, Division] = {}
        for old_code, old_name, new_code in former:
            successor = self._by_code.get(new_code)
            if successor is None:
                continue
            self._successors.setdefault(old_code, successor)
            # A former name reads as the division that carries it on (湖南省祁阳县 -> 祁阳市), unless
            # it is the current name of some other place.
            if old_name not in index or all(d is successor for d, _ in index[old_name]):
                index.setdefault(old_name, []).append((successor, False))
        if spelling is not None:
            for key in list(index):
                folded = spelling(key)
                if folded != key and folded not in index:
                    index[folded] = index[key]
        self._index: dict[str, _Entry] = {}
        for key, entries in index.items():
            shorts = tuple(d for d, short in entries if short)
            fulls = tuple(d for d, short in entries if not short)
            self._index[key] = (fulls, shorts, _short_ambiguity(shorts))
        # Every key has at least two characters, so the first two narrow the lengths worth trying.
        lengths: dict[str, set[int]] = {}
        for key in self._index:
            lengths.setdefault(key[:2], set()).add(len(key))
        self._lengths = {head: tuple(sorted(ls, reverse=True)) for head, ls in lengths.items()}
        self._heads = frozenset(self._lengths)
        self._within: dict[tuple[str, str], _Entry] = {}  # see _entry_within
        self._keys_by_head: dict[str, tuple[str, ...]] = {}
        for key in sorted(self._index, key=len, reverse=True):
            self._keys_by_head[key[:2]] = (*self._keys_by_head.get(key[:2], ()), key)
        self._steps: dict[tuple[str, str], tuple[Step, ...]] = {}  # see steps

    @classmethod
    def from_csv(
        cls, text: str, renames: str = "", spelling: Callable[[str], str] | None = None
    ) -> DivisionTable:
        """Build a table from ``adcode,name`` lines and ``old_code,old_name,last_seen,new_code`` lines
        (header lines are skipped)."""
        rows = []
        for line in text.splitlines():
            code, _, name = line.strip().partition(",")
            if len(code) == 6 and code.isdigit() and name:
                rows.append((code, name))
        former = []
        for line in renames.splitlines():
            fields = line.strip().split(",")
            if len(fields) == 4 and fields[0].isdigit():
                former.append((fields[0], fields[1], fields[3]))
        return cls(rows, former, spelling)

    def heads(self) -> frozenset[str]:
        """The first two characters of every name, short form, alias and former name: where one may start."""
        return self._heads

    def successor(self, code: str) -> Division | None:
        """The division that carries on an abolished or renamed code (431121 祁阳县 -> 431181), or None."""
        return self._successors.get(code)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def by_code(self, code: str) -> Division | None:
        """The division with this 6-digit code, or None."""
        return self._by_code.get(code)

    def parent(self, division: Division) -> Division | None:
        """The next level up that exists, or None for a province."""
        return self._by_code.get(division.parent_code) if division.parent_code else None

    def ancestors(self, division: Division) -> tuple[Division, ...]:
        """Every division above this one, province first."""
        chain: list[Division] = []
        current = self.parent(division)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return tuple(reversed(chain))

    def children(self, code: str) -> tuple[Division, ...]:
        """The divisions directly below ``code``, by code."""
        return tuple(self._children.get(code, ()))

    def has_children(self, division: Division) -> bool:
        """False for counties and for prefectures without counties: nothing more specific can follow."""
        return division.code in self._children

    def is_within(self, division: Division, ancestor: Division) -> bool:
        """True when ``division`` lies strictly below ``ancestor``."""
        return _within(division, ancestor)

    def by_name(self, name: str) -> tuple[Division, ...]:
        """Divisions whose full name or short form is exactly ``name``."""
        entry = self._index.get(name)
        return () if entry is None else entry[0] + entry[1]

    def find_prefix(
        self, text: str, start: int = 0, *, within: Division | None = None
    ) -> list[DivisionMatch]:
        """Divisions whose name starts at ``text[start]``, longest first; ``within`` limits to descendants.

        A short form is not offered when the next character makes it another word: a division suffix
        (南山 in 南山市 is not 南山区) or a street word (朝阳路 is a road, not 朝阳区).
        """
        return [
            DivisionMatch(division, start, end, short, ambiguous)
            for division, end, short, ambiguous in self.candidates(text, start, within)
        ]

    def candidates(
        self, text: str, start: int, within: Division | None = None
    ) -> list[tuple[Division, int, bool, bool]]:
        """:meth:`find_prefix` as plain ``(division, end, is_short, ambiguous)`` tuples, for hot loops."""
        lengths = self._lengths.get(text[start : start + 2])
        if lengths is None:
            return []
        found: list[tuple[Division, int, bool, bool]] = []
        for length in lengths:
            end = start + length
            key = text[start:end]
            entry = self._index.get(key)
            if entry is None:
                continue
            if within is not None:
                entry = self._entry_within(key, entry, within)
            fulls, shorts, ambiguity = entry
            for division in fulls:
                found.append((division, end, False, False))
            if shorts and self.short_allowed(text, end):
                for division, ambiguous in zip(shorts, ambiguity, strict=True):
                    found.append((division, end, True, ambiguous))
        return found

    def steps(self, head: str, within: Division | None) -> tuple[Step, ...]:
        """What :meth:`candidates` may find at a position whose text starts with ``head`` (two characters),
        limited to descendants of ``within``: one :data:`Step` per name with that head and something left
        in it, longest name first (the order ``candidates`` reports them in).

        For hot loops (the region resolver): a name is found where the text starts with it, at
        ``start + length``, its short forms only where :meth:`short_allowed` says so. Memoised per (head,
        ancestor), bounded: the table is immutable and addresses repeat their places.
        """
        memo_key = (head, within.code if within is not None else "")
        found = self._steps.get(memo_key)
        if found is not None:
            return found
        steps: list[Step] = []
        for key in self._keys_by_head.get(head, ()):
            entry = self._index[key]
            if within is not None:
                entry = self._entry_within(key, entry, within)
            fulls, shorts, ambiguity = entry
            if fulls or shorts:
                steps.append((key, len(key), fulls, tuple(zip(shorts, ambiguity, strict=True))))
        found = tuple(steps)
        if len(self._steps) >= _WITHIN_MEMO_SIZE:  # bounded, as _entry_within's memo
            self._steps.clear()
        self._steps[memo_key] = found
        return found

    def _entry_within(self, key: str, entry: _Entry, within: Division) -> _Entry:
        """``entry`` limited to descendants of ``within``, its short forms' ambiguity judged among those;
        memoised per (name, ancestor): the table is immutable and addresses repeat their provinces."""
        memo_key = (key, within.code)
        limited = self._within.get(memo_key)
        if limited is None:
            fulls, shorts, _ = entry
            inside = _inside(shorts, within) if shorts else ()
            limited = (_inside(fulls, within) if fulls else (), inside, _short_ambiguity(inside))
            if len(self._within) >= _WITHIN_MEMO_SIZE:  # bounded: crafted text could pair any name and place
                self._within.clear()
            self._within[memo_key] = limited
        return limited

    def short_allowed(self, text: str, end: int) -> bool:
        """Whether a short form ending at ``text[end]`` may be read as a division: one followed by a suffix
        or a street word is another word, unless a division follows (see :meth:`find_prefix`)."""
        following = text[end : end + 1]
        if following in SUFFIX_CHARS or following in STREET_CHARS or text[end : end + 2] in ("大道", "大街"):
            return text[end : end + 2] in self._lengths  # 济南|市中区, 石家庄|桥西区, 哈尔滨|道里区
        return True

    def leaves(self) -> tuple[Division, ...]:
        """Divisions with nothing below them: counties, and prefectures without counties (东莞市)."""
        return tuple(
            d for d in self._by_code.values() if d.level != "province" and d.code not in self._children
        )


_TABLE_LOCK = threading.Lock()


@cache
def division_table() -> DivisionTable:
    """The shipped table, read from the package data once per process.

    Built under a lock: a web server's first concurrent requests would otherwise each build it (functools'
    cache does not serialise the first calls), which took every worker thread for seconds.
    """
    with _TABLE_LOCK:
        return _load_division_table()


@cache
def _load_division_table() -> DivisionTable:
    data = resources.files("parcelguard.domain.pii").joinpath("data")
    return DivisionTable.from_csv(
        data.joinpath("divisions.csv").read_text("utf-8"),
        data.joinpath("renames.csv").read_text("utf-8"),
        lambda name: fold(name).text,
    )
