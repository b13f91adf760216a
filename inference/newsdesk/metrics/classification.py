"""Metrics for single-label classification (topic, stance), from scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.metrics.bootstrap import bootstrap_interval


def classification_metrics(gold: Sequence[str], predicted: Sequence[str],
                           labels: Sequence[str], *, intervals: bool = False,
                           seed: int = 0) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    Macro-F1 averages the labels present in ``gold``; the labels the model knows that
    ``gold`` lacks are listed in ``absent_labels`` (their F1 says nothing about the model:
    a wrong prediction of one already costs the recall of the gold label).

    >>> m = classification_metrics(["a", "b", "b"], ["a", "b", "a"], ["a", "b", "c"])
    >>> round(m["accuracy"], 3), round(m["macro_f1"], 3), m["absent_labels"]
    (0.667, 0.667, ['c'])
    """
    from sklearn.metrics import accuracy_score, confusion_matrix
    from sklearn.metrics import precision_recall_fscore_support as prfs

    labels = list(labels)
    precision, recall, f1, support = prfs(gold, predicted, labels=labels, zero_division=0)
    present = labels_in(gold, labels)
    metrics: dict[str, Any] = {
        "n": len(gold),
        "accuracy": float(accuracy_score(gold, predicted)),
        "macro_f1": macro_f1(gold, predicted, present),
        "absent_labels": [label for label in labels if label not in present],
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f),
                              "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
        "confusion_matrix": {"labels": labels, "matrix": confusion_matrix(
            gold, predicted, labels=labels).tolist()},
    }
    if intervals:
        metrics["intervals"] = classification_intervals(gold, predicted, labels, seed=seed)
    return metrics


def labels_in(gold: Sequence[str], labels: Sequence[str]) -> list[str]:
    """The ``labels`` (in their order) that occur in ``gold``."""
    seen = set(gold)
    return [label for label in labels if label in seen]


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """The mean F1 over ``labels`` (give those present in ``gold``)."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=list(labels), average="macro",
                          zero_division=0))


def macro_f1_codes(gold: np.ndarray, predicted: np.ndarray, n_labels: int) -> float:
    """``macro_f1`` over the labels present in ``gold`` for labels coded 0..n_labels-1, by
    counting with numpy: fast enough for thousands of bootstrap resamples.

    >>> gold, predicted = np.array([0, 1, 1]), np.array([0, 1, 0])
    >>> round(macro_f1_codes(gold, predicted, 3), 3) == round(macro_f1(
    ...     ["a", "b", "b"], ["a", "b", "a"], ["a", "b"]), 3)
    True
    """
    hits = np.bincount(gold[gold == predicted], minlength=n_labels)
    in_gold = np.bincount(gold, minlength=n_labels)
    in_predicted = np.bincount(predicted, minlength=n_labels)
    present = in_gold > 0
    return float(np.mean(2 * hits[present] / (in_gold[present] + in_predicted[present])))


def classification_intervals(gold: Sequence[str], predicted: Sequence[str],
                             labels: Sequence[str], *, seed: int = 0,
                             rounds: int = 1000) -> dict[str, tuple[float, float]]:
    """Bootstrap 95% intervals for accuracy and macro-F1 (over each resample's gold labels)."""
    gold_arr, pred_arr = np.asarray(gold), np.asarray(predicted)
    correct = gold_arr == pred_arr
    return {
        "accuracy": bootstrap_interval(len(gold_arr), lambda i: float(correct[i].mean()),
                                       rounds=rounds, seed=seed),
        "macro_f1": bootstrap_interval(
            len(gold_arr), lambda i: macro_f1(gold_arr[i], pred_arr[i],
                                              labels_in(gold_arr[i], labels)),
            rounds=rounds, seed=seed),
    }
