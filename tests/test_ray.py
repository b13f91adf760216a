"""``newsdesk predict --engine ray``: a local Ray with 2 CPUs gives the single-process rows.

The Ray command is the one docs/scaling.md gives (same flags), run in-process after
``ray.init(num_cpus=2, include_dashboard=False)``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiny_data import topic_rows, write_jsonl
from tiny_models import make_tiny_classifier

from newsdesk.batch import iter_input, load_classifier, predict_rows
from newsdesk.cli import main
from newsdesk.data.readers import iter_records
from newsdesk.errors import DataError
from newsdesk.ray_engine import RayPredictor, located_error, read_dataset, row_record

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
RAY_FLAGS = ["--engine", "ray", "--concurrency", "2", "--cpus-per-actor", "1"]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("ray") / "model")


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    rows = topic_rows({"test": 40})
    # ids of both JSON types on purpose: pyarrow's JSON reader would refuse the change
    return [{"id": i if i % 5 == 0 else r["id"], "text": r["text"][:500]}
            for i, r in enumerate(rows)]


def test_ray_output_equals_the_single_process_output(local_ray: None, model: Path,
                                                     articles: list[dict], tmp_path: Path,
                                                     ) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_jsonl(folder / "part-0.jsonl", articles[:25])
    write_jsonl(folder / "part-1.jsonl", articles[25:])
    single, sharded = tmp_path / "single.parquet", tmp_path / "ray-out"
    common = ["--chunk-size", "8", "--no-progress"]
    assert main(["predict", str(model), "--input", str(folder), "--output", str(single),
                 *common]) == 0
    assert main(["predict", str(model), "--input", str(folder), "--output", str(sharded),
                 *RAY_FLAGS, *common]) == 0
    one = pq.read_table(single).sort_by("id")
    many = pq.read_table(sharded).sort_by("id")
    assert many.schema == one.schema and many.num_rows == one.num_rows == len(articles)
    for a, b in zip(one.to_pylist(), many.to_pylist()):
        assert (a["id"], a["label"]) == (b["id"], b["label"])
        assert b == pytest.approx(a, abs=1e-5)  # batch shapes differ: float noise


def test_ray_reads_csv_and_parquet_as_the_readers_do(local_ray: None, tmp_path: Path) -> None:
    csv_path = tmp_path / "pairs.csv"
    csv_path.write_text('id,target,text,extra\n7,Rates,"two\nlines",x\n8,,"plain, text",y\n')
    parquet_path = tmp_path / "pairs.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": ["One.", "Two."], "label": ["a", "b"]}),
                   parquet_path)
    for path, kind in ((csv_path, "csv"), (parquet_path, "parquet")):
        rows = read_dataset([path], kind).take_all()
        got = [row_record(row, kind, "topic") for row in rows]
        want = list(iter_records(path))
        assert [(r.id, r.text, r.target) for r in got] == [
            (r.id, r.text, r.target) for r in want]


def test_a_bad_row_on_ray_names_file_and_line(local_ray: None, model: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"id": "a1", "text": "Rates rose."}])
    (folder / "b.jsonl").write_text('{"id": "b1", "text": "Fine."}\n\n'
                                    '{"id": "b3", "text": "   "}\n')
    assert main(["predict", str(model), "--input", str(folder), "--output",
                 str(tmp_path / "out"), "--engine", "ray", "--concurrency", "1",
                 "--no-progress"]) == 2
    assert "b.jsonl, line 3, field 'text': is empty" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_actor_callable_gives_the_single_process_rows(model: Path) -> None:
    lines = [json.dumps({"id": "x1", "text": "Shares fell."}), "  ",
             json.dumps({"id": 2, "text": "The striker scored."})]
    predictor = RayPredictor(str(model), "jsonl", batch_size=4)
    table = predictor(pa.table({"text": lines, "path": ["a.jsonl"] * 3}))
    classifier = load_classifier(model)
    rows = predict_rows(classifier, [row_record({"text": line}, "jsonl", "topic")
                                     for line in lines if line.strip()])
    assert table.column("id").to_pylist() == ["x1", "2"]
    assert table.column("label").to_pylist() == [r["label"] for r in rows]


@pytest.mark.parametrize(("row", "kind", "words"), [
    ({"text": '{"text": "no id"}', "path": "a.jsonl"}, "jsonl", "a.jsonl, field 'id'"),
    ({"text": '{"id": "1", "text": ', "path": "a.jsonl"}, "jsonl", "a.jsonl: malformed JSON"),
    ({"id": "1", "text": "x", "target": "", "path": "p.csv"}, "csv", "p.csv, field 'target'"),
])
def test_row_errors_name_the_file(row: dict, kind: str, words: str) -> None:
    with pytest.raises(DataError, match=words):
        row_record(row, kind, "stance")


def test_a_worker_error_is_located_by_rescanning_its_file(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "ok"}])
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": "1", "text": "ok"}\n{"id": "2", "text": 5}\n')
    worker = DataError("must be a string", path=bad, field="text")

    class RayTaskError(Exception):
        cause = worker

    located = located_error(RuntimeError("wrapped"), [good, bad], "topic")
    assert "b.jsonl, line 2, field 'text'" in str(located)
    wrapped = RuntimeError("dataset failed")
    wrapped.__cause__ = RayTaskError()
    assert located_error(wrapped, [good], "topic") is worker  # the rescan finds nothing
    plain = RuntimeError("object store full")
    assert located_error(plain, [good], "topic") is plain
    assert list(iter_input([good], "topic"))


def test_the_docs_give_this_command(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "scaling.md").read_text(encoding="utf-8")
    assert "--output predictions/ " + " ".join(RAY_FLAGS) in doc
