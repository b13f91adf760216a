"""Stance metrics: the FNC-1 score and SemEval-2016's F_avg, as their tasks define them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
FNC_RELATED = ("agree", "disagree", "discuss")
SEMEVAL_LABELS = ("favor", "against", "none")


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """FNC-1's weighted score: +0.25 when related-vs-unrelated is right, +0.75 more when a
    related pair's exact class (agree/disagree/discuss) is right.

    >>> fnc_score(["agree", "unrelated", "discuss"], ["discuss", "unrelated", "discuss"])
    1.5
    """
    score = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in FNC_RELATED and p in FNC_RELATED:
            score += 0.25
    return score


def fnc_max_score(gold: Sequence[str]) -> float:
    """The best score reachable on ``gold`` (1.0 per related pair, 0.25 per unrelated)."""
    return sum(1.0 if g in FNC_RELATED else 0.25 for g in gold)


def semeval_f_avg(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """SemEval-2016 Task 6's F_avg: the mean of the F1 of ``favor`` and of ``against``.

    >>> round(semeval_f_avg(["favor", "against", "none"], ["favor", "none", "none"]), 3)
    0.5
    """
    from sklearn.metrics import f1_score

    f1 = f1_score(gold, predicted, labels=["favor", "against"], average=None, zero_division=0)
    return float(f1.mean())


def stance_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """The task-specific scores that apply to this label set."""
    labels = set(gold) | set(predicted)
    out: dict[str, Any] = {}
    if labels <= set(FNC_LABELS) and labels & set(FNC_RELATED):
        score, best = fnc_score(gold, predicted), fnc_max_score(gold)
        out["fnc_score"] = score
        out["fnc_score_max"] = best
        out["fnc_relative"] = score / best if best else float("nan")
    if labels <= set(SEMEVAL_LABELS):
        out["semeval_f_avg"] = semeval_f_avg(gold, predicted)
    return out
