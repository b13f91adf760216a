"""``Summarizer``: one API for every way newsdesk writes a short summary.

A summarizer wraps a *backend*: any object with ``summarize(texts, max_words)`` returning
one string per text (see :class:`SummaryBackend`). The extractive backends live in
``newsdesk.summarize.extractive``; the abstractive one (a fine-tuned seq2seq model dir,
``newsdesk.summarize.abstractive``) and the fine-tuned extractor (a sentence scorer dir,
``newsdesk.summarize.scorer``) load through :meth:`Summarizer.from_pretrained`.
``Summarizer`` itself checks the input, answers ``""`` for empty articles, batches, and
enforces the word budget whatever the backend does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

from newsdesk.inputs import check_texts
from newsdesk.summarize.budget import truncate_words
from newsdesk.summarize.extractive import make_method

#: The word budget when none is given: the best of 25-60 for every extractive method on
#: the news-articles validation split (benchmarks/results/summary_news.md).
DEFAULT_MAX_WORDS = 50


class SummaryBackend(Protocol):
    """What a summarizer backend provides; ``texts`` are never empty or non-str."""

    name: str

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]: ...


class Summarizer:
    """Short summaries of news articles, with or without a trained model.

    >>> summ = Summarizer.extractive("lead", k=1)
    >>> summ.summarize(["MOSCOW, March 7. /TASS/. Talks began on Monday. They went well.",
    ...                 "   "], max_words=20)
    ['Talks began on Monday.', '']
    >>> Summarizer.extractive("textrank", k=2).method
    'textrank'

    An empty or whitespace-only article gets ``""``; ``None`` or a non-string raises
    ``TypeError`` naming its index. No summary ever has more than ``max_words`` words.
    """

    def __init__(self, backend: SummaryBackend, *, max_words: int = DEFAULT_MAX_WORDS,
                 batch_size: int = 64) -> None:
        self.backend = backend
        self.max_words = check_max_words(max_words)
        self.batch_size = batch_size

    @classmethod
    def extractive(cls, method: str = "lead", *, max_words: int = DEFAULT_MAX_WORDS,
                   **options: Any) -> Summarizer:
        """An extractive summarizer: ``lead``, ``textrank`` or ``centroid``; no training.

        ``options`` are the method's own (``k``, ``window``, ...; see
        ``newsdesk.summarize.extractive``); an unknown one raises ``ConfigError``.
        """
        return cls(make_method(method, **options), max_words=max_words)

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike[str], *,
                        max_words: int = DEFAULT_MAX_WORDS, **options: Any) -> Summarizer:
        """A summarizer from a trained summary model dir (or a hub id), of the kind its
        manifest names (``newsdesk.tasks``: ``extras["summary_kind"]``).

        An abstractive (seq2seq) dir, the default kind: ``options`` go to
        ``AbstractiveSummarizer.load``: ``device``, ``long_articles`` (``truncate`` |
        ``map-reduce``), ``batch_size``, ``generation`` overrides, ``allow_pickle``.
        A fine-tuned extractor (``extractive-scorer`` or ``extractive-tagger``): ``options`` go to
        ``ScorerSummarizer.load``: ``device``, ``backend`` (``torch`` | ``onnx``),
        ``quantize`` (``int8``), ``threads``, ``batch_size``, ``allow_pickle``, and the
        dir's settings ``k``, ``window``, ``context_sentences``, ``redundancy``.
        Only safetensors weights load by default; no remote code runs.

        >>> summ = Summarizer.from_pretrained("models/summary-news-bert2bert")  # doctest: +SKIP
        >>> summ.summarize(["An article ..."], max_words=30)                   # doctest: +SKIP
        ['A summary of at most 30 words.']
        """
        from newsdesk.modeldir import open_model_dir
        from newsdesk.tasks import EXTRACTIVE_KINDS, SUMMARY

        opened = open_model_dir(path, SUMMARY.name,
                                allow_pickle=options.get("allow_pickle", False))
        if SUMMARY.kind(opened.manifest) in EXTRACTIVE_KINDS:
            from newsdesk.summarize.scorer import ScorerSummarizer

            return cls(ScorerSummarizer.load(opened, **options), max_words=max_words)
        from newsdesk.summarize.abstractive import AbstractiveSummarizer

        return cls(AbstractiveSummarizer.load(path, **options), max_words=max_words)

    @property
    def method(self) -> str:
        """The backend's name: ``lead``, ``textrank``, ``centroid`` or a model dir's name."""
        return str(self.backend.name)

    def summarize(self, texts: Sequence[str], max_words: int | None = None) -> list[str]:
        """One summary per article, at most ``max_words`` words each ("" for empty text)."""
        articles = check_texts(texts, what="article")
        budget = self.max_words if max_words is None else check_max_words(max_words)
        out = [""] * len(articles)
        todo = [i for i, text in enumerate(articles) if text.strip()]
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            summaries = self.backend.summarize([articles[i] for i in batch], budget)
            for index, summary in zip(batch, summaries, strict=True):
                out[index] = truncate_words(summary, budget)
        return out


def check_max_words(max_words: Any) -> int:
    """``max_words`` if it is a whole number >= 1, else ``TypeError`` / ``ValueError``."""
    if not isinstance(max_words, int) or isinstance(max_words, bool):
        raise TypeError(f"max_words must be an int, got {type(max_words).__name__}")
    if max_words < 1:
        raise ValueError(f"max_words must be >= 1, got {max_words}")
    return max_words
