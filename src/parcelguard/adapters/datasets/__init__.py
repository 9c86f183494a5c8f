"""Dataset adapters: CSV, JSONL and Parquet readers and writers, and the engines that run jobs on them.

The local engine needs nothing beyond the standard library (plus pyarrow for Parquet); the Dask engine
needs the ``datasets`` extra (``pip install 'parcelguard[datasets]'``).
"""

from __future__ import annotations

from parcelguard.adapters.datasets.dask_engine import DaskEngine
from parcelguard.adapters.datasets.formats import format_of, read_columns
from parcelguard.adapters.datasets.local import LocalEngine
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.ports import DatasetRef

__all__ = [
    "DaskEngine",
    "DatasetRef",
    "LocalEngine",
    "dataset_ref",
    "engine_named",
    "format_of",
    "read_columns",
]


def dataset_ref(path: str, fmt: str | None = None, *, encoding: str = "utf-8-sig") -> DatasetRef:
    """A reference to the dataset at ``path``, its format from ``fmt`` or the file name; ``encoding`` is
    the codec CSV and JSONL text is read with (``gb18030`` for files saved by Chinese Excel)."""
    return DatasetRef(path=str(path), format=format_of(str(path), fmt), encoding=encoding)


def engine_named(
    name: str, *, workers: int = 2, address: str | None = None, partition_rows: int = 20_000
) -> LocalEngine | DaskEngine:
    """``local`` or ``dask`` (a LocalCluster of ``workers`` processes, or the cluster at ``address``)."""
    if name == "local":
        return LocalEngine(partition_rows=partition_rows)
    if name == "dask":
        return DaskEngine(address=address, workers=workers)
    raise ValidationError("engine is one of local, dask", code=ErrorCode.INVALID_REQUEST, field="engine")
