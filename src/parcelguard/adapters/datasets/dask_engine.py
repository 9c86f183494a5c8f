"""The Dask engine: the same per-partition functions as the local engine, run on a Dask cluster.

Partitions: CSV and JSONL files are cut into byte ranges at line breaks (``dask.bytes.read_bytes``), each
read by the worker that transforms it; Parquet files are cut by row group. Partitions are parsed by the
same functions as locally (``formats``), not by ``dask.dataframe``, so cells have the same types on both
engines (pandas would turn phone numbers into floats and empty cells into NaN) and both write identical
files.

CSV and line breaks inside quoted cells: a cut can fall inside such a cell. That is detected (the cell's
quote is left open, which the strict parser refuses) and reported as ``invalid_dataset``, never guessed
at: use JSONL or Parquet, or the local engine, for such files.

k-anonymity needs the whole dataset: ``count`` runs first over every partition and the summed counts come
back to this process, where the recoding is planned; ``transform`` then ships the planned transformation
once to every worker (``scatter``), and each worker writes its partition to a part file beside the output.
The parts are joined here, in input order, into the one output file. Workers therefore need the input and
the output directory on a shared file system (trivially true for a local cluster).

The keys of the keyed operators travel to the workers inside the transformation: run clusters only on
trusted machines, with TLS between them.
"""

from __future__ import annotations

import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from parcelguard import errors
from parcelguard.adapters.datasets._optional import optional_module
from parcelguard.adapters.datasets.formats import (
    TableWriter,
    csv_block_table,
    jsonl_block_table,
    parquet_row_group_table,
    parquet_row_groups,
    read_columns,
)
from parcelguard.adapters.datasets.local import source_schema
from parcelguard.domain.anonymize import PartitionStats, QiKey, Table
from parcelguard.errors import ErrorCode, ParcelGuardError
from parcelguard.services.ports import DatasetRef, EngineRun

__all__ = ["DEFAULT_BLOCKSIZE", "DaskEngine"]

DEFAULT_BLOCKSIZE = 16 * 1024 * 1024
_SUFFIX = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


@dataclass(frozen=True, slots=True)
class _Failure:
    """A coded error raised on a worker, carried back as data (exceptions lose their code in pickling)."""

    kind: str
    code: str
    message: str
    field: str | None

    def raise_(self) -> None:
        cls = getattr(errors, self.kind, errors.ParcelGuardError)
        if not (isinstance(cls, type) and issubclass(cls, ParcelGuardError)):
            cls = ParcelGuardError
        raise cls(self.message, code=ErrorCode(self.code), field=self.field)


def _guarded(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ParcelGuardError as error:
        return _Failure(type(error).__name__, error.code.value, error.message, error.field)


def _read_partition(
    fmt: str, part: Any, columns: Sequence[str], first: bool, encoding: str = "utf-8-sig"
) -> Table:
    if fmt == "csv":
        return csv_block_table(part, columns, has_header=first, encoding=encoding)
    if fmt == "jsonl":
        return jsonl_block_table(part, columns, encoding=encoding)
    path, index = part
    return parquet_row_group_table(path, index, columns)


def _count_task(
    fn: Callable[[Table], Counter[QiKey]],
    fmt: str,
    part: Any,
    columns: Sequence[str],
    first: bool,
    encoding: str = "utf-8-sig",
) -> Any:
    return _guarded(lambda: fn(_read_partition(fmt, part, columns, first, encoding)))


def _transform_task(
    fn: Callable[[Table], tuple[Table, PartitionStats]],
    fmt: str,
    part: Any,
    columns: Sequence[str],
    first: bool,
    out: DatasetRef,
    out_columns: Sequence[str],
    passthrough: Sequence[str],
    schema: Any,
    encoding: str = "utf-8-sig",
) -> Any:
    def run() -> PartitionStats:
        table, stats = fn(_read_partition(fmt, part, columns, first, encoding))
        writer = TableWriter(out, out_columns, passthrough=passthrough, source_schema=schema, header=False)
        try:
            writer.write(table)
        except BaseException:
            writer.abort()
            raise
        writer.commit()
        return stats

    return _guarded(run)


def _result(value: Any) -> Any:
    if isinstance(value, _Failure):
        value.raise_()
    return value


class DaskEngine:
    """Runs on the cluster at ``address``, on a given ``client``, or on a LocalCluster it starts itself."""

    name = "dask"

    def __init__(
        self,
        *,
        address: str | None = None,
        client: Any = None,
        workers: int = 2,
        threads_per_worker: int = 1,
        blocksize: int = DEFAULT_BLOCKSIZE,
    ) -> None:
        self._address = address
        self._client = client
        self._owned: list[Any] = []
        self._workers = workers
        self._threads = threads_per_worker
        self._blocksize = blocksize

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Shut down what this engine started (never a cluster or client it was handed)."""
        while self._owned:
            self._owned.pop().close()

    def _get_client(self) -> Any:
        if self._client is None:
            distributed = optional_module("distributed", "the Dask engine")
            if self._address is None:
                cluster = distributed.LocalCluster(
                    n_workers=self._workers,
                    threads_per_worker=self._threads,
                    dashboard_address=None,
                )
                self._owned.append(cluster)
                self._client = distributed.Client(cluster)
            else:
                self._client = distributed.Client(self._address)
            self._owned.insert(0, self._client)
        return self._client

    def columns(self, source: DatasetRef) -> list[str]:
        return read_columns(source)

    def _partitions(self, source: DatasetRef) -> list[Any]:
        """One entry per partition: a delayed byte block, or (path, row group) for Parquet."""
        if source.format == "parquet":
            return [(source.path, i) for i in range(parquet_row_groups(source.path))]
        dask_bytes = optional_module("dask.bytes", "the Dask engine")
        _, blocks = dask_bytes.read_bytes(
            source.path, delimiter=b"\n", blocksize=self._blocksize, sample=False
        )
        return list(blocks[0]) if blocks else []

    def count(self, source: DatasetRef, fn: Callable[[Table], Counter[QiKey]]) -> Counter[QiKey]:
        client = self._get_client()
        dask = optional_module("dask", "the Dask engine")
        columns = self.columns(source)
        shared = client.scatter(fn, broadcast=True, hash=False)
        tasks = [
            dask.delayed(_count_task, pure=False)(
                shared, source.format, part, columns, i == 0, source.encoding
            )
            for i, part in enumerate(self._partitions(source))
        ]
        total: Counter[QiKey] = Counter()
        distributed = optional_module("distributed", "the Dask engine")
        for future in distributed.as_completed(client.compute(tasks)):
            total.update(_result(future.result()))
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
        client = self._get_client()
        dask = optional_module("dask", "the Dask engine")
        in_columns = self.columns(source)
        schema = source_schema(source)
        target = Path(dest.path)
        parts_dir = target.with_name(f".{target.name}.parts-{secrets.token_hex(6)}")
        parts_dir.mkdir(parents=True)
        try:
            shared = client.scatter(fn, broadcast=True, hash=False)
            parts = self._partitions(source)
            outs = [
                DatasetRef(str(parts_dir / f"part-{i:05d}{_SUFFIX[dest.format]}"), dest.format)
                for i in range(len(parts))
            ]
            tasks = [
                dask.delayed(_transform_task, pure=False)(
                    shared,
                    source.format,
                    part,
                    in_columns,
                    i == 0,
                    out,
                    columns,
                    passthrough,
                    schema,
                    source.encoding,
                )
                for i, (part, out) in enumerate(zip(parts, outs, strict=True))
            ]
            results = client.gather(client.compute(tasks))
            stats = PartitionStats()
            for result in results:
                stats += _result(result)
            writer = TableWriter(dest, columns, passthrough=passthrough, source_schema=schema)
            try:
                for out in outs:
                    writer.write_raw(Path(out.path))
            except BaseException:
                writer.abort()
                raise
            writer.commit()
        finally:
            shutil.rmtree(parts_dir, ignore_errors=True)
        return EngineRun(stats=stats, partitions=len(outs))
