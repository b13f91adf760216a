"""Calibration: does a model's confidence match how often it is right? (ECE, and the
negative log-likelihood that temperature scaling minimises.)"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Guo et al. (2017), "On Calibration of Modern Neural Networks", use 15 equal-width bins.
ECE_BINS = 15


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], *,
                               bins: int = ECE_BINS) -> float:
    """Expected calibration error of top-label predictions (Guo et al. 2017).

    ``confidence[i]`` is the probability the model gave its predicted label, ``correct[i]``
    whether that label was right. Predictions fall into ``bins`` equal-width bins of
    confidence over (0, 1] (a bin holds its upper edge, the first bin also 0); ECE is the
    mean over bins of |accuracy - mean confidence|, each weighted by its share of the
    predictions. 0 is perfect calibration.

    Two bins used: at 0.9 half are right (gap 0.4), at 0.6 all are right (gap 0.4):

    >>> round(expected_calibration_error([0.9, 0.9, 0.6, 0.6], [True, False, True, True]), 6)
    0.4
    >>> expected_calibration_error([0.75, 0.75, 0.75, 0.75], [True, True, True, False])
    0.0
    """
    conf = np.asarray(confidence, dtype=np.float64)
    right = np.asarray(correct, dtype=bool)
    if conf.ndim != 1 or conf.shape != right.shape:
        raise ValueError(f"confidence and correct must be 1-d and of one length, got "
                         f"{conf.shape} and {right.shape}")
    if conf.size == 0:
        raise ValueError("no predictions to calibrate")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if np.isnan(conf).any() or conf.min() < 0.0 or conf.max() > 1.0:
        raise ValueError("confidence must lie in [0, 1]")
    upper_edges = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    which = np.searchsorted(upper_edges, conf, side="left")  # an edge belongs to the bin below
    error = 0.0
    for b in np.unique(which):
        members = which == b
        error += members.mean() * abs(right[members].mean() - conf[members].mean())
    return float(error)


def negative_log_likelihood(probabilities: np.ndarray, gold: Sequence[int]) -> float:
    """Mean of ``-log probabilities[i, gold[i]]``: the loss temperature scaling minimises.

    A probability of 0 counts as the smallest positive float64 (a large, finite loss).

    >>> round(negative_log_likelihood(np.array([[0.5, 0.5], [0.9, 0.1]]), [1, 0]), 4)
    0.3993
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    index = np.asarray(gold)
    if probs.ndim != 2 or index.shape != (probs.shape[0],):
        raise ValueError(f"need one gold label index per row of probabilities, got "
                         f"{index.shape} for {probs.shape}")
    if index.size == 0:
        raise ValueError("no examples to score")
    if not np.issubdtype(index.dtype, np.integer) or index.min() < 0 \
            or index.max() >= probs.shape[1]:
        raise ValueError(f"gold label indices must lie in 0..{probs.shape[1] - 1}")
    chosen = probs[np.arange(index.size), index]
    return float(-np.log(np.maximum(chosen, np.finfo(np.float64).tiny)).mean())
