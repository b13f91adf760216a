"""Readers for JSON Lines, CSV and Parquet record files.

Every bad record raises a ``DataError`` naming the file, the line (or Parquet row) and the
field; nothing is dropped silently. Blank lines in JSONL are the only thing skipped, and
they are counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from types import ModuleType

from newsdesk.data.records import Record, record_from_mapping
from newsdesk.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

#: File suffix (lower case) -> the record file format read from it.
SUFFIX_FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                  ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class ReadStats:
    """What a reader saw: records read and blank lines skipped.

    ``line`` (JSONL, CSV) or ``row`` (Parquet) says where the record last yielded starts,
    so a caller that checks records as they stream can name the place of a bad one.
    """

    records: int = 0
    blank_lines: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    line: int | None = None
    row: int | None = None

    def count(self, record: Record) -> None:
        self.records += 1
        for name in record.task_fields() + (("target",) if record.target else ()):
            self.fields[name] = self.fields.get(name, 0) + 1

    def summary(self) -> str:
        extra = ", ".join(f"{n} with {k}" for k, n in sorted(self.fields.items()))
        blank = f", {self.blank_lines} blank lines skipped" if self.blank_lines else ""
        return f"{self.records} records" + (f" ({extra})" if extra else "") + blank


def detect_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in SUFFIX_FORMATS:
            return SUFFIX_FORMATS[suffix]
    raise DataError(f"unknown file type {path.suffix or '(none)'}; use one of "
                    f"{', '.join(sorted(SUFFIX_FORMATS))}", path=path)


def read_records(path: str | Path, *, format: str | None = None,
                 stats: ReadStats | None = None) -> list[Record]:
    """All records of a JSONL, CSV/TSV or Parquet file, validated.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_text('{"id": "1", "text": "Rates rise.", "label": "business"}\\n')
    >>> [r.label for r in read_records(p)]
    ['business']
    """
    stats = stats if stats is not None else ReadStats()
    records = list(iter_records(path, format=format, stats=stats))
    if not records:
        raise DataError("holds no records", path=path)
    logger.info("read %s from %s", stats.summary(), path)
    return records


def iter_records(path: str | Path, *, format: str | None = None,
                 stats: ReadStats | None = None) -> Iterator[Record]:
    """Stream the records of a file one at a time (bounded memory for JSONL and CSV)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", path=path)
    if path.stat().st_size == 0:
        raise DataError("the file is empty", path=path)
    kind = format or detect_format(path)
    readers = {"jsonl": _iter_jsonl, "csv": _iter_csv, "tsv": _iter_tsv,
               "parquet": _iter_parquet}
    if kind not in readers:
        raise DataError(f"unknown format {kind!r}", path=path)
    stats = stats if stats is not None else ReadStats()
    for record in readers[kind](path, stats):
        stats.count(record)
        yield record


def _decode(raw: bytes, path: Path, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"invalid UTF-8 at byte {error.start} of the line "
                        f"({raw[error.start:error.start + 4]!r})", path=path, line=line) from None


def _iter_jsonl(path: Path, stats: ReadStats) -> Iterator[Record]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            text = _decode(raw, path, number).rstrip("\r\n")
            if number == 1:
                text = text.lstrip("\ufeff")
            if not text.strip():
                stats.blank_lines += 1
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as error:
                raise DataError(f"malformed JSON ({error.msg} at column {error.colno})",
                                path=path, line=number) from None
            stats.line = number
            yield record_from_mapping(obj, path=path, line=number, default_id=str(number))


def _iter_tsv(path: Path, stats: ReadStats) -> Iterator[Record]:
    return _iter_csv(path, stats, delimiter="\t")


def _iter_csv(path: Path, stats: ReadStats, delimiter: str = ",") -> Iterator[Record]:
    for number, row in iter_csv_rows(path, delimiter=delimiter, required=("text",),
                                     stats=stats):
        stats.line = number
        yield record_from_mapping(row, path=path, line=number, default_id=str(number))


def iter_csv_rows(path: Path, *, delimiter: str = ",", required: tuple[str, ...] = (),
                  encoding: str = "utf-8", quoting: int = csv.QUOTE_MINIMAL,
                  stats: ReadStats | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV/TSV file with a header; checks required columns.

    The line number is where the row starts, counting the header as line 1. Empty cells are
    left out of the row unless their column is required; blank lines are counted in
    ``stats.blank_lines``. The file is streamed: memory stays bounded however large it is.
    """
    with path.open(encoding=encoding, newline="") as handle:
        try:
            yield from _parse_lines(handle, where=path, delimiter=delimiter,
                                    required=required, quoting=quoting, stats=stats)
        except UnicodeDecodeError:
            raise _locate_bad_bytes(path, encoding) from None


def parse_csv_rows(raw: bytes, *, where: str | Path, delimiter: str = ",",
                   required: tuple[str, ...] = (), encoding: str = "utf-8",
                   quoting: int = csv.QUOTE_MINIMAL, stats: ReadStats | None = None,
                   ) -> Iterator[tuple[int, dict[str, str]]]:
    """``iter_csv_rows`` on bytes already in memory (a member of an archive, say).

    >>> [row for _, row in parse_csv_rows(b"id,text\\n1,Hi\\n", where="mem.csv")]
    [{'id': '1', 'text': 'Hi'}]
    """
    content = _decode_whole(raw, where, encoding)
    yield from _parse_lines(io.StringIO(content, newline=""), where=where,
                            delimiter=delimiter, required=required, quoting=quoting,
                            stats=stats)


def _parse_lines(lines: Iterable[str], *, where: str | Path, delimiter: str,
                 required: tuple[str, ...], quoting: int, stats: ReadStats | None,
                 ) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(_without_bom(lines), delimiter=delimiter, quoting=quoting)
    header = _read_header(reader, where, required)
    start = reader.line_num + 1
    for cells in reader:
        if not cells:
            if stats is not None:
                stats.blank_lines += reader.line_num - start + 1
            start = reader.line_num + 1
            continue
        yield start, _row_dict(header, cells, where, start, required)
        start = reader.line_num + 1


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is not None:
        yield first.lstrip("\ufeff")
        yield from iterator


def _decode_whole(raw: bytes, where: str | Path, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise _bad_bytes(where, encoding, error.start, raw.count(b"\n", 0, error.start) + 1,
                         raw[error.start:error.start + 4]) from None


def _bad_bytes(where: str | Path, encoding: str, offset: int, line: int,
               sample: bytes) -> DataError:
    return DataError(f"invalid {encoding} at byte {offset} ({sample!r}); if the file uses "
                     "another encoding, convert it to UTF-8 first", path=where, line=line)


def _locate_bad_bytes(path: Path, encoding: str, block: int = 1 << 20) -> DataError:
    """The error for the first undecodable bytes of a file, found block by block."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, newlines = 0, 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(block)
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the block
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                where = offset - pending + error.start  # may start in the block before
                handle.seek(where)
                line = newlines + chunk.count(b"\n", 0, max(where - offset, 0)) + 1
                return _bad_bytes(path, encoding, where, line, handle.read(4))
            if not chunk:
                return DataError(f"invalid {encoding}", path=path)
            offset += len(chunk)
            newlines += chunk.count(b"\n")


def _read_header(reader: Iterator[list[str]], where: str | Path,
                 required: tuple[str, ...]) -> list[str]:
    header = next(reader, None)
    if not header:
        raise DataError("has no header line", path=where, line=1)
    missing = [name for name in required if name not in header]
    if missing:
        raise DataError(f"missing column(s) {', '.join(map(repr, missing))}; the header has "
                        f"{', '.join(map(repr, header))}", path=where, line=1,
                        field=missing[0])
    return header


def _row_dict(header: list[str], cells: list[str], where: str | Path, line: int,
              required: tuple[str, ...]) -> dict[str, str]:
    if len(cells) > len(header):
        raise DataError(f"has {len(cells)} fields, the header has {len(header)}",
                        path=where, line=line)
    if len(cells) < len(header):
        short = header[len(cells)]
        raise DataError(f"has too few fields (no value for {short!r})", path=where,
                        line=line, field=short)
    return {k: v for k, v in zip(header, cells) if v != "" or k in required}


def import_pyarrow(module: str = "pyarrow") -> ModuleType:
    """``pyarrow`` (or one of its modules, ``pyarrow.parquet``), or a ConfigError naming the
    extra: Parquet is the one format the bare install does not read or write."""
    try:
        return import_module(module)
    except ImportError:
        raise ConfigError("Parquet needs pyarrow, which the bare install leaves out: "
                          "pip install 'newsdesk[parquet]'") from None


def _iter_parquet(path: Path, stats: ReadStats) -> Iterator[Record]:
    pq = import_pyarrow("pyarrow.parquet")

    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises several types for a bad file
        raise DataError(f"not a readable Parquet file ({error})", path=path) from None
    if "text" not in parquet.schema_arrow.names:
        raise DataError(f"missing column 'text'; the columns are "
                        f"{', '.join(parquet.schema_arrow.names)}", path=path, field="text")
    number = 0
    for batch in parquet.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            number += 1
            stats.row = number
            yield record_from_mapping(row, path=path, row=number, default_id=str(number))
