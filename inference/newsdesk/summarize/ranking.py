"""Sentence rankings: which sentences of an article best stand for it, best first.

Pure functions over sentences (TextRank: TF-IDF and PageRank in numpy, as scikit-learn and
networkx compute them) or their embeddings (centroid), and the one redundancy check
(``demote_redundant``); the budget in ``newsdesk.summarize.budget`` turns a ranking into a
summary.

>>> textrank_order(["Rates rose today.", "Rates rose again.", "A cat slept."])[-1]
2
>>> import numpy as np
>>> centroid_order(np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]]))
[1, 0, 2]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from newsdesk.summarize.stop_words import ENGLISH_STOP_WORDS
from newsdesk.tfidf_head import TfidfSettings

#: Scores equal to this many decimals are ties (``textrank_order``).
TIE_DECIMALS = 12


def position_prior(count: int, bias: float) -> np.ndarray:
    """Weights ``1 / (i + 1) ** bias`` for positions ``i``, summing to 1 (0 = uniform).

    >>> position_prior(2, 1.0).round(3).tolist()
    [0.667, 0.333]
    """
    weights = 1.0 / np.arange(1, count + 1, dtype=float) ** bias
    return weights / weights.sum()


def tfidf_vectors(sentences: Sequence[str]) -> np.ndarray:
    """The sentences' TF-IDF rows (float64, one column per term), IDF from the sentences
    themselves, as scikit-learn's ``TfidfVectorizer(stop_words="english",
    sublinear_tf=True)`` makes them (its word pattern, lowercase, smooth IDF, l2 rows), with
    numpy alone; no term left after the stop words gives zero columns.

    >>> tfidf_vectors(["Rates rose.", "Rates fell."]).round(3).tolist()
    [[0.0, 0.58, 0.815], [0.815, 0.58, 0.0]]
    """
    pattern = re.compile(TfidfSettings().token_pattern)
    tokens = [[t for t in pattern.findall(s.lower()) if t not in ENGLISH_STOP_WORDS]
              for s in sentences]
    columns = {term: i for i, term in enumerate(sorted({t for row in tokens for t in row}))}
    counts = np.zeros((len(sentences), len(columns)))
    for row, terms in enumerate(tokens):
        for term, count in Counter(terms).items():
            counts[row, columns[term]] = count
    present = counts > 0
    tf = np.where(present, np.log(np.where(present, counts, 1.0)) + 1.0, 0.0)
    idf = np.log((1 + len(sentences)) / (1 + present.sum(axis=0))) + 1.0
    vectors = tf * idf
    norms = np.sqrt((vectors ** 2).sum(axis=1, keepdims=True))
    return vectors / np.where(norms > 0, norms, 1.0)


def tfidf_similarity(sentences: Sequence[str]) -> np.ndarray:
    """Cosine similarity of the sentences' TF-IDF vectors (``tfidf_vectors``), 0 on the
    diagonal."""
    vectors = tfidf_vectors(sentences)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    return similarity


def pagerank(weights: np.ndarray, prior: np.ndarray, *, damping: float = 0.85,
             max_iter: int = 100, tol: float = 1e-6) -> np.ndarray | None:
    """PageRank scores over a weighted graph (``weights[i, j]``: the edge i -> j), jumping
    by ``prior`` (which a node without edges also passes its score to), by power
    iteration from the uniform vector as networkx's ``pagerank`` runs it; None when it
    has not converged in ``max_iter`` steps.

    >>> pagerank(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0.5, 0.5])).tolist()
    [0.5, 0.5]
    """
    count = len(weights)
    out_sums = weights.sum(axis=1)
    dangling = out_sums == 0
    transition = weights / np.where(dangling, 1.0, out_sums)[:, None]
    jump = prior / prior.sum()
    scores = np.full(count, 1.0 / count)
    for _ in range(max_iter):
        last = scores
        scores = damping * (scores @ transition + scores[dangling].sum() * jump) \
            + (1 - damping) * jump
        if np.abs(scores - last).sum() < count * tol:
            return scores
    return None


def textrank_order(sentences: Sequence[str], *, damping: float = 0.85,
                   position_bias: float = 0.0) -> list[int]:
    """Sentence indices by PageRank over the TF-IDF cosine graph, best first.

    ``position_bias`` > 0 makes the random jump favour early sentences (biased TextRank);
    ties (scores equal to ``TIE_DECIMALS`` decimals: sums in another order differ in the
    last bits) keep article order; a graph whose scores do not converge ranks by the prior.
    """
    if len(sentences) < 2:
        return list(range(len(sentences)))
    prior = position_prior(len(sentences), position_bias)
    scores = pagerank(tfidf_similarity(sentences), prior, damping=damping)
    if scores is None:
        scores = prior
    return sorted(range(len(sentences)), key=lambda i: -round(float(scores[i]), TIE_DECIMALS))


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
