"""A recipe's ``selection`` section: the CV figures come from the results file it names and
reach the manifest, the model card and the evaluation report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import make_tiny_base

from newsdesk.errors import ConfigError
from newsdesk.evaluation.report import write_report
from newsdesk.evaluation.run import evaluate_classifier
from newsdesk.manifest import Manifest
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import load_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RESULTS = {"protocol": "5-fold CV", "n": 2092,
           "run": {"commit": "0123456789abcdef", "cpu": {"model": "Test CPU"}},
           "rows": [{"method": "tfidf-svm", "accuracy": 0.9794, "macro_f1": 0.9790},
                    {"method": "recipe:topic.yaml", "accuracy": 0.9833, "macro_f1": 0.9829,
                     "diff_vs_baseline": 0.0039, "diff_95": [0.0010, 0.0067]}]}
HOW = "Chosen by 5-fold CV of the training data; the test split was read once."


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("selection")
    (root / "cv.json").write_text(json.dumps(RESULTS))
    data = write_jsonl(root / "topics.jsonl",
                       topic_rows({"train": 20, "validation": 5, "test": 5}))
    path = recipe(root / "recipe.yaml", task="topic", source=data,
                  base=make_tiny_base(root / "base"), output=root / "model")
    raw = yaml.safe_load(path.read_text())
    raw["selection"] = {"how": HOW, "results": "cv.json", "method": "recipe:topic.yaml"}
    path.write_text(yaml.safe_dump(raw))
    assert train_main([str(path), "--max-steps", "2"]) == 0
    return root / "model"


def test_manifest_holds_the_cv_rows_of_the_results_file(trained: Path) -> None:
    selection = Manifest.load(trained).extras["selection"]
    assert selection["how"] == HOW
    assert selection["cv"]["method"]["accuracy"] == 0.9833
    assert selection["cv"]["baseline"]["accuracy"] == 0.9794
    assert selection["cv"]["commit"] == "0123456789abcdef"


def test_card_and_report_show_cv_baseline_and_test(trained: Path, tmp_path: Path) -> None:
    card = (trained / "README.md").read_text()
    assert "## How this recipe was chosen" in card and HOW in card
    assert "| 98.33 | 98.29 |" in card and "| 97.94 | 97.90 |" in card
    assert "+0.39 points, paired bootstrap 95% interval (+0.10, +0.67)" in card
    assert "Test split (read once): accuracy" in card
    data = trained.parent / "topics.jsonl"
    report = write_report(evaluate_classifier(trained, str(data), "test"), tmp_path / "r")
    markdown = (report / "report.md").read_text()
    assert "## How this recipe was chosen" in markdown and "| 98.33 | 98.29 |" in markdown
    assert json.loads((report / "report.json").read_text())["selection"]["how"] == HOW


def test_evaluate_command_prints_the_cv_figures(trained: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.cli import main

    assert main(["evaluate", str(trained), "--data", str(trained.parent / "topics.jsonl"),
                 "--split", "test", "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert "## How this recipe was chosen" in printed and "| 97.94 | 97.90 |" in printed


def test_missing_results_file_is_said_not_hidden(tmp_path: Path) -> None:
    from newsdesk_train.selection import selection_record

    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"name": "r", "task": "topic", "selection": {
        "how": HOW, "results": "nowhere.json", "method": "recipe:r.yaml"}}))
    record = selection_record(load_config(path))
    assert "cv" not in record and "nowhere.json not found" in record["cv_missing"]


def test_selection_needs_how_and_pairs_results_with_method(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    for section, message in (({"how": " "}, "selection.how"),
                             ({"how": HOW, "results": "x.json"}, "go together")):
        path.write_text(yaml.safe_dump({"name": "r", "task": "topic", "selection": section}))
        with pytest.raises(ConfigError, match=message):
            load_config(path)
    path.write_text(yaml.safe_dump({"name": "r", "task": "topic", "recipe_path": "x"}))
    with pytest.raises(ConfigError, match="unknown key 'recipe_path'"):
        load_config(path)
