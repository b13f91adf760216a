"""`newsdesk evaluate` for summarizers: extractive methods as ``extractive:METHOD``, records
without a reference skipped and counted, no reference at all an error, the report's
sections (ROUGE with intervals, mean length, novel bigrams, best and worst examples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_data import write_jsonl

from newsdesk.cli import main as cli_main
from newsdesk.errors import ConfigError
from newsdesk.evaluation.report import write_report
from newsdesk.evaluation.run import evaluate_model, model_task
from newsdesk.evaluation.summary_eval import parse_extractive

ROWS = [
    {"id": "a", "text": "MOSCOW, March 7. /TASS/. Talks on the treaty began on Monday. "
     "Both sides called them useful.", "summary": "Treaty talks began on Monday."},
    {"id": "b", "text": "Rates rose on Tuesday. Markets fell sharply after the decision.",
     "summary": "Markets fell after rates rose."},
    {"id": "c", "text": "The harbour will close for repairs. Visitors can use the pier.",
     "summary": "The old harbour is to close."},
    {"id": "d", "text": "A bakery won a prize. Its bread was praised by the judges."},
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "news.jsonl", ROWS)


def test_extractive_methods_are_evaluated_and_the_report_has_its_sections(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert cli_main(["evaluate", "extractive:lead:k=1", "--data", str(data),
                     "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    metrics = report["metrics"]
    assert report["task"] == "summary" and metrics["method"] == "lead"
    assert metrics["n"] == 3 and metrics["skipped_without_reference"] == 1
    assert metrics["reference"] == "summary" and metrics["max_words"] == 50
    low, high = metrics["intervals"]["rougeLsum"]
    assert 0.0 <= low <= metrics["rougeLsum"] <= high <= 1.0
    assert metrics["novel_bigrams"] == 0.0  # lead copies sentences
    assert metrics["words"] == pytest.approx((7 + 4 + 6) / 3)
    best = report["examples"]["best"][0]
    assert best["id"] == "a" and best["prediction"] == "Talks on the treaty began on Monday."
    # the sample: the scored articles as they come, whatever their score
    assert [e["id"] for e in report["examples"]["sample"]] == [
        row["id"] for row in ROWS if "summary" in row]
    markdown = (out / "report.md").read_text()
    for part in ("ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "mean length (words)",
                 "novel bigrams (%)", "A sample (the first articles", "Best examples",
                 "Worst examples", "1 without one skipped"):
        assert part in markdown
    assert "confusion" not in markdown and not (out / "confusion_matrix.png").exists()
    assert "n=3" in capsys.readouterr().out


def test_data_without_any_reference_is_an_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "plain.jsonl", [ROWS[3]])
    assert cli_main(["evaluate", "extractive:lead", "--data", str(data),
                     "--out", str(tmp_path / "report")]) == 2
    assert "no record has a 'summary'" in capsys.readouterr().err
    assert not (tmp_path / "report").exists()


def test_report_is_replaced_whole(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    first = evaluate_model("extractive:lead", str(data), None)
    write_report(first, out)
    (out / "stale.txt").write_text("old")
    write_report(evaluate_model("extractive:textrank:k=1", str(data), None), out)
    assert not (out / "stale.txt").exists()
    assert json.loads((out / "report.json").read_text())["metrics"]["method"] == "textrank"


def test_unknown_method_or_option_is_a_config_error(data: Path) -> None:
    with pytest.raises(ConfigError, match="unknown extractive method"):
        evaluate_model("extractive:first", str(data), None)
    with pytest.raises(ConfigError, match="no option"):
        evaluate_model("extractive:lead:depth=2", str(data), None)
    with pytest.raises(ConfigError, match="key=value"):
        parse_extractive("extractive:lead:k")


def test_extractive_spec_is_a_summary_task() -> None:
    assert model_task("extractive:centroid") == "summary"
    assert parse_extractive("extractive:lead") == ("lead", {})
