"""``newsdesk evaluate --slice-by FIELD [--slice-group NAME=V1,V2]``: accuracy per value of
a record field (``newsdesk.evaluation.slices``), checked against counts made by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_data import write_jsonl
from tiny_models import make_tiny_classifier

from newsdesk import StanceClassifier
from newsdesk.cli import main as cli_main
from newsdesk.errors import ConfigError
from newsdesk.evaluation.slices import NO_VALUE, SliceGroup, accuracy_by_slice

KINDS = ["related", "related", "hard", "hard", "hard", "easy", None]
CORRECT = [True, False, True, True, False, True, True]


def test_each_value_and_group_has_its_hand_counted_accuracy() -> None:
    metas = [{} if kind is None else {"kind": kind} for kind in KINDS]
    slices = accuracy_by_slice(metas, CORRECT, "kind",
                               [SliceGroup.parse("related+hard=related,hard")])
    values = slices["values"]
    assert list(values) == ["easy", "hard", "related", NO_VALUE]
    assert (values["related"]["n"], values["related"]["errors"]) == (2, 1)
    assert values["related"]["accuracy"] == pytest.approx(1 / 2)
    assert (values["hard"]["n"], values["hard"]["errors"]) == (3, 1)
    assert values["hard"]["accuracy"] == pytest.approx(2 / 3)
    assert values["easy"]["accuracy"] == values[NO_VALUE]["accuracy"] == 1.0
    assert values[NO_VALUE]["n"] == 1
    group = slices["groups"]["related+hard"]
    assert group["values"] == ["related", "hard"]
    assert (group["n"], group["errors"], group["accuracy"]) == (5, 2, pytest.approx(3 / 5))
    low, high = group["accuracy_95"]
    assert 0.0 <= low < 3 / 5 < high <= 1.0
    assert values["easy"]["accuracy_95"] == [1.0, 1.0]  # no error to resample


@pytest.mark.parametrize(("text", "message"), [
    ("related+hard", "expected NAME=VALUE,VALUE"),
    ("=related,hard", "expected NAME=VALUE,VALUE"),
    ("both=", "expected NAME=VALUE,VALUE"),
])
def test_a_malformed_group_is_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SliceGroup.parse(text)


def test_a_group_of_an_absent_value_or_named_as_a_value_is_refused() -> None:
    metas = [{"kind": kind} for kind in ("related", "hard")]
    with pytest.raises(ConfigError, match="no record has kind 'hrad' \\(values: hard, "
                       "related\\)"):
        accuracy_by_slice(metas, [True, True], "kind", [SliceGroup.parse("rh=related,hrad")])
    with pytest.raises(ConfigError, match="'hard' is a value of kind already"):
        accuracy_by_slice(metas, [True, True], "kind", [SliceGroup.parse("hard=related")])


@pytest.fixture(scope="module")
def stance_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("slices") / "model", task="stance",
                                labels=["related", "unrelated"], seed=3)


def pair_rows() -> list[dict]:
    headlines = ["Rates held at 4.75%", "Stamp prices to rise", "Phone chips halve power use"]
    bodies = ["The Bank of England held interest rates on Thursday.",
              "Royal Mail stamp prices will rise for the first time in three years.",
              "A new phone chip uses half the power of the last one, its maker said."]
    rows = []
    for i, headline in enumerate(headlines):
        for j, body in enumerate(bodies):
            kind = "related" if i == j else ("hard" if (i + j) % 2 else "easy")
            row = {"id": f"p{i}{j}", "target": headline, "text": body,
                   "stance": "related" if i == j else "unrelated", "kind": kind}
            if i == 2 and j == 0:
                del row["kind"]  # a record without the field
            rows.append(row)
    return rows


def test_cli_slices_equal_counts_of_the_models_own_predictions(
        stance_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = pair_rows()
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(stance_model), "--data", str(data), "--out", str(out),
                     "--slice-by", "kind", "--slice-group", "related+hard=related,hard"]) == 0
    assert "accuracy by kind: easy" in capsys.readouterr().out
    predicted = StanceClassifier.from_pretrained(stance_model).predict(
        [(r["target"], r["text"]) for r in rows])
    counts: dict[str, list[int]] = {}
    for row, prediction in zip(rows, predicted):
        for name in {row.get("kind", NO_VALUE)} | (
                {"related+hard"} if row.get("kind") in ("related", "hard") else set()):
            right, total = counts.get(name, [0, 0])
            counts[name] = [right + (prediction.label == row["stance"]), total + 1]
    report = json.loads((out / "report.json").read_text())
    slices = report["slices"]
    shown = {**slices["values"], **slices["groups"]}
    assert set(shown) == set(counts) == {"related", "hard", "easy", NO_VALUE, "related+hard"}
    for name, (right, total) in counts.items():
        assert shown[name]["n"] == total and shown[name]["errors"] == total - right
        assert shown[name]["accuracy"] == pytest.approx(right / total)
    overall = sum(r for r, _ in (counts[k] for k in ("related", "hard", "easy", NO_VALUE)))
    assert report["metrics"]["accuracy"] == pytest.approx(overall / len(rows))
    markdown = (out / "report.md").read_text()
    right, total = counts["related+hard"]
    assert "## Accuracy by kind" in markdown
    assert f"| related+hard (related, hard) | {total} | {total - right} | " \
           f"{100 * right / total:.2f} |" in markdown


def test_cli_without_slice_by_has_no_slices_and_a_lone_group_is_refused(
        stance_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", pair_rows())
    assert cli_main(["evaluate", str(stance_model), "--data", str(data),
                     "--out", str(tmp_path / "plain")]) == 0
    assert json.loads((tmp_path / "plain" / "report.json").read_text())["slices"] is None
    assert "Accuracy by" not in (tmp_path / "plain" / "report.md").read_text()
    assert cli_main(["evaluate", str(stance_model), "--data", str(data), "--out",
                     str(tmp_path / "r"), "--slice-group", "rh=related,hard"]) == 2
    assert "--slice-group needs --slice-by" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_slice_by_is_refused_for_a_summarizer(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "Rates rose. Shares fell.",
                                               "summary": "Rates rose."}])
    assert cli_main(["evaluate", "extractive:lead", "--data", str(data), "--out",
                     str(tmp_path / "r"), "--slice-by", "kind"]) == 2
    assert "accuracy per slice is for topic and stance models" in capsys.readouterr().err


def test_docstring_examples_run() -> None:
    import doctest

    import newsdesk.evaluation.slices

    result = doctest.testmod(newsdesk.evaluation.slices)
    assert result.attempted >= 2 and result.failed == 0
