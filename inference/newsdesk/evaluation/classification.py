"""Metrics for single-label classification (topic, stance), from scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.evaluation.bootstrap import bootstrap_interval


def classification_metrics(gold: Sequence[str], predicted: Sequence[str],
                           labels: Sequence[str], *, intervals: bool = False,
                           seed: int = 0) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    >>> m = classification_metrics(["a", "b", "b"], ["a", "b", "a"], ["a", "b"])
    >>> round(m["accuracy"], 3), round(m["macro_f1"], 3)
    (0.667, 0.667)
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
    from sklearn.metrics import precision_recall_fscore_support as prfs

    labels = list(labels)
    precision, recall, f1, support = prfs(gold, predicted, labels=labels, zero_division=0)
    metrics: dict[str, Any] = {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": float(f1_score(gold, predicted, labels=labels, average="macro",
                                   zero_division=0)),
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f),
                              "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "confusion_matrix": {"labels": labels, "matrix": confusion_matrix(
            gold, predicted, labels=labels).tolist()},
    }
    if intervals:
        metrics["intervals"] = classification_intervals(gold, predicted, labels, seed=seed)
    return metrics


def classification_intervals(gold: Sequence[str], predicted: Sequence[str],
                             labels: Sequence[str], *, seed: int = 0,
                             rounds: int = 1000) -> dict[str, tuple[float, float]]:
    """Bootstrap 95% intervals for accuracy and macro-F1."""
    from sklearn.metrics import f1_score

    gold_arr, pred_arr = np.asarray(gold), np.asarray(predicted)
    correct = gold_arr == pred_arr
    return {
        "accuracy": bootstrap_interval(len(gold_arr), lambda i: float(correct[i].mean()),
                                       rounds=rounds, seed=seed),
        "macro_f1": bootstrap_interval(
            len(gold_arr), lambda i: float(f1_score(gold_arr[i], pred_arr[i], labels=labels,
                                                    average="macro", zero_division=0)),
            rounds=rounds, seed=seed),
    }
