"""The classic baselines a model is measured against, fitted as an expert would fit them.

A task names its baseline (``Task.baseline_name``, a key of ``BASELINES``);
``fit_baseline`` fits it on a data set's train and validation splits (never its test
split), and the fitted baseline predicts as a classifier does (``task``, ``labels``,
``manifest``, ``predict_texts``), so ``evaluation.scoring.score_classifier`` scores it as it
scores a model: ``newsdesk evaluate --baseline tfidf`` reports it like one, ``newsdesk
evaluate MODEL --against tfidf`` adds the model's paired difference to it.

* topic, ``TfidfLinearSvc``: TF-IDF (1-2-word n-grams in at least 2 texts, sublinear tf;
  ``newsdesk.linear.tfidf_vectorizer``) and a LinearSVC whose C is chosen from ``C_GRID`` by
  3-fold CV grouped by story (``linear.story_key``: a story's twin never scores it),
  refitted on train + validation (the inner CV needs no set of its own). The topic
  benchmark's baseline, fold for fold.
* stance, ``TfidfCosine``: the cosine of the target's and the text's TF-IDF vectors (FNC-1's
  stage-1 baseline; sublinear tf, English stop words, the vectorizer fitted on the distinct
  train texts and targets), ``related`` at or above the cut with the best accuracy on
  validation (``tune_threshold``). It tells ``related`` from ``unrelated`` only.

A baseline's scores are not probabilities (a softmax of LinearSVC margins; a cosine), so
no calibration error is reported for it (``gives_probabilities``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

import numpy as np

from newsdesk.data.records import Record
from newsdesk.data.sources import load_splits
from newsdesk.errors import ConfigError, DataError
from newsdesk.linear import INNER_FOLDS, linear_model, story_key, tfidf_vectorizer, tuned
from newsdesk.manifest import Manifest
from newsdesk.prediction import Prediction
from newsdesk.tasks import STANCE, TASKS, TOPIC, Task

#: The baselines ``newsdesk evaluate --baseline`` / ``--against`` name.
BASELINE_NAMES = ("tfidf",)
#: LinearSVC's C candidates (inner grouped CV picks one).
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)
RELATED, UNRELATED = "related", "unrelated"


class Baseline:
    """A fitted baseline: ``predict_texts`` as a classifier's, ``settings`` (what fitting
    chose, and on how many records) for the report."""

    task: ClassVar[str]
    name: ClassVar[str]
    gives_probabilities: ClassVar[bool] = False

    def __init__(self, labels: Sequence[str], settings: dict[str, Any]) -> None:
        self.labels = list(labels)
        self.settings = settings
        self.manifest = Manifest(task=self.task, labels=self.labels,
                                 extras={"baseline": {"name": self.name, **settings}})

    @classmethod
    def fit(cls, train: Sequence[Record], validation: Sequence[Record]) -> Baseline:
        raise NotImplementedError

    def predict_texts(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> list[Prediction]:
        raise NotImplementedError


class TfidfLinearSvc(Baseline):
    """TF-IDF + LinearSVC with C by inner grouped CV (the module docstring)."""

    task = TOPIC.name
    name = "TF-IDF + LinearSVC"

    def __init__(self, vectorizer: Any, model: Any, settings: dict[str, Any]) -> None:
        super().__init__([str(c) for c in model.classes_], settings)
        self.vectorizer, self.model = vectorizer, model

    @classmethod
    def fit(cls, train: Sequence[Record], validation: Sequence[Record] = ()) -> TfidfLinearSvc:
        records = [*train, *validation]
        labels = [single_label(r) for r in records]
        vectorizer = tfidf_vectorizer()
        fit = tuned(partial(linear_model, "linear_svm"), C_GRID,
                    vectorizer.fit_transform([r.text for r in records]), labels,
                    [story_key(r) for r in records])
        return cls(vectorizer, fit.model, {
            "C": fit.C, "C_grid": list(C_GRID), "cv_accuracy": fit.cv_accuracy,
            "inner_cv": f"{INNER_FOLDS}-fold, stratified, grouped by story",
            "fitted_on": len(records)})

    def predict_labels(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.model.predict(self.vectorizer.transform(texts))]

    def predict_texts(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> list[Prediction]:
        """LinearSVC's labels; ``scores`` the softmax of its margins (not calibrated)."""
        if targets is not None:
            raise ValueError("a topic baseline reads texts alone: it takes no targets")
        features = self.vectorizer.transform(list(texts))
        margins = np.atleast_2d(self.model.decision_function(features).T).T
        if margins.shape[1] == 1:  # two labels: one margin, for classes_[1]
            margins = np.hstack([np.zeros_like(margins), margins])
        weights = np.exp(margins - margins.max(axis=1, keepdims=True))
        rows = weights / weights.sum(axis=1, keepdims=True)
        out = []
        for label, row in zip(self.model.predict(features), rows, strict=True):
            scores = {name: float(p) for name, p in zip(self.labels, row)}
            out.append(Prediction(label=str(label), score=scores[str(label)], scores=scores))
        return out


class TfidfCosine(Baseline):
    """TF-IDF cosine of target and text, cut tuned on validation (the module docstring)."""

    task = STANCE.name
    name = "TF-IDF cosine"

    def __init__(self, vectorizer: Any, threshold: float, settings: dict[str, Any]) -> None:
        super().__init__([RELATED, UNRELATED], {"threshold": threshold, **settings})
        self.vectorizer, self.threshold = vectorizer, threshold

    @classmethod
    def fit(cls, train: Sequence[Record], validation: Sequence[Record]) -> TfidfCosine:
        """The vectorizer on ``train``, the cut on ``validation`` (every pair given)."""
        check_related_unrelated([*train, *validation])
        if not validation:
            raise DataError("the TF-IDF cosine baseline tunes its threshold on validation "
                            "pairs; none were given")
        vectorizer = cosine_vectorizer(train)
        cut = tune_threshold(cosine_scores(vectorizer, [r.target or "" for r in validation],
                                           [r.text for r in validation]),
                             is_related(validation))
        return cls(vectorizer, cut, {
            "vectorizer": "sublinear tf, English stop words, fit on the train texts + "
                          "targets", "fitted_on": len(train), "tuned_on": len(validation)})

    def predict_texts(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> list[Prediction]:
        """``related`` where the cosine reaches the threshold; ``scores`` the cosine (as
        ``related``) and 1 - cosine: no probabilities."""
        if targets is None or len(targets) != len(texts):
            raise ValueError("a stance baseline reads (target, text) pairs: pass one target "
                             "per text")
        out = []
        for cosine in cosine_scores(self.vectorizer, targets, texts):
            label = RELATED if cosine >= self.threshold else UNRELATED
            scores = {RELATED: float(cosine), UNRELATED: float(1.0 - cosine)}
            out.append(Prediction(label=label, score=scores[label], scores=scores))
        return out


def single_label(record: Record) -> str:
    """A topic record's one label; a DataError naming a record with none or several."""
    label = TOPIC.gold(record)
    if isinstance(label, tuple):
        raise DataError(f"record {record.id!r} has several labels; the TF-IDF baseline is "
                        "single-label", field=TOPIC.reference)
    return str(label)


def check_related_unrelated(records: Sequence[Record]) -> None:
    """A DataError unless every stance of ``records`` is ``related`` or ``unrelated``."""
    stances = sorted({str(STANCE.gold(r)) for r in records} - {RELATED, UNRELATED})
    if stances:
        raise DataError(f"the TF-IDF cosine baseline tells {RELATED} from {UNRELATED} only; "
                        f"the data has stances {', '.join(stances)}", field=STANCE.reference)


def cosine_vectorizer(train: Sequence[Record]) -> Any:
    """A ``TfidfVectorizer`` (sublinear tf, English stop words) fitted on the distinct texts
    and then the distinct targets of ``train``, each sorted."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = sorted({r.text for r in train}) + sorted({r.target or "" for r in train})
    return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(texts)


def cosine_scores(vectorizer: Any, targets: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine of each target (headline) and its text (body)."""
    heads, bodies = vectorizer.transform(list(targets)), vectorizer.transform(list(texts))
    return np.asarray(heads.multiply(bodies).sum(axis=1)).ravel()  # rows are L2-normalised


def is_related(records: Sequence[Record]) -> np.ndarray:
    return np.array([r.stance == RELATED for r in records])


def tune_threshold(scores: np.ndarray, related: np.ndarray) -> float:
    """The cut with the best accuracy for ``score >= cut`` -> related (midway between scores;
    the first of equals).

    >>> tune_threshold(np.array([0.1, 0.2, 0.6, 0.9]), np.array([0, 0, 1, 1]))
    0.4
    """
    values = np.unique(scores)
    cuts = np.concatenate([[values[0]], (values[:-1] + values[1:]) / 2, [values[-1] + 1.0]])
    accuracy = [float(((scores >= cut) == related).mean()) for cut in cuts]
    return round(float(cuts[int(np.argmax(accuracy))]), 6)


#: The baseline classes by the name a task gives its baseline (``Task.baseline_name``).
BASELINES: dict[str, type[Baseline]] = {"TfidfLinearSvc": TfidfLinearSvc,
                                        "TfidfCosine": TfidfCosine}


def baseline_class(task: Task) -> type[Baseline]:
    """The baseline class ``task`` names (``BASELINES``); a ConfigError for a task without
    one, and for a name ``BASELINES`` lacks."""
    if task.baseline_name is None:
        raise ConfigError(f"a {task.name} model has no TF-IDF baseline to be measured against")
    if task.baseline_name not in BASELINES:
        raise ConfigError(f"the {task.name} task names the baseline {task.baseline_name!r}, "
                          "which newsdesk.evaluation.baselines does not have (it has "
                          f"{', '.join(BASELINES)})")
    return BASELINES[task.baseline_name]


def data_task(records: Sequence[Record], where: str) -> Task:
    """The task whose baseline fits ``records``: the one whose reference (and target) every
    record has; a DataError naming ``where`` when none or several do."""
    fits = [t for t in TASKS.values() if t.baseline_name and records
            and all(getattr(r, t.reference) is not None
                    and (not t.target or getattr(r, t.target)) for r in records)]
    if len(fits) != 1:
        found = " and ".join(t.name for t in fits) or "no task"
        raise DataError(f"the records fit {found}: a baseline needs every record to carry "
                        "a label (topic) or a target and a stance (stance), not both",
                        path=where)
    return fits[0]


def fit_baseline(name: str, data: str, task: Task) -> Baseline:
    """Baseline ``name`` for ``task``, fitted on the train and validation splits of
    ``data``."""
    if name not in BASELINE_NAMES:
        raise ConfigError(f"unknown baseline {name!r}; use one of {', '.join(BASELINE_NAMES)}")
    splits = load_splits(data, ["train", "validation"])
    for records in splits.values():
        task.require_references(records, path=data)
    return baseline_class(task).fit(splits["train"], splits["validation"])
