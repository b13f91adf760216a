"""Evaluate a trained model on labelled records: predictions, metrics, worst mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.errors import DataError
from newsdesk.evaluation.result import Evaluation
from newsdesk.evaluation.summary_eval import EXTRACTIVE_PREFIX, evaluate_summarizer
from newsdesk.manifest import dir_task

REFERENCE_FIELD = {"topic": "label", "stance": "stance", "summary": "summary"}
MISTAKES_SHOWN = 10


def model_task(model: str | Path) -> str:
    """The task of ``model``: ``summary`` for an ``extractive:`` spec, else its dir's."""
    return "summary" if str(model).startswith(EXTRACTIVE_PREFIX) else dir_task(model)


def load_labelled(data: str, split: str | None, task: str) -> list[Record]:
    """Records of ``data`` that all carry the task's reference field (else a DataError)."""
    records = load(data, split=split)
    name = REFERENCE_FIELD[task]
    for index, record in enumerate(records):
        if getattr(record, name) is None:
            raise DataError(f"record {record.id!r} (number {index + 1}) has no {name!r}; "
                            f"evaluating a {task} model needs it on every record",
                            path=data, field=name)
        if task == "stance" and not record.target:
            raise DataError(f"record {record.id!r} has no 'target'", path=data, field="target")
    return records


def evaluate_classifier(model: str | Path, data: str, split: str | None, *,
                        batch_size: int = 32, seed: int = 0) -> Evaluation:
    """Predict every record with a topic or stance model and score the predictions.

    A multi-label model is scored on label sets (``multilabel_metrics``), at the
    thresholds its manifest holds; a single-label one also gets the expected calibration
    error of its top label's probability (``ece``).
    """
    from newsdesk.classifier import StanceClassifier, TopicClassifier
    from newsdesk.metrics.calibration import expected_calibration_error
    from newsdesk.metrics.classification import classification_metrics
    from newsdesk.metrics.multilabel import multilabel_metrics
    from newsdesk.metrics.stance import stance_metrics

    task = model_task(model)
    classifier = (StanceClassifier if task == "stance" else TopicClassifier).from_pretrained(
        model)
    multi_label = classifier.manifest.multi_label
    records = load_labelled(data, split, task)
    gold = gold_labels(records, task, multi_label=multi_label, where=data)
    check_known_labels(gold, classifier.labels, data)
    targets = [r.target or "" for r in records] if task == "stance" else None
    predictions = classifier.predict_texts([r.text for r in records], targets, batch_size)
    if multi_label:
        metrics = multilabel_metrics(gold, [p.labels for p in predictions], classifier.labels,
                                     thresholds=classifier.manifest.thresholds,
                                     intervals=True, seed=seed)
    else:
        predicted = [p.label for p in predictions]
        metrics = classification_metrics(gold, predicted, classifier.labels, intervals=True,
                                         seed=seed)
        metrics["ece"] = expected_calibration_error(  # top label, 15 bins
            [p.score for p in predictions], [p == g for p, g in zip(predicted, gold)])
        if task == "stance":
            metrics.update(stance_metrics(gold, predicted))
    return Evaluation(model=str(model), task=task, data=data, split=split, metrics=metrics,
                      labels=classifier.labels,
                      selection=classifier.manifest.extras.get("selection"),
                      examples={"confident_mistakes": confident_mistakes(
                          records, gold, predictions, multi_label=multi_label)})


def gold_labels(records: Sequence[Record], task: str, *, multi_label: bool,
                where: str) -> list[Any]:
    """Each record's reference: a label string, or (``multi_label``) a tuple of labels.

    A record with several labels for a single-label model is a DataError naming it.
    """
    gold: list[Any] = []
    for record in records:
        value = getattr(record, REFERENCE_FIELD[task])
        if multi_label:
            gold.append(value if isinstance(value, tuple) else (value,))
        elif isinstance(value, tuple):
            raise DataError(f"record {record.id!r} has several labels ({', '.join(value)}); "
                            "this model is single-label (train one with "
                            "model.multi_label: true)", path=where, field="label")
        else:
            gold.append(str(value))
    return gold


def check_known_labels(gold: Sequence[Any], labels: Sequence[str], where: str) -> None:
    """A DataError listing the gold labels the model does not know, if there are any."""
    used = {label for g in gold for label in (g if isinstance(g, tuple) else (g,))}
    unknown = sorted(used - set(labels))
    if unknown:
        raise DataError(f"labels the model does not know: {', '.join(unknown)} (it knows "
                        f"{', '.join(labels)})", path=where)


def confident_mistakes(records: Sequence[Record], gold: Sequence[Any],
                       predictions: Sequence[Any], *,
                       multi_label: bool = False) -> list[dict[str, Any]]:
    """The wrong predictions with the highest scores, most confident first (multi-label:
    a predicted label set other than the gold one)."""
    def wrong(g: Any, p: Any) -> bool:
        return set(p.labels) != set(g) if multi_label else p.label != g

    def shown(labels: Any) -> str:
        return ", ".join(labels) if isinstance(labels, tuple) else str(labels)

    mistakes = [(p.score, r, g, p) for r, g, p in zip(records, gold, predictions) if wrong(g, p)]
    mistakes.sort(key=lambda item: -item[0])
    return [{"id": r.id, "gold": shown(g), "predicted": shown(p.labels if multi_label
                                                              else p.label),
             "score": round(p.score, 4), "target": r.target, "text": _snippet(r.title or r.text)}
            for _, r, g, p in mistakes[:MISTAKES_SHOWN]]


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def evaluate_model(model: str | Path, data: str, split: str | None, *,
                   batch_size: int = 32) -> Evaluation:
    """Evaluate any newsdesk model: classifiers here, summarizers in ``summary_eval``."""
    if model_task(model) == "summary":
        return evaluate_summarizer(model, data, split, batch_size=batch_size)
    return evaluate_classifier(model, data, split, batch_size=batch_size)
