"""Metrics for multi-label classification (each text may carry several labels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def multilabel_metrics(gold: Sequence[str | tuple[str, ...]],
                       predicted: Sequence[tuple[str, ...]],
                       labels: Sequence[str]) -> dict[str, Any]:
    """Micro/macro F1, exact-match ratio and per-label F1 over label sets.

    >>> m = multilabel_metrics([("a", "b"), ("a",)], [("a",), ("a",)], ["a", "b"])
    >>> m["exact_match"], round(m["micro_f1"], 3)
    (0.5, 0.8)
    """
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    binarizer = MultiLabelBinarizer(classes=list(labels))
    truth = binarizer.fit_transform([g if isinstance(g, tuple) else (g,) for g in gold])
    guess = binarizer.transform(predicted)
    per_label = f1_score(truth, guess, average=None, zero_division=0)
    return {
        "n": len(gold),
        "exact_match": float((truth == guess).all(axis=1).mean()),
        "micro_f1": float(f1_score(truth, guess, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(truth, guess, average="macro", zero_division=0)),
        "per_class": {label: {"f1": float(f)} for label, f in zip(labels, per_label)},
    }
