"""``newsdesk evaluate`` on a tiny trained topic model: reports, and clean failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import make_tiny_base, make_tiny_classifier

from newsdesk import TopicClassifier
from newsdesk.cli import main as cli_main
from newsdesk.manifest import Manifest
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


BBC_LABELS = ["business", "entertainment", "politics", "sport", "tech"]


def test_macro_f1_averages_the_labels_present_in_the_gold_data(repo_root: Path) -> None:
    from newsdesk.data import load
    from newsdesk.metrics.classification import classification_metrics

    gold = [str(r.label) for r in load(repo_root / "datasets" / "samples" / "topic.csv")]
    assert sorted(gold) == ["business", "sport", "tech"]
    metrics = classification_metrics(gold, gold, BBC_LABELS, intervals=True)
    assert metrics["accuracy"] == 1.0 and metrics["macro_f1"] == 1.0
    assert metrics["intervals"]["macro_f1"] == (1.0, 1.0)
    assert metrics["absent_labels"] == ["entertainment", "politics"]
    assert set(metrics["per_class"]) == set(BBC_LABELS)


def test_a_prediction_of_an_absent_label_still_costs_recall() -> None:
    from newsdesk.metrics.classification import classification_metrics

    metrics = classification_metrics(["a", "b", "b"], ["a", "b", "c"], ["a", "b", "c", "d"])
    assert metrics["macro_f1"] == pytest.approx((1.0 + 2 / 3) / 2)  # a: 1, b: P 1, R 1/2
    assert metrics["absent_labels"] == ["c", "d"]
    assert metrics["confusion_matrix"]["matrix"][1] == [0, 1, 1, 0]


def test_the_report_lists_labels_absent_from_the_data(tmp_path: Path) -> None:
    from newsdesk.evaluation.report import markdown
    from newsdesk.evaluation.run import Evaluation
    from newsdesk.metrics.classification import classification_metrics

    metrics = classification_metrics(["business", "sport"], ["business", "sport"], BBC_LABELS)
    report = markdown(Evaluation(model="m", task="topic", data="d.csv", split=None,
                                 metrics=metrics, labels=BBC_LABELS))
    assert "| macro_f1 | 100.00 |" in report
    assert "not in the data (left out of macro-F1): entertainment, politics, tech" in report


# --- multi-label models ---------------------------------------------------------------

SAMPLE_LABELS = ["business", "politics", "sport", "tech"]
#: A threshold of 0 always takes a label, one above 1 never: every article of the sample
#: file is predicted "business, tech", whatever the random weights say.
FIXED_THRESHOLDS = {"business": 0.0, "politics": 1.01, "sport": 1.01, "tech": 0.0}


@pytest.fixture(scope="module")
def multi_label_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_tiny_classifier(tmp_path_factory.mktemp("multi") / "model",
                                labels=SAMPLE_LABELS)
    manifest = Manifest.load(path)
    manifest.multi_label, manifest.thresholds = True, dict(FIXED_THRESHOLDS)
    manifest.save(path)
    return path


def test_multi_label_sample_file_gets_a_report(multi_label_model: Path, repo_root: Path,
                                               tmp_path: Path) -> None:
    # gold: business | sport | tech | politics | business+tech; predicted: business+tech
    data = repo_root / "datasets" / "samples" / "topic.jsonl"
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(multi_label_model), "--data", str(data),
                     "--out", str(out)]) == 0
    metrics = json.loads((out / "report.json").read_text(encoding="utf-8"))["metrics"]
    assert metrics["n"] == 5
    assert metrics["subset_accuracy"] == pytest.approx(1 / 5)
    assert metrics["micro_f1"] == pytest.approx(0.5)  # TP 4, FP 6, FN 2
    assert metrics["macro_f1"] == pytest.approx((4 / 7 + 0 + 0 + 4 / 7) / 4)
    assert metrics["samples_f1"] == pytest.approx((2 / 3 + 0 + 2 / 3 + 0 + 1) / 5)
    business = metrics["per_class"]["business"]
    assert business == pytest.approx({"precision": 2 / 5, "recall": 1.0, "f1": 4 / 7,
                                      "support": 2, "threshold": 0.0})
    assert metrics["per_class"]["sport"]["support"] == 1
    assert metrics["thresholds"] == FIXED_THRESHOLDS
    low, high = metrics["intervals"]["micro_f1"]
    assert low <= metrics["micro_f1"] <= high
    mistakes = json.loads((out / "report.json").read_text(encoding="utf-8"))["examples"]
    assert sorted(m["id"] for m in mistakes["confident_mistakes"]) == ["t1", "t2", "t3", "t4"]
    assert mistakes["confident_mistakes"][0]["predicted"] == "business, tech"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| subset_accuracy | 20.00 |" in report and "| samples_f1 |" in report
    assert "| business | 40.00 | 100.00 | 57.14 | 2 | 0.00 |" in report


def test_a_single_label_model_names_a_record_with_several_labels(
        tmp_path: Path, repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = make_tiny_classifier(tmp_path / "single", labels=SAMPLE_LABELS)
    data = repo_root / "datasets" / "samples" / "topic.jsonl"
    assert cli_main(["evaluate", str(model), "--data", str(data), "--out",
                     str(tmp_path / "r")]) == 2
    assert "record 't5' has several labels (business, tech)" in capsys.readouterr().err
