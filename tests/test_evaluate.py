"""``newsdesk evaluate`` on a tiny trained topic model: reports, and clean failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny import make_tiny_base, recipe, topic_rows, write_jsonl

from newsdesk import TopicClassifier
from newsdesk.cli import main as cli_main
from newsdesk_train.cli import main as train_main


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evaluate")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "topics.jsonl",
                       topic_rows({"train": 20, "validation": 5, "test": 10}))
    path = recipe(root / "recipe.yaml", task="topic", source=data, base=base,
                  output=root / "model", extra_training="  max_steps: 3")
    assert train_main([str(path)]) == 0
    return root / "model"


def test_report_has_metrics_intervals_plot_and_mistakes(model: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    rows = topic_rows({"test": 15})
    data = write_jsonl(tmp_path / "test.jsonl", rows)
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(model), "--data", str(data), "--out", str(out)]) == 0
    assert "report written to" in capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert metrics["n"] == 15
    predicted = TopicClassifier.from_pretrained(model).predict([r["text"] for r in rows])
    right = sum(p.label == r["label"] for p, r in zip(predicted, rows))
    assert metrics["accuracy"] == pytest.approx(right / 15)
    low, high = metrics["intervals"]["accuracy"]
    assert low <= metrics["accuracy"] <= high
    assert set(metrics["per_class"]) == {"business", "entertainment", "politics", "sport",
                                         "tech"}
    matrix = metrics["confusion_matrix"]["matrix"]
    assert sum(map(sum, matrix)) == 15
    wrong = 15 - sum(matrix[i][i] for i in range(len(matrix)))
    assert len(report["examples"]["confident_mistakes"]) == min(wrong, 10)
    assert (out / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| accuracy |" in (out / "report.md").read_text()


def test_unknown_labels_are_listed_and_no_report_is_written(
        model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = topic_rows({"test": 5}) + [{"id": "x1", "text": "Rain today.", "label": "weather"},
                                      {"id": "x2", "text": "Art show.", "label": "culture"}]
    data = write_jsonl(tmp_path / "bad.jsonl", rows)
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(model), "--data", str(data), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "labels the model does not know: culture, weather" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]


def test_unlabelled_record_is_named(model: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "nolabel.jsonl", [{"id": "a", "text": "x", "label": "tech"},
                                                   {"id": "b", "text": "y"}])
    assert cli_main(["evaluate", str(model), "--data", str(data), "--out",
                     str(tmp_path / "r")]) == 2
    assert "record 'b' (number 2) has no 'label'" in capsys.readouterr().err
