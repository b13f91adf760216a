"""Summary metrics on small examples whose scores can be checked by hand."""

from __future__ import annotations

import json
import math

import pytest

from newsdesk.metrics.bootstrap import Estimate, paired_difference
from newsdesk.metrics.summary import (
    estimate,
    lsum_text,
    novel_bigram_share,
    rouge_scores,
    score_summaries,
    tokens,
)


def test_identical_and_disjoint_texts() -> None:
    same, apart = rouge_scores(["Rates rose sharply.", "Cats sleep."],
                               ["Rates rose sharply.", "Markets fell."])
    assert same == {"rouge1": 1.0, "rouge2": 1.0, "rougeLsum": 1.0}
    assert apart == {"rouge1": 0.0, "rouge2": 0.0, "rougeLsum": 0.0}


def test_rouge_by_hand() -> None:
    # 5 of 6 unigrams shared (P = R = 5/6); 3 of 5 bigrams (P = R = 3/5);
    # longest common subsequence "the cat sat on mat": 5 of 6.
    [scores] = rouge_scores(["the cat sat on the mat"], ["the cat sat on a mat"])
    assert scores["rouge1"] == pytest.approx(5 / 6)
    assert scores["rouge2"] == pytest.approx(3 / 5)
    assert scores["rougeLsum"] == pytest.approx(5 / 6)


def test_rouge_lsum_matches_sentence_by_sentence() -> None:
    # The same two sentences in the other order: one LCS over the whole text covers only
    # one sentence (3 of 6 tokens), the summary-level LCS (union per sentence) covers all.
    [scores] = rouge_scores(["The dog ran. The cat sat."], ["The cat sat. The dog ran."])
    assert scores["rougeLsum"] == pytest.approx(1.0)
    assert scores["rouge1"] == pytest.approx(1.0)
    assert scores["rouge2"] == pytest.approx(4 / 5)   # "sat the" / "ran the" differ


def test_rouge_stems() -> None:
    [scores] = rouge_scores(["Prices were rising."], ["Price rises."])
    assert scores["rouge1"] == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))


def test_lsum_text_puts_one_sentence_per_line() -> None:
    assert lsum_text("Sen. Warren spoke. She left.") == "Sen. Warren spoke.\nShe left."


def test_tokens_are_lower_case_alphanumeric() -> None:
    assert tokens("U.S. GDP rose 2.5% (Reuters)") == ["u", "s", "gdp", "rose", "2", "5",
                                                     "reuters"]


def test_novel_bigrams() -> None:
    article = "Russia and Turkey agreed on a ceasefire. It starts at midnight."
    assert novel_bigram_share("Russia and Turkey agreed on a ceasefire.", article) == 0.0
    # 3 bigrams: "russia and" (seen), "and iran" (new), "iran agreed" (new)
    assert novel_bigram_share("Russia and Iran agreed.", article) == pytest.approx(2 / 3)
    assert novel_bigram_share("Ceasefire.", article) is None


def test_novel_bigrams_do_not_cross_sentences() -> None:
    article = "Talks ended. Rain fell."
    # extractive, two non-adjacent sentences: "ended rain" would be new but spans a boundary
    assert novel_bigram_share("Rain fell. Talks ended.", article) == 0.0


def test_estimate_skips_undefined_values_and_is_seeded() -> None:
    assert estimate([0.5, 0.5, None]) == Estimate(0.5, 0.5, 0.5, 2)
    first, second = estimate([0.1, 0.9, 0.3, 0.7], seed=3), estimate([0.1, 0.9, 0.3, 0.7],
                                                                      seed=3)
    assert first == second and first.low < first.mean == 0.5 < first.high
    empty = estimate([None])
    assert empty.count == 0 and math.isnan(empty.mean)


def test_paired_difference() -> None:
    better = paired_difference([0.6, 0.7, 0.8, 0.9], [0.5, 0.6, 0.7, 0.8])
    assert better.mean == pytest.approx(0.1) and better.low == pytest.approx(0.1)
    mixed = paired_difference([0.9, 0.1, 0.9, 0.1], [0.1, 0.9, 0.1, 0.9])
    assert mixed.low < 0 < mixed.high
    with pytest.raises(ValueError, match="one baseline score per value"):
        paired_difference([0.1], [0.1, 0.2])


def test_score_summaries_report() -> None:
    predictions = ["Rates rose sharply.", "Cats sleep.", "Rates rose."]
    references = ["Rates rose sharply.", "Markets fell.", "Rates rose sharply today."]
    articles = ["Rates rose sharply on Monday.", "Cats sleep. Markets fell.",
                "Rates rose."]
    scores = score_summaries(predictions, references, articles, rounds=200, extremes=2)
    assert scores.count == 3
    assert set(scores.metrics) == {"rouge1", "rouge2", "rougeLsum", "words", "novel_bigrams"}
    assert scores.metrics["words"].mean == pytest.approx(7 / 3)
    assert scores.metrics["novel_bigrams"].mean == 0.0
    assert [e["index"] for e in scores.best] == [0, 2]
    assert [e["index"] for e in scores.worst] == [1, 2]
    assert scores.worst[0]["prediction"] == "Cats sleep."
    # "Rates rose." against "Rates rose sharply today.": P = 1, R = 1/2, F1 = 2/3
    assert scores.means()["rouge1"] == pytest.approx((1.0 + 0.0 + 2 / 3) / 3)
    json.dumps(scores.to_dict())


def test_score_summaries_without_articles_has_no_novelty() -> None:
    scores = score_summaries(["A b c."], ["A b c."], rounds=10)
    assert "novel_bigrams" not in scores.metrics


@pytest.mark.parametrize(("predictions", "references", "error", "message"), [
    (["a"], ["a", "b"], ValueError, "predictions 1, references 2"),
    (["a", None], ["a", "b"], TypeError, r"predictions\[1\] is NoneType"),
])
def test_bad_input(predictions: list, references: list, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        score_summaries(predictions, references)
