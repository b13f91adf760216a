"""Sentence rankings: which sentences of an article best stand for it, best first.

Pure functions over sentences (TextRank) or their embeddings (centroid), and the one
redundancy check (``demote_redundant``); the budget in ``newsdesk.summarize.budget`` turns a
ranking into a summary.

>>> textrank_order(["Rates rose today.", "Rates rose again.", "A cat slept."])[-1]
2
>>> import numpy as np
>>> centroid_order(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]]))
[1, 0, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def position_prior(count: int, bias: float) -> np.ndarray:
    """Weights ``1 / (i + 1) ** bias`` for positions ``i``, summing to 1 (0 = uniform).

    >>> position_prior(2, 1.0).round(3).tolist()
    [0.667, 0.333]
    """
    weights = 1.0 / np.arange(1, count + 1, dtype=float) ** bias
    return weights / weights.sum()


def tfidf_similarity(sentences: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the sentences' TF-IDF vectors (IDF from the article itself)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
            sentences)
    except ValueError:  # no word left after stop words: nothing links the sentences
        return np.zeros((len(sentences), len(sentences)))
    similarity = (vectors @ vectors.T).toarray()
    np.fill_diagonal(similarity, 0.0)
    return similarity


def textrank_order(sentences: Sequence[str], *, damping: float = 0.85,
                   position_bias: float = 0.0) -> list[int]:
    """Sentence indices by PageRank over the TF-IDF cosine graph, best first.

    ``position_bias`` > 0 makes the random jump favour early sentences (biased TextRank);
    ties keep article order.
    """
    import networkx as nx

    if len(sentences) < 2:
        return list(range(len(sentences)))
    graph = nx.from_numpy_array(tfidf_similarity(sentences))
    prior = position_prior(len(sentences), position_bias)
    jump = dict(enumerate(prior.tolist()))
    try:
        scores = nx.pagerank(graph, alpha=damping, personalization=jump, weight="weight")
    except nx.PowerIterationFailedConvergence:
        scores = jump
    return sorted(range(len(sentences)), key=lambda i: -scores[i])


def centroid_order(embeddings: np.ndarray, *, position_bias: float = 0.0,
                   redundancy: float = 1.0) -> list[int]:
    """Indices of L2-normalised sentence embeddings by cosine to their mean, best first.

    A sentence whose cosine to a better-ranked one exceeds ``redundancy`` moves to the end
    (it repeats what is already said); ``position_bias`` multiplies each score by a
    position prior scaled so that the first sentence keeps weight 1.
    """
    if len(embeddings) == 0:
        return []
    centroid = embeddings.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    scores = embeddings @ centroid
    if position_bias:
        prior = position_prior(len(scores), position_bias)
        scores = scores * prior / prior[0]
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    return demote_redundant(embeddings @ embeddings.T, ranked, redundancy)


def demote_redundant(similarity: np.ndarray, ranked: Sequence[int],
                     threshold: float) -> list[int]:
    """``ranked`` with every sentence whose similarity to a better-ranked kept one exceeds
    ``threshold`` moved to the end (it repeats what is already said), in rank order: the
    one redundancy check of the summarizers (centroid: cosine of MiniLM embeddings; the
    fine-tuned extractor: TF-IDF cosine, ``tfidf_similarity``).

    >>> demote_redundant(np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]]),
    ...                  [0, 1, 2], threshold=0.8)
    [0, 2, 1]
    """
    kept: list[int] = []
    repeats: list[int] = []
    for index in ranked:
        if kept and float(np.max(similarity[kept, index])) > threshold:
            repeats.append(index)
        else:
            kept.append(index)
    return kept + repeats
