"""Streaming prediction over record files of any size: read a chunk of records, predict,
append the rows to the output, go on. Memory holds one chunk, never the file.

Input: one JSONL/CSV/TSV/Parquet file, or a folder of them (read in name order), in the
record format of ``newsdesk.data`` (``text``; ``id``; ``target`` for stance models).
Output, by suffix: JSON Lines (``{"id", "label", "score", "scores": {...}}``), CSV or
Parquet (``id, label, score, score_<label>...``; multi-label models add ``labels``).
A bad record stops the run with the readers' error (file, line or row, field), and the
output path only ever holds a finished file.
"""

from __future__ import annotations

import csv
import ctypes
import functools
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from newsdesk.atomic import atomic_file
from newsdesk.data.readers import (
    SUFFIX_FORMATS,
    ReadStats,
    detect_format,
    import_pyarrow,
    iter_records,
)
from newsdesk.data.records import Record
from newsdesk.errors import DataError, ModelError
from newsdesk.tasks import get_task

OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
                  ".parquet": "parquet", ".pq": "parquet"}
DEFAULT_CHUNK_SIZE = 256
PARQUET_ROW_GROUP = 8192
SCORE_PREFIX = "score_"


def input_files(path: str | Path) -> list[Path]:
    """The record files to read: ``path`` itself, or the record files in a folder.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.jsonl", "a.jsonl", "notes.txt"):
    ...     _ = (folder / name).write_text("{}")
    >>> [p.name for p in input_files(folder)]
    ['a.jsonl', 'b.jsonl']
    """
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError("no such file or folder", path=path)
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and not p.name.startswith((".", "_"))
                   and any(s.lower() in SUFFIX_FORMATS for s in p.suffixes))
    if not files:
        raise DataError(f"holds no record files ({', '.join(sorted(SUFFIX_FORMATS))})", path=path)
    return files


def iter_input(files: Sequence[Path], task: str) -> Iterator[Record]:
    """Stream the records of ``files``, each checked for what the ``task``'s model reads
    (``Task.check_input``: a stance model needs a ``target`` on each one)."""
    spec = get_task(task)
    for path in files:
        stats = ReadStats()
        for record in iter_records(path, stats=stats):
            spec.check_input(record, path=path, line=stats.line, row=stats.row)
            yield record


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last may be shorter).

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_classifier(model: str | Path, device: str | None = None, *,
                    backend: str | None = None, quantize: str | None = None,
                    threads: int | None = None) -> Any:
    """A ``TopicClassifier`` or ``StanceClassifier``, whichever the model dir was trained as.

    ``backend="onnx"`` (with ``quantize="int8"``) runs the dir's ONNX export instead of torch;
    None lets ``newsdesk.backends`` choose (the export where torch is not installed).
    """
    from newsdesk.manifest import dir_task

    task = get_task(dir_task(model))
    if not task.classifies:
        raise ModelError(f"{model}: a {task.name} model; newsdesk predict runs classifiers "
                         "(topic and stance models)")
    return task.model_class.from_pretrained(model, device, backend=backend, quantize=quantize,
                                            threads=threads)


def predict_rows(classifier: Any, records: Sequence[Record],
                 batch_size: int = 32) -> list[dict[str, Any]]:
    """One output row per record: ``{"id", "label", "score", "scores"}`` (+ ``labels``)."""
    targets = get_task(classifier.task).targets(records)
    predictions = classifier.predict_texts([r.text for r in records], targets, batch_size)
    multi = classifier.manifest.multi_label
    rows = []
    for record, prediction in zip(records, predictions):
        row: dict[str, Any] = {"id": record.id, "label": prediction.label,
                               "score": prediction.score}
        if multi:
            row["labels"] = list(prediction.labels)
        row["scores"] = prediction.scores
        rows.append(row)
    return rows


def release_freed_memory() -> None:
    """Hand the memory a finished chunk freed back to the OS (glibc ``malloc_trim``, as
    Dask's workers do); without it the resident size creeps up while freed blocks of many
    sizes (token windows, tensors) fragment the heap. A no-op off glibc.

    >>> release_freed_memory()
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


def flat_row(row: dict[str, Any], labels: Sequence[str]) -> dict[str, Any]:
    """A table row: ``scores`` spread over ``score_<label>`` columns.

    >>> flat_row({"id": "1", "label": "a", "score": 0.75, "scores": {"a": 0.75, "b": 0.25}},
    ...          ["a", "b"])
    {'id': '1', 'label': 'a', 'score': 0.75, 'score_a': 0.75, 'score_b': 0.25}
    """
    out = {k: v for k, v in row.items() if k != "scores"}
    out.update({SCORE_PREFIX + label: row["scores"][label] for label in labels})
    return out


def arrow_schema(labels: Sequence[str], multi_label: bool) -> Any:
    """The Parquet schema of the output (single-process and Ray write the same)."""
    pa = import_pyarrow()

    fields = [("id", pa.string()), ("label", pa.string()), ("score", pa.float64())]
    if multi_label:
        fields.append(("labels", pa.list_(pa.string())))
    fields += [(SCORE_PREFIX + label, pa.float64()) for label in labels]
    return pa.schema(fields)


def arrow_table(rows: Sequence[dict[str, Any]], labels: Sequence[str],
                multi_label: bool) -> Any:
    pa = import_pyarrow()

    return pa.Table.from_pylist([flat_row(r, labels) for r in rows],
                                schema=arrow_schema(labels, multi_label))


class RowSink(Protocol):
    def write(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """JSON Lines, one prediction a line, nested ``scores``."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", encoding="utf-8")

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self._handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

    def close(self) -> None:
        self._handle.close()


class CsvSink:
    """CSV with a header; multi-label ``labels`` joined by ``|``."""

    def __init__(self, path: Path, labels: Sequence[str], multi_label: bool) -> None:
        self._labels = list(labels)
        self._handle = path.open("w", encoding="utf-8", newline="")
        names = arrow_schema(labels, multi_label).names
        self._writer = csv.DictWriter(self._handle, fieldnames=names)
        self._writer.writeheader()

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            flat = flat_row(row, self._labels)
            if "labels" in flat:
                flat["labels"] = "|".join(flat["labels"])
            self._writer.writerow(flat)

    def close(self) -> None:
        self._handle.close()


class ParquetSink:
    """Parquet through ``pyarrow.parquet.ParquetWriter``, a row group per 8,192 rows."""

    def __init__(self, path: Path, labels: Sequence[str], multi_label: bool) -> None:
        pq = import_pyarrow("pyarrow.parquet")

        self._labels, self._multi = list(labels), multi_label
        self._writer = pq.ParquetWriter(path, arrow_schema(labels, multi_label))
        self._pending: list[dict[str, Any]] = []

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        self._pending.extend(rows)
        if len(self._pending) >= PARQUET_ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(arrow_table(self._pending, self._labels, self._multi))
            self._pending = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def output_format(path: Path) -> str:
    """The output format from the suffix: jsonl, csv or parquet."""
    kind = OUTPUT_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"unknown output type {path.suffix or '(none)'}; use one of "
                        f"{', '.join(sorted(OUTPUT_FORMATS))}", path=path)
    return kind


def open_sink(path: Path, labels: Sequence[str], multi_label: bool,
              kind: str | None = None) -> RowSink:
    kind = kind or output_format(path)
    if kind == "jsonl":
        return JsonlSink(path)
    if kind == "csv":
        return CsvSink(path, labels, multi_label)
    return ParquetSink(path, labels, multi_label)


@dataclass(frozen=True)
class PredictSummary:
    """What a prediction run did.

    >>> PredictSummary(records=500, seconds=2.0, output=Path("p.jsonl")).docs_per_second
    250.0
    """

    records: int
    seconds: float
    output: Path

    @property
    def docs_per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def known_total(files: Sequence[Path]) -> int | None:
    """The number of records when it is cheap to know (Parquet metadata), else None."""
    if not all(detect_format(p) == "parquet" for p in files):
        return None
    pq = import_pyarrow("pyarrow.parquet")

    try:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    except Exception:  # an unreadable file: the reader names it with a clear error
        return None


def predict_file(classifier: Any, source: str | Path, output: str | Path, *,
                 batch_size: int = 32, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 progress: bool = True) -> PredictSummary:
    """Predict every record of ``source`` (a file or a folder) into ``output``.

    >>> from newsdesk.batch import load_classifier, predict_file  # doctest: +SKIP
    >>> model = load_classifier("models/topic-bbc-minilm")         # doctest: +SKIP
    >>> predict_file(model, "articles.jsonl", "topics.parquet").records  # doctest: +SKIP
    10000
    """
    from tqdm.auto import tqdm

    if chunk_size < 1 or batch_size < 1:
        raise ValueError("chunk size and batch size must be at least 1")
    files, output = input_files(source), Path(output)
    kind = output_format(output)
    start, count = time.perf_counter(), 0
    bar = tqdm(total=known_total(files), unit="doc", disable=not progress,
               desc=f"predict {Path(source).name}")
    with atomic_file(output) as partial:
        sink = open_sink(partial, classifier.labels, classifier.manifest.multi_label, kind)
        try:
            for chunk in chunks(iter_input(files, classifier.task), chunk_size):
                sink.write(predict_rows(classifier, chunk, batch_size))
                count += len(chunk)
                release_freed_memory()
                bar.update(len(chunk))
        finally:
            sink.close()
            bar.close()
        if count == 0:  # e.g. only blank lines: no output file at all
            raise DataError("holds no records", path=source)
    return PredictSummary(records=count, seconds=time.perf_counter() - start, output=output)
