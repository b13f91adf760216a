"""One model, four threads: predict and summarize give the same results as sequential calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tiny_models import make_tiny_classifier

from newsdesk import StanceClassifier, Summarizer, TopicClassifier

THREADS = 4
SENTENCES = ["Shares in the bank rose 5% after profits beat forecasts.",
             "The striker scored twice as the league leaders won again.",
             "A new phone chip promises longer battery life.",
             "The minister resigned after the vote on the budget.",
             "Officials in Cairo said مرحبا, in Beijing 你好 and in Moscow Привет 😀."]


def batches(count: int = 12) -> list[list[str]]:
    """Different inputs per call, some long enough to need several windows."""
    return [[" ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(1 + i % 6))
             for i in range(start, start + 3)] for start in range(count)]


def sequential_and_threaded(call: Callable[[Any], Any],
                            inputs: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    sequential = [call(item) for item in inputs]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        threaded = list(pool.map(call, inputs))
    return sequential, threaded


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("concurrency")


def test_topic_predict_from_four_threads_matches_sequential(root: Path) -> None:
    classifier = TopicClassifier.from_pretrained(make_tiny_classifier(root / "topic"))
    sequential, threaded = sequential_and_threaded(classifier.predict, batches())
    assert [[p.label for p in r] for r in threaded] == [[p.label for p in r]
                                                        for r in sequential]
    for got, expected in zip(threaded, sequential):
        for a, b in zip(got, expected):
            assert a.scores == pytest.approx(b.scores, abs=1e-6)


def test_stance_predict_from_four_threads_matches_sequential(root: Path) -> None:
    classifier = StanceClassifier.from_pretrained(
        make_tiny_classifier(root / "stance", task="stance"))
    pairs = [[(text.split(".")[0], text) for text in batch] for batch in batches()]
    sequential, threaded = sequential_and_threaded(classifier.predict, pairs)
    for got, expected in zip(threaded, sequential):
        assert [p.label for p in got] == [p.label for p in expected]
        for a, b in zip(got, expected):
            assert a.scores == pytest.approx(b.scores, abs=1e-6)


@pytest.mark.parametrize("method", ["lead", "textrank"])
def test_extractive_summaries_from_four_threads_match_sequential(method: str) -> None:
    summarizer = Summarizer.extractive(method)
    sequential, threaded = sequential_and_threaded(summarizer.summarize, batches(24))
    assert threaded == sequential
