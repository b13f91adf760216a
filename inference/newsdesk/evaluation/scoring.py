"""Document-level scoring of a topic or stance classifier: the one path ``newsdesk evaluate``
and training's evaluation of each split both take.

Each record is predicted whole (every window the model's manifest asks for, aggregated),
and the predictions are scored against the records' references with the metrics of the
model's task (``newsdesk.tasks``): classification metrics, the task's own figures (FNC-1 and
SemEval scores for stance), or label-set metrics for a multi-label model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.data.records import Record
from newsdesk.errors import DataError
from newsdesk.tasks import Task, get_task


@dataclass
class Scored:
    """What scoring a classifier on records gives: metrics, and the gold and predicted
    answers in record order."""

    metrics: dict[str, Any]
    gold: list[Any]
    predictions: list[Any]


def score_classifier(classifier: Any, records: Sequence[Record], *,
                     where: str | Path | None = None, intervals: bool = False,
                     with_thresholds: bool = False, seed: int = 0,
                     batch_size: int = 32,
                     predictions: Sequence[Any] | None = None) -> Scored:
    """Predict every record with ``classifier`` (or take its ``predictions``, made
    already, one per record) and score the predictions.

    ``intervals`` adds bootstrap 95% intervals (``seed``); ``with_thresholds`` reports a
    multi-label model's decision threshold beside each label. Records without the task's
    reference (or target), or with labels the model does not know, are a DataError naming
    ``where``.
    """
    task = get_task(classifier.task)
    multi_label = classifier.manifest.multi_label
    gold = gold_labels(records, task, multi_label=multi_label, where=where)
    check_known_labels(gold, classifier.labels, where)
    if predictions is None:
        predictions = classifier.predict_texts([r.text for r in records],
                                               task.targets(records, path=where), batch_size)
    elif len(predictions) != len(records):
        raise ValueError(f"{len(predictions)} predictions for {len(records)} records")
    thresholds = classifier.manifest.thresholds if with_thresholds else None
    metrics = document_metrics(task, gold, predictions, classifier.labels,
                               multi_label=multi_label, thresholds=thresholds,
                               intervals=intervals, seed=seed,
                               probabilities=classifier.gives_probabilities)
    return Scored(metrics, gold, predictions)


def document_metrics(task: Task, gold: Sequence[Any], predictions: Sequence[Any],
                     labels: Sequence[str], *, multi_label: bool,
                     thresholds: Mapping[str, float] | None = None, intervals: bool = False,
                     seed: int = 0, probabilities: bool = True) -> dict[str, Any]:
    """The metrics of ``predictions`` (``Prediction`` objects) against ``gold``: label-set
    metrics for a multi-label model, else classification metrics, the expected calibration
    error of the top label's probability (``ece``, 15 bins; not where the scores are no
    ``probabilities``: a baseline's) and the task's own."""
    if multi_label:
        from newsdesk.metrics.multilabel import multilabel_metrics

        return multilabel_metrics(gold, [p.labels for p in predictions], labels,
                                  thresholds=thresholds, intervals=intervals, seed=seed)
    from newsdesk.metrics.calibration import expected_calibration_error
    from newsdesk.metrics.classification import classification_metrics

    predicted = [p.label for p in predictions]
    metrics = classification_metrics(gold, predicted, labels, intervals=intervals, seed=seed)
    if probabilities:
        metrics["ece"] = expected_calibration_error([p.score for p in predictions],
                                                    [p == g for p, g in zip(predicted, gold)])
    metrics.update(task.extra_metrics(gold, predicted))
    return metrics


def gold_labels(records: Sequence[Record], task: Task, *, multi_label: bool,
                where: str | Path | None = None) -> list[Any]:
    """Each record's reference: a label string, or (``multi_label``) a tuple of labels.

    A record with several labels for a single-label model is a DataError naming it.
    """
    gold: list[Any] = []
    for record in records:
        value = task.gold(record)
        if multi_label:
            gold.append(value if isinstance(value, tuple) else (value,))
        elif isinstance(value, tuple):
            raise DataError(f"record {record.id!r} has several labels ({', '.join(value)}); "
                            "this model is single-label (train one with "
                            "model.multi_label: true)", path=where, field=task.reference)
        else:
            gold.append(str(value))
    return gold


def check_known_labels(gold: Sequence[Any], labels: Sequence[str],
                       where: str | Path | None = None) -> None:
    """A DataError listing the gold labels (strings or tuples of them) that ``labels``
    lacks, if there are any."""
    used = {label for g in gold for label in (g if isinstance(g, tuple) else (g,))}
    unknown = sorted(used - set(labels))
    if unknown:
        raise DataError(f"labels the model does not know: {', '.join(unknown)} (it knows "
                        f"{', '.join(labels)})", path=where)
