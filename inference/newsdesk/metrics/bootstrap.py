"""Seeded bootstrap confidence intervals for a metric over per-example results."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
