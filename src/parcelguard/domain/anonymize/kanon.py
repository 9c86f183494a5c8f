"""k-anonymity: measure it, and reach a target k by generalisation and (bounded) suppression.

The method is hierarchy-based full-domain generalisation, chosen because it needs only one global view
of the data: the count of every distinct quasi-identifier *ladder* (see ``hierarchy``). Those counts are
computed once (partition by partition, then summed, on one machine or a cluster); every candidate
generalisation is then evaluated on the counts alone, and the chosen recoding is applied partition by
partition. No row is read twice for planning.

Search: greedy, like Datafly, but choosing at each step the column whose next rung leaves the fewest rows
in classes smaller than k (ties: the smallest loss of precision), until those rows fit the suppression
budget; then each column is lowered again while the budget still holds, undoing the greedy overshoot.
Rows still in small classes are suppressed (removed) and reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parcelguard.errors import ErrorCode, ValidationError

__all__ = ["KeyCounts", "QiKey", "Recoding", "measure_k", "plan_recoding", "project"]

QiKey = tuple[tuple[str, ...], ...]
"""One row's quasi-identifiers: for each, its ladder from the starting rung to ``*``."""
KeyCounts = Mapping[QiKey, int]


def project(key: QiKey, levels: Sequence[int]) -> tuple[str, ...]:
    """The row's equivalence class at ``levels`` (one rung offset per quasi-identifier)."""
    return tuple(ladder[level] for ladder, level in zip(key, levels, strict=True))


def class_sizes(counts: KeyCounts, levels: Sequence[int]) -> Counter[tuple[str, ...]]:
    """Rows per equivalence class at ``levels``."""
    sizes: Counter[tuple[str, ...]] = Counter()
    for key, count in counts.items():
        sizes[project(key, levels)] += count
    return sizes


def measure_k(counts: KeyCounts, levels: Sequence[int] | None = None) -> int:
    """The k the data has at ``levels`` (default: the starting rungs): its smallest class; 0 when empty."""
    if not counts:
        return 0
    width = len(next(iter(counts)))
    sizes = class_sizes(counts, levels if levels is not None else (0,) * width)
    return min(sizes.values())


class _ClassSizes:
    """:func:`class_sizes` for many level vectors over the same counts: each column's values at each
    rung are extracted once, so a candidate costs one pass of tuple building and counting."""

    def __init__(self, counts: KeyCounts) -> None:
        self._keys = list(counts)
        self._weights = [counts[key] for key in self._keys]
        self._columns: dict[tuple[int, int], list[str]] = {}

    def _column(self, index: int, level: int) -> list[str]:
        column = self._columns.get((index, level))
        if column is None:
            column = self._columns[(index, level)] = [key[index][level] for key in self._keys]
        return column

    def __call__(self, levels: Sequence[int]) -> dict[tuple[str, ...], int]:
        if not levels:
            return {(): sum(self._weights)} if self._weights else {}
        columns = [self._column(i, level) for i, level in enumerate(levels)]
        sizes: dict[tuple[str, ...], int] = {}
        get = sizes.get
        for cls, weight in zip(zip(*columns, strict=True), self._weights, strict=True):
            sizes[cls] = get(cls, 0) + weight
        return sizes


@dataclass(frozen=True, slots=True)
class Recoding:
    """The chosen generalisation: a rung per quasi-identifier, and the classes whose rows are removed."""

    names: tuple[str, ...]
    levels: tuple[int, ...]
    rung_names: tuple[str, ...]
    suppressed: frozenset[tuple[str, ...]]
    k_target: int
    k_before: int
    k_achieved: int
    classes: int
    rows: int
    rows_suppressed: int

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.k_target,
            "before": self.k_before,
            "achieved": self.k_achieved,
            "classes": self.classes,
            "rows_suppressed": self.rows_suppressed,
            "levels": dict(zip(self.names, self.rung_names, strict=True)),
        }


def plan_recoding(
    counts: KeyCounts,
    *,
    names: Sequence[str],
    rungs: Sequence[Sequence[str]],
    k: int,
    max_suppression: float,
) -> Recoding:
    """Rungs per quasi-identifier reaching ``k`` with at most ``max_suppression`` of the rows removed.

    ``rungs[i]`` names the rungs of quasi-identifier ``i`` from its starting rung up to ``*``.
    """
    total = sum(counts.values())
    if 0 < total < k:
        raise ValidationError(
            f"the dataset has {total} rows, fewer than k={k}: no generalisation can reach k",
            code=ErrorCode.K_ANONYMITY_UNREACHABLE,
            field="k",
        )
    budget = int(max_suppression * total)
    tops = [len(r) - 1 for r in rungs]
    levels = [0] * len(names)
    k_before = measure_k(counts, levels) if counts else 0
    sizes_at = _ClassSizes(counts)

    def cost(candidate: Sequence[int]) -> tuple[int, float]:
        sizes = sizes_at(candidate)
        small = sum(size for size in sizes.values() if size < k)
        loss = sum(level / top for level, top in zip(candidate, tops, strict=True) if top)
        return small, loss

    small, _ = cost(levels)
    while small > budget:
        options = []
        for i in range(len(levels)):
            if levels[i] < tops[i]:
                raised = levels.copy()
                raised[i] += 1
                options.append((cost(raised), i))
        if not options:
            break  # every column at '*': one class of all rows, which is >= k (checked above)
        (small, _), best = min(options)
        levels[best] += 1
    lowered = True
    while lowered:  # undo greedy overshoot: lower any column the budget still allows
        lowered = False
        for i in range(len(levels)):
            if levels[i] > 0:
                trial = levels.copy()
                trial[i] -= 1
                if cost(trial)[0] <= budget:
                    levels, lowered = trial, True
    sizes = sizes_at(levels)
    suppressed = frozenset(cls for cls, size in sizes.items() if size < k)
    kept = [size for size in sizes.values() if size >= k]
    return Recoding(
        names=tuple(names),
        levels=tuple(levels),
        rung_names=tuple(r[level] for r, level in zip(rungs, levels, strict=True)),
        suppressed=suppressed,
        k_target=k,
        k_before=k_before,
        k_achieved=min(kept) if kept else 0,
        classes=len(kept),
        rows=total,
        rows_suppressed=sum(sizes[cls] for cls in suppressed),
    )
