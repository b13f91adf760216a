"""Cross-validate a topic recipe against TF-IDF + LinearSVC (``newsdesk-train RECIPE --cv K``,
``--lopo N``, ``--publisher-cv``; ``benchmarks/topic_bbc.py`` runs the same protocols).

Protocols, each a list of ``Fold`` (record indices to fit on and to score):

* ``story_folds``: stratified K-fold CV over every record, each story (``story_key``) in one
  fold; figures pooled over the held-out folds, a paired bootstrap interval against the
  baseline (``run_cv``).
* ``lopo_folds``: each of the N largest publishers (``meta.source``) held out in turn, fitted
  on the rest of the training and validation splits (``run_lopo``).
* ``publisher_cv_folds``: the training and validation splits in the folds of the recipes'
  inner CV by publisher (``tfidf_head.inner_split``): each fold scores whole publishers named
  by URL; bbc-news is fitted on in every fold, never scored (``run_publisher_cv``).
  Neither publisher protocol reads the test split.

Methods (``Method``): ``tfidf-svm``, the package's ``TfidfLinearSvc`` (``newsdesk evaluate
--baseline tfidf``); ``recipe:YAML``, the recipe trained per fold by ``runner.train`` (its
held-out probabilities cached; a hybrid's TF-IDF head fitted as newsdesk-train fits it and
fused at the recipe's weight) or, for a frozen recipe, ``frozen.fit_frozen_head`` over cached
embeddings; ``fused:YAML``, a fine-tuned recipe fused with a TF-IDF head at a weight chosen
on the other folds. A setting inside a method (C, a weight) is chosen on training folds only.
Caches live under ``$NEWSDESK_CACHE/bench/``, keyed by what decides them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.errors import ConfigError
from newsdesk.linear import story_key
from newsdesk.paths import cache_dir
from newsdesk_train.config import HybridConfig, RecipeConfig, load_config

logger = logging.getLogger(__name__)

BASELINE = "tfidf-svm"
#: The kinds of method that read a recipe file.
RECIPE_KINDS = ("recipe", "fused")
FUSION_WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))
#: Under ``cache_dir()``: embeddings and held-out probabilities (the benchmark's folder, so
#: its caches stay valid).
CACHE_FOLDER = "bench"
LOPO = "leave one publisher out"
PUBLISHER_CV = "publisher CV of the training split"
CV_BOOTSTRAP_ROUNDS = 5000
SLICE_BOOTSTRAP_ROUNDS = 2000


@dataclass
class Fold:
    index: int
    train: np.ndarray  # indices into the records
    test: np.ndarray


@dataclass
class Outcome:
    """One method's held-out predictions over every article, and its cost per fold."""

    predicted: list[str]
    train_seconds: list[float]
    log_probs: np.ndarray | None = None  # (n, labels), for fusion
    settings: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Method:
    """A report's row: ``name`` as the report shows it (``tfidf-svm``, ``recipe:PATH``,
    ``fused:PATH``), the recipe file it reads and the ``--set`` overrides applied to it.

    >>> Method.parse("recipe:configs/a.yaml", Path("/repo")).recipe
    PosixPath('/repo/configs/a.yaml')
    >>> Method.parse("tfidf-svm").kind, Method.parse("frozen:mpnet-base").argument
    ('tfidf-svm', 'mpnet-base')
    """

    name: str
    recipe: Path | None = None
    overrides: tuple[str, ...] = ()

    @classmethod
    def parse(cls, name: str, root: Path = Path(), overrides: Sequence[str] = ()) -> Method:
        """``KIND[:ARGUMENT]``; a recipe kind's argument is a path under ``root``."""
        kind, _, argument = name.partition(":")
        recipe = root / argument if kind in RECIPE_KINDS and argument else None
        return cls(name, recipe, tuple(overrides))

    @property
    def kind(self) -> str:
        return self.name.partition(":")[0]

    @property
    def argument(self) -> str:
        return self.name.partition(":")[2]

    def config(self, more: Sequence[str] = ()) -> RecipeConfig:
        """The recipe with this method's overrides, then ``more``."""
        if self.recipe is None:
            raise ConfigError(f"method {self.name!r} names no recipe")
        return load_config(self.recipe, [*self.overrides, *more])


#: How a method becomes an ``Outcome`` on folds (``method_outcome``; the benchmark adds its
#: own kinds), writing notes (how long embedding took) into the dict.
MethodFit = Callable[[Method, list[Record], list[Fold], dict[str, str]], Outcome]


# --------------------------------------------------------------------------- folds


def story_folds(records: Sequence[Record], k: int, seed: int = 0) -> list[Fold]:
    """Stratified ``k``-fold CV over ``records``, a story's articles in one fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    labels = [r.label for r in records]
    groups = [story_key(r) for r in records]
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [Fold(i, train, test) for i, (train, test)
            in enumerate(splitter.split(np.zeros(len(records)), labels, groups))]


def lopo_folds(records: Sequence[Record], count: int) -> tuple[list[str], list[Fold]]:
    """Leave one publisher out: for each of the ``count`` largest, the training and
    validation records less that publisher against all its articles."""
    source = [r.meta.get("source") for r in records]
    publishers = [p for p, _ in Counter(s for s in source if s).most_common(count)]
    pool = [i for i, r in enumerate(records) if r.meta.get("split") != "test"]
    return publishers, [Fold(k, np.array([i for i in pool if source[i] != p]),
                             np.array([i for i, s in enumerate(source) if s == p]))
                        for k, p in enumerate(publishers)]


def publisher_cv_folds(records: Sequence[Record]) -> tuple[list[str], list[Fold]]:
    """The training and validation records (the test split is not read) in the folds of the
    recipes' inner CV by publisher (``inner_split``): each fold scores whole publishers
    named by URL and trains on the rest and on all of bbc-news, which is never scored. The
    folds' names join their publishers with ``+``."""
    from newsdesk_train.tfidf_head import inner_split

    pool = np.array([i for i, r in enumerate(records) if r.meta.get("split") != "test"])
    split = inner_split([records[i] for i in pool], "publisher")
    test_fold = split.splitter.test_fold
    folds = [Fold(k, pool[test_fold != k], pool[test_fold == k])
             for k in sorted(set(test_fold.tolist()) - {-1})]
    names = ["+".join(sorted({str(records[i].meta.get("source")) for i in f.test}))
             for f in folds]
    return names, folds


# --------------------------------------------------------------------------- methods


def method_outcome(method: Method, records: list[Record], folds: list[Fold],
                   notes: dict[str, str]) -> Outcome:
    """The baseline, a recipe or a fused recipe, fitted on each fold and scored on it."""
    if method.kind == BASELINE:
        return per_fold(records, folds, baseline_fit(records))
    if method.kind == "recipe":
        return recipe_outcome(records, folds, method, notes=notes)
    if method.kind == "fused":
        return recipe_outcome(records, folds, method, fusion="cv")
    raise ConfigError(f"unknown method {method.name!r}; use {BASELINE}, recipe:YAML or "
                      "fused:YAML")


def per_fold(records: list[Record], folds: list[Fold], fit: Callable) -> Outcome:
    """``fit(train_idx, test_idx)`` per fold: (the held-out labels, the settings chosen)."""
    predicted, seconds, settings = [""] * len(records), [], []
    for fold in folds:
        start = time.perf_counter()
        labels, chosen = fit(fold.train, fold.test)
        for i, label in zip(fold.test, labels):
            predicted[i] = str(label)
        seconds.append(time.perf_counter() - start)
        settings.append(chosen)
    return Outcome(predicted, seconds, settings=settings)


def baseline_fit(records: list[Record]) -> Callable:
    """The package's TF-IDF + LinearSVC (``newsdesk evaluate --baseline tfidf``) on a fold."""
    from newsdesk.evaluation import baselines

    def fit(train: np.ndarray, test: np.ndarray) -> tuple[list[str], dict[str, Any]]:
        baseline = baselines.TfidfLinearSvc.fit([records[i] for i in train])
        return (baseline.predict_labels([records[i].text for i in test]),
                {"C": baseline.settings["C"]})
    return fit


def embedding_note(count: int, encoder: str, seconds: float, max_length: int) -> str:
    """How long embedding ``count`` articles took, for a report's notes."""
    from newsdesk.device import cpu_model

    return (f"embedding all {count} articles with {encoder} took {seconds:.0f} s "
            f"({max_length} tokens, {cpu_model()})")


def sentence_embeddings(records: Sequence[Record], encoder: str, max_length: int
                        ) -> tuple[np.ndarray, float]:
    """Mean-pooled, L2-normalised embeddings of each article's first ``max_length`` tokens
    by ``newsdesk_train.frozen.embed_texts`` (what a frozen recipe trains on), cached:
    (array, seconds it took to compute, or to compute when it was cached)."""
    from newsdesk_train.frozen import embed_texts, embedding_dtype

    name = re.sub(r"[^\w.-]+", "_", encoder)  # an alias as it is; a path flattened
    digest = hashlib.sha256("\n".join(r.id for r in records).encode()).hexdigest()[:12]
    path = (cache_dir() / CACHE_FOLDER
            / f"embed-{name}-{max_length}-{embedding_dtype()}-{digest}.npz")
    if path.exists():
        cached = np.load(path)
        return cached["embeddings"], float(cached["seconds"])
    start = time.perf_counter()
    embeddings = embed_texts([r.text for r in records], encoder, max_length)
    seconds = time.perf_counter() - start
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, embeddings=embeddings, seconds=seconds)
    return embeddings, seconds


def recipe_outcome(records: list[Record], folds: list[Fold], method: Method,
                   fusion: str = "recipe", notes: dict[str, str] | None = None) -> Outcome:
    """Train the method's recipe on each fold's training articles (those from the
    validation split serve as its validation set) and score the held-out fold.

    The transformer's probabilities are cached per fold; a recipe with a ``hybrid``
    section then fits its TF-IDF head on the same training records, as newsdesk-train
    does, and fuses at the recipe's weight (``fusion="recipe"``), or at a weight chosen on
    the other folds (``fusion="cv"``: the ``fused:`` method). A frozen recipe goes to
    ``frozen_recipe_outcome``.
    """
    config = method.config()
    if config.frozen is not None:
        if fusion == "cv":
            raise ConfigError(f"{method.name}: a frozen recipe's head reads TF-IDF already; "
                              f"use recipe:{method.argument}")
        return frozen_recipe_outcome(records, folds, config, notes)
    hybrid = config.hybrid or (HybridConfig() if fusion == "cv" else None)
    labels = sorted({str(r.label) for r in records})
    n = len(records)
    model, head = np.zeros((n, len(labels))), np.zeros((n, len(labels)))
    seconds = []
    for fold in folds:
        probs, train_s = transformer_probabilities(records, fold, method)
        model[fold.test] = np.log(np.clip(probs, 1e-12, 1.0))
        if hybrid is not None:
            head[fold.test], head_s = hybrid_log_probs(records, fold, hybrid, labels)
            train_s += head_s
        seconds.append(train_s)
    if hybrid is None:
        return outcome_from_log_probs(model, labels, seconds)
    if fusion == "cv":
        return fused_outcome(records, folds, Outcome([], seconds, model), head, labels)
    from newsdesk.tfidf_head import fuse

    fused = np.log(fuse(model, head, hybrid.tfidf_weight))
    outcome = outcome_from_log_probs(fused, labels, seconds)
    outcome.settings = [{"tfidf_weight": hybrid.tfidf_weight}] * len(folds)
    return outcome


def frozen_recipe_outcome(records: list[Record], folds: list[Fold], config: RecipeConfig,
                          notes: dict[str, str] | None = None) -> Outcome:
    """A frozen recipe per fold: its own fit function (``fit_frozen_head``, which
    newsdesk-train calls) over the cached embeddings of ``sentence_embeddings`` (the
    recipe's ``embed_texts``), scored through the fitted head on the held-out fold. It fits
    on every training article of the fold, validation-split ones included: a frozen recipe
    has no use for a validation set (no early stopping, no checkpoint to pick)."""
    from newsdesk_train.frozen import fit_frozen_head

    base, max_length = config.model.base, config.model.max_length
    embeddings, embed_s = sentence_embeddings(records, base, max_length)
    if notes is not None:
        notes[f"embed:{base}:{max_length}"] = embedding_note(len(records), base, embed_s,
                                                             max_length)
    labels = sorted({str(r.label) for r in records})
    log_probs = np.zeros((len(records), len(labels)))
    seconds, settings = [], []
    for fold in folds:
        start = time.perf_counter()
        fit = fit_frozen_head([records[i] for i in fold.train], embeddings[fold.train], labels,
                              config.frozen, config.training.seed)
        log_probs[fold.test] = fit.head.log_probs([records[i].text for i in fold.test],
                                                  embeddings[fold.test])
        share = embed_s * len(fold.train) / len(records)
        seconds.append(time.perf_counter() - start + share)
        settings.append({"C": fit.C, "embedding_weight": fit.embedding_weight})
    outcome = outcome_from_log_probs(log_probs, labels, seconds)
    outcome.settings = settings
    return outcome


def outcome_from_log_probs(log_probs: np.ndarray, labels: list[str], seconds: list[float]
                           ) -> Outcome:
    return Outcome([labels[int(i)] for i in log_probs.argmax(axis=1)], seconds, log_probs)


def hybrid_log_probs(records: list[Record], fold: Fold, hybrid: HybridConfig,
                     labels: list[str]) -> tuple[np.ndarray, float]:
    """The recipe's TF-IDF head, fitted as newsdesk-train fits it (on the fold's training
    records less the validation ones): its held-out log-probs."""
    from newsdesk_train.tfidf_head import fit_tfidf_head

    start = time.perf_counter()
    train = [records[i] for i in fold.train if records[i].meta.get("split") != "validation"]
    head = fit_tfidf_head([r.text for r in train], [str(r.label) for r in train], labels,
                          hybrid)
    return head.log_probs([records[i].text for i in fold.test]), time.perf_counter() - start


def transformer_key(method: Method) -> str:
    """What decides the fine-tuned transformer: the recipe (with its overrides) less its
    name, description, output, data source (set per fold), hybrid head, selection notes
    and (absent in a fine-tuned recipe) frozen section."""
    config = asdict(method.config())
    for key in ("name", "description", "output_dir", "hybrid", "selection", "recipe_path",
                "frozen"):
        config.pop(key, None)
    config["data"].pop("source", None)
    return json.dumps(config, sort_keys=True, default=str)


def transformer_probabilities(records: list[Record], fold: Fold, method: Method
                              ) -> tuple[np.ndarray, float]:
    """Held-out probabilities (columns: labels sorted) of the transformer the method's
    recipe trains on ``fold.train``, cached by what decides them (``transformer_key``) and
    the fold; and the seconds training took."""
    ids = "\n".join(records[i].id for i in fold.test)
    key = hashlib.sha256(f"{transformer_key(method)}\n{ids}".encode()).hexdigest()[:16]
    path = cache_dir() / CACHE_FOLDER / "topic_cv" / f"transformer-fold{fold.index}-{key}.npz"
    if path.exists():
        cached = np.load(path)
        return cached["probs"], float(cached["train_seconds"])
    probs, train_s = train_and_score(records, fold, method)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, probs=probs, train_seconds=train_s)
    return probs, train_s


def train_and_score(records: list[Record], fold: Fold, method: Method
                    ) -> tuple[np.ndarray, float]:
    """Train the recipe (no hybrid head, no test split) on the fold's training records, in a
    temporary dir, and score the held-out ones."""
    from newsdesk import TopicClassifier
    from newsdesk_train.runner import train

    with tempfile.TemporaryDirectory(prefix="topic-cv-") as tmp:
        data = Path(tmp) / "fold.jsonl"
        with data.open("w", encoding="utf-8") as out:
            for split, indices in (("train", fold.train), ("test", fold.test)):
                for i in indices:
                    record = records[i]
                    row = {**record.to_dict(), "split": split}
                    if split == "train" and record.meta.get("split") == "validation":
                        row["split"] = "validation"
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
        config = method.config([f"output_dir={tmp}/model", f"data.source={data}",
                                "data.test_split=null", "hybrid=null"])
        start = time.perf_counter()
        model_dir = train(config)
        train_s = time.perf_counter() - start
        classifier = TopicClassifier.from_pretrained(model_dir)
        probs = classifier.transformer_proba([records[i].text for i in fold.test])
        order = [classifier.labels.index(label) for label in sorted(classifier.labels)]
    logger.info("fold %d: trained in %.0f s", fold.index, train_s)
    return probs[:, order], train_s


def fused_outcome(records: list[Record], folds: list[Fold], model: Outcome, head: np.ndarray,
                  labels: list[str]) -> Outcome:
    """(1-w) log p_model + w log p_head, w chosen for each fold on the other folds'
    held-out predictions (lowest log-loss); last in the settings, the weight all folds
    together would choose and the log-loss of every weight."""
    from newsdesk.metrics.calibration import negative_log_likelihood
    from newsdesk.tfidf_head import fuse

    gold = np.array([labels.index(str(r.label)) for r in records])
    predicted, settings = [""] * len(records), []
    for fold in folds:
        others = np.concatenate([f.test for f in folds if f.index != fold.index])
        weight = min(FUSION_WEIGHTS, key=lambda w: negative_log_likelihood(
            fuse(model.log_probs[others], head[others], w), gold[others]))
        for i, row in zip(fold.test, fuse(model.log_probs[fold.test], head[fold.test], weight)):
            predicted[i] = labels[int(row.argmax())]
        settings.append({"tfidf_weight": weight})
    everything = np.concatenate([f.test for f in folds])
    best_overall = min(FUSION_WEIGHTS, key=lambda w: negative_log_likelihood(
        fuse(model.log_probs[everything], head[everything], w), gold[everything]))
    settings.append({"weight_on_all_folds": best_overall, "log_loss_on_all_folds": {
        w: round(negative_log_likelihood(fuse(model.log_probs[everything], head[everything], w),
                                         gold[everything]), 4) for w in FUSION_WEIGHTS}})
    return Outcome(predicted, model.train_seconds, settings=settings)


# --------------------------------------------------------------------------- reports


def run_cv(records: list[Record], methods: Sequence[Method], k: int,
           fit: MethodFit = method_outcome) -> dict[str, Any]:
    """Every method over ``story_folds(records, k)``: a row each (``method_row``), the
    baseline's paired against itself too."""
    folds = story_folds(records, k)
    outcomes: dict[str, Outcome] = {}
    notes: dict[str, str] = {}
    for method in methods:
        outcomes[method.name] = outcome = fit(method, records, folds, notes)
        logger.info("%s: %d of %d right", method.name,
                    sum(str(r.label) == p for r, p in zip(records, outcome.predicted)),
                    len(records))
    baseline = outcomes.get(BASELINE)
    return {"protocol": f"{k}-fold CV", "n": len(records), "folds": [
        {"fold": f.index, "train": len(f.train), "test": len(f.test)} for f in folds],
        "rows": [method_row(m, records, folds, o, baseline) for m, o in outcomes.items()],
        "notes": notes}


def method_row(method: str, records: list[Record], folds: list[Fold], outcome: Outcome,
               baseline: Outcome | None) -> dict[str, Any]:
    """Pooled accuracy, macro-F1 and errors, each fold's accuracy, the seconds and settings
    per fold, and (with a baseline) the accuracy difference with a paired bootstrap 95%
    interval."""
    from newsdesk.metrics.bootstrap import paired_difference
    from newsdesk.metrics.classification import classification_metrics

    gold = [str(r.label) for r in records]
    labels = sorted(set(gold))
    metrics = classification_metrics(gold, outcome.predicted, labels, intervals=False)
    correct = np.array([g == p for g, p in zip(gold, outcome.predicted)], dtype=float)
    row: dict[str, Any] = {
        "method": method, "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
        "errors": int(len(gold) - correct.sum()),
        "fold_accuracy": [float(correct[f.test].mean()) for f in folds],
        "train_seconds_per_fold": [round(s, 1) for s in outcome.train_seconds],
        "settings": outcome.settings}
    if baseline is not None:
        paired = paired_difference(correct, [g == p for g, p in zip(gold, baseline.predicted)],
                                   rounds=CV_BOOTSTRAP_ROUNDS)
        row["diff_vs_baseline"], row["diff_95"] = paired.mean, [paired.low, paired.high]
    return row


def run_lopo(records: list[Record], methods: Sequence[Method], count: int,
             data: str, fit: MethodFit = method_outcome) -> dict[str, Any]:
    """Every method fitted without each of the ``count`` largest publishers in turn and
    scored on it (``lopo_folds``)."""
    publishers, folds = lopo_folds(records, count)
    return held_out_report(LOPO, data, records, methods, publishers, folds, fit)


def run_publisher_cv(records: list[Record], methods: Sequence[Method], data: str,
                     fit: MethodFit = method_outcome) -> dict[str, Any]:
    """Every method over ``publisher_cv_folds``, scored per fold and pooled."""
    publishers, folds = publisher_cv_folds(records)
    return held_out_report(PUBLISHER_CV, data, records, methods, publishers, folds, fit,
                           pooled=True)


def held_out_report(protocol: str, data: str, records: list[Record],
                    methods: Sequence[Method], publishers: list[str], folds: list[Fold],
                    fit: MethodFit, pooled: bool = False) -> dict[str, Any]:
    """A row per method: seconds and settings per fold, and ``slice_scores`` of each held-out
    fold (and, ``pooled``, of every scored article) against the baseline's."""
    notes: dict[str, str] = {}
    outcomes = {m.name: fit(m, records, folds, notes) for m in methods}
    gold = np.array([str(r.label) for r in records])
    base = outcomes.get(BASELINE)
    scored = {p: f.test for p, f in zip(publishers, folds)}
    if pooled:
        scored["pooled"] = np.concatenate([f.test for f in folds])
    rows = [{"method": m, "train_seconds_per_fold": [round(t, 1) for t in o.train_seconds],
             "settings": o.settings, "slices": {name: slice_scores(
                 gold, np.array(o.predicted), idx,
                 np.array(base.predicted) if base and m != BASELINE else None)
                 for name, idx in scored.items()}}
            for m, o in outcomes.items()]
    return {"protocol": protocol, "data": data,
            "publishers": {p: {"train": len(f.train), "test": len(f.test)}
                           for p, f in zip(publishers, folds)}, "rows": rows, "notes": notes}


def slice_scores(gold: np.ndarray, pred: np.ndarray, idx: np.ndarray,
                 baseline: np.ndarray | None) -> dict[str, Any]:
    """Accuracy and macro-F1 (over the gold labels present) on ``idx``; with a baseline, each
    one's difference to it and a paired bootstrap 95% interval (2,000 resamples)."""
    from newsdesk.metrics.bootstrap import bootstrap_interval
    from newsdesk.metrics.classification import macro_f1_codes

    out: dict[str, Any] = {"n": len(idx)}
    if not len(idx):
        return out
    names = sorted({*gold[idx], *pred[idx], *(baseline[idx] if baseline is not None else ())})
    code = {name: k for k, name in enumerate(names)}
    g, p = (np.array([code[x] for x in arr[idx]]) for arr in (gold, pred))

    def scores(pick: np.ndarray, guess: np.ndarray) -> np.ndarray:
        return np.array([np.mean(g[pick] == guess[pick]),
                         macro_f1_codes(g[pick], guess[pick], len(names))])

    every = np.arange(len(idx))
    out["accuracy"], out["macro_f1"] = scores(every, p).tolist()
    if baseline is not None:
        b = np.array([code[x] for x in baseline[idx]])
        for k, key in enumerate(("accuracy", "macro_f1")):
            out[f"diff_{key}"] = float(scores(every, p)[k] - scores(every, b)[k])
            out[f"diff_{key}_95"] = bootstrap_interval(
                len(idx), lambda i, k=k: float(scores(i, p)[k] - scores(i, b)[k]),
                rounds=SLICE_BOOTSTRAP_ROUNDS)
    return out


# --------------------------------------------------------------------------- the CLI's report


def recipe_report(recipe: str | Path, *, cv: int | None = None, lopo: int | None = None,
                  publisher_cv: bool = False, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """The recipe (``recipe:PATH``, with ``overrides``) and the baseline on every record of
    the recipe's ``data.source``: by publisher CV, else leaving each of the ``lopo``
    largest publishers out, else in ``cv`` folds. The report names the recipe and data."""
    from newsdesk.data import load
    from newsdesk.tasks import TOPIC

    method = Method.parse(f"recipe:{recipe}", overrides=overrides)
    config = method.config()
    if config.task != TOPIC.name or config.model.multi_label:
        kind = "multi-label topic" if config.task == TOPIC.name else config.task
        raise ConfigError(f"{recipe}: cross-validation compares single-label topic recipes "
                          f"with TF-IDF + LinearSVC, not a {kind} recipe")
    data = config.data.source
    records = load(config.data.spec(data))
    methods = [Method(BASELINE), method]
    if publisher_cv:
        report = run_publisher_cv(records, methods, data)
    elif lopo:
        report = run_lopo(records, methods, lopo, data)
    elif cv:
        report = {**run_cv(records, methods, cv), "data": data}
    else:
        raise ValueError("no protocol asked: give --cv K, --lopo N or --publisher-cv")
    return {"recipe": str(recipe), **report}


def difference_cell(scores: dict[str, Any], diff: str = "diff_vs_baseline",
                    interval: str = "diff_95", brackets: str = "()") -> str:
    """``+0.62 (+0.10, +1.15)``: ``scores[diff]``, a difference to the baseline, in signed
    points with its paired interval ``scores[interval]``; nothing where there is none. The
    one formatter of such cells (the benchmarks' tables use it too).

    >>> difference_cell({"diff_vs_baseline": 0.0062, "diff_95": [0.001, 0.0115]})
    '+0.62 (+0.10, +1.15)'
    >>> difference_cell({"d": 0.0062, "i": [0.001, 0.0115]}, "d", "i", "[]"), difference_cell({})
    ('+0.62 [+0.10, +1.15]', '')
    """
    if diff not in scores:
        return ""
    low, high = scores[interval]
    return (f"{100 * scores[diff]:+.2f} {brackets[0]}{100 * low:+.2f}, "
            f"{100 * high:+.2f}{brackets[1]}")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], rule: str = "---"
                   ) -> list[str]:
    """A Markdown table: the header, its rule (``rule`` under every column), the rows. The
    one table writer of reports and of the benchmarks' results files (``benchlib.table``).

    >>> markdown_table(["a", "b"], [[1, ""]])
    ['| a | b |', '|---|---|', '| 1 |  |']
    """
    def line(cells: Sequence[Any]) -> str:
        return "| " + " | ".join(map(str, cells)) + " |"

    return [line(header), "|" + "|".join([rule] * len(header)) + "|", *map(line, rows)]


def markdown(report: dict[str, Any]) -> list[str]:
    """A report's lines for the terminal and report.md: what was run, then a row per method
    (K folds: pooled figures; by publisher: one per held-out publisher and method)."""
    data = report.get("data", "")
    if "folds" in report:
        lines = [f"{report['protocol']} over all {report['n']} records of {data}, every split "
                 "(stratified by label, a story's articles in one fold), pooled over the "
                 "held-out folds.",
                 "", *markdown_table(
                     ["method", "accuracy", "macro-F1", "errors", "accuracy vs baseline",
                      "per-fold accuracy", "train s per fold"],
                     [(r["method"], f"{100 * r['accuracy']:.2f}", f"{100 * r['macro_f1']:.2f}",
                       r["errors"], difference_cell(r),
                       " ".join(f"{100 * a:.1f}" for a in r["fold_accuracy"]),
                       f"{np.mean(r['train_seconds_per_fold']):.0f}")
                      for r in report["rows"]])]
    else:
        held = ", ".join(f"{p} ({n['test']} articles; fitted on {n['train']})"
                         for p, n in report["publishers"].items())
        lines = [f"{report['protocol']} of {data}: {held}.", "", *markdown_table(
            ["method", "held out", "articles", "accuracy", "macro-F1", "accuracy vs baseline",
             "macro-F1 vs baseline"],
            [(r["method"], key, s["n"], f"{100 * s['accuracy']:.2f}",
              f"{100 * s['macro_f1']:.2f}",
              *(difference_cell(s, f"diff_{m}", f"diff_{m}_95") for m in ("accuracy", "macro_f1")))
             for r in report["rows"] for key, s in r["slices"].items() if "accuracy" in s])]
    return [*lines, "", f"Baseline: {BASELINE} (TF-IDF + LinearSVC, C by inner CV grouped by "
            "story). Versus baseline: the difference in points on the same articles, paired "
            "bootstrap 95% interval.", *[f"- {v}" for v in report["notes"].values()],
            *[f"- {r['method']}, settings per fold: {json.dumps(r['settings'])}"
              for r in report["rows"] if r["settings"]]]


def write_report(report: dict[str, Any], out: str | Path) -> Path:
    """``out/report.json`` and ``out/report.md`` (``markdown``), the folder written whole or
    not at all (replacing an older report there)."""
    from newsdesk.atomic import atomic_directory

    with atomic_directory(out) as tmp:
        (tmp / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (tmp / "report.md").write_text("\n".join(markdown(report)) + "\n", encoding="utf-8")
    return Path(out)
