"""Spans looked up by overlap in logarithmic time, for combining findings in long texts.

Why: the combination steps asked, for each finding, which of the others it overlaps by scanning them all;
a 20,000-character text holding 7,000 names (a list, a chat log, a crafted request) then cost tens of
millions of comparisons, several CPU-seconds a text, quadratic in its length. Here spans are kept sorted by
start; a query looks only at spans that start before its end and no further back than the longest span
reaches, so the cost is a bisection plus the spans near the query.
"""

from __future__ import annotations

from bisect import bisect_left, insort

__all__ = ["SpanIndex"]


class SpanIndex:
    """Spans ``[start, end)`` under integer keys (a position in the caller's list); spans may overlap.

    ``overlapping(start, end)`` gives the keys of the spans sharing a character with ``[start, end)`` in
    ascending key order; ``add`` and ``move`` (a span that grew or changed) keep the index current.
    """

    __slots__ = ("_ends", "_entries", "_reach", "_starts")

    def __init__(self, spans: list[tuple[int, int]] | None = None) -> None:
        self._entries: list[tuple[int, int]] = []  # (start, key), sorted
        self._starts: dict[int, int] = {}
        self._ends: dict[int, int] = {}
        self._reach = 0  # the longest span's length
        for key, (start, end) in enumerate(spans or ()):
            self.add(key, start, end)

    def add(self, key: int, start: int, end: int) -> None:
        insort(self._entries, (start, key))
        self._starts[key] = start
        self._ends[key] = end
        self._reach = max(self._reach, end - start)

    def move(self, key: int, start: int, end: int) -> None:
        """Give the span under ``key`` new bounds."""
        old = (self._starts[key], key)
        del self._entries[bisect_left(self._entries, old)]
        self.add(key, start, end)

    def overlapping(self, start: int, end: int) -> list[int]:
        entries = self._entries
        keys: list[int] = []
        i = bisect_left(entries, (end, -1)) - 1
        floor = start - self._reach
        while i >= 0 and entries[i][0] >= floor:
            key = entries[i][1]
            if self._ends[key] > start:
                keys.append(key)
            i -= 1
        keys.sort()
        return keys

    def any_overlapping(self, start: int, end: int) -> bool:
        return bool(self.overlapping(start, end))
