"""Extractive summaries from a fine-tuned sentence scorer (BertSumExt-style, as a cross-encoder).

A summary model dir of kind ``extractive-scorer`` (``newsdesk.tasks``) holds a sequence
classifier with two labels, ``not_in_summary`` and ``in_summary``, fine-tuned by
``newsdesk-train`` on sentences the ROUGE oracle picked (``newsdesk_train.extractive``).
It reads each of the first ``window`` sentences of the cleaned sentence stream
(``article_sentences``, as every summarizer does) as a pair: the sentence after its
position marker (``[3]``), then the article's first ``context_sentences`` sentences. The
sentences are ranked by P(in_summary), a sentence that repeats a better one (TF-IDF cosine
above ``redundancy``) moves to the end (``ranking.demote_redundant``, the centroid's check),
and the word budget takes up to ``k`` of them in that order (``budget.select``, every
method's rule), printed in article order.

The scorer is a ``SequenceClassifier`` (``SentenceScorer``): the classifiers' tokenisation,
length-sorted batches, torch runner and ONNX Runtime runner (``newsdesk export DIR --onnx
[--int8]``, then ``backend="onnx"``) run it; nothing here runs a model. A dir of kind
``extractive-tagger`` holds the other scorer, ``newsdesk.summarize.tagger.SentenceTagger``
(one pass per article instead of one per sentence); ``ScorerSummarizer`` runs either.

>>> scorer_pairs(["Talks began.", "They went well.", "Rain fell."], context_sentences=1)
(['[1] Talks began.', '[2] They went well.', '[3] Rain fell.'], ['Talks began.', \
'Talks began.', 'Talks began.'])
>>> choose_summary(["Talks began.", "They went well.", "Talks began today."],
...                [0.9, 0.2, 0.8], ScorerSettings(k=2, redundancy=0.5), max_words=10)
'Talks began. They went well.'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.classifier import SequenceClassifier
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import MANIFEST_NAME, Manifest
from newsdesk.modeldir import ModelDir, open_model_dir
from newsdesk.summarize.budget import select
from newsdesk.summarize.ranking import demote_redundant, tfidf_similarity
from newsdesk.summarize.sentences import article_sentences
from newsdesk.tasks import EXTRACTIVE_KINDS, EXTRACTIVE_SCORER, SUMMARY, SUMMARY_KIND_KEY

IN_SUMMARY = "in_summary"
#: The scorer's labels in id order (config.json id2label).
SCORER_LABELS = ("not_in_summary", IN_SUMMARY)
#: The manifest ``extras`` key holding ``ScorerSettings``.
SETTINGS_KEY = "scorer"


@dataclass
class ScorerSettings:
    """How a sentence scorer reads an article and picks its summary (``newsdesk.json``).

    ``window``: the first cleaned sentences scored (the candidates); ``context_sentences``:
    the opening sentences read with each candidate; ``k``: at most this many sentences in a
    summary; ``redundancy``: the TF-IDF cosine above which a sentence repeats a better-scored
    one and is passed over (1.0: no check).

    >>> ScorerSettings(k=0)
    Traceback (most recent call last):
    ...
    newsdesk.errors.ConfigError: extractive k must be a whole number >= 1, got 0
    """

    window: int = 8
    context_sentences: int = 1  # read by the pair scorer only
    k: int = 3
    redundancy: float = 0.5

    def __post_init__(self) -> None:
        for name in ("window", "context_sentences", "k"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"extractive {name} must be a whole number >= 1, "
                                  f"got {value!r}")
        if not 0.0 < self.redundancy <= 1.0:
            raise ConfigError(f"extractive redundancy must lie in (0, 1], got "
                              f"{self.redundancy!r}")

    def to_extras(self, kind: str = EXTRACTIVE_SCORER) -> dict[str, Any]:
        """The manifest ``extras`` entries of a scorer dir: its ``kind`` (one of
        ``EXTRACTIVE_KINDS``) and these settings."""
        if kind not in EXTRACTIVE_KINDS:
            raise ConfigError(f"an extractive summary model is one of "
                              f"{', '.join(EXTRACTIVE_KINDS)}, not {kind!r}")
        return {SUMMARY_KIND_KEY: kind,
                SETTINGS_KEY: {f.name: getattr(self, f.name)
                               for f in fields(ScorerSettings)}}

    @classmethod
    def from_manifest(cls, manifest: Manifest, **overrides: Any) -> ScorerSettings:
        """The settings a scorer dir saved, with ``overrides`` (``k=2``, ...) applied."""
        saved = manifest.extras.get(SETTINGS_KEY)
        if not isinstance(saved, dict):
            raise ModelError(f"{MANIFEST_NAME}: a sentence scorer needs extras.{SETTINGS_KEY}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ConfigError(f"a sentence scorer has no option {', '.join(unknown)}; its "
                              f"options are {', '.join(known)}")
        try:
            return cls(**{**saved, **overrides})
        except TypeError as error:
            raise ModelError(f"{MANIFEST_NAME}: bad extras.{SETTINGS_KEY} ({error})") from None


def position_marker(index: int) -> str:
    """How a candidate's position (0-based ``index``) is written before it.

    >>> position_marker(2)
    '[3]'
    """
    return f"[{index + 1}]"


def scorer_pairs(sentences: Sequence[str],
                 context_sentences: int) -> tuple[list[str], list[str]]:
    """What the scorer reads for each sentence: (marked sentences, contexts). The marked
    sentence is the pair's first segment (cut to half the window if long), the context
    (the opening sentences) the second, truncated to fill the window."""
    context = " ".join(sentences[:context_sentences])
    return ([f"{position_marker(i)} {sentence}" for i, sentence in enumerate(sentences)],
            [context] * len(sentences))


def ranked_sentences(sentences: Sequence[str], scores: Sequence[float],
                     redundancy: float) -> list[int]:
    """Sentence indices by score, best first (ties: article order), each sentence that
    repeats a better one (TF-IDF cosine above ``redundancy``) moved to the end."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    if redundancy >= 1.0 or len(sentences) < 2:
        return order
    return demote_redundant(tfidf_similarity(sentences), order, redundancy)


def choose_summary(sentences: Sequence[str], scores: Sequence[float],
                   settings: ScorerSettings, max_words: int) -> str:
    """The summary of scored sentences: ``ranked_sentences`` under the word budget (up to
    ``settings.k`` of them; the best one cut to ``max_words`` when none fits whole)."""
    order = ranked_sentences(sentences, scores, settings.redundancy)
    return select(sentences, order, k=settings.k, max_words=max_words)


class SentenceScorer(SequenceClassifier):
    """The cross-encoder of an extractive summary model dir: P(in_summary) of each
    (marked sentence, context) pair. ``from_pretrained`` takes the classifiers' options
    (``device``, ``backend="onnx"``, ``quantize="int8"``, ``threads``, ``allow_pickle``)."""

    task = SUMMARY.name
    paired = True
    #: The summary kind (``newsdesk.tasks``) of the dirs this class runs.
    kind = EXTRACTIVE_SCORER

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path | ModelDir, device: str | None = None,
                        **options: Any) -> SentenceScorer:
        opened = open_model_dir(name_or_path, cls.task,
                                allow_pickle=options.get("allow_pickle", False))
        kind = SUMMARY.kind(opened.manifest)
        if kind != cls.kind:
            raise ModelError(f"{opened.source}: an {kind} summary model, not an {cls.kind} "
                             "one; load it with Summarizer.from_pretrained")
        scorer = super().from_pretrained(opened, device, **options)
        if IN_SUMMARY not in scorer.labels:
            raise ModelError(f"{opened.source}: a sentence scorer needs the label "
                             f"{IN_SUMMARY!r} (config.json id2label has {scorer.labels})")
        return scorer  # type: ignore[return-value]

    def check_settings(self, settings: ScorerSettings) -> None:
        """A ConfigError when this scorer cannot read ``settings`` (a pair scorer reads any)."""

    def score_articles(self, articles: Sequence[Sequence[str]], context_sentences: int,
                       batch_size: int = 32) -> list[np.ndarray]:
        """P(in_summary) of every sentence of each article (its sentences, in order)."""
        marked: list[str] = []
        contexts: list[str] = []
        for sentences in articles:
            first, second = scorer_pairs(sentences, context_sentences)
            marked += first
            contexts += second
        if not marked:
            return [np.zeros(0) for _ in articles]
        probs = self.transformer_proba(contexts, marked, batch_size)
        column = probs[:, self.labels.index(IN_SUMMARY)]
        bounds = np.cumsum([0, *(len(sentences) for sentences in articles)])
        return [column[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def extractive_scorer_class(kind: str) -> type[SentenceScorer]:
    """The class that runs an extractive summary dir of ``kind`` (``SentenceScorer`` or
    ``SentenceTagger``, as the task registry names it); a ModelError for any other kind."""
    import newsdesk

    if kind not in EXTRACTIVE_KINDS:
        raise ModelError(f"an {kind} summary model, not an extractive one "
                         f"({', '.join(EXTRACTIVE_KINDS)}); load it with "
                         "Summarizer.from_pretrained")
    return getattr(newsdesk, str(SUMMARY.kinds[kind]))


class ScorerSummarizer:
    """A ``SummaryBackend`` over a ``SentenceScorer`` (or its one-pass kin, a
    ``SentenceTagger``); use ``Summarizer.from_pretrained(dir)``.

    >>> from newsdesk import Summarizer                                  # doctest: +SKIP
    >>> summ = Summarizer.from_pretrained("models/summary-news-extractive",
    ...                                   backend="onnx", quantize="int8")  # doctest: +SKIP
    >>> summ.summarize(["MOSCOW, March 7. /TASS/. Russia and ..."], max_words=40)
    ... # doctest: +SKIP
    ['Russia and ...']
    """

    def __init__(self, scorer: SentenceScorer, settings: ScorerSettings, *,
                 name: str = EXTRACTIVE_SCORER, batch_size: int = 32) -> None:
        scorer.check_settings(settings)
        self.scorer = scorer
        self.settings = settings
        self.name = name
        self.batch_size = batch_size

    @classmethod
    def load(cls, path: str | os.PathLike[str] | ModelDir, *, device: str | None = None,
             backend: str | None = None, quantize: str | None = None, threads: int | None = None,
             batch_size: int = 32, allow_pickle: bool = False,
             **settings: Any) -> ScorerSummarizer:
        """Load a scorer or tagger dir (``extractive_scorer_class``) on torch or ONNX
        Runtime (``backend``, ``quantize``, ``threads`` as for the classifiers);
        ``settings`` (``k``, ``window``, ``context_sentences``, ``redundancy``) override
        the dir's."""
        opened = open_model_dir(path, SUMMARY.name, allow_pickle=allow_pickle)
        scorer = extractive_scorer_class(SUMMARY.kind(opened.manifest)).from_pretrained(
            opened, device, backend=backend, quantize=quantize, threads=threads,
            allow_pickle=allow_pickle)
        return cls(scorer, ScorerSettings.from_manifest(scorer.manifest, **settings),
                   name=opened.name, batch_size=batch_size)

    def with_settings(self, **changes: Any) -> ScorerSummarizer:
        """The same scorer with other settings (``k=2``, ...): nothing is reloaded."""
        return ScorerSummarizer(self.scorer, replace(self.settings, **changes),
                                name=self.name, batch_size=self.batch_size)

    def options(self) -> dict[str, Any]:
        """The settings in force, for reports."""
        return asdict(self.settings)

    def sentences(self, texts: Sequence[str]) -> list[list[str]]:
        """Each article's candidate sentences: the first ``window`` cleaned ones."""
        return [article_sentences(text, limit=self.settings.window) for text in texts]

    def sentence_scores(self, articles: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """P(in_summary) of each article's candidate sentences."""
        return self.scorer.score_articles(articles, self.settings.context_sentences,
                                          self.batch_size)

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        """One summary per article, within ``max_words`` ("" when cleaning leaves nothing)."""
        articles = self.sentences(texts)
        return [choose_summary(sentences, scores, self.settings, max_words)
                for sentences, scores in zip(articles, self.sentence_scores(articles))]
