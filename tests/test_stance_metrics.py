"""FNC-1 score and SemEval F_avg against hand-computed examples."""

from __future__ import annotations

import pytest

from newsdesk.metrics.stance import fnc_max_score, fnc_score, semeval_f_avg, stance_metrics


def test_fnc_score_by_hand() -> None:
    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated", "agree"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree", "agree"]
    # agree/agree 1.0; disagree/discuss 0.25; discuss/unrelated 0; unrelated/unrelated 0.25;
    # unrelated/agree 0; agree/agree 1.0  -> 2.5 of a maximum 4 * 1.0 + 2 * 0.25 = 4.5
    assert fnc_score(gold, pred) == pytest.approx(2.5)
    assert fnc_max_score(gold) == pytest.approx(4.5)
    metrics = stance_metrics(gold, pred)
    assert metrics["fnc_relative"] == pytest.approx(2.5 / 4.5)


def test_semeval_f_avg_by_hand() -> None:
    gold = ["favor", "favor", "against", "against", "none", "none"]
    pred = ["favor", "against", "against", "none", "none", "favor"]
    # favor: P 1/2, R 1/2 -> F1 0.5; against: P 1/2, R 1/2 -> F1 0.5; F_avg 0.5
    assert semeval_f_avg(gold, pred) == pytest.approx(0.5)
    gold2 = ["favor", "against", "none"]
    pred2 = ["favor", "favor", "none"]
    # favor: P 1/2, R 1 -> 2/3; against: 0 -> F_avg 1/3
    assert semeval_f_avg(gold2, pred2) == pytest.approx(1 / 3)
    assert "semeval_f_avg" in stance_metrics(gold2, pred2)
    assert "fnc_score" not in stance_metrics(gold2, pred2)


def test_related_unrelated_gets_neither_task_score() -> None:
    assert stance_metrics(["related", "unrelated"], ["related", "related"]) == {}
