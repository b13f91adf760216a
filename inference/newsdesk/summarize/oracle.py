"""The ROUGE oracle: the sentences of an article that best match a known reference summary.

Greedy, as extractive summarizers label their training sentences (Nallapati et al. 2017;
BertSumExt, Liu and Lapata 2019): start from no sentence and add the one that raises the
mean of ROUGE-1 and ROUGE-2 F1 against the reference the most (rouge-score's stemmed tokens,
``newsdesk.metrics.summary``; the chosen sentences read in article order); stop when no
sentence raises it, after ``max_sentences``, or when no sentence left fits ``max_words``.
It labels the fine-tuned extractor's training sentences (``newsdesk_train.extractive``) and
is the upper bound row of ``benchmarks/summary_news.py``.

>>> oracle_indices(["Rain fell in Paris.", "The mayor resigned on Monday.",
...                 "He cited his health."], "The mayor of Paris resigned, citing his health.")
[1, 2]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from newsdesk.metrics.summary import ngram_f1, rouge_tokens
from newsdesk.metrics.text import count_words


def rouge_gain_score(tokens: Sequence[str], unigrams: Counter[str],
                     bigrams: Counter[tuple[str, str]]) -> float:
    """Mean of ROUGE-1 and ROUGE-2 F1 of ``tokens`` against a reference's n-gram counts."""
    return (ngram_f1(Counter(tokens), unigrams)
            + ngram_f1(Counter(zip(tokens, tokens[1:])), bigrams)) / 2


def oracle_indices(sentences: Sequence[str], reference: str, *, max_sentences: int = 3,
                   max_words: int | None = None) -> list[int]:
    """Indices (ascending) of the sentences the greedy ROUGE oracle picks for ``reference``.

    An empty list when no sentence shares a word with the reference (or none fits).
    """
    reference_tokens = rouge_tokens(reference)
    unigrams = Counter(reference_tokens)
    bigrams = Counter(zip(reference_tokens, reference_tokens[1:]))
    tokens = [rouge_tokens(sentence) for sentence in sentences]
    words = [count_words(sentence) for sentence in sentences]
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < max_sentences:
        used = sum(words[i] for i in chosen)
        gains = {}
        for index in range(len(sentences)):
            if index in chosen or (max_words is not None and used + words[index] > max_words):
                continue
            joined = [t for i in sorted([*chosen, index]) for t in tokens[i]]
            gains[index] = rouge_gain_score(joined, unigrams, bigrams)
        pick = max(gains, key=lambda i: (gains[i], -i), default=None)
        if pick is None or gains[pick] <= best:
            break
        chosen.append(pick)
        best = gains[pick]
    return sorted(chosen)
