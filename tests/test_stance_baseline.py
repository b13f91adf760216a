"""benchmarks/stance_headlines.py: threshold tuning, slice scores and the verdict, by hand."""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from newsdesk.data.records import Record


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return importlib.import_module("stance_headlines")


def _pair(ident: str, kind: str, target: str = "Reds win cup", text: str = "Body.") -> Record:
    return Record(id=ident, text=text, target=target,
                  stance="related" if kind == "related" else "unrelated",
                  meta={"kind": kind, "split": "test"})


def test_doctests(bench: ModuleType) -> None:
    result = doctest.testmod(bench)
    assert result.attempted > 0 and result.failed == 0


def test_threshold_maximises_accuracy_between_scores(bench: ModuleType) -> None:
    scores = np.array([0.05, 0.10, 0.30, 0.20, 0.50, 0.70])
    related = np.array([0, 0, 0, 1, 1, 1])
    # a cut between 0.10 and 0.20 misses only the 0.30 negative: 5/6; so does 0.30-0.50
    # (misses the 0.20 related); the first best cut is kept
    assert bench.tune_threshold(scores, related) == pytest.approx(0.15)
    assert bench.tune_threshold(np.array([0.2, 0.2]), np.array([1, 1])) == pytest.approx(0.2)


def test_cosine_scores_are_tfidf_cosines(bench: ModuleType) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    records = [_pair("a", "related", "Reds win the cup", "The Reds won the cup final."),
               _pair("b", "easy", "Reds win the cup", "Rates rose again today.")]
    vectorizer = TfidfVectorizer().fit([r.text for r in records] + ["Reds win the cup"])
    expected = [cosine_similarity(vectorizer.transform([r.target]),
                                  vectorizer.transform([r.text]))[0, 0] for r in records]
    assert bench.cosine_scores(vectorizer, records) == pytest.approx(expected)
    assert expected[1] == 0.0


def test_slices_count_related_hard_and_easy_separately(bench: ModuleType) -> None:
    records = [_pair("r1", "related"), _pair("r2", "related"), _pair("h1", "hard"),
               _pair("h2", "hard"), _pair("e1", "easy"), _pair("e2", "easy")]
    predicted = ["related", "unrelated", "related", "unrelated", "unrelated", "unrelated"]
    slices = bench.slice_scores(records, predicted)
    assert {name: (s["n"], s["errors"]) for name, s in slices.items()} == {
        "all": (6, 2), "related": (2, 1), "hard negatives": (2, 1),
        "easy negatives": (2, 0), "related + hard": (4, 2)}
    assert slices["related + hard"]["accuracy"] == pytest.approx(0.5)
    low, high = slices["all"]["accuracy_95"]
    assert low <= 4 / 6 <= high


def test_verdict_needs_every_slice_and_99_percent(bench: ModuleType) -> None:
    def row(related: float, hard: float, easy: float, both: float) -> dict:
        names = ("related", "hard negatives", "easy negatives", "related + hard")
        return {"method": "m", "slices": {n: {"accuracy": a} for n, a in
                                          zip(names, (related, hard, easy, both))}}

    baseline = row(0.95, 0.98, 0.995, 0.965)
    assert bench.verdict(baseline, row(0.995, 0.99, 0.999, 0.9925))["passed"]
    tied_easy = bench.verdict(baseline, row(0.995, 0.99, 0.995, 0.9925))
    assert not tied_easy["passed"] and not tied_easy["beats_baseline"]["easy negatives"]
    short = bench.verdict(baseline, row(0.99, 0.985, 0.999, 0.9875))
    assert short["beats_baseline"] == {"related": True, "hard negatives": True,
                                       "easy negatives": True}
    assert not short["related_hard_at_least_99"] and not short["passed"]


def test_render_tables_the_slices(bench: ModuleType) -> None:
    records = [_pair("r1", "related"), _pair("h1", "hard"), _pair("e1", "easy")]
    row = bench.method_row("baseline", records, lambda: ["related", "related", "unrelated"],
                           2, train_seconds=1.0, extra={})
    assert row["predict_seconds"]["n"] == 2
    lines = bench.render({"repeats": 2, "rows": [row], "verdicts": []})
    assert "| baseline | 66.67 (1/3) | 100.00 (0/1) | 0.00 (1/1) |" in "\n".join(lines)


def test_baseline_only_run_writes_named_results_with_provenance(bench: ModuleType,
                                                                tmp_path: Path) -> None:
    bench.main(["--baseline-only", "--results", "other", "--repeats", "1",
                "--out", str(tmp_path)])
    result = json.loads((tmp_path / "other.json").read_text())
    assert result["run"]["command"].endswith(
        f"benchmarks/stance_headlines.py --baseline-only --results other --repeats 1 "
        f"--out {tmp_path}")
    assert [row["method"] for row in result["rows"]] == [
        "TF-IDF cosine, threshold tuned on validation"]
    assert "| TF-IDF cosine, threshold tuned on validation |" in (
        tmp_path / "other.md").read_text()
