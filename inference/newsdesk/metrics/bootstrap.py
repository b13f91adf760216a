"""Seeded bootstrap confidence intervals for a metric over per-example results, and the
paired difference of two methods scored on the same examples."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


def bootstrap_interval(n_items: int, statistic: Callable[[np.ndarray], float], *,
                       rounds: int = 1000, level: float = 0.95,
                       seed: int = 0) -> tuple[float, float]:
    """Percentile interval of ``statistic(indices)`` over resamples of ``range(n_items)``.

    >>> values = np.array([1.0, 0.0, 1.0, 1.0])
    >>> low, high = bootstrap_interval(4, lambda idx: float(values[idx].mean()))
    >>> 0.0 <= low <= 0.75 <= high <= 1.0
    True
    """
    if n_items == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    stats = np.array([statistic(rng.integers(0, n_items, n_items)) for _ in range(rounds)])
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(stats, [tail, 100 - tail])
    return (float(low), float(high))


def mean_interval(values: Sequence[float], **kwargs: float) -> tuple[float, float]:
    """Bootstrap interval of the mean of per-example values."""
    array = np.asarray(values, dtype=np.float64)
    return bootstrap_interval(len(array), lambda idx: float(array[idx].mean()), **kwargs)


@dataclass(frozen=True)
class Estimate:
    """A mean over examples with its seeded bootstrap 95% interval."""

    mean: float
    low: float
    high: float
    count: int


def paired_difference(values: Sequence[float], baseline: Sequence[float], *,
                      rounds: int = 1000, seed: int = 0) -> Estimate:
    """Mean of ``values[i] - baseline[i]`` with a paired bootstrap 95% interval.

    Both lists score the same examples (e.g. per-example ROUGE-Lsum of two methods); an
    interval above 0 means the first is better on this data beyond resampling noise.

    >>> paired_difference([0.5, 0.5, 0.5], [0.25, 0.25, 0.25], rounds=100)
    Estimate(mean=0.25, low=0.25, high=0.25, count=3)
    """
    if len(values) != len(baseline):
        raise ValueError(f"need one baseline score per value, got {len(values)} values "
                         f"and {len(baseline)} baseline scores")
    diffs = np.asarray(values, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    if len(diffs) == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    low, high = bootstrap_interval(len(diffs), lambda idx: float(diffs[idx].mean()),
                                   rounds=rounds, seed=seed)
    return Estimate(float(diffs.mean()), low, high, len(diffs))
