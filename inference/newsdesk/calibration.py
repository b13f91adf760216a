"""Temperature scaling (Guo et al. 2017): make a classifier's probabilities honest.

A fine-tuned classifier is often right 97% of the time while saying 99.9%. Temperature
scaling divides every logit by one number T > 0 before the softmax, with T fitted to
minimise the negative log-likelihood of labelled examples the model was not trained on (a
validation split): T > 1 softens over-confident probabilities, T < 1 sharpens timid ones.
A text read as one window keeps its label (the argmax of z / T is the argmax of z); where
the windows of a long text are averaged, labels can change only where its windows disagree.

T lives in the model dir's ``newsdesk.json`` (``temperature``; 1.0 when absent) and is
applied by ``SequenceClassifier.proba_from_logits``, which the torch and ONNX backends,
``newsdesk predict`` and ``NewsDesk`` all go through. The manifest's ``extras.calibration``
records how T was fitted and the expected calibration error (ECE) before and after.

    newsdesk calibrate models/stance-headlines-minilm        # its own validation split
    newsdesk calibrate DIR --data news.jsonl                 # a labelled file, whole

Training fits T after training when the recipe says ``calibration: temperature``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError
from newsdesk.manifest import MANIFEST_NAME
from newsdesk.metrics.calibration import (
    ECE_BINS,
    expected_calibration_error,
    negative_log_likelihood,
)

logger = logging.getLogger(__name__)

MANIFEST_KEY = "calibration"
METHOD = "temperature scaling"
#: The temperatures searched (log scale): a fit at either end means the examples could not
#: pin T down (too few mistakes, or too few examples), which is logged.
TEMPERATURE_RANGE = (0.01, 100.0)


@dataclass(frozen=True)
class LabelledTexts:
    """Texts (with their targets, for a stance model) and their gold labels."""

    texts: list[str]
    targets: list[str] | None
    gold: list[str]


def fit_temperature(probabilities_at: Callable[[float], np.ndarray],
                    gold: Sequence[int]) -> float:
    """The temperature T in ``TEMPERATURE_RANGE`` whose probabilities
    ``probabilities_at(T)`` (one row per example) give the gold label indices ``gold``
    the lowest negative log-likelihood: scipy's bounded Brent search on log T.

    >>> logits = np.array([[4.0, 0.0], [3.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    >>> softmax = lambda t: np.exp(logits / t) / np.exp(logits / t).sum(1, keepdims=True)
    >>> fit_temperature(softmax, [0, 0, 1, 1]) > 1.0  # a confident mistake: soften
    True
    """
    from scipy.optimize import minimize_scalar

    index = np.asarray(gold)

    def loss(log_t: float) -> float:
        return negative_log_likelihood(probabilities_at(float(np.exp(log_t))), index)

    low, high = np.log(TEMPERATURE_RANGE)
    found = minimize_scalar(loss, bounds=(low, high), method="bounded",
                            options={"xatol": 1e-6})
    temperature = float(np.exp(found.x))
    if min(found.x - low, high - found.x) < 0.01:
        logger.warning("the fitted temperature %.4g lies at the end of the range searched "
                       "(%g..%g): the examples cannot pin it down (too few, or no mistakes)",
                       temperature, *TEMPERATURE_RANGE)
    return temperature


def label_indices(labels: Sequence[str], gold: Sequence[str]) -> np.ndarray:
    """Each gold label's index in ``labels`` (a ValueError naming an unknown one).

    >>> label_indices(["related", "unrelated"], ["unrelated", "related"]).tolist()
    [1, 0]
    """
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted({g for g in gold if g not in index})
    if unknown:
        raise ValueError(f"gold labels the model does not know: {', '.join(unknown)} (it "
                         f"knows {', '.join(labels)})")
    return np.array([index[g] for g in gold], dtype=np.int64)


def top_label_ece(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """ECE (``ECE_BINS`` bins) of the most probable label of each row against ``gold``."""
    return expected_calibration_error(probabilities.max(axis=1),
                                      probabilities.argmax(axis=1) == gold)


def check_calibratable(classifier: Any) -> None:
    """A ConfigError unless temperature scaling applies: a single-label model whose
    probabilities are the transformer's own softmax (not a multi-label, hybrid or
    frozen-encoder model)."""
    manifest = classifier.manifest
    if manifest.multi_label:
        raise ConfigError("temperature scaling is for single-label models; a multi-label "
                          "model's sigmoid scores meet thresholds tuned on validation instead")
    if classifier.frozen or classifier.head is not None:
        kind = "frozen-encoder" if classifier.frozen else "hybrid"
        raise ConfigError(f"temperature scaling divides the transformer's logits; a {kind} "
                          "model's probabilities come (in part) from its linear head, so it "
                          "is not calibrated this way")


@dataclass(frozen=True)
class Calibration:
    """A fitted temperature, its manifest entry (``extras["calibration"]``) and each
    split's probabilities at that temperature."""

    temperature: float
    entry: dict[str, Any]
    probabilities: dict[str, np.ndarray]


def fit_calibration(classifier: Any, logits: Mapping[str, Any],
                    gold: Mapping[str, Sequence[str]], *, fit_on: str,
                    source: str | None) -> Calibration:
    """Fit the temperature on ``logits[fit_on]`` (``classifier.window_logits`` of each
    split) against its ``gold`` labels, and report every split's ECE and negative
    log-likelihood before (T = 1) and after; the classifier is left as it was."""
    if fit_on not in logits:
        raise ValueError(f"no {fit_on!r} examples to fit the temperature on")
    index = {name: label_indices(classifier.labels, gold[name]) for name in logits}
    temperature = fit_temperature(
        lambda t: classifier.proba_from_logits(logits[fit_on], t), index[fit_on])
    after, report = {}, {}
    for name in logits:
        before = classifier.proba_from_logits(logits[name], 1.0)
        after[name] = classifier.proba_from_logits(logits[name], temperature)
        report[name] = {"n": int(index[name].size),
                        "ece_before": top_label_ece(before, index[name]),
                        "ece_after": top_label_ece(after[name], index[name]),
                        "nll_before": negative_log_likelihood(before, index[name]),
                        "nll_after": negative_log_likelihood(after[name], index[name])}
    entry = {"method": METHOD, "temperature": temperature,
             "fitted_on": {"data": source, "split": fit_on, "n": int(index[fit_on].size)},
             "ece_bins": ECE_BINS, "splits": report}
    logger.info("temperature %.4g fitted on %s (%d examples): ECE %.4f -> %.4f", temperature,
                fit_on, index[fit_on].size, report[fit_on]["ece_before"],
                report[fit_on]["ece_after"])
    return Calibration(temperature, entry, after)


def calibrate(classifier: Any, splits: Mapping[str, LabelledTexts], *, fit_on: str,
              source: str | None, batch_size: int = 32) -> dict[str, np.ndarray]:
    """Fit ``classifier``'s temperature on ``splits[fit_on]`` (``fit_calibration``) and set
    it in its manifest: ``temperature`` and ``extras["calibration"]``. Each split is run
    through the model once; returns each split's calibrated probabilities."""
    check_calibratable(classifier)
    if fit_on not in splits:
        raise ValueError(f"no {fit_on!r} examples to fit the temperature on")
    logits = {name: classifier.window_logits(s.texts, s.targets, batch_size)
              for name, s in splits.items()}
    fitted = fit_calibration(classifier, logits, {name: s.gold for name, s in splits.items()},
                             fit_on=fit_on, source=source)
    classifier.manifest.temperature = fitted.temperature
    classifier.manifest.extras[MANIFEST_KEY] = fitted.entry
    return fitted.probabilities


def calibrate_dir(model: str | Path, data: str | None = None, split: str | None = None, *,
                  backend: str | None = None, batch_size: int = 32) -> dict[str, Any]:
    """Fit the temperature of the topic or stance model dir ``model`` on labelled ``data``
    (default: the validation data its manifest names) and rewrite its ``newsdesk.json``
    in place, atomically; returns the manifest's new ``extras["calibration"]``.

    ``split`` None reads a built-in set's validation split, any other source whole.
    """
    from newsdesk.data.sources import builtin_source
    from newsdesk.evaluation.run import load_labelled
    from newsdesk.evaluation.scoring import check_known_labels, gold_labels
    from newsdesk.manifest import Manifest
    from newsdesk.tasks import get_task

    path = Path(model)
    if not (path / MANIFEST_NAME).is_file():
        raise ConfigError(f"{path}: not a newsdesk model dir with a {MANIFEST_NAME} to "
                          "calibrate in place")
    manifest = Manifest.load(path)
    task = get_task(manifest.task)
    if not task.classifies:
        raise ConfigError(f"{path}: a {task.name} model has no label probabilities to "
                          "calibrate")
    data = data or manifest.data.get("validation")
    if not data:
        raise ConfigError(f"{path}: its manifest names no validation data; pass --data")
    if split is None and builtin_source(data) is not None:
        split = "validation"
    classifier = task.model_class.from_pretrained(path, backend=backend)
    check_calibratable(classifier)
    records = load_labelled(data, split, task)
    gold = gold_labels(records, task, multi_label=False, where=data)
    check_known_labels(gold, classifier.labels, data)
    targets = task.targets(records, path=data)
    name = split or "all"
    calibrate(classifier, {name: LabelledTexts([r.text for r in records], targets, gold)},
              fit_on=name, source=data, batch_size=batch_size)
    classifier.manifest.save(path)
    return classifier.manifest.extras[MANIFEST_KEY]
