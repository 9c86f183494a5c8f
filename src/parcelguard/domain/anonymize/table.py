"""The per-partition transformation of a dataset: the same code on one machine and on every Dask worker.

A partition is a column-oriented table (column name -> list of cells). Two passes use it:

1. :meth:`TableTransformer.qi_counts` -- the quasi-identifier ladders of every row, counted; partitions'
   counts are summed into the global view k-anonymity planning needs;
2. :meth:`TableTransformer.transform` -- every column through its rule, the chosen recoding applied to the
   quasi-identifiers, rows of too-small classes suppressed, and statistics for the change report.

Cells are whatever the reader produced (strings from CSV, JSON scalars, Parquet types). Empty cells (None,
"", NaN) stay empty: there is nothing in them to protect, and analysts need to see what was missing.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from parcelguard.domain.anonymize.hierarchy import HIERARCHIES, Hierarchy
from parcelguard.domain.anonymize.kanon import QiKey, Recoding, project
from parcelguard.domain.anonymize.operators import ValueOperators
from parcelguard.domain.anonymize.policy import ColumnAction, ColumnRule
from parcelguard.domain.anonymize.report import PartitionStats
from parcelguard.domain.anonymize.text import apply_text_policy
from parcelguard.domain.deid.entity import Entity

__all__ = ["BatchTextDetector", "Table", "TableTransformer", "TextDetector", "cell_text", "is_empty"]

Table = dict[str, list[object]]
TextDetector = Callable[[str], Sequence[Entity]]


@runtime_checkable
class BatchTextDetector(Protocol):
    """A text detector that also reads a whole column at once in a given mode (``accurate``: the sequence
    model batches the texts; ``fast``: rules only). Free-text columns use it when the detector offers it."""

    def __call__(self, text: str) -> Sequence[Entity]: ...
    def many(self, texts: Sequence[str], mode: str | None) -> Sequence[Sequence[Entity]]: ...


def is_empty(cell: object) -> bool:
    return cell is None or cell == "" or (isinstance(cell, float) and math.isnan(cell))


def cell_text(cell: object) -> str:
    """A cell as text: integral floats (a phone number read as a float) lose their ``.0``."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def row_count(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0


class TableTransformer:
    """Applies resolved column rules (and optionally a k-anonymity recoding) to partitions."""

    def __init__(
        self,
        rules: Sequence[ColumnRule],
        operators: ValueOperators,
        detect: TextDetector | None = None,
        recoding: Recoding | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.operators = operators
        self.detect = detect
        self.recoding = recoding
        self.qi_rules = tuple(r for r in self.rules if r.action is ColumnAction.QUASI_IDENTIFIER)
        if recoding is not None and recoding.names != tuple(r.name for r in self.qi_rules):
            raise ValueError("the recoding was planned for other quasi-identifiers")
        if detect is None and any(r.action is ColumnAction.FREE_TEXT for r in self.rules):
            raise ValueError("free-text columns need a detector")

    def with_recoding(self, recoding: Recoding) -> TableTransformer:
        return TableTransformer(self.rules, self.operators, self.detect, recoding)

    @property
    def output_columns(self) -> list[str]:
        return [r.name for r in self.rules if r.action is not ColumnAction.DROP]

    def qi_rungs(self) -> list[tuple[str, ...]]:
        """Rung names of each quasi-identifier, from its starting rung up to ``*``."""
        return [self._hierarchy(rule).rungs[rule.start_level :] for rule in self.qi_rules]

    @staticmethod
    def _hierarchy(rule: ColumnRule) -> Hierarchy:
        return HIERARCHIES[rule.hierarchy or "categorical"]

    def _keys(self, table: Table) -> tuple[list[QiKey], list[int]]:
        """Every row's ladders, and how many cells of each quasi-identifier could not be read."""
        columns = []
        unreadable = []
        for rule in self.qi_rules:
            hierarchy, start = self._hierarchy(rule), rule.start_level
            # Ages, dates and places repeat a lot. Keyed by type too: 1, 1.0 and True are equal keys.
            seen: dict[tuple[type, object], tuple[tuple[str, ...], bool]] = {}
            ladders = []
            for cell in table[rule.name]:
                key = (type(cell), cell)
                try:
                    ladder = seen.get(key)
                except TypeError:  # an unhashable cell (a JSON list): computed every time
                    ladder = None
                if ladder is None:
                    ladder = hierarchy.ladder(cell, start)
                    with contextlib.suppress(TypeError):
                        seen[key] = ladder
                ladders.append(ladder)
            columns.append([rungs for rungs, _ in ladders])
            unreadable.append(sum(not parsed for _, parsed in ladders))
        n = row_count(table)
        keys = [tuple(column[i] for column in columns) for i in range(n)]
        return keys, unreadable

    def qi_counts(self, table: Table) -> Counter[QiKey]:
        """Rows per distinct quasi-identifier ladder in this partition (summed across partitions)."""
        keys, _ = self._keys(table)
        return Counter(keys)

    def transform(self, table: Table) -> tuple[Table, PartitionStats]:
        n = row_count(table)
        stats = PartitionStats(rows_in=n)
        keep = [True] * n
        qi_values: dict[str, list[object]] = {}
        if self.qi_rules:
            keys, unreadable = self._keys(table)
            levels = self.recoding.levels if self.recoding is not None else (0,) * len(self.qi_rules)
            suppressed = self.recoding.suppressed if self.recoding is not None else frozenset()
            classes = [project(key, levels) for key in keys]
            keep = [cls not in suppressed for cls in classes]
            for index, rule in enumerate(self.qi_rules):
                source = table[rule.name]
                values: list[object] = [
                    None if is_empty(c) else cls[index] for c, cls in zip(source, classes, strict=True)
                ]
                qi_values[rule.name] = values
                column = stats.column(rule.name)
                column.unparsed += unreadable[index]
                for before, after in zip(source, values, strict=True):
                    if not is_empty(before):
                        column.values += 1
                        column.changed += cell_text(before) != after
        out: Table = {}
        for rule in self.rules:
            if rule.action is ColumnAction.DROP:
                continue
            if rule.action is ColumnAction.QUASI_IDENTIFIER:
                values = qi_values[rule.name]
            elif rule.action is ColumnAction.KEEP:
                values = table[rule.name]
            elif rule.action is ColumnAction.FREE_TEXT:
                values = self._free_text(table[rule.name], rule, stats)
            else:
                values = self._values(table[rule.name], rule, stats)
            out[rule.name] = [v for v, kept in zip(values, keep, strict=True) if kept]
        stats.rows_out = sum(keep)
        stats.rows_suppressed = n - stats.rows_out
        return out, stats

    def _values(self, cells: list[object], rule: ColumnRule, stats: PartitionStats) -> list[object]:
        if rule.entity_type is None or rule.operator is None:
            raise ValueError("a value rule has a type and an operator")
        column = stats.column(rule.name)
        seen: dict[str, tuple[str, bool]] = {}  # repeated values (the same customer) are transformed once
        out: list[object] = []
        for cell in cells:
            if is_empty(cell):
                out.append(cell)
                continue
            text = cell_text(cell)
            result = seen.get(text)
            if result is None:
                result = seen[text] = self.operators.apply(rule.operator, rule.entity_type, text)
            value, parsed = result
            column.values += 1
            column.changed += value != text
            column.unparsed += not parsed
            out.append(value)
        return out

    def _free_text(self, cells: list[object], rule: ColumnRule, stats: PartitionStats) -> list[object]:
        if self.detect is None or rule.text is None:
            raise ValueError("a free-text rule needs a detector and a text policy")
        column = stats.column(rule.name)
        out: list[object] = []
        texts = [cell_text(cell) for cell in cells if not is_empty(cell)]
        if isinstance(self.detect, BatchTextDetector):
            found = iter(self.detect.many(texts, rule.mode.value))
        else:
            detect = self.detect
            found = (detect(text) for text in texts)
        for cell in cells:
            if is_empty(cell):
                out.append(cell)
                continue
            text = cell_text(cell)
            redacted = apply_text_policy(text, next(found), rule.text, self.operators)
            column.values += 1
            column.changed += redacted.text != text
            column.unparsed += sum(not r.parsed for r in redacted.replacements)
            column.entities.update(r.entity.type.value for r in redacted.replacements)
            out.append(redacted.text)
        return out
