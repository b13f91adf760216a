"""Metrics for multi-label classification (each text may carry several labels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from newsdesk.metrics.bootstrap import bootstrap_interval

DEFAULT_THRESHOLD = 0.5  # what a label without a tuned threshold is cut at


def multilabel_metrics(gold: Sequence[str | tuple[str, ...]],
                       predicted: Sequence[tuple[str, ...]], labels: Sequence[str], *,
                       thresholds: Mapping[str, float] | None = None, intervals: bool = False,
                       seed: int = 0) -> dict[str, Any]:
    """Micro, macro and samples F1, subset accuracy and per-label precision/recall/F1.

    Macro-F1 averages the labels present in ``gold`` (the others are ``absent_labels``).
    ``thresholds`` (the model's, ``DEFAULT_THRESHOLD`` where it has none) are reported
    with each label.

    >>> m = multilabel_metrics([("a", "b"), ("a",)], [("a",), ("a",)], ["a", "b", "c"])
    >>> m["subset_accuracy"], round(m["micro_f1"], 3), round(m["macro_f1"], 3)
    (0.5, 0.8, 0.5)
    >>> m["absent_labels"]
    ['c']
    """
    from sklearn.metrics import accuracy_score
    from sklearn.metrics import precision_recall_fscore_support as prfs

    truth, guess = label_matrices(gold, predicted, labels)
    present = set(np.flatnonzero(truth.any(axis=0)).tolist())
    precision, recall, f1, support = prfs(truth, guess, average=None, zero_division=0)
    metrics: dict[str, Any] = {
        "n": len(gold),
        "subset_accuracy": float(accuracy_score(truth, guess)),
        **averaged_f1(truth, guess),
        "absent_labels": [label for j, label in enumerate(labels) if j not in present],
        "per_class": {label: {"precision": float(p), "recall": float(r), "f1": float(f),
                              "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support)},
    }
    if thresholds is not None:
        metrics["thresholds"] = {label: float(thresholds.get(label, DEFAULT_THRESHOLD))
                                 for label in labels}
        for label, row in metrics["per_class"].items():
            row["threshold"] = metrics["thresholds"][label]
    if intervals:
        metrics["intervals"] = multilabel_intervals(truth, guess, seed=seed)
    return metrics


def label_matrices(gold: Sequence[str | tuple[str, ...]], predicted: Sequence[tuple[str, ...]],
                   labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Gold and predicted label sets as 0/1 indicator matrices (one column per label)."""
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer(classes=list(labels))
    truth = binarizer.fit_transform([g if isinstance(g, tuple) else (g,) for g in gold])
    return truth, binarizer.transform(predicted)


F1_AVERAGES = ("micro", "macro", "samples")


def averaged_f1(truth: np.ndarray, guess: np.ndarray) -> dict[str, float]:
    """``micro_f1``, ``macro_f1`` (over the labels present in ``truth``) and ``samples_f1``."""
    return {f"{average}_f1": f1_averaged(truth, guess, average) for average in F1_AVERAGES}


def f1_averaged(truth: np.ndarray, guess: np.ndarray, average: str) -> float:
    """scikit-learn's F1 of indicator matrices; ``macro`` over the label columns present
    in ``truth``."""
    from sklearn.metrics import f1_score

    labels = list(np.flatnonzero(truth.any(axis=0))) if average == "macro" else None
    return float(f1_score(truth, guess, labels=labels, average=average, zero_division=0))


def multilabel_intervals(truth: np.ndarray, guess: np.ndarray, *, seed: int = 0,
                         rounds: int = 1000) -> dict[str, tuple[float, float]]:
    """Bootstrap 95% intervals of subset accuracy, micro-F1 and macro-F1."""
    exact = (truth == guess).all(axis=1)
    out = {"subset_accuracy": bootstrap_interval(
        len(truth), lambda i: float(exact[i].mean()), rounds=rounds, seed=seed)}
    for average in ("micro", "macro"):
        out[f"{average}_f1"] = bootstrap_interval(
            len(truth), lambda i, average=average: counted_f1(truth[i], guess[i], average),
            rounds=rounds, seed=seed)
    return out


def counted_f1(truth: np.ndarray, guess: np.ndarray, average: str) -> float:
    """Micro- or macro-F1 (labels present in ``truth``) from true positive and error counts:
    what ``f1_averaged`` gives, without scikit-learn's input checks (a thousand bootstrap
    resamples took 6 s that way).

    >>> truth, guess = np.array([[1, 0, 1], [0, 1, 0]]), np.array([[1, 1, 0], [0, 1, 0]])
    >>> all(np.isclose(counted_f1(truth, guess, a), f1_averaged(truth, guess, a))
    ...     for a in ("micro", "macro"))
    True
    """
    gold, chosen = truth.astype(bool), guess.astype(bool)
    hits, errors = (gold & chosen).sum(axis=0), (gold ^ chosen).sum(axis=0)
    if average == "micro":
        denominator = 2 * hits.sum() + errors.sum()
        return float(2 * hits.sum() / denominator) if denominator else 0.0
    present = gold.any(axis=0)
    if not present.any():
        return 0.0
    return float((2 * hits[present] / (2 * hits[present] + errors[present])).mean())
