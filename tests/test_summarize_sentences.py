"""The cleaned sentence stream: pysbd splitting, lazy chunks, limits, real articles."""

from __future__ import annotations

import threading

import pytest

from newsdesk.data import load
from newsdesk.metrics.text import split_sentences
from newsdesk.summarize.clean import blocks, clean_text
from newsdesk.summarize.sentences import article_sentences, chunks, tidy


@pytest.fixture(scope="module")
def real_articles() -> list[str]:
    """Twenty real news-articles bodies (validation split)."""
    return [r.text for r in load("news-articles", split="validation")[:20]]


def test_split_sentences_knows_abbreviations() -> None:
    text = "Sen. Warren met Gov. Cuomo on Feb. 7 in the U.S. capital. Then she left."
    assert split_sentences(text) == [
        "Sen. Warren met Gov. Cuomo on Feb. 7 in the U.S. capital.", "Then she left."]


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_split_sentences_of_nothing(text: str) -> None:
    assert split_sentences(text) == []


def test_tidy_reattaches_closing_quotes_and_drops_leading_dashes() -> None:
    assert tidy(['He said "no.', '" Then he left.', "- Later.", "'", "-"]) == [
        'He said "no."', "Then he left.", "Later.'"]


def test_chunks_cut_only_after_a_long_lower_case_word() -> None:
    block = ("Sen. Warren spoke today. Gov. Cuomo left early. The U.S. team won. "
             "Rain fell all day.")
    pieces = list(chunks(block, size=10))
    assert pieces == ["Sen. Warren spoke today.", "Gov. Cuomo left early.",
                      "The U.S. team won. Rain fell all day."]
    assert " ".join(pieces) == block


def test_chunks_leave_a_short_block_whole() -> None:
    assert list(chunks("One short block. Two.", size=600)) == ["One short block. Two."]


def test_article_sentences_strip_dateline_and_trailer() -> None:
    text = ("MOSCOW, March 7. /TASS/. Russia and Iran agreed on Monday. Talks will go on. "
            "READ MORE: Iran deal explained The envoy left. mb/jm (AFP, dpa)")
    assert article_sentences(text) == ["Russia and Iran agreed on Monday.",
                                       "Talks will go on."]


def test_article_sentences_of_boilerplate_only_is_empty() -> None:
    assert article_sentences("Share this slide: Learn more") == []


def test_a_limit_gives_the_prefix_of_the_full_stream(real_articles: list[str]) -> None:
    for text in real_articles:
        full = article_sentences(text)
        for limit in (1, 3, 8):
            assert article_sentences(text, limit=limit) == full[:limit]


def test_chunked_splitting_loses_no_text(real_articles: list[str]) -> None:
    for text in real_articles:
        for block in blocks(clean_text(text)):
            joined = "".join(s for piece in chunks(block) for s in split_sentences(piece))
            assert "".join(joined.split()) == "".join(block.split())


def test_real_articles_give_clean_openings(real_articles: list[str]) -> None:
    for text in real_articles:
        first = article_sentences(text, limit=1)
        if first:
            assert "/TASS/" not in first[0] and not first[0].startswith(("-", '"?'))


def test_article_sentences_is_thread_safe(real_articles: list[str]) -> None:
    expected = [article_sentences(t, limit=6) for t in real_articles]
    results: list[list[list[str]]] = []

    def work() -> None:
        results.append([article_sentences(t, limit=6) for t in real_articles])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


@pytest.mark.parametrize("text", [
    "a" * 200_000,                      # one endless token
    "ab/" * 60_000,                     # slashes (initials pattern)
    "a@b.c" * 40_000,                   # e-mail-like
    "x- " * 60_000,                     # stray dashes
    '"?' * 100_000,                     # mojibake
    "The talks went on for a long time. " * 5_000,
])
def test_long_odd_articles_stay_linear(text: str) -> None:
    # a quadratic regular expression would take minutes here, not a second
    sentences = article_sentences(text, limit=3)
    assert len(sentences) <= 3 and all(len(s) <= 2 * 2400 for s in sentences)
