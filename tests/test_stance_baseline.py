"""benchmarks/stance_headlines.py: threshold rows (TF-IDF and bi-encoder), slice scores, ECE
and the verdict, by hand. The TF-IDF cosine itself and the threshold search are the
package's (tests/test_baselines.py)."""

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


def _pair(ident: str, kind: str, target: str = "Reds win cup", text: str = "Body.",
          **meta: object) -> Record:
    return Record(id=ident, text=text, target=target,
                  stance="related" if kind == "related" else "unrelated",
                  meta={"kind": kind, "split": "test", **meta})


def test_doctests(bench: ModuleType) -> None:
    result = doctest.testmod(bench)
    assert result.attempted > 0 and result.failed == 0


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
    row = bench.method_row("baseline", records,
                           lambda: bench.Scored(["related", "related", "unrelated"]),
                           2, train_seconds=1.0, extra={})
    assert row["predict_seconds"]["n"] == 2
    lines = bench.render({"repeats": 2, "rows": [row], "verdicts": []}, "unquoted")
    assert "| baseline | 66.67 (1/3) | 100.00 (0/1) | 0.00 (1/1) |" in "\n".join(lines)
    assert "same-entity" not in lines[2]  # no column for a slice no row has


def test_baseline_only_run_writes_named_results_with_provenance(bench: ModuleType,
                                                                tmp_path: Path) -> None:
    bench.main(["--baseline-only", "--no-bi-encoder", "--results", "other", "--repeats", "1",
                "--out", str(tmp_path)])
    result = json.loads((tmp_path / "other.json").read_text())
    assert result["run"]["command"].endswith(
        f"benchmarks/stance_headlines.py --baseline-only --no-bi-encoder --results other "
        f"--repeats 1 --out {tmp_path}")
    assert [row["method"] for row in result["rows"]] == [
        "TF-IDF cosine, threshold tuned on validation"]
    row = result["rows"][0]
    assert row["slices"]["same-entity"]["n"] == 372 and row["ece"] is None
    assert row["slices"]["all"]["n"] == 3444  # version 1's pairs: old figures comparable
    markdown = (tmp_path / "other.md").read_text()
    assert "| TF-IDF cosine, threshold tuned on validation |" in markdown
    assert "| same-entity | ECE |" in markdown


def test_threshold_row_tunes_on_the_version_1_kinds_of_validation(bench: ModuleType) -> None:
    validation = [_pair("r", "related", s=0.8), _pair("h", "hard", s=0.2),
                  _pair("e", "easy", s=0.1),
                  # would pull the cut above 0.8 if it were tuned on
                  _pair("s1", "same-entity", s=0.9), _pair("s2", "same-entity", s=0.95)]
    test = [_pair("t1", "related", s=0.7), _pair("t2", "same-entity", s=0.9),
            _pair("t3", "hard", s=0.3)]

    def score(records: list[Record]) -> np.ndarray:
        return np.array([r.meta["s"] for r in records])

    row = bench.threshold_row("m", score, validation, test, 1, fit_seconds=0.0, extra={})
    assert row["threshold"] == pytest.approx(0.5)  # midway between 0.2 and 0.8
    assert {k: v["errors"] for k, v in row["slices"].items()} == {
        "all": 0, "related": 0, "hard negatives": 0, "related + hard": 0, "same-entity": 1}
    assert row["ece"] is None


def test_method_row_reports_ece_for_probabilities(bench: ModuleType) -> None:
    records = [_pair("r1", "related"), _pair("r2", "related"), _pair("h1", "hard"),
               _pair("s1", "same-entity")]
    scored = bench.Scored(["related", "unrelated", "unrelated", "related"],
                          [0.9, 0.6, 0.8, 0.99])
    row = bench.method_row("model", records, lambda: scored, 1, train_seconds=0.0, extra={})
    # bins: 0.6 wrong, 0.8 right, 0.9 right, 0.99 wrong: (0.6 + 0.2 + 0.1 + 0.99) / 4
    assert row["ece"] == pytest.approx((0.6 + 0.2 + 0.1 + 0.99) / 4)
    assert row["slices"]["same-entity"]["ece"] == pytest.approx(0.99)
    assert "| model |" in "\n".join(bench.render({"repeats": 1, "rows": [row],
                                                   "verdicts": []}, "unquoted"))


def test_bi_encoder_scores_are_cosines_of_sentence_vectors(bench: ModuleType,
                                                          tmp_path: Path) -> None:
    from tiny_models import make_tiny_base

    from newsdesk.summarize.encoder import SentenceEncoder

    encoder = SentenceEncoder.load(make_tiny_base(tmp_path / "base"))
    records = [_pair("a", "related", "Reds win the cup", "The Reds won the cup final."),
               _pair("b", "easy", "Reds win the cup", "Rates rose again today.")]
    scores = bench.bi_encoder_scores(encoder, records)
    expected = [float(encoder.encode([r.target])[0] @ encoder.encode([r.text])[0])
                for r in records]
    assert scores == pytest.approx(expected, abs=1e-5)
    assert scores[0] != pytest.approx(scores[1])


def test_zero_shot_minilm_tells_related_from_unrelated(bench: ModuleType) -> None:
    """The real offline MiniLM, untrained: the cut from validation separates test pairs."""
    bodies = {"cup": "The Reds beat the Blues 2-1 in the cup final at Wembley on Saturday, "
                     "lifting the trophy for the first time in a decade.",
              "rates": "The central bank kept its main interest rate at 4% on Thursday, "
                       "saying inflation was slowing faster than expected.",
              "storm": "Storm Bella brought down power lines across the north, leaving "
                       "40,000 homes without electricity overnight.",
              "film": "The director's new film about a lighthouse keeper opened to strong "
                      "reviews and topped the box office this weekend."}
    heads = {"cup": "Reds lift the cup at Wembley", "rates": "Bank holds interest rates",
             "storm": "Storm cuts power to thousands", "film": "Lighthouse film tops box office"}

    def pair(head: str, body: str) -> Record:
        return _pair(f"{head}-{body}", "related" if head == body else "hard", heads[head],
                     bodies[body])

    validation = [pair("cup", "cup"), pair("rates", "rates"), pair("cup", "rates"),
                  pair("rates", "cup")]
    test = [pair("storm", "storm"), pair("film", "film"), pair("storm", "film"),
            pair("film", "storm")]
    row = bench.scorer_row(bench.bi_encoder_scorer(), validation, test, 1)
    assert row["lead_word_pieces"] == 256
    assert row["slices"]["all"]["errors"] == 0
