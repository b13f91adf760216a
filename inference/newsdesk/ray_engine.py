"""``newsdesk predict --engine ray``: the same prediction as ``newsdesk.batch``, on Ray Data.

Ray reads a file or a folder of files in parallel read tasks, a pool of actors each loads
the model once (``map_batches`` with the callable class ``RayPredictor``), and the rows
are written as a folder of Parquet files with the schema of the single-process Parquet
output. The same code runs on a laptop (a local Ray started here) or a cluster
(``ray.init(address=...)``, ``RAY_ADDRESS``, or ``ray job submit``); on a cluster the
model dir, the input and the output must be on a file system every node sees.

Readers: JSON Lines through ``ray.data.read_text`` and the project's own record parsing
(pyarrow's JSON reader refuses a field whose type changes between lines, such as ``id``
1 then "x2", which the JSONL reader accepts), CSV/TSV through ``ray.data.read_csv``
(every column read as text, quoted newlines allowed), Parquet through
``ray.data.read_parquet``. Every record needs an ``id``: parallel readers do not know
line numbers to default to. When a run fails, the files are scanned again with the
single-process readers so the error names the file, line and field.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.batch import (
    PredictSummary,
    arrow_table,
    input_files,
    iter_input,
    load_classifier,
    predict_rows,
    release_freed_memory,
)
from newsdesk.data.readers import detect_format
from newsdesk.data.records import Record, record_from_mapping
from newsdesk.errors import DataError
from newsdesk.tasks import get_task

logger = logging.getLogger(__name__)
COLUMNS = ("id", "text", "target")
PATH_COLUMN = "path"  # added by Ray's readers with include_paths=True
LINE_COLUMN = "text"  # read_text puts each raw JSONL line here
# Reading and writing are light; they must not wait for a CPU the model actors hold (with
# 2 CPUs and 2 actors of 1 CPU, a read task asking for 1 CPU never starts).
IO_CPUS = 0


@dataclass(frozen=True)
class RaySettings:
    """How many actors, and what each one gets.

    >>> RaySettings(concurrency=4, cpus_per_actor=2).threads
    2
    """

    concurrency: int = 2
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0
    batch_size: int = 32
    chunk_size: int = 256
    address: str | None = None
    device: str | None = None
    backend: str | None = None  # None: newsdesk.backends chooses
    quantize: str | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.cpus_per_actor <= 0 or self.gpus_per_actor < 0:
            raise ValueError("--concurrency must be at least 1, --cpus-per-actor above 0 "
                             "and --gpus-per-actor not negative")
        if self.batch_size < 1 or self.chunk_size < 1:
            raise ValueError("chunk size and batch size must be at least 1")

    @property
    def threads(self) -> int:
        return max(1, int(self.cpus_per_actor))


def row_record(row: dict[str, Any], kind: str, task: str) -> Record | None:
    """A validated ``Record`` from one row Ray read, or None for a blank JSONL line.

    >>> row_record({"text": '{"id": 7, "text": "Rates rise."}', "path": "a.jsonl"},
    ...            "jsonl", "topic").id
    '7'
    """
    path = row.pop(PATH_COLUMN, None) or "input"
    if kind == "jsonl":
        line = str(row[LINE_COLUMN]).lstrip("\ufeff")
        if not line.strip():
            return None
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"malformed JSON ({error.msg} at column {error.colno})",
                            path=path) from None
    elif kind in ("csv", "tsv"):  # like the CSV reader: an empty cell is a missing value
        row = {k: v for k, v in row.items() if v not in (None, "") or k == "text"}
    if isinstance(row, dict) and row.get("id") in (None, ""):
        raise DataError("missing: --engine ray needs an 'id' on every record (parallel "
                        "readers do not know line numbers to default to)", path=path,
                        field="id")
    record = record_from_mapping(row, path=path, default_id="")
    get_task(task).check_input(record, path=path)
    return record


class RayPredictor:
    """The ``map_batches`` callable: one model per actor, a pyarrow table in and out.

    >>> import pyarrow as pa                                          # doctest: +SKIP
    >>> predictor = RayPredictor("models/topic-bbc-minilm", "parquet")  # doctest: +SKIP
    >>> predictor(pa.table({"id": ["1"], "text": ["Shares fell."]}))    # doctest: +SKIP
    pyarrow.Table
    id: string
    label: string
    ...
    """

    def __init__(self, model: str, kind: str, batch_size: int = 32, threads: int = 1,
                 device: str | None = None, backend: str | None = None,
                 quantize: str | None = None) -> None:
        # threads: torch's (process-wide) or ONNX Runtime's intra-op threads
        self.classifier = load_classifier(model, device, backend=backend, quantize=quantize,
                                          threads=threads)
        self.kind, self.batch_size = kind, batch_size

    def __call__(self, batch: Any) -> Any:
        task = self.classifier.task
        records = [r for r in (row_record(row, self.kind, task) for row in batch.to_pylist())
                   if r is not None]
        rows = predict_rows(self.classifier, records, self.batch_size) if records else []
        table = arrow_table(rows, self.classifier.labels, self.classifier.manifest.multi_label)
        release_freed_memory()
        return table


def read_dataset(files: Sequence[Path], kind: str) -> Any:
    """A Ray dataset of the input rows (with their file in ``path``)."""
    import ray

    paths = [str(p) for p in files]
    if kind == "jsonl":
        return ray.data.read_text(paths, include_paths=True, drop_empty_lines=True,
                                  num_cpus=IO_CPUS)
    present = [c for c in COLUMNS if c in input_columns(files[0], kind)]
    if kind == "parquet":
        return ray.data.read_parquet(paths, columns=present, include_paths=True,
                                     num_cpus=IO_CPUS)
    import pyarrow as pa
    from pyarrow import csv as pacsv

    return ray.data.read_csv(
        paths, include_paths=True, partitioning=None, num_cpus=IO_CPUS,
        parse_options=pacsv.ParseOptions(delimiter="\t" if kind == "tsv" else ",",
                                          newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in present}, include_columns=present,
            include_missing_columns=True, strings_can_be_null=False))


def input_columns(path: Path, kind: str) -> list[str]:
    """The column names of a CSV/TSV header or a Parquet schema."""
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as error:  # pyarrow raises several types for a bad file
            raise DataError(f"not a readable Parquet file ({error})", path=path) from None
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        header = next(csv.reader(handle, delimiter="\t" if kind == "tsv" else ","), [])
    return [name.lstrip("\ufeff") for name in header]


def input_kind(files: Sequence[Path]) -> str:
    kinds = sorted({detect_format(p) for p in files})
    if len(kinds) > 1:
        raise DataError(f"mixes record formats ({', '.join(kinds)}); --engine ray reads one "
                        "format at a time", path=files[0].parent)
    return kinds[0]


def located_error(error: BaseException, files: Sequence[Path], task: str) -> BaseException:
    """The error to show for a failed run: the readers' own error (file, line, field) if
    scanning the files again finds a bad record, else the worker's ``DataError``, else
    ``error`` itself."""
    found = _data_error_in(error)
    suspects = [p for p in files if found is not None and found.path == str(p)] or list(files)
    try:
        for _ in iter_input(suspects, task):
            pass
    except DataError as precise:
        return precise
    return found if found is not None else error


def _data_error_in(error: BaseException | None) -> DataError | None:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        cause = getattr(error, "cause", None)
        if isinstance(cause, DataError):
            return cause
        if isinstance(error, DataError) and type(error) is DataError:
            return error
        error = error.__cause__ or error.__context__ or (
            cause if isinstance(cause, BaseException) else None)
    return None


def predict_with_ray(model: str | Path, source: str | Path, output: str | Path,
                     settings: RaySettings, *, progress: bool = True) -> PredictSummary:
    """Predict every record of ``source`` on Ray into a folder of Parquet files ``output``."""
    import time

    import ray

    from newsdesk.atomic import atomic_directory

    # load it once here, on the CPU: a bad model dir is one clear error, not a dying actor
    task = load_classifier(model, "cpu", backend=settings.backend,
                           quantize=settings.quantize).task
    files, output = input_files(source), Path(output)
    if output.suffix.lower() in (".jsonl", ".ndjson", ".json", ".csv", ".tsv"):
        raise DataError("--engine ray writes a folder of Parquet files; give a folder path",
                        path=output)
    kind, start = input_kind(files), time.perf_counter()
    started = _start_ray(settings.address)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = progress
        dataset = read_dataset(files, kind).map_batches(
            RayPredictor, batch_format="pyarrow", batch_size=settings.chunk_size,
            fn_constructor_kwargs={"model": _absolute(model), "kind": kind,
                                   "batch_size": settings.batch_size,
                                   "threads": settings.threads, "device": settings.device,
                                   "backend": settings.backend,
                                   "quantize": settings.quantize},
            compute=ray.data.ActorPoolStrategy(size=settings.concurrency),
            num_cpus=settings.cpus_per_actor, num_gpus=settings.gpus_per_actor or None)
        with atomic_directory(output) as folder:
            try:
                dataset.write_parquet(str(folder), ray_remote_args={"num_cpus": IO_CPUS})
            except Exception as error:
                raise located_error(error, files, task) from None
    finally:
        if started:
            ray.shutdown()
    return PredictSummary(records=output_rows(output), seconds=time.perf_counter() - start,
                          output=output)


def _absolute(model: str | Path) -> str:
    """A local model dir as an absolute path (actors may run elsewhere); a hub id as is."""
    return str(Path(model).resolve()) if Path(model).exists() else str(model)


def _start_ray(address: str | None) -> bool:
    """Connect to ``address`` (or ``RAY_ADDRESS``), or start a local Ray; True if started
    here (and so to be shut down here)."""
    import ray

    if ray.is_initialized():
        return False
    ray.init(address=address, include_dashboard=False, logging_level=logging.WARNING)
    return True


def output_rows(folder: Path) -> int:
    """Rows in the Parquet files of an output folder."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in sorted(folder.glob("*.parquet")))
