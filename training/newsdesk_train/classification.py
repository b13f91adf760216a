"""Fine-tune a sequence classifier (topic or stance) with the transformers Trainer.

One implementation for both tasks: a stance example is a (target, article) pair, a topic
example a single text; both become token windows by ``newsdesk.windowing``, the very code
inference uses.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from newsdesk.classifier import SequenceClassifier
from newsdesk.data.records import Record
from newsdesk.evaluation.scoring import check_known_labels, score_classifier
from newsdesk.manifest import Manifest, Windowing
from newsdesk.prediction import Prediction
from newsdesk.tasks import Task, get_task
from newsdesk_train.base_model import base_classifier
from newsdesk_train.config import RecipeConfig
from newsdesk_train.recipe_data import (
    MINED_NEGATIVES,
    TRAIN_BY_PUBLISHER,
    RecipeData,
    data_sources,
    labels_by_publisher,
    load_recipe_data,
)
from newsdesk_train.staging import TrainedRun
from newsdesk_train.thresholds import tune_thresholds
from newsdesk_train.workdir import WorkDirs

logger = logging.getLogger(__name__)


def windowing_for(config: RecipeConfig, mode: str) -> Windowing:
    model = config.model
    return Windowing(max_length=model.max_length, stride=model.stride, mode=mode,
                     aggregate=model.aggregate, max_windows=model.max_windows)


def encode_examples(tokenizer: Any, records: Sequence[Record], task: Task,
                    labels: Sequence[str], windowing: Windowing, multi_label: bool) -> Any:
    """A ``datasets.Dataset`` of token windows, each with its text's label."""
    from datasets import Dataset
    from newsdesk.windowing import encode_windows

    windows = encode_windows(tokenizer, [r.text for r in records], windowing,
                             task.targets(records))
    index = {label: i for i, label in enumerate(labels)}
    targets = [_encode_label(task.gold(records[o]), index, multi_label) for o in windows.owners]
    columns = {key: [f[key] for f in windows.features] for key in windows.features[0]}
    return Dataset.from_dict({**columns, "labels": targets})


def _encode_label(gold: str | tuple[str, ...], index: dict[str, int],
                  multi_label: bool) -> int | list[float]:
    if not multi_label:
        if isinstance(gold, tuple):
            raise ValueError("a list of labels needs model.multi_label: true")
        return index[gold]
    hot = [0.0] * len(index)
    for label in (gold if isinstance(gold, tuple) else (gold,)):
        hot[index[label]] = 1.0
    return hot


def window_metrics(task: Task, multi_label: bool) -> Any:
    """compute_metrics for the Trainer: the task's checkpoint metric on windows, accuracy
    (or micro-F1 at 0.5)."""
    name = task.checkpoint_metric(multi_label)

    def compute(prediction: Any) -> dict[str, float]:
        logits, gold = prediction.predictions, prediction.label_ids
        if multi_label:
            from sklearn.metrics import f1_score

            return {name: float(f1_score(gold, logits > 0, average="micro"))}
        return {name: float((logits.argmax(-1) == gold).mean())}
    return compute


def weighted_loss(labels: Sequence[str], records: Sequence[Record], task: Task) -> Any:
    """A compute_loss_func with inverse-frequency class weights (mean weight 1)."""
    return class_weighted_loss([sum(1 for r in records if task.gold(r) == label)
                                for label in labels])


def class_weighted_loss(counts: Sequence[int]) -> Any:
    """A compute_loss_func: cross-entropy with inverse-frequency class weights (mean weight
    1) from the training examples of each class (label id order); per token for a token
    classifier, whose unlabelled tokens (-100) count for nothing."""
    import torch

    array = np.asarray(counts, dtype=np.float64)
    weights = torch.tensor(array.sum() / (len(array) * np.maximum(array, 1)),
                           dtype=torch.float32)

    def loss(outputs: Any, gold: Any, num_items_in_batch: Any = None) -> Any:
        logits = outputs["logits"]  # (texts, labels), or (texts, tokens, labels) for a tagger
        return torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), gold.reshape(-1),
            weight=weights.to(logits.device), ignore_index=-100)
    return loss


def labelled_data(config: RecipeConfig) -> tuple[Task, RecipeData, list[str]]:
    """The recipe's task, its records, and the labels of its training records (validation
    and test records with other labels are a DataError)."""
    task = get_task(config.task)
    data = load_recipe_data(config.data)
    labels = task.label_set(data.train)
    for where, records in (("validation data", data.validation), ("test data", data.test)):
        check_known_labels([task.gold(r) for r in records], labels, where)
    return task, data, labels


def train_classifier(config: RecipeConfig, work: WorkDirs, *, resume: bool) -> TrainedRun:
    """Train on every rank; ``staging.stage`` then saves, evaluates and stages the model."""
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, Trainer

    task, data, labels = labelled_data(config)
    tokenizer, model = base_classifier(config.model.base, labels,
                                       attention_dropout=config.model.attention_dropout,
                                       multi_label=config.model.multi_label)
    multi = config.model.multi_label
    train_set = encode_examples(tokenizer, data.train, task, labels,
                                windowing_for(config, config.model.train_windows), multi)
    validation = data.has_validation
    eval_set = (encode_examples(tokenizer, data.validation, task, labels,
                                windowing_for(config, "first"), multi) if validation else None)
    logger.info("training on %d windows of %d texts", len(train_set), len(data.train))
    from newsdesk_train.resume import run_trainer
    from newsdesk_train.trainer_args import early_stopping, kept_checkpoint, training_arguments

    metric = task.checkpoint_metric(multi)
    # Sequence classification losses are per-example means: no token-count rescaling
    # across ranks (it doubled the loss under 2-process DDP), and no unused parameters.
    args = training_arguments(config, work, metric=metric, validation=validation,
                              average_tokens_across_devices=False,
                              ddp_find_unused_parameters=False)
    trainer = Trainer(
        model=model, args=args,
        train_dataset=train_set, eval_dataset=eval_set, processing_class=tokenizer,
        data_collator=DataCollatorWithPadding(tokenizer),
        compute_metrics=window_metrics(task, multi),
        callbacks=early_stopping(config, validation=validation),
        compute_loss_func=(weighted_loss(labels, data.train, task)
                           if config.training.class_weights and not multi else None))
    run = run_trainer(trainer, work, resume=resume)
    manifest = Manifest(
        task=config.task, labels=labels, base_model=config.model.base,
        windowing=windowing_for(config, config.model.inference_windows), multi_label=multi,
        pair_order=task.pair_order,
        data=data_summary(config, data),
        training={"recipe": config.name, **run.facts(),
            "epochs": config.training.argument("epochs"),
            "learning_rate": config.training.argument("learning_rate"),
            "seed": config.training.seed, "train_windows": config.model.train_windows,
            "checkpoint": kept_checkpoint(config, metric, validation=validation)})
    evaluate = partial(evaluate_classifier, tokenizer=tokenizer, manifest=manifest,
                       device=trainer.args.device, data=data, config=config, work=work)
    return TrainedRun(trainer, tokenizer, manifest, AutoModelForSequenceClassification, evaluate)


def evaluate_classifier(model: Any, tokenizer: Any, manifest: Manifest, device: Any,
                        data: RecipeData, config: RecipeConfig, work: WorkDirs,
                        head: Any = None) -> None:
    """Fill the manifest from the trained model: the hybrid head fitted and staged (hybrid
    recipes; a frozen recipe passes its fitted ``head``), thresholds tuned on validation
    for a multi-label model (0.5 without a validation set), the temperature fitted on
    validation (``calibration: temperature``), then the metrics of every split."""
    task = get_task(config.task)
    if head is None:
        head = fit_hybrid_head(config, data, task, manifest.labels, work, manifest)
    classifier = task.model_class(model, tokenizer, manifest, device, head=head)
    if manifest.multi_label and data.has_validation:
        manifest.thresholds = tune_thresholds(classifier, data.validation, task)
    elif manifest.multi_label:
        logger.info("no validation set to tune thresholds on: every label at 0.5")
    calibrated = {}
    if config.calibration == "temperature":
        from newsdesk_train.calibrate import calibrate_on_validation

        calibrated = calibrate_on_validation(classifier, task, data, config)
    manifest.metrics = evaluate_splits(classifier, task, data, calibrated)


def fit_hybrid_head(config: RecipeConfig, data: RecipeData, task: Task,
                    labels: Sequence[str], work: WorkDirs, manifest: Manifest) -> Any:
    """For a recipe with a ``hybrid`` section: fit the TF-IDF head on the training records'
    whole texts, save it into the staged dir and record it in the manifest (None without)."""
    if config.hybrid is None:
        return None
    import time
    from dataclasses import asdict

    from newsdesk.tfidf_head import HEAD_JSON, HEAD_WEIGHTS, MANIFEST_KEY
    from newsdesk_train.tfidf_head import fit_tfidf_head

    started = time.perf_counter()
    head = fit_tfidf_head([r.text for r in data.train], [str(task.gold(r)) for r in data.train],
                          labels, config.hybrid)
    head.save(work.staging)
    manifest.extras[MANIFEST_KEY] = {
        **asdict(config.hybrid), "files": [HEAD_WEIGHTS, HEAD_JSON],
        "vocabulary_size": len(head.vocabulary), "fit_on": "training records, whole text",
        "fit_seconds": round(time.perf_counter() - started, 1)}
    logger.info("hybrid: TF-IDF head over %d terms, weight %.2f", len(head.vocabulary),
                config.hybrid.tfidf_weight)
    return head


def evaluate_splits(classifier: SequenceClassifier, task: Task, data: RecipeData,
                    probabilities: Mapping[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Document-level metrics on validation and test, by the inference code and the
    scoring ``newsdesk evaluate`` uses (from a split's ``probabilities`` where given: the
    calibration's, computed already): a multi-label model's in full, else the figures its
    task keeps in the manifest (``Task.metric_names``, the calibration error included)."""
    out: dict[str, Any] = {}
    for split, records in (("validation", data.validation), ("test", data.test)):
        if not records:
            continue
        predictions = None
        if probabilities and split in probabilities:
            predictions = [Prediction.from_probabilities(classifier.labels, row)
                           for row in probabilities[split]]
        metrics = score_classifier(classifier, records, where=f"{split} data",
                                   predictions=predictions).metrics
        out[split] = (metrics if classifier.manifest.multi_label else
                      {k: metrics[k] for k in task.metric_names if k in metrics})
    return out


def data_summary(config: RecipeConfig, data: RecipeData) -> dict[str, Any]:
    """The manifest's ``data``: sources, split sizes, the mined negatives (a recipe with
    ``data.mined_negatives``) and, where records name their publisher, the training
    articles per label and publisher."""
    summary = {**data_sources(config.data),
               "splits": {"train": len(data.train), "validation": len(data.validation),
                          "test": len(data.test)}}
    if data.mining is not None:
        summary[MINED_NEGATIVES] = data.mining
    by_publisher = labels_by_publisher(data.train)
    if by_publisher:
        summary[TRAIN_BY_PUBLISHER] = by_publisher
    return summary
