"""Extractive summaries from a one-pass sentence tagger (BertSumExt, Liu and Lapata 2019).

A summary model dir of kind ``extractive-tagger`` (``newsdesk.tasks``) holds a token
classifier with the labels ``not_in_summary`` and ``in_summary``, fine-tuned by
``newsdesk-train`` (``newsdesk_train.extractive``, ``extractive.kind: tagger``) on the
sentences the ROUGE oracle picked. It reads an article's first ``window`` cleaned sentences
(``article_sentences``, as every summarizer does) as ONE sequence: each sentence framed by
the tokenizer's own special tokens (``[CLS] sentence [SEP]`` for BERT), the segment ids
alternating from sentence to sentence (BertSumExt's interval segments), every sentence cut
to an equal share of ``model.max_length`` so that all of them fit. A sentence's score is
P(in_summary) at its first token (its ``[CLS]``), so every sentence is read beside all the
others, and an article costs one transformer pass instead of one per sentence (the pair
scorer, ``newsdesk.summarize.scorer``). Ranking, the redundancy check and the word budget
are the pair scorer's (``ScorerSummarizer``).

>>> from newsdesk.tokenizer import LightTokenizer                       # doctest: +SKIP
>>> tagger_features(LightTokenizer.from_dir("models/summary-news-tagger"),
...                 ["Talks began.", "Rain fell."], max_length=512)     # doctest: +SKIP
TaggerInput(features={'input_ids': [101, 7566, 2211, 1012, 102, 101, ...], ...}, markers=[0, 5])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from newsdesk.batching import length_batches, pad_batch
from newsdesk.classifier import probabilities
from newsdesk.errors import ConfigError
from newsdesk.summarize.scorer import IN_SUMMARY, ScorerSettings, SentenceScorer
from newsdesk.tasks import EXTRACTIVE_TAGGER

#: The fewest tokens a sentence keeps (its two special tokens and one word piece).
MIN_SENTENCE_TOKENS = 3


@dataclass(frozen=True)
class TaggerInput:
    """One article as the tagger reads it: the token features (``input_ids``, and
    ``token_type_ids`` where the tokenizer makes them) and the index of each sentence's
    first token (where its score is read)."""

    features: dict[str, list[int]]
    markers: list[int]


def sentence_token_share(max_length: int, sentences: int) -> int:
    """The tokens each of ``sentences`` sentences may keep so that all fit in
    ``max_length`` (special tokens included).

    >>> sentence_token_share(512, 8), sentence_token_share(512, 3)
    (64, 170)
    """
    share = max_length // max(1, sentences)
    if share < MIN_SENTENCE_TOKENS:
        raise ValueError(f"{sentences} sentences cannot share {max_length} tokens (at least "
                         f"{MIN_SENTENCE_TOKENS} each): lower extractive.window or raise "
                         "model.max_length")
    return share


def tagger_features(tokenizer: Any, sentences: Sequence[str], max_length: int) -> TaggerInput:
    """The one sequence the tagger reads for an article's ``sentences``: each framed by the
    tokenizer's special tokens and cut to ``sentence_token_share``, in article order, the
    segment ids alternating 0, 1, 0, ... by sentence."""
    share = sentence_token_share(max_length, len(sentences))
    encoded = tokenizer(list(sentences), truncation=True, max_length=share)
    ids: list[int] = []
    types: list[int] = []
    markers: list[int] = []
    for index, sentence_ids in enumerate(encoded["input_ids"]):
        markers.append(len(ids))
        ids.extend(sentence_ids)
        types.extend([index % 2] * len(sentence_ids))
    features = {"input_ids": ids}
    if "token_type_ids" in encoded:
        features["token_type_ids"] = types
    return TaggerInput(features, markers)


def check_sentence_marker(tokenizer: Any, base: str) -> None:
    """A ConfigError unless ``tokenizer`` begins every encoded sentence with a special token
    (BERT's and MPNet's ``[CLS]``/``<s>``): the tagger reads a sentence's score at its first
    token, which must be the same marker for every sentence, not the sentence's first word
    (a T5-, XLNet- or GPT-2-style tokenizer adds nothing in front)."""
    special = set(tokenizer.all_special_ids)
    firsts = {ids[0] if ids else None
              for ids in tokenizer(["Talks began.", "Rain fell."])["input_ids"]}
    if len(firsts) != 1 or not firsts <= special:
        raise ConfigError(f"extractive.kind: tagger reads each sentence's score at its first "
                          f"token, which must be a special token the tokenizer puts in front "
                          f"of every sentence ([CLS] for BERT); {base}'s tokenizer does not "
                          f"(first tokens {sorted(map(str, firsts))}): use kind scorer, or a "
                          f"BERT- or MPNet-style base")


def marker_logits(logits: np.ndarray, markers: Sequence[int], length: int,
                  padding_side: str = "right") -> np.ndarray:
    """The rows of one padded sequence's token logits (tokens x labels) at ``markers`` of
    its ``length`` real tokens, wherever the padding went.

    >>> marker_logits(np.arange(8.0).reshape(4, 2), [0, 2], 3, "left").tolist()
    [[2.0, 3.0], [6.0, 7.0]]
    """
    offset = len(logits) - length if padding_side == "left" else 0
    return np.asarray(logits, dtype=np.float64)[[offset + m for m in markers]]


class SentenceTagger(SentenceScorer):
    """The token classifier of an ``extractive-tagger`` summary dir: P(in_summary) of every
    sentence of an article from one pass over them all. Loads as ``SentenceScorer`` does
    (``device``, ``backend="onnx"``, ``quantize="int8"``, ``threads``, ``allow_pickle``)."""

    paired = False
    kind = EXTRACTIVE_TAGGER
    auto_model_name: ClassVar[str] = "AutoModelForTokenClassification"
    #: Measured on validation (summary-news-tagger with headline targets, default settings,
    #: 2-core AMD EPYC): fp32 ROUGE-Lsum 22.31; int8 with 8-bit weights 21.39, with 7-bit
    #: weights 22.41 at 1.6x fp32's speed (docs/summaries.md).
    int8_reduce_range: ClassVar[bool] = True

    def check_settings(self, settings: ScorerSettings) -> None:
        """A ConfigError when ``settings.window`` sentences cannot share the model's
        ``max_length`` tokens (at least ``MIN_SENTENCE_TOKENS`` each)."""
        try:
            sentence_token_share(self.windowing.max_length, settings.window)
        except ValueError:
            raise ConfigError(f"window {settings.window}: this tagger reads at most "
                              f"{self.windowing.max_length // MIN_SENTENCE_TOKENS} sentences "
                              f"({self.windowing.max_length} tokens)") from None

    def probe_features(self, tokenizer: Any, texts: Sequence[str]) -> list[dict[str, list[int]]]:
        """What ``newsdesk export`` checks the graph on: ``texts`` read as articles, as
        ``score_articles`` reads them (several markers, both segment ids, unequal lengths)."""
        articles = [list(texts), list(texts[:2]), list(texts[1:2])]
        return [tagger_features(tokenizer, a, self.windowing.max_length).features
                for a in articles]

    def score_articles(self, articles: Sequence[Sequence[str]], context_sentences: int = 0,
                       batch_size: int = 32) -> list[np.ndarray]:
        """P(in_summary) of every sentence of each article (its sentences, in order): the
        softmax of the marker tokens' logits over the manifest's temperature;
        ``context_sentences`` is the pair scorer's and unused here (every sentence is read
        with all the others)."""
        scores = [np.zeros(0) for _ in articles]
        todo = [i for i, sentences in enumerate(articles) if sentences]
        with self._tokenizer_lock:  # a tokenizer's truncation setting is shared state
            inputs = [tagger_features(self.tokenizer, articles[i], self.windowing.max_length)
                      for i in todo]
        column = self.labels.index(IN_SUMMARY)
        side = getattr(self.tokenizer, "padding_side", "right")
        lengths = [len(item.features["input_ids"]) for item in inputs]
        for batch in length_batches(lengths, batch_size, self._batch_tokens()):
            logits = self.runner(pad_batch(self.tokenizer, [inputs[b].features for b in batch]))
            for row, b in zip(logits, batch):
                rows = marker_logits(row, inputs[b].markers, lengths[b], side)
                scores[todo[b]] = probabilities(rows / self.manifest.temperature)[:, column]
        return scores
