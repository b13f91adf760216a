"""benchmarks/predict_memory.py: the article counter follows what ``predict_file`` predicts,
and the RSS curve runs up to the articles done, saying how many of those asked that was."""

from __future__ import annotations

import json
from pathlib import Path

import predict_memory as bench
import pytest
from benchlib import RssSampler
from tiny_data import TEXTS
from tiny_models import make_tiny_classifier

from newsdesk.batch import load_classifier, predict_file


def test_the_counter_counts_every_article_predict_file_predicts(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": f"a{i}", "text": TEXTS[i % len(TEXTS)]}) + "\n"
                                for i in range(7)), encoding="utf-8")
    counter = bench.Counting(load_classifier(make_tiny_classifier(tmp_path / "model")))
    with RssSampler(60.0, lambda: counter.done) as sampler:
        summary = predict_file(counter, articles, tmp_path / "out.jsonl", batch_size=2,
                               chunk_size=3, progress=False)
    assert summary.records == 7 and counter.done == 7
    samples = sampler.samples
    assert samples[0][0] == 0 and samples[-1][0] == 7  # the last sample: after the run
    assert sampler.peak == max(rss for _, rss in samples) > 0
    bench.check_counted(counter, summary.records)


def test_a_counter_that_missed_the_predictions_is_a_clear_error() -> None:
    counter = bench.Counting(object())
    with pytest.raises(RuntimeError, match="saw 0 predictions but predict_file read 2,500"):
        bench.check_counted(counter, 2500)


def test_the_curve_stops_at_the_articles_done_when_they_fall_short_of_those_asked() -> None:
    samples = [(0, 100.0), (600, 110.0), (1200, 111.0), (1900, 111.5), (2500, 112.0)]
    rss = bench.curve(samples, 3000, 250)  # asked 3,000, warm-up 250
    assert rss["articles_asked"] == 3000 and rss["articles_done"] == 2500
    assert rss["rss_at_articles_mib"] == {"1000": 111.0, "2000": 112.0}
    assert rss["end_mib"] == 112.0 and rss["peak_mib"] == 112.0
    assert rss["steady_min_mib"] == 110.0  # from 600 on, past the 250 of warm-up


def test_the_markdown_says_how_many_were_done_of_those_asked() -> None:
    report = {"model": "m", "articles": 2500, "input_mib": 1.0, "chunk_size": 256, "batch_size": 32,
              "torch_threads": 2, "seconds": 1.0, "docs_per_second": 2500.0,
              "read_whole_file_mib": 3.0,
              "rss": bench.curve([(0, 100.0), (1200, 101.0), (2500, 102.0)], 3000, 250),
              "run": {"cpu": {"model": "Test CPU", "cores": 2, "isa": []}, "busy": False}}
    lines = bench.render(report, "predict_memory")
    assert lines[0].startswith("2,500 articles (of 3,000 asked) (1.0 MiB")
    assert "a slope of n/a MiB per 1,000 articles" in " ".join(lines[-2].split())  # too few
    report["rss"] = bench.curve([(0, 100.0), (3000, 101.0)], 3000, 300)
    assert bench.render(report, "predict_memory")[0].startswith("3,000 articles (1.0 MiB")
