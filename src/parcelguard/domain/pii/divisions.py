"""China's administrative divisions (province, prefecture, county), shipped inside the package.

Addresses are parsed, generated and detected against this one table, so the three always agree on what
a place is called. It is loaded once per process (about 3,400 rows) and indexed for prefix matching: the
address parser and the free-text detector both ask "which divisions start at this position?".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

__all__ = [
    "MUNICIPALITY_PROVINCES",
    "Division",
    "DivisionMatch",
    "DivisionTable",
    "Level",
    "division_table",
    "short_name_of",
]

Level = Literal["province", "prefecture", "county"]

_DEPTH: dict[Level, int] = {"province": 1, "prefecture": 2, "county": 3}
# Provinces without prefectures of their own: the four municipalities and the two SARs.
MUNICIPALITY_PROVINCES = frozenset({"11", "12", "31", "50", "81", "82"})
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
# Characters that turn a place name into a street or village name (朝阳路, 长安街, 南山村).
_STREET_CHARS = frozenset("路街道巷弄里村镇乡号胡桥")
_NATIONS = tuple(
    sorted(
        """
        汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 东乡 纳西
        景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂
        保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 高山
        """.split(),
        key=len,
        reverse=True,
    )
)
# Ethnic names that appear in division names without 族 (博尔塔拉蒙古自治州, 新疆维吾尔自治区).
_NATIONS_WITHOUT_ZU = ("柯尔克孜", "维吾尔", "哈萨克", "蒙古")
_ALIASES = {"内蒙": "150000"}


@dataclass(frozen=True, slots=True)
class Division:
    """One row of the table; ``parent_code`` skips levels that do not exist (省直辖县 -> province)."""

    code: str
    name: str
    level: Level
    short_name: str | None
    parent_code: str | None

    @property
    def depth(self) -> int:
        """1 for provinces, 2 for prefectures, 3 for counties."""
        return _DEPTH[self.level]

    @property
    def province_code(self) -> str:
        """The 6-digit code of the province this division belongs to."""
        return self.code[:2] + "0000"


@dataclass(frozen=True, slots=True)
class DivisionMatch:
    """A division name found at ``text[start:end]``.

    ``is_short`` marks short forms (深圳 for 深圳市); ``ambiguous`` marks short forms that name several
    unrelated places in the given context (朝阳: a city in Liaoning, districts in Beijing and Changchun).
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


def _level_of(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _within(division: Division, ancestor: Division) -> bool:
    return division.depth > ancestor.depth and division.code.startswith(ancestor.code[: 2 * ancestor.depth])


def _one_lineage(divisions: list[Division]) -> bool:
    """True when every division lies inside the shallowest one (北京: the municipality and its city)."""
    top = min(divisions, key=lambda d: d.depth)
    return all(d is top or _within(d, top) for d in divisions)


class DivisionTable:
    """Lookups by code, by name and by prefix over the division table."""

    def __init__(self, rows: Iterable[tuple[str, str]]) -> None:
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
        self._index: dict[str, list[tuple[Division, bool]]] = {}
        for division in self._by_code.values():
            self._index.setdefault(division.name, []).append((division, False))
            if division.short_name:
                self._index.setdefault(division.short_name, []).append((division, True))
        for alias, code in _ALIASES.items():
            if code in self._by_code:
                self._index.setdefault(alias, []).append((self._by_code[code], True))
        lengths: dict[str, set[int]] = {}
        for key in self._index:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {first: tuple(sorted(ls, reverse=True)) for first, ls in lengths.items()}

    @classmethod
    def from_csv(cls, text: str) -> DivisionTable:
        """Build a table from ``adcode,name`` lines (a header line is skipped)."""
        rows = []
        for line in text.splitlines():
            code, _, name = line.strip().partition(",")
            if len(code) == 6 and code.isdigit() and name:
                rows.append((code, name))
        return cls(rows)

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

    def is_within(self, division: Division, ancestor: Division) -> bool:
        """True when ``division`` lies strictly below ``ancestor``."""
        return _within(division, ancestor)

    def by_name(self, name: str) -> tuple[Division, ...]:
        """Divisions whose full name or short form is exactly ``name``."""
        return tuple(division for division, _ in self._index.get(name, ()))

    def find_prefix(self, text: str, start: int = 0, *, within: Division | None = None) -> list[DivisionMatch]:
        """Divisions whose name starts at ``text[start]``, longest first; ``within`` limits to descendants.

        A short form is not offered when the next character makes it another word: a division suffix
        (南山 in 南山市 is not 南山区) or a street word (朝阳路 is a road, not 朝阳区).
        """
        lengths = self._lengths.get(text[start : start + 1])
        if not lengths:
            return []
        matches: list[DivisionMatch] = []
        for length in lengths:
            end = start + length
            entries = self._index.get(text[start:end])
            if not entries:
                continue
            if within is not None:
                entries = [(d, short) for d, short in entries if _within(d, within)]
            shorts = [d for d, short in entries if short]
            if shorts and not self._short_allowed(text, end):
                entries = [(d, short) for d, short in entries if not short]
                shorts = []
            ambiguous = bool(shorts) and not _one_lineage(shorts)
            for division, short in entries:
                matches.append(DivisionMatch(division, start, end, short, short and ambiguous))
        return matches

    @staticmethod
    def _short_allowed(text: str, end: int) -> bool:
        following = text[end : end + 1]
        if following in SUFFIX_CHARS or following in _STREET_CHARS:
            return False
        return text[end : end + 2] not in ("大道", "大街")

    def leaves(self) -> tuple[Division, ...]:
        """Divisions with nothing below them: counties, and prefectures without counties (东莞市)."""
        return tuple(d for d in self._by_code.values() if d.level != "province" and d.code not in self._children)


@cache
def division_table() -> DivisionTable:
    """The shipped table, read from the package data once per process."""
    text = resources.files("parcelguard.domain.pii").joinpath("data/divisions.csv").read_text("utf-8")
    return DivisionTable.from_csv(text)
