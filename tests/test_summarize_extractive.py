"""Word budget, rankings, the three extractive methods and the public Summarizer."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from newsdesk.data import load
from newsdesk.errors import ConfigError
from newsdesk.metrics.text import count_words
from newsdesk.summarize import Summarizer, article_sentences
from newsdesk.summarize.budget import select, truncate_words
from newsdesk.summarize.encoder import SentenceEncoder
from newsdesk.summarize.extractive import make_method
from newsdesk.summarize.ranking import (
    centroid_order,
    position_prior,
    textrank_order,
    tfidf_similarity,
)

ARTICLE = ("MOSCOW, March 7. /TASS/. Russia and Turkey agreed on a ceasefire in Syria on "
           "Monday. The ceasefire in Syria starts at midnight, officials in Russia said. "
           "Weather in Moscow was cold. Turkey said the ceasefire in Syria would be "
           "monitored. mb/jm (AFP, dpa)")


@pytest.fixture(scope="session")
def minilm() -> SentenceEncoder:
    """The real all-MiniLM-L6-v2, loaded once for the whole session."""
    return SentenceEncoder.load("minilm-l6")


@pytest.fixture(scope="module")
def real_articles() -> list[str]:
    return [r.text for r in load("news-articles", split="validation")[:8]]


# ---------------------------------------------------------------- budget


def test_count_and_truncate_words() -> None:
    assert count_words(" a  b\nc ") == 3
    assert truncate_words(" a  b\nc ", 2) == "a b"
    assert truncate_words("a b", 5) == "a b"


def test_select_skips_what_does_not_fit_and_keeps_text_order() -> None:
    sentences = ["One two three.", "Four five.", "Six seven eight nine."]
    assert select(sentences, [2, 0, 1], k=2, max_words=6) == "Four five. Six seven eight nine."
    assert select(sentences, [2, 0, 1], k=2, max_words=7) == "One two three. Six seven eight nine."
    assert select(sentences, [0, 2, 1], k=2, max_words=5) == "One two three. Four five."
    assert select(sentences, [2, 0, 1], k=1, max_words=100) == "Six seven eight nine."


def test_select_contiguous_stops_at_the_first_misfit() -> None:
    sentences = ["One two.", "Three four five six.", "Seven."]
    assert select(sentences, [0, 1, 2], k=3, max_words=4, contiguous=True) == "One two."


def test_select_truncates_the_best_sentence_when_none_fits() -> None:
    assert select(["A b c d e.", "F g h i j k."], [1, 0], k=2, max_words=3) == "F g h"
    assert select([], [], k=2, max_words=3) == ""


# ---------------------------------------------------------------- rankings


def test_position_prior() -> None:
    assert position_prior(3, 0.0).tolist() == pytest.approx([1 / 3] * 3)
    prior = position_prior(3, 1.0)
    assert prior.sum() == pytest.approx(1.0) and prior[0] > prior[1] > prior[2]


def test_tfidf_similarity_of_unrelated_or_stop_word_sentences_is_zero() -> None:
    assert not tfidf_similarity(["It is.", "Was it?"]).any()
    similarity = tfidf_similarity(["Rates rose.", "Rates rose again.", "Cats sleep."])
    assert similarity[0, 1] > 0 and similarity[0, 2] == 0 and similarity[0, 0] == 0


def test_textrank_puts_the_most_connected_sentence_first() -> None:
    sentences = ["Syria ceasefire talks began.", "Cats sleep all day.",
                 "The Syria ceasefire talks in Astana began.", "Astana talks on Syria went on."]
    order = textrank_order(sentences)
    assert order[0] == 2 and order[-1] == 1


def test_textrank_position_bias_and_small_inputs() -> None:
    assert textrank_order([]) == [] and textrank_order(["Only one."]) == [0]
    unrelated = ["Cats sleep.", "Dogs bark.", "Birds sing."]
    assert textrank_order(unrelated, position_bias=1.0) == [0, 1, 2]


def test_centroid_order_demotes_redundant_sentences() -> None:
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.6, 0.8], [0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert centroid_order(vectors) == [2, 1, 0, 3]
    assert centroid_order(vectors, redundancy=0.9) == [2, 1, 3, 0]
    assert centroid_order(vectors, position_bias=3.0)[0] == 0
    assert centroid_order(np.zeros((0, 2))) == []


# ---------------------------------------------------------------- methods and Summarizer


def test_lead_reads_the_cleaned_stream() -> None:
    summary = Summarizer.extractive("lead", k=1).summarize([ARTICLE], max_words=40)
    assert summary == ["Russia and Turkey agreed on a ceasefire in Syria on Monday."]


def test_textrank_picks_the_central_sentence() -> None:
    summary = Summarizer.extractive("textrank", k=1).summarize([ARTICLE], max_words=40)
    assert "ceasefire in Syria" in summary[0] and "Weather" not in summary[0]


def test_centroid_picks_on_topic_sentences_in_article_order(minilm: SentenceEncoder) -> None:
    summarizer = Summarizer.extractive("centroid", k=2, encoder=minilm)
    summary = summarizer.summarize([ARTICLE], max_words=60)[0]
    assert "Weather" not in summary
    sentences = article_sentences(ARTICLE)
    picked = [s for s in sentences if s in summary]
    assert len(picked) == 2 and " ".join(picked) == summary


def test_minilm_vectors_are_unit_length_and_meaningful(minilm: SentenceEncoder) -> None:
    vectors = minilm.encode(["Interest rates rose today.", "The central bank raised rates.",
                             "A cat slept on the mat."])
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


@pytest.mark.parametrize("method", ["lead", "textrank", "centroid"])
def test_every_method_honours_max_words(method: str, minilm: SentenceEncoder,
                                        real_articles: list[str]) -> None:
    options = {"lead": {}, "textrank": {"window": 5}, "centroid": {"window": 5,
                                                                   "encoder": minilm}}
    summarizer = Summarizer.extractive(method, k=3, **options[method])
    budgets, articles = ((1, 15), real_articles[:3]) if method == "centroid" else (
        (1, 4, 15, 40), real_articles[:5])  # MiniLM on CPU is the slow part
    for max_words in budgets:
        summaries = summarizer.summarize(articles, max_words=max_words)
        assert all(0 < count_words(s) <= max_words for s in summaries)


@pytest.mark.parametrize("method", ["lead", "textrank", "centroid"])
def test_summaries_are_made_of_article_sentences(method: str, minilm: SentenceEncoder,
                                                 real_articles: list[str]) -> None:
    options = {"encoder": minilm} if method == "centroid" else {}
    summarizer = Summarizer.extractive(method, k=2, window=6, **options) \
        if method != "lead" else Summarizer.extractive("lead", k=2)
    real_articles = real_articles[:5]
    for text, summary in zip(real_articles, summarizer.summarize(real_articles, max_words=80)):
        sentences = article_sentences(text, limit=6)
        assert summary == " ".join(s for s in sentences if s in summary)


def test_empty_articles_get_empty_summaries() -> None:
    summaries = Summarizer.extractive("lead").summarize(["", "  \n ", ARTICLE, "Learn more"])
    assert summaries[:2] == ["", ""] and summaries[2] and summaries[3] == ""


@pytest.mark.parametrize(("texts", "message"), [
    (["ok", None], "index 1 is NoneType"),
    ([3], "index 0 is int"),
    ([b"bytes"], "decode bytes first"),
    ("one article", "wrap it in a list"),
])
def test_bad_input_names_the_item(texts: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Summarizer.extractive("lead").summarize(texts)  # type: ignore[arg-type]


@pytest.mark.parametrize(("max_words", "error"), [(0, ValueError), (-3, ValueError),
                                                  (2.5, TypeError), (True, TypeError)])
def test_bad_max_words(max_words: object, error: type) -> None:
    with pytest.raises(error, match="max_words"):
        Summarizer.extractive("lead").summarize([ARTICLE], max_words=max_words)  # type: ignore


@pytest.mark.parametrize(("method", "options", "message"), [
    ("lsa", {}, "unknown extractive method 'lsa'"),
    ("lead", {"window": 3}, "lead has no option 'window'"),
    ("textrank", {"k": 0}, "k must be a whole number"),
    ("textrank", {"damping": 1.5}, "damping"),
    ("centroid", {"dtype": "float16"}, "dtype"),
])
def test_bad_options_raise_config_error(method: str, options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_method(method, **options)


def test_any_backend_plugs_in_and_is_held_to_the_budget() -> None:
    class Echo:
        name = "echo"
        calls: list[int] = []

        def summarize(self, texts: list[str], max_words: int) -> list[str]:
            self.calls.append(len(texts))
            return [" ".join([text] * 3) for text in texts]

    backend = Echo()
    summarizer = Summarizer(backend, max_words=4, batch_size=2)
    assert summarizer.summarize(["a b", "", "c d", "e f"]) == ["a b a b", "", "c d c d",
                                                                "e f e f"]
    assert backend.calls == [2, 1] and summarizer.method == "echo"


def test_from_pretrained_refuses_a_dir_without_a_model(tmp_path) -> None:
    from newsdesk.errors import ModelError

    with pytest.raises(ModelError, match="no config.json"):
        Summarizer.from_pretrained(tmp_path)


def test_summarize_from_threads_matches_sequential(real_articles: list[str]) -> None:
    summarizer = Summarizer.extractive("textrank", k=2)
    expected = summarizer.summarize(real_articles)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(
        summarizer.summarize(real_articles))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
