"""Summary quality: ROUGE-1/2/Lsum F1, length, novel bigrams, intervals, best and worst.

Pure functions over strings that return plain dataclasses and dicts, for any report writer.
Scores are fractions in [0, 1] (as rouge-score gives them); multiply by 100 to print.

- ROUGE comes from the ``rouge-score`` package (the ``[eval]`` extra) with Porter stemming.
  ROUGE-Lsum splits prediction and reference into sentences with newsdesk's own splitter
  (pysbd, ``newsdesk.metrics.text.split_sentences``) and joins them with newlines, which is
  what rouge-score's ``rougeLsum`` expects.
- A word is a run of non-space characters (as ``max_words`` counts them).
- The novel-bigram share is the share of a summary's bigrams (within its sentences,
  lower-cased alphanumeric tokens as rouge-score tokenizes) absent from the article:
  0 for a purely extractive summary, higher the more a model rewrites.

>>> scores = rouge_scores(["the cat sat on the mat"], ["the cat sat on a mat"])
>>> round(scores[0]["rouge1"], 3), round(scores[0]["rouge2"], 3)
(0.833, 0.6)
>>> novel_bigram_share("Cats sat here.", "The cats sat on a mat.")
0.5
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from newsdesk.metrics.bootstrap import Estimate, mean_interval
from newsdesk.metrics.text import count_words, split_sentences

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
_TOKEN = re.compile(r"[a-z0-9]+")


def lsum_text(text: str) -> str:
    """``text`` with one sentence per line, as ROUGE-Lsum reads it.

    >>> lsum_text("Rates rose. Prices fell.")
    'Rates rose.\\nPrices fell.'
    """
    return "\n".join(split_sentences(text))


def _scorer() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        raise ImportError("ROUGE needs the rouge-score package: "
                          "pip install 'newsdesk[eval]'") from None
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Any:
    _scorer()  # the same ImportError advice when rouge-score is missing
    from rouge_score.tokenizers import DefaultTokenizer

    return DefaultTokenizer(use_stemmer=True)


def rouge_tokens(text: str) -> list[str]:
    """``text`` as ROUGE-1/2 read it: rouge-score's lower-cased alphanumeric tokens, Porter
    stemmed (words of 4+ letters), the tokens ``rouge_scores`` counts n-grams of.

    >>> rouge_tokens("Ministers resigned on Monday.")
    ['minist', 'resign', 'on', 'monday']
    """
    return list(_tokenizer().tokenize(text))


def ngram_f1(prediction: Counter[Any], reference: Counter[Any]) -> float:
    """ROUGE-N F1 from n-gram counts, as rouge-score computes it (clipped overlap).

    >>> ngram_f1(Counter("aab"), Counter("abc"))
    0.6666666666666666
    """
    overlap = sum((prediction & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(prediction.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def rouge_scores(predictions: Sequence[str],
                 references: Sequence[str]) -> list[dict[str, float]]:
    """Per-example ROUGE-1/2/Lsum F1 of each prediction against its reference."""
    _check_lengths(predictions=predictions, references=references)
    scorer = _scorer()
    out = []
    for prediction, reference in zip(predictions, references):
        scores = scorer.score(lsum_text(reference), lsum_text(prediction))
        out.append({name: float(scores[name].fmeasure) for name in ROUGE_TYPES})
    return out


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens, as rouge-score tokenizes (without stemming).

    >>> tokens("U.S. rates rose 0.5%")
    ['u', 's', 'rates', 'rose', '0', '5']
    """
    return _TOKEN.findall(text.lower())


def _bigrams(words: list[str]) -> list[tuple[str, str]]:
    return list(zip(words, words[1:]))


def novel_bigram_share(summary: str, article: str) -> float | None:
    """Share of the summary's bigrams not in the article; ``None`` if it has none."""
    seen = set(_bigrams(tokens(article)))
    summary_bigrams = [b for s in split_sentences(summary) for b in _bigrams(tokens(s))]
    if not summary_bigrams:
        return None
    return sum(b not in seen for b in summary_bigrams) / len(summary_bigrams)


def estimate(values: Sequence[float | None], *, rounds: int = 1000, seed: int = 0) -> Estimate:
    """Mean and bootstrap interval of the defined (non-``None``) values.

    >>> estimate([1.0, None, 3.0], rounds=200)
    Estimate(mean=2.0, low=1.0, high=3.0, count=2)
    """
    defined = [float(v) for v in values if v is not None]
    if not defined:
        return Estimate(math.nan, math.nan, math.nan, 0)
    low, high = mean_interval(defined, rounds=rounds, seed=seed)
    return Estimate(sum(defined) / len(defined), low, high, len(defined))


@dataclass
class SummaryScores:
    """Everything a summary report shows: means with intervals, per example, extremes."""

    count: int
    metrics: dict[str, Estimate]
    examples: list[dict[str, Any]] = field(repr=False)
    best: list[dict[str, Any]] = field(repr=False)
    worst: list[dict[str, Any]] = field(repr=False)

    def means(self) -> dict[str, float]:
        """Metric name -> mean (``rouge1``, ``rouge2``, ``rougeLsum``, ``words``, ...)."""
        return {name: value.mean for name, value in self.metrics.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN where a metric has no defined value)."""
        return asdict(self)


def score_summaries(predictions: Sequence[str], references: Sequence[str],
                    articles: Sequence[str] | None = None, *, rounds: int = 1000,
                    seed: int = 0, extremes: int = 3) -> SummaryScores:
    """ROUGE, length and (given the articles) novel bigrams, with intervals and extremes.

    ``best`` and ``worst`` hold the ``extremes`` examples with the highest and lowest
    ROUGE-Lsum (ties: lower index first), each with its prediction and reference.
    """
    _check_lengths(predictions=predictions, references=references,
                   **({"articles": articles} if articles is not None else {}))
    examples = per_example(predictions, references, articles)
    names = [*ROUGE_TYPES, "words"] + (["novel_bigrams"] if articles is not None else [])
    metrics = {name: estimate([e[name] for e in examples], rounds=rounds, seed=seed)
               for name in names}
    ranked = sorted(examples, key=lambda e: (-e["rougeLsum"], e["index"]))
    worst = sorted(examples, key=lambda e: (e["rougeLsum"], e["index"]))
    return SummaryScores(len(examples), metrics, examples, ranked[:extremes], worst[:extremes])


def per_example(predictions: Sequence[str], references: Sequence[str],
                articles: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One dict per example: index, prediction, reference, ROUGE F1s, words, novelty."""
    rows = []
    for index, scores in enumerate(rouge_scores(predictions, references)):
        row: dict[str, Any] = {"index": index, "prediction": predictions[index],
                               "reference": references[index], **scores,
                               "words": count_words(predictions[index])}
        if articles is not None:
            row["novel_bigrams"] = novel_bigram_share(predictions[index], articles[index])
        rows.append(row)
    return rows


def _check_lengths(**columns: Sequence[str]) -> None:
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{n} {k}" for n, k in lengths.items())
        raise ValueError(f"need one of each per example, got {listed}")
    for name, values in columns.items():
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise TypeError(f"{name}[{index}] is {type(value).__name__}, not str")
