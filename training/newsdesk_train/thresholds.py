"""Per-label decision thresholds for multi-label models, tuned on validation data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.tasks import Task

GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)


def best_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    """The grid threshold with the highest F1 for one label (ties: the one nearest 0.5).

    >>> best_threshold(np.array([0.9, 0.3, 0.2]), np.array([1, 1, 0]))
    0.25
    """
    from sklearn.metrics import f1_score

    results = [(f1_score(truth, scores >= t, zero_division=0), -abs(t - 0.5), t) for t in GRID]
    return float(max(results)[2])


def tune_thresholds(classifier: Any, records: Sequence[Record],
                    task: Task) -> dict[str, float]:
    """A threshold per label maximising that label's F1 on ``records``."""
    probs = classifier.predict_proba([r.text for r in records], task.targets(records))
    golds = [task.gold(r) for r in records]
    thresholds = {}
    for j, label in enumerate(classifier.labels):
        truth = np.array([label in (g if isinstance(g, tuple) else (g,)) for g in golds])
        thresholds[label] = best_threshold(probs[:, j], truth.astype(int))
    return thresholds
