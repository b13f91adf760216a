"""benchmarks/summary_news.py on a few real articles: provenance, and one budget rule for all."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import summary_news as bench

from newsdesk.metrics.summary import rouge_scores
from newsdesk.summarize import DEFAULT_MAX_WORDS, Summarizer


def test_benchmark_writes_json_and_markdown(tmp_path: Path) -> None:
    code = bench.main(["--limit", "6", "--skip-tuning", "--methods", "lead", "textrank",
                       "--repeats", "2", "--out", str(tmp_path)])
    assert code == 0
    result = json.loads((tmp_path / "summary_news.json").read_text())
    labels = [row["label"] for row in result["rows"]]
    assert labels == ["Lead-1, raw text", "Lead-1, cleaned", "Lead-2, cleaned",
                      "lead, tuned", "textrank, tuned"]
    assert all(row["within_budget"] for row in result["rows"])
    assert {row["max_words"] for row in result["rows"]} == {DEFAULT_MAX_WORDS}
    assert result["rows"][1]["lsum_minus_lead1"]["mean"] == 0.0
    assert all(row["seconds"]["n"] == 2 for row in result["rows"])
    assert result["run"]["command"].endswith(
        "benchmarks/summary_news.py --limit 6 --skip-tuning --methods lead textrank "
        f"--repeats 2 --out {tmp_path}")
    markdown = (tmp_path / "summary_news.md").read_text()
    assert "| textrank, tuned |" in markdown and "- commit: `" in markdown


def test_every_row_gets_its_budget_by_the_same_validation_rule(tmp_path: Path) -> None:
    assert bench.main(["--limit", "5", "--methods", "lead", "--repeats", "1",
                       "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "summary_news.json").read_text())
    for row in result["rows"]:  # baselines included: same candidates, best validation Lsum
        tuning = result["tuning"][row["label"]]
        settings = {json.dumps(t["options"], sort_keys=True) for t in tuning["grid"]}
        assert len(tuning["grid"]) == len(settings) * len(bench.BUDGETS)
        assert sorted({t["max_words"] for t in tuning["grid"]}) == list(bench.BUDGETS)
        best = max(tuning["grid"], key=lambda t: t["rougeLsum"])
        assert (tuning["max_words"], tuning["options"]) == (best["max_words"], best["options"])
        assert row["max_words"] == tuning["max_words"]
    # the Lead-1 baseline's budget, recomputed by hand from the package
    validation = bench.load_split("validation", limit=5)
    lead1 = Summarizer.extractive("lead", k=1)
    scores = [np.mean([s["rougeLsum"] for s in rouge_scores(
        lead1.summarize(validation.texts, max_words=budget), validation.references)])
        for budget in bench.BUDGETS]
    assert result["tuning"]["Lead-1, cleaned"]["max_words"] == bench.BUDGETS[
        int(np.argmax(scores))]
    assert bench.RULE in (tmp_path / "summary_news.md").read_text()


def test_memoized_ranking_changes_no_summary() -> None:
    texts = bench.load_split("validation", limit=3).texts
    textrank = Summarizer.extractive("textrank", k=2, window=10, position_bias=1.0)
    plain = textrank.summarize(texts, max_words=40)
    with bench.memoized_ranking():
        assert textrank.summarize(texts, max_words=40) == plain
        assert textrank.summarize(texts, max_words=40) == plain  # from the memo


def test_model_option_goes_to_from_pretrained(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(["--limit", "2", "--skip-tuning", "--methods", "lead", "--repeats", "1",
                       "--model", str(tmp_path / "model"), "--out", str(tmp_path)])
    assert code == 2 and "no such model directory" in capsys.readouterr().err
