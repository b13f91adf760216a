"""``newsdesk predict``: streaming prediction over JSONL/CSV/Parquet files and folders."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiny_data import topic_rows, write_jsonl
from tiny_models import make_tiny_classifier

from newsdesk import batch
from newsdesk.batch import load_classifier, predict_file
from newsdesk.cli import main
from newsdesk.errors import DataError, ModelError
from newsdesk.manifest import Manifest
from newsdesk.prediction import Prediction

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def topic_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("topic") / "model")


@pytest.fixture(scope="module")
def stance_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("stance") / "model", task="stance")


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """25 real BBC articles (cut short), as record rows."""
    rows = topic_rows({"test": 25})
    return [{"id": r["id"], "text": r["text"][:600], "label": r["label"]} for r in rows]


def read_output(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    if path.suffix == ".csv":
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))
    return pq.read_table(path).to_pylist()


def test_jsonl_predictions_match_the_classifier(topic_model: Path, articles: list[dict],
                                                tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles)
    classifier = load_classifier(topic_model)
    summary = predict_file(classifier, source, tmp_path / "out.jsonl", chunk_size=7,
                           progress=False)
    assert summary.records == len(articles) and summary.docs_per_second > 0
    rows = read_output(tmp_path / "out.jsonl")
    expected = classifier.predict([a["text"] for a in articles])
    assert [r["id"] for r in rows] == [a["id"] for a in articles]
    for row, prediction in zip(rows, expected):
        assert row["label"] == prediction.label
        assert row["score"] == pytest.approx(prediction.score, abs=1e-5)
        assert row["scores"] == pytest.approx(prediction.scores, abs=1e-5)
    assert not list(tmp_path.glob(".*partial"))


def test_csv_and_parquet_outputs_hold_the_same_rows(topic_model: Path, articles: list[dict],
                                                    tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles)
    classifier = load_classifier(topic_model)
    for name in ("out.jsonl", "out.csv", "out.parquet"):
        predict_file(classifier, source, tmp_path / name, progress=False)
    nested = read_output(tmp_path / "out.jsonl")
    table = read_output(tmp_path / "out.parquet")
    text = read_output(tmp_path / "out.csv")
    assert list(table[0]) == ["id", "label", "score", "score_business", "score_sport",
                              "score_tech"]
    assert list(text[0]) == list(table[0])
    for a, b, c in zip(nested, table, text):
        assert a["id"] == b["id"] == c["id"] and a["label"] == b["label"] == c["label"]
        for label, score in a["scores"].items():
            assert b[f"score_{label}"] == pytest.approx(score, abs=1e-9)
            assert float(c[f"score_{label}"]) == pytest.approx(score, abs=1e-9)


def test_a_folder_of_mixed_files_is_read_in_name_order(topic_model: Path,
                                                       articles: list[dict],
                                                       tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", articles[:10])
    pq.write_table(pa.Table.from_pylist(articles[10:18]), folder / "b.parquet")
    with (folder / "c.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "label"])
        writer.writeheader()
        writer.writerows(articles[18:])
    (folder / "README.txt").write_text("not a record file")
    assert main(["predict", str(topic_model), "--input", str(folder), "--output",
                 str(tmp_path / "out.parquet"), "--no-progress"]) == 0
    assert [r["id"] for r in read_output(tmp_path / "out.parquet")] == [
        a["id"] for a in articles]


def test_stance_models_read_the_target(stance_model: Path, tmp_path: Path) -> None:
    rows = [{"id": "s1", "target": "Bank holds rates", "text": "The bank kept rates."},
            {"id": "s2", "target": "New cycle lanes", "text": "The bank kept rates."}]
    source = write_jsonl(tmp_path / "pairs.jsonl", rows)
    classifier = load_classifier(stance_model)
    predict_file(classifier, source, tmp_path / "out.jsonl", progress=False)
    expected = classifier.predict([(r["target"], r["text"]) for r in rows])
    assert [r["label"] for r in read_output(tmp_path / "out.jsonl")] == [
        p.label for p in expected]


@pytest.mark.parametrize(("name", "where"), [("pairs.jsonl", "line 3"), ("pairs.csv", "line 4"),
                                             ("pairs.parquet", "row 2")])
def test_a_stance_record_without_target_names_file_and_line(stance_model: Path,
                                                            tmp_path: Path, name: str,
                                                            where: str) -> None:
    rows = [{"id": "1", "target": "Rates", "text": "The bank kept rates."},
            {"id": "2", "target": None, "text": "No target here."}]
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_text(json.dumps(rows[0]) + "\n\n" + json.dumps({"id": "2", "text": "x"})
                        + "\n")
    elif name.endswith(".csv"):
        path.write_text('id,target,text\n1,Rates,"two\nlines"\n2,,No target here.\n')
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)
    output = tmp_path / "out.jsonl"
    output.write_text("an older output\n")
    with pytest.raises(DataError, match=rf"{name}, {where}, field 'target': missing"):
        predict_file(load_classifier(stance_model), path, output, progress=False)
    assert output.read_text() == "an older output\n"  # never half-written
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(("content", "message"), [
    (b'{"id": "1", "text": "ok"}\n{"id": "2", "text": \n', r"bad\.jsonl, line 2: malformed JSON"),
    (b'{"id": "1", "text": "ok"}\n{"id": "2", "text": "  "}\n',
     r"bad\.jsonl, line 2, field 'text': is empty"),
    (b'{"id": "1", "text": "ok"}\n{"id": "2", "text": "caf\xe9"}\n',
     r"bad\.jsonl, line 2: invalid UTF-8"),
])
def test_bad_rows_stop_the_run_with_the_readers_error(topic_model: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      content: bytes, message: str) -> None:
    (tmp_path / "bad.jsonl").write_bytes(content)
    code = main(["predict", str(topic_model), "--input", str(tmp_path / "bad.jsonl"),
                 "--output", str(tmp_path / "out.csv"), "--no-progress"])
    assert code == 2
    assert not list(tmp_path.glob("out*"))
    assert re.search(message, capsys.readouterr().err)


def test_a_bad_csv_byte_deep_in_a_large_file_names_its_line(topic_model: Path,
                                                            tmp_path: Path) -> None:
    lines = "".join(f'{i},"Article {i} about rates, café and more."\n' for i in range(30_000))
    path = tmp_path / "big.csv"
    path.write_bytes(b"id,text\n" + lines.encode() + b"30000,caf\xe9\n")
    with pytest.raises(DataError, match=r"big\.csv, line 30002: invalid utf-8 at byte"):
        for _ in batch.iter_input([path], "topic"):
            pass


def test_input_is_read_one_chunk_ahead_of_the_model(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded memory: when a chunk is predicted, at most one chunk has been read."""
    read = {"n": 0}
    real = batch.iter_records

    def counting(*args: Any, **kwargs: Any) -> Any:
        for record in real(*args, **kwargs):
            read["n"] += 1
            yield record

    class Fake:
        task, labels, manifest = "topic", ["a", "b"], Manifest(task="topic")
        seen: list[tuple[int, int]] = []

        def predict_texts(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                          batch_size: int = 32) -> list[Prediction]:
            self.seen.append((len(texts), read["n"]))
            return [Prediction(label="a", score=0.6, scores={"a": 0.6, "b": 0.4})] * len(texts)

    monkeypatch.setattr(batch, "iter_records", counting)
    source = write_jsonl(tmp_path / "many.jsonl",
                         [{"id": str(i), "text": f"text {i}"} for i in range(1000)])
    fake = Fake()
    assert predict_file(fake, source, tmp_path / "out.parquet", chunk_size=64,
                        progress=False).records == 1000
    assert all(size <= 64 and consumed <= 64 * (i + 1)
               for i, (size, consumed) in enumerate(fake.seen))
    assert len(fake.seen) == 16 and pq.ParquetFile(tmp_path / "out.parquet").metadata.num_rows \
        == 1000


def test_refusals(topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "text": "Rates rose."}])
    assert main(["predict", str(topic_model), "--input", str(source), "--output",
                 str(tmp_path / "out.txt")]) == 2
    assert "unknown output type .txt" in capsys.readouterr().err
    assert main(["predict", str(topic_model), "--input", str(tmp_path / "none"), "--output",
                 str(tmp_path / "out.jsonl")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no record files"):
        batch.input_files(tmp_path / "empty")
    (tmp_path / "summary-model").mkdir()
    Manifest(task="summary").save(tmp_path / "summary-model")
    with pytest.raises(ModelError, match="a summary model"):
        load_classifier(tmp_path / "summary-model")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    with pytest.raises(DataError, match="holds no records"):
        predict_file(load_classifier(topic_model), tmp_path / "blank.jsonl",
                     tmp_path / "blank-out.jsonl", progress=False)
    assert not (tmp_path / "blank-out.jsonl").exists()


@pytest.mark.parametrize("name", ["newsdesk.batch", "newsdesk.ray_engine",
                                  "newsdesk_train.workdir"])
def test_docstring_examples(name: str) -> None:
    import doctest
    from importlib import import_module

    result = doctest.testmod(import_module(name))
    assert result.attempted > 0 and result.failed == 0


def test_multi_label_models_add_the_labels_column(tmp_path: Path) -> None:
    model = make_tiny_classifier(tmp_path / "multi")
    manifest = Manifest.load(model)
    manifest.multi_label, manifest.thresholds = True, {"business": 0.0, "sport": 0.0,
                                                      "tech": 0.0}
    manifest.save(model)
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "1", "text": "Rates rose."}])
    classifier = load_classifier(model)
    for name in ("out.jsonl", "out.csv", "out.parquet"):
        predict_file(classifier, source, tmp_path / name, progress=False)
    assert read_output(tmp_path / "out.jsonl")[0]["labels"] == ["business", "sport", "tech"]
    assert read_output(tmp_path / "out.csv")[0]["labels"] == "business|sport|tech"
    assert read_output(tmp_path / "out.parquet")[0]["labels"] == ["business", "sport", "tech"]
