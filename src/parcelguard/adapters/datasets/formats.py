"""Reading and writing CSV, JSONL and Parquet as column-oriented partitions (``Table``).

Both engines use these functions, so a partition read on a Dask worker holds exactly what the local engine
would have read: CSV cells are strings (empty string when empty), JSONL cells are JSON scalars, Parquet
cells are what pyarrow returns. Errors say which line or column is wrong, never what it held.

Output is written to a temporary file beside the destination and moved into place at the end, so a job
that fails never leaves a partial file that looks like a finished one; the destination's folder must exist
and the destination must not be a symbolic link or anything but a regular file (adapters/output_file.py).
CSV and JSONL are read in the reference's encoding: UTF-8 with or without a BOM by default, GB18030 for
files saved by Chinese Excel.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from parcelguard.adapters.datasets._optional import optional_module
from parcelguard.adapters.output_file import check_output_path
from parcelguard.domain.anonymize import Table
from parcelguard.domain.anonymize.table import cell_text
from parcelguard.errors import ErrorCode, ValidationError
from parcelguard.services.ports import DatasetFormat, DatasetRef

__all__ = [
    "TableWriter",
    "csv_block_table",
    "format_of",
    "iter_tables",
    "jsonl_block_table",
    "parquet_row_group_table",
    "parquet_row_groups",
    "read_columns",
]

_SUFFIXES: dict[str, DatasetFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
csv.field_size_limit(16 * 1024 * 1024)  # free-text cells can be long; the default 128 KiB is not enough


def invalid_dataset(message: str, field: str | None = None) -> ValidationError:
    return ValidationError(message, code=ErrorCode.INVALID_DATASET, field=field)


def format_of(path: str, explicit: str | None = None) -> DatasetFormat:
    """The format named explicitly, else the one the file name's suffix says."""
    name = explicit.lower() if explicit else None
    if name is None:
        suffix = Path(path).suffix.lower()
        fmt = _SUFFIXES.get(suffix)
        if fmt is None:
            raise invalid_dataset(
                f"cannot tell the format of a '{suffix or 'suffix-less'}' file: use .csv, .jsonl or .parquet",
                field="format",
            )
        return fmt
    for fmt in ("csv", "jsonl", "parquet"):
        if name == fmt:
            return fmt
    raise invalid_dataset("format is one of csv, jsonl, parquet", field="format")


# -- reading -----------------------------------------------------------------------------------------------


def read_columns(ref: DatasetRef) -> list[str]:
    """Column names: the CSV header, the keys of the first JSONL object, or the Parquet schema."""
    path = Path(ref.path)
    if not path.exists():
        raise invalid_dataset("the input dataset does not exist", field="in")
    if ref.format == "parquet":
        pq = optional_module("pyarrow.parquet", "reading Parquet")
        return list(pq.ParquetFile(path).schema_arrow.names)
    with _open_text(path, ref.encoding) as handle, _decoding(ref.encoding):
        if ref.format == "csv":
            header = next(csv.reader(handle, strict=True), None)
            if header is None:
                raise invalid_dataset("the CSV file is empty (no header line)", field="in")
            return _unique(header)
        for number, line in enumerate(handle, start=1):
            if line.strip():
                return _unique(list(_json_object(line, number)))
    raise invalid_dataset("the JSONL file has no objects", field="in")


def _unique(columns: list[str]) -> list[str]:
    if len(set(columns)) != len(columns):
        raise invalid_dataset("the dataset has two columns with the same name", field="columns")
    if any(not c for c in columns):
        raise invalid_dataset("the dataset has a column without a name", field="columns")
    return columns


def _open_text(path: Path, encoding: str) -> IO[str]:
    try:
        return path.open(encoding=encoding, newline="")
    except LookupError:
        raise invalid_dataset("unknown text encoding", field="encoding") from None
    except OSError:
        raise invalid_dataset("cannot read the input dataset", field="in") from None


@contextlib.contextmanager
def _decoding(encoding: str) -> Iterator[None]:
    """Text that does not decode is a coded error naming the encoding, never a UnicodeDecodeError."""
    try:
        yield
    except UnicodeDecodeError:
        hint = " (files saved by Chinese Excel: --encoding gb18030)" if "utf" in encoding else ""
        raise invalid_dataset(f"the input is not valid {encoding} text{hint}", field="in") from None


def _decode(data: bytes, encoding: str) -> str:
    with _decoding(encoding):
        text = data.decode(encoding)
    return text.removeprefix("\ufeff")


def iter_tables(ref: DatasetRef, columns: Sequence[str], rows: int) -> Iterator[Table]:
    """The dataset as tables of at most ``rows`` rows, streamed (one partition in memory at a time)."""
    if ref.format == "parquet":
        pq = optional_module("pyarrow.parquet", "reading Parquet")
        for batch in pq.ParquetFile(ref.path).iter_batches(batch_size=rows, columns=list(columns)):
            yield {name: list(values) for name, values in batch.to_pydict().items()}
        return
    with _open_text(Path(ref.path), ref.encoding) as handle, _decoding(ref.encoding):
        lines: Iterator[list[object]]
        if ref.format == "csv":
            reader = csv.reader(handle, strict=True)
            next(reader, None)
            lines = _csv_rows(reader, len(columns), first_line=2)
        else:
            lines = _jsonl_rows(handle, columns, first_line=1)
        yield from _chunked(lines, columns, rows)


def _chunked(rows: Iterator[list[object]], columns: Sequence[str], size: int) -> Iterator[Table]:
    batch: list[list[object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield _columnar(batch, columns)
            batch = []
    if batch:
        yield _columnar(batch, columns)


def _columnar(rows: list[list[object]], columns: Sequence[str]) -> Table:
    if not rows:
        return {name: [] for name in columns}
    return {name: list(values) for name, values in zip(columns, zip(*rows, strict=True), strict=True)}


def _csv_rows(reader: Any, width: int, first_line: int) -> Iterator[list[object]]:
    try:
        for offset, row in enumerate(reader):
            if not row:
                continue  # a blank line
            if len(row) != width:
                raise invalid_dataset(
                    f"CSV record {first_line + offset} has {len(row)} fields, the header has {width}",
                    field="in",
                )
            yield row
    except csv.Error:
        raise invalid_dataset("the CSV file is malformed (unbalanced quotes?)", field="in") from None


def _json_object(line: str, number: int) -> dict[str, object]:
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise invalid_dataset(f"JSONL line {number} is not a JSON object", field="in")
    return value


def _jsonl_rows(
    lines: Iterator[str] | IO[str], columns: Sequence[str], first_line: int
) -> Iterator[list[object]]:
    known = set(columns)
    for number, line in enumerate(lines, start=first_line):
        if not line.strip():
            continue
        obj = _json_object(line, number)
        if not known.issuperset(obj):
            # Fail closed: a field the policy never saw must not slip through unexamined.
            raise invalid_dataset(f"JSONL line {number} has a field the first line does not have", field="in")
        yield [obj.get(name) for name in columns]


def csv_block_table(
    data: bytes, columns: Sequence[str], *, has_header: bool, encoding: str = "utf-8-sig"
) -> Table:
    """A block of CSV lines (a Dask byte range) as a table; the first block still holds the header.

    Blocks are cut at newline bytes, which is safe for UTF-8 and GB18030 (no multi-byte character holds
    the byte 0x0A).
    """
    text = _decode(data, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    if has_header:
        next(reader, None)
    return _columnar(list(_csv_rows(reader, len(columns), first_line=1)), columns)


def jsonl_block_table(data: bytes, columns: Sequence[str], *, encoding: str = "utf-8-sig") -> Table:
    """A block of JSON lines (a Dask byte range) as a table."""
    lines = _decode(data, encoding).splitlines()
    return _columnar(list(_jsonl_rows(iter(lines), columns, first_line=1)), columns)


def parquet_row_groups(path: str) -> int:
    pq = optional_module("pyarrow.parquet", "reading Parquet")
    return int(pq.ParquetFile(path).metadata.num_row_groups)


def parquet_row_group_table(path: str, index: int, columns: Sequence[str]) -> Table:
    pq = optional_module("pyarrow.parquet", "reading Parquet")
    data = pq.ParquetFile(path).read_row_group(index, columns=list(columns)).to_pydict()
    return {name: list(values) for name, values in data.items()}


# -- writing -----------------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


class TableWriter:
    """Appends tables to one CSV, JSONL or Parquet file; :meth:`commit` moves it into place.

    ``passthrough`` columns keep their Parquet type (from ``source_schema`` when the source is Parquet,
    else inferred from the first table); every other column is written as strings.
    """

    def __init__(
        self,
        dest: DatasetRef,
        columns: Sequence[str],
        *,
        passthrough: Sequence[str] = (),
        source_schema: Any = None,
        header: bool = True,
    ) -> None:
        self.dest = dest
        self.columns = list(columns)
        self._passthrough = set(passthrough)
        self._source_schema = source_schema
        self._header = header
        self._path = Path(dest.path)
        self._tmp = self._path.with_name(f".{self._path.name}.{secrets.token_hex(6)}.tmp")
        self._text: IO[str] | None = None
        self._csv: Any = None
        self._parquet: Any = None
        self._schema: Any = None
        self.rows = 0
        check_output_path(self._path, field="out")
        try:
            if dest.format != "parquet":
                self._text = self._tmp.open("w", encoding="utf-8", newline="")
        except OSError:
            raise invalid_dataset("cannot write the output dataset", field="out") from None
        if dest.format == "csv":
            self._csv = csv.writer(self._handle())
            if header:
                self._csv.writerow(self.columns)

    def write(self, table: Table) -> None:
        n = len(next(iter(table.values()))) if table else 0
        if self.dest.format == "csv":
            rows = zip(*(table[c] for c in self.columns), strict=True)
            self._csv.writerows([_csv_cell(v) for v in row] for row in rows)
        elif self.dest.format == "jsonl":
            handle = self._handle()
            for i in range(n):
                row = {c: table[c][i] for c in self.columns}
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            self._write_parquet(table)
        self.rows += n

    def _write_parquet(self, table: Table) -> None:
        pa = optional_module("pyarrow", "writing Parquet")
        if self._schema is None:
            self._schema = pa.schema([pa.field(c, self._type_of(pa, c, table[c])) for c in self.columns])
            pq = optional_module("pyarrow.parquet", "writing Parquet")
            self._parquet = pq.ParquetWriter(self._tmp, self._schema)
        try:
            arrow = pa.Table.from_pydict({c: table[c] for c in self.columns}, schema=self._schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            raise invalid_dataset(
                "a column's values do not fit one Parquet type across the dataset", field="out"
            ) from None
        self._parquet.write_table(arrow)

    def _type_of(self, pa: Any, column: str, values: list[object]) -> Any:
        if column not in self._passthrough:
            return pa.string()
        if self._source_schema is not None and column in self._source_schema.names:
            return self._source_schema.field(column).type
        try:
            inferred = pa.array(values).type
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.string()
        return pa.string() if pa.types.is_null(inferred) else inferred

    def write_raw(self, source: Path) -> None:
        """Append a part file of the same format (written without a header) as it is."""
        if self.dest.format == "parquet":
            pq = optional_module("pyarrow.parquet", "writing Parquet")
            part = pq.ParquetFile(source)
            for index in range(part.metadata.num_row_groups):
                table = part.read_row_group(index).to_pydict()
                self.write({name: list(values) for name, values in table.items()})
            return
        out = self._handle()
        with source.open(encoding="utf-8", newline="") as handle:
            while chunk := handle.read(1 << 20):
                out.write(chunk)

    def _handle(self) -> IO[str]:
        if self._text is None:
            raise ValueError("this writer is closed or writes Parquet")
        return self._text

    def commit(self) -> None:
        """Close the file and move it into place."""
        if self.dest.format == "parquet" and self._schema is None:
            self._write_parquet({c: [] for c in self.columns})  # an empty dataset is still a valid file
        self._close()
        try:
            check_output_path(self._path, field="out")
            os.replace(self._tmp, self._path)
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        self._close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def _close(self) -> None:
        if self._text is not None:
            self._text.close()
            self._text = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
