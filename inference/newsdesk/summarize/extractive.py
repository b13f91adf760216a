"""Extractive summarizers that need no training: ``lead``, ``textrank`` and ``centroid``.

Each reads the same cleaned sentence stream (``article_sentences``) of the first
``window`` sentences, ranks them, and lets the word budget pick up to ``k`` of them.
The defaults are the settings chosen on the news-articles validation split (best mean
ROUGE-Lsum against standfirsts; see benchmarks/results/summary_news.md).

>>> lead = make_method("lead", k=1)
>>> lead.summarize(["MOSCOW, March 7. /TASS/. Talks began. They went well."], max_words=10)
['Talks began.']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from newsdesk.errors import ConfigError
from newsdesk.summarize.budget import select
from newsdesk.summarize.encoder import DTYPES
from newsdesk.summarize.ranking import centroid_order, textrank_order
from newsdesk.summarize.sentences import article_sentences


@dataclass
class LeadSummarizer:
    """The first sentences of the cleaned article, as many as fit (at most ``k``)."""

    k: int = 3
    name: ClassVar[str] = "lead"

    def __post_init__(self) -> None:
        _check_positive(self, "k")

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        return [select(sentences, range(len(sentences)), k=self.k, max_words=max_words,
                       contiguous=True)
                for sentences in (article_sentences(t, limit=self.k) for t in texts)]


@dataclass
class TextRankSummarizer:
    """Up to ``k`` sentences of the first ``window``, ranked by PageRank over TF-IDF cosine."""

    k: int = 2
    window: int = 15
    damping: float = 0.85
    position_bias: float = 2.0
    name: ClassVar[str] = "textrank"

    def __post_init__(self) -> None:
        _check_positive(self, "k", "window")
        if not 0.0 < self.damping < 1.0:
            raise ConfigError(f"textrank damping must lie in (0, 1), got {self.damping}")

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        out = []
        for text in texts:
            sentences = article_sentences(text, limit=self.window)
            order = textrank_order(sentences, damping=self.damping,
                                   position_bias=self.position_bias)
            out.append(select(sentences, order, k=self.k, max_words=max_words))
        return out


@dataclass
class CentroidSummarizer:
    """Up to ``k`` sentences of the first ``window`` nearest their mean MiniLM embedding.

    ``redundancy`` is the cosine above which a sentence repeats a better one and is
    passed over; ``encoder`` is an alias, a local dir or a hub id of a BERT-style encoder,
    or a loaded ``SentenceEncoder``/``OnnxSentenceEncoder`` (to share one between
    summarizers); ``backend`` runs it with torch or from its ONNX export (default: torch
    where installed, else the export, as ``newsdesk.backends.resolve_backend`` decides);
    ``dtype`` ``"bfloat16"`` (torch only) about doubles its speed on CPUs with bf16 units
    (see ``encoder``).
    """

    k: int = 2
    window: int = 5
    position_bias: float = 1.0
    redundancy: float = 0.8
    encoder: Any = "minilm-l6"
    dtype: str = "float32"
    batch_size: int = 64
    backend: str | None = None
    name: ClassVar[str] = "centroid"

    def __post_init__(self) -> None:
        _check_positive(self, "k", "window", "batch_size")
        if self.dtype not in DTYPES:
            raise ConfigError(f"centroid dtype must be one of {', '.join(DTYPES)}, "
                              f"got {self.dtype!r}")
        self._encoder: Any = None

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        articles = [article_sentences(text, limit=self.window) for text in texts]
        flat = [sentence for sentences in articles for sentence in sentences]
        vectors = self.sentence_encoder().encode(flat)
        out, start = [], 0
        for sentences in articles:
            block = vectors[start:start + len(sentences)]
            start += len(sentences)
            order = centroid_order(block, position_bias=self.position_bias,
                                   redundancy=self.redundancy)
            out.append(select(sentences, order, k=self.k, max_words=max_words))
        return out

    def sentence_encoder(self) -> Any:
        """The encoder, loaded on first use (it costs a second or two)."""
        if self._encoder is None:
            from newsdesk.summarize.encoder import (
                OnnxSentenceEncoder,
                SentenceEncoder,
                load_sentence_encoder,
            )

            if isinstance(self.encoder, SentenceEncoder | OnnxSentenceEncoder):
                self._encoder = self.encoder
            else:
                self._encoder = load_sentence_encoder(self.encoder, backend=self.backend,
                                                      dtype=self.dtype,
                                                      batch_size=self.batch_size)
        return self._encoder


METHODS: dict[str, type] = {cls.name: cls for cls in (
    LeadSummarizer, TextRankSummarizer, CentroidSummarizer)}


def make_method(method: str, **options: Any) -> Any:
    """The extractive summarizer called ``method``, with ``options`` checked by name."""
    if method not in METHODS:
        raise ConfigError(f"unknown extractive method {method!r}; use one of "
                          f"{', '.join(METHODS)}")
    cls = METHODS[method]
    known = [f.name for f in fields(cls)]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(f"{method} has no option {', '.join(map(repr, unknown))}; "
                          f"its options are {', '.join(known)}")
    return cls(**options)


def _check_positive(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{obj.name} option {name} must be a whole number >= 1, "
                              f"got {value!r}")
