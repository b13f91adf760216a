"""The word budget every summarizer honours.

A word is a run of non-space characters (``str.split``), so ``max_words`` is what a reader
counts. Sentences are taken whole, best-ranked first, while they fit; the summary lists
them in article order. When not even one sentence fits, the best-ranked sentence is cut
after its ``max_words``-th word (at a word boundary, nothing added), so a summary is never
empty while the article has text, and never longer than the budget.

>>> select(["A b c.", "D e.", "F g h i."], order=[2, 0, 1], k=2, max_words=7)
'A b c. F g h i.'
>>> select(["A b c d e f."], order=[0], k=1, max_words=3)
'A b c'
"""

from __future__ import annotations

from collections.abc import Sequence

from newsdesk.metrics.text import count_words


def truncate_words(text: str, max_words: int) -> str:
    """``text`` cut after its ``max_words``-th word, spaces normalised.

    >>> truncate_words("one two  three", 2)
    'one two'
    """
    return " ".join(text.split()[:max_words])


def select(sentences: Sequence[str], order: Sequence[int], *, k: int, max_words: int,
           contiguous: bool = False) -> str:
    """Up to ``k`` sentences taken in ``order`` while they fit ``max_words``, in text order.

    A sentence that does not fit is skipped and the next in ``order`` tried, unless
    ``contiguous`` (lead: stop at the first that does not fit).
    """
    chosen: list[int] = []
    used = 0
    for index in order:
        if len(chosen) == k:
            break
        words = count_words(sentences[index])
        if used + words <= max_words:
            chosen.append(index)
            used += words
        elif contiguous:
            break
    if not chosen:
        return truncate_words(sentences[order[0]], max_words) if order else ""
    return " ".join(sentences[i] for i in sorted(chosen))
