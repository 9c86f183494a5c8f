"""The change report of a dataset job: what was done to each column and how many values it touched.

Counts only, never values: the report goes to the analyst with the data and to the audit trail (PIPL
Art. 55-56 processing records), so it must be safe to keep and share. Partition statistics are merged
with ``+=`` in any order, which is what lets a cluster compute them in parallel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from parcelguard.domain.anonymize.kanon import Recoding
from parcelguard.domain.anonymize.policy import ColumnAction, ColumnRule

__all__ = ["ChangeReport", "ColumnStats", "PartitionStats"]


@dataclass(slots=True)
class ColumnStats:
    """``values``: non-empty cells; ``changed``: cells whose output differs; ``unparsed``: cells that did
    not look like the declared type (handled by the stricter fallback); ``entities``: free-text findings."""

    values: int = 0
    changed: int = 0
    unparsed: int = 0
    entities: Counter[str] = field(default_factory=Counter)

    def __iadd__(self, other: ColumnStats) -> ColumnStats:
        self.values += other.values
        self.changed += other.changed
        self.unparsed += other.unparsed
        self.entities.update(other.entities)
        return self


@dataclass(slots=True)
class PartitionStats:
    rows_in: int = 0
    rows_out: int = 0
    rows_suppressed: int = 0
    columns: dict[str, ColumnStats] = field(default_factory=dict)

    def column(self, name: str) -> ColumnStats:
        stats = self.columns.get(name)
        if stats is None:
            stats = self.columns[name] = ColumnStats()
        return stats

    def __iadd__(self, other: PartitionStats) -> PartitionStats:
        self.rows_in += other.rows_in
        self.rows_out += other.rows_out
        self.rows_suppressed += other.rows_suppressed
        for name, stats in other.columns.items():
            self.column(name).__iadd__(stats)
        return self


@dataclass(frozen=True, slots=True)
class ChangeReport:
    """Everything a dataset job changed, by column, plus the k-anonymity outcome when a k was asked."""

    rules: tuple[ColumnRule, ...]
    stats: PartitionStats
    recoding: Recoding | None
    engine: str
    partitions: int
    seconds: float
    source_format: str
    output_format: str
    job: str = ""

    @property
    def dropped_columns(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rules if r.action is ColumnAction.DROP)

    def as_dict(self) -> dict[str, object]:
        columns: dict[str, object] = {}
        for rule in self.rules:
            entry: dict[str, object] = {"action": rule.action.value}
            if rule.entity_type is not None:
                entry["type"] = rule.entity_type.value
            if rule.operator is not None:
                entry["operator"] = rule.operator.value
            if rule.hierarchy is not None:
                entry["hierarchy"] = rule.hierarchy
            if rule.text is not None:
                entry["operators"] = rule.text.as_dict()
            stats = self.stats.columns.get(rule.name)
            if stats is not None and rule.action is not ColumnAction.DROP:
                entry.update(values=stats.values, changed=stats.changed, unparsed=stats.unparsed)
                if rule.action is ColumnAction.FREE_TEXT:
                    entry["entities"] = dict(sorted(stats.entities.items()))
            columns[rule.name] = entry
        return {
            "job": self.job,
            "rows_in": self.stats.rows_in,
            "rows_out": self.stats.rows_out,
            "rows_suppressed": self.stats.rows_suppressed,
            "columns": columns,
            "dropped_columns": list(self.dropped_columns),
            "k_anonymity": self.recoding.as_dict() if self.recoding is not None else None,
            "engine": self.engine,
            "partitions": self.partitions,
            "seconds": round(self.seconds, 3),
            "source_format": self.source_format,
            "output_format": self.output_format,
        }
