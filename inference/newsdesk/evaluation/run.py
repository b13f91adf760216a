"""Evaluate a trained model on labelled records: predictions, metrics, worst mistakes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.errors import ConfigError, ModelError
from newsdesk.evaluation.baselines import Baseline, data_task, fit_baseline
from newsdesk.evaluation.result import Evaluation
from newsdesk.evaluation.scoring import score_classifier
from newsdesk.evaluation.slices import SliceGroup, accuracy_by_slice
from newsdesk.evaluation.summary_eval import EXTRACTIVE_PREFIX, evaluate_summarizer
from newsdesk.manifest import dir_task
from newsdesk.metrics.bootstrap import paired_difference
from newsdesk.tasks import SUMMARY, Task, get_task

MISTAKES_SHOWN = 10


def model_task(model: str | Path) -> str:
    """The task of ``model``: ``summary`` for an ``extractive:`` spec, else its dir's."""
    return SUMMARY.name if str(model).startswith(EXTRACTIVE_PREFIX) else dir_task(model)


def load_labelled(data: str, split: str | None, task: Task) -> list[Record]:
    """Records of ``data`` that all carry the task's reference field (else a DataError)."""
    records = load(data, split=split)
    task.require_references(records, path=data)
    return records


def evaluate_classifier(model: str | Path, data: str, split: str | None, *,
                        batch_size: int = 32, seed: int = 0, slice_by: str | None = None,
                        slice_groups: Sequence[SliceGroup] = (),
                        against: str | None = None) -> Evaluation:
    """Predict every record with a topic or stance model and score the predictions
    (``scoring.score_classifier``, with intervals).

    A multi-label model is scored on label sets (``multilabel_metrics``), at the
    thresholds its manifest holds; a single-label one also gets the expected calibration
    error of its top label's probability (``ece``). ``slice_by``: also the accuracy per
    value of that ``meta`` field, and per group of values (``slices.accuracy_by_slice``;
    multi-label: a prediction is right when its label set is the gold one). ``against``
    (a name of ``baselines.BASELINE_NAMES``): the task's baseline, fitted on the data's
    train and validation splits, scores the same records, and the model's accuracy
    difference to it gets a paired bootstrap interval, overall and per slice.
    """
    task = get_task(model_task(model))
    if not task.classifies:
        raise ModelError(f"{model}: a {task.name} model, not a classifier")
    classifier = task.model_class.from_pretrained(model)
    baseline = None
    if against is not None:
        check_held_out(split, "--against")
        if classifier.manifest.multi_label:
            raise ConfigError("--against: the TF-IDF baselines are single-label; this model "
                              "is multi-label")
        baseline = fit_baseline(against, data, task)
    return scored_evaluation(classifier, str(model), load_labelled(data, split, task), data,
                             split, batch_size=batch_size, seed=seed, slice_by=slice_by,
                             slice_groups=slice_groups, against=baseline)


def evaluate_baseline(name: str, data: str, split: str | None, *, seed: int = 0,
                      slice_by: str | None = None,
                      slice_groups: Sequence[SliceGroup] = ()) -> Evaluation:
    """The classic baseline ``name`` of the data's task (``baselines.data_task``: topic or
    stance, by the records' fields), fitted on the train and validation splits and scored
    on ``split`` (test) like a model."""
    check_slicing(slice_by, slice_groups)
    check_held_out(split, "--baseline")
    records = load(data, split=split)
    task = data_task(records, data)
    task.require_references(records, path=data)
    baseline = fit_baseline(name, data, task)
    return scored_evaluation(baseline, f"baseline {name} ({baseline.name})", records, data,
                             split, seed=seed, slice_by=slice_by, slice_groups=slice_groups)


def check_slicing(slice_by: str | None, slice_groups: Sequence[SliceGroup]) -> None:
    """A ConfigError for slice groups without the field they group."""
    if slice_groups and slice_by is None:
        raise ConfigError("--slice-group needs --slice-by FIELD (the field whose values it "
                          "groups)")


def check_held_out(split: str | None, option: str) -> None:
    """A ConfigError unless the records scored are the test split: a baseline is fitted on
    the train and validation splits."""
    if split != "test":
        raise ConfigError(f"{option} fits the baseline on the data's train and validation "
                          f"splits; score on --split test (not {split or 'every record'})")


def scored_evaluation(classifier: Any, name: str, records: Sequence[Record], data: str,
                      split: str | None, *, batch_size: int = 32, seed: int = 0,
                      slice_by: str | None = None, slice_groups: Sequence[SliceGroup] = (),
                      against: Baseline | None = None) -> Evaluation:
    """A classifier's (or a fitted baseline's) predictions on ``records``, scored, sliced
    and compared with ``against`` where given."""
    scored = score_classifier(classifier, records, where=data, intervals=True,
                              with_thresholds=True, seed=seed, batch_size=batch_size)
    multi_label = classifier.manifest.multi_label
    correct = [not is_wrong(g, p, multi_label) for g, p in zip(scored.gold, scored.predictions)]
    theirs, comparison = None, None
    if against is not None:
        base = score_classifier(against, records, where=data, batch_size=batch_size)
        theirs = [g == p.label for g, p in zip(base.gold, base.predictions)]
        comparison = compared(against, base.metrics, correct, theirs, seed)
    slices = None if slice_by is None else accuracy_by_slice(
        [r.meta for r in records], correct, slice_by, slice_groups, seed=seed, baseline=theirs)
    return Evaluation(model=name, task=classifier.task, data=data, split=split,
                      metrics=scored.metrics, labels=classifier.labels,
                      selection=classifier.manifest.extras.get("selection"),
                      examples={"confident_mistakes": confident_mistakes(
                          records, scored.gold, scored.predictions,
                          multi_label=multi_label)},
                      slices=slices, against=comparison,
                      baseline={"name": classifier.name, **classifier.settings}
                      if isinstance(classifier, Baseline) else None)


def compared(baseline: Baseline, metrics: dict[str, Any], correct: Sequence[bool],
             theirs: Sequence[bool], seed: int) -> dict[str, Any]:
    """The report's ``against`` entry: the baseline, what fitting it chose, its accuracy
    and macro-F1 on the same records, and the model's accuracy minus the baseline's with a
    paired bootstrap 95% interval (``paired_difference``, 1,000 resamples, ``seed``)."""
    paired = paired_difference(correct, theirs, seed=seed)
    return {"baseline": baseline.name, "settings": baseline.settings,
            "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
            "accuracy_difference": {"mean": paired.mean, "low": paired.low,
                                    "high": paired.high, "n": paired.count}}


def is_wrong(gold: Any, prediction: Any, multi_label: bool) -> bool:
    """Whether ``prediction`` misses ``gold`` (multi-label: another label set)."""
    return (set(prediction.labels) != set(gold) if multi_label
            else prediction.label != gold)


def confident_mistakes(records: Sequence[Record], gold: Sequence[Any],
                       predictions: Sequence[Any], *,
                       multi_label: bool = False) -> list[dict[str, Any]]:
    """The wrong predictions with the highest scores, most confident first (multi-label:
    a predicted label set other than the gold one)."""
    def shown(labels: Any) -> str:
        return ", ".join(labels) if isinstance(labels, tuple) else str(labels)

    mistakes = [(p.score, r, g, p) for r, g, p in zip(records, gold, predictions)
                if is_wrong(g, p, multi_label)]
    mistakes.sort(key=lambda item: -item[0])
    return [{"id": r.id, "gold": shown(g), "predicted": shown(p.labels if multi_label
                                                              else p.label),
             "score": round(p.score, 4), "target": r.target, "text": _snippet(r.title or r.text)}
            for _, r, g, p in mistakes[:MISTAKES_SHOWN]]


def _snippet(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def evaluate_model(model: str | Path, data: str, split: str | None, *,
                   batch_size: int = 32, slice_by: str | None = None,
                   slice_groups: Sequence[SliceGroup] = (),
                   against: str | None = None) -> Evaluation:
    """Evaluate any newsdesk model: classifiers here, summarizers (a task that writes text)
    in ``summary_eval``. ``slice_by`` (accuracy per slice) and ``against`` (a baseline) are
    for classifiers only."""
    check_slicing(slice_by, slice_groups)
    if not get_task(model_task(model)).classifies:
        if slice_by is not None or against is not None:
            raise ConfigError("--slice-by, --against: accuracy per slice is for topic and "
                              "stance models, and so is a baseline's; a summary model has "
                              "no accuracy")
        return evaluate_summarizer(model, data, split, batch_size=batch_size)
    return evaluate_classifier(model, data, split, batch_size=batch_size,
                               slice_by=slice_by, slice_groups=slice_groups, against=against)
