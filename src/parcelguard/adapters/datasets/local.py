"""The local engine: partitions streamed through this process, one in memory at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from parcelguard.adapters.datasets._optional import optional_module
from parcelguard.adapters.datasets.formats import TableWriter, iter_tables, read_columns
from parcelguard.domain.anonymize import PartitionStats, QiKey, Table
from parcelguard.services.ports import DatasetRef, EngineRun

__all__ = ["DEFAULT_PARTITION_ROWS", "LocalEngine"]

DEFAULT_PARTITION_ROWS = 20_000


class LocalEngine:
    """Reads, transforms and writes partition by partition; memory stays at one partition."""

    name = "local"

    def __init__(self, partition_rows: int = DEFAULT_PARTITION_ROWS) -> None:
        if partition_rows < 1:
            raise ValueError("a partition holds at least one row")
        self._rows = partition_rows

    def close(self) -> None:
        """Nothing to release; here so callers can close any engine alike."""

    def columns(self, source: DatasetRef) -> list[str]:
        return read_columns(source)

    def count(self, source: DatasetRef, fn: Callable[[Table], Counter[QiKey]]) -> Counter[QiKey]:
        total: Counter[QiKey] = Counter()
        for table in iter_tables(source, self.columns(source), self._rows):
            total.update(fn(table))
        return total

    def transform(
        self,
        source: DatasetRef,
        dest: DatasetRef,
        columns: Sequence[str],
        fn: Callable[[Table], tuple[Table, PartitionStats]],
        *,
        passthrough: Sequence[str] = (),
    ) -> EngineRun:
        writer = TableWriter(dest, columns, passthrough=passthrough, source_schema=source_schema(source))
        stats = PartitionStats()
        partitions = 0
        try:
            for table in iter_tables(source, self.columns(source), self._rows):
                out, partition_stats = fn(table)
                writer.write(out)
                stats += partition_stats
                partitions += 1
        except BaseException:
            writer.abort()
            raise
        writer.commit()
        return EngineRun(stats=stats, partitions=partitions)


def source_schema(source: DatasetRef) -> object:
    """The Arrow schema of a Parquet source (so kept columns keep their types), else None."""
    if source.format != "parquet":
        return None
    pq = optional_module("pyarrow.parquet", "reading Parquet")
    return pq.ParquetFile(source.path).schema_arrow
