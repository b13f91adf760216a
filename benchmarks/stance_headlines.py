"""Headline stance (related / unrelated) on headline-stance's test split: TF-IDF cosine (the
FNC-1 stage-1 baseline), the zero-shot MiniLM bi-encoder, the cross-encoder as trained, the
same with a temperature fitted on validation, and a fusion of the three (a logistic
regression fitted on validation). Every method per slice (related, hard, easy, related +
hard, same-entity), with paired bootstrap intervals against TF-IDF cosine and ECE where it
gives probabilities; thresholds are tuned on validation, nothing is chosen on test. What each
method is and why: docs/stance.md, "Benchmark". Results:
benchmarks/results/stance_headlines.{json,md}.

    .venv/bin/python benchmarks/stance_headlines.py                      # train the recipe
    .venv/bin/python benchmarks/stance_headlines.py --model models/stance-headlines-minilm
    .venv/bin/python benchmarks/stance_headlines.py --baseline-only      # TF-IDF and the
                                                                         # bi-encoder only

Speed: the median of ``--repeats`` timed passes over test (the temperature-scaled and fused
rows: the medians of the rows they run, added up). With a model, the cross-encoder also
scores the validation pairs and the test pairs once more (for the temperature and the fusion).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from benchlib import RESULTS, ROOT, start_run, table, timed_repeats, write_results
from quotes import compared, goal, measured_on, pct, quote, wrap

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.evaluation import baselines
from newsdesk.metrics.bootstrap import mean_interval, paired_difference
from newsdesk.metrics.calibration import ECE_BINS, expected_calibration_error
from newsdesk_train.crossval import difference_cell

TITLE = "Headline stance on headline-stance (test split, related / unrelated)"
RECIPE = "training/configs/stance-headlines-minilm.yaml"
SLICES = {"all": ("related", "hard", "easy"), "related": ("related",),
          "hard negatives": ("hard",), "easy negatives": ("easy",),
          "related + hard": ("related", "hard"), "same-entity": ("same-entity",)}
#: The validation pairs thresholds are tuned on: the kinds of headline-stance version 1, so a
#: threshold method's figures on the old slices are the ones it had before same-entity.
TUNING_KINDS = ("related", "hard", "easy")
BI_ENCODER = "minilm-l6"
STANCE_GOAL = 0.99  # the project's bar for accuracy over related + hard-negative pairs
TFIDF = "TF-IDF cosine"
BI_ENCODER_NAME = "MiniLM bi-encoder cosine (zero-shot)"
WINDOW_VARIANTS = {"first": ("first", "mean"), "all-mean": ("all", "mean"),
                   "all-max": ("all", "max")}


@dataclass(frozen=True)
class Scored:
    """A method's labels for the test pairs, and the probability it gave each label (only
    for methods that give probabilities: a cosine is no probability)."""

    labels: list[str]
    confidence: list[float] | None = None


def threshold_labels(scores: np.ndarray, cut: float) -> list[str]:
    return ["related" if score >= cut else "unrelated" for score in scores]


def threshold_row(name: str, score: Callable[[Sequence[Record]], np.ndarray],
                  validation: Sequence[Record], test: Sequence[Record], repeats: int, *,
                  fit_seconds: float, extra: dict[str, Any],
                  baseline: Scored | None = None) -> dict[str, Any]:
    """A score-and-threshold method: ``score(pairs) >= cut`` is related, the cut tuned for
    accuracy on the ``TUNING_KINDS`` pairs of validation; then scored on test."""
    start = time.perf_counter()
    tuning = [r for r in validation if r.meta["kind"] in TUNING_KINDS]
    cut = baselines.tune_threshold(score(tuning), baselines.is_related(tuning))
    seconds = fit_seconds + time.perf_counter() - start
    return method_row(name, test, lambda: Scored(threshold_labels(score(test), cut)), repeats,
                      train_seconds=seconds, extra={"threshold": cut, **extra},
                      baseline=baseline)


@dataclass(frozen=True)
class Scorer:
    """A pair score (a cosine) ready to use, and what setting it up took."""

    name: str
    score: Callable[[Sequence[Record]], np.ndarray]
    fit_seconds: float
    extra: dict[str, Any]


def tfidf_scorer(train: Sequence[Record]) -> Scorer:
    """The package's TF-IDF cosine baseline (``newsdesk evaluate --baseline tfidf``): its
    vectorizer, fit on train bodies + headlines."""
    start = time.perf_counter()
    vectorizer = baselines.cosine_vectorizer(train)
    return Scorer(TFIDF, lambda pairs: baselines.cosine_scores(
                      vectorizer, [r.target or "" for r in pairs], [r.text for r in pairs]),
                  time.perf_counter() - start,
                  {"vectorizer": "sublinear tf, English stop words, fit on train bodies + "
                                 "headlines"})


def bi_encoder_scorer(encoder: Any = None) -> Scorer:
    """all-MiniLM-L6-v2 as it ships (no training): headline vs lead cosine."""
    from newsdesk.summarize.encoder import SentenceEncoder

    start = time.perf_counter()
    encoder = encoder if encoder is not None else SentenceEncoder.load(BI_ENCODER)
    return Scorer(BI_ENCODER_NAME, lambda pairs: bi_encoder_scores(encoder, pairs),
                  time.perf_counter() - start,
                  {"encoder": "all-MiniLM-L6-v2, mean pooling",
                   "lead_word_pieces": encoder.max_tokens})


def scorer_row(scorer: Scorer, validation: list[Record], test: list[Record], repeats: int,
               baseline: Scored | None = None) -> dict[str, Any]:
    """A scorer as a threshold method (``threshold_row``), named for its cut."""
    return threshold_row(f"{scorer.name}, threshold tuned on validation", scorer.score,
                         validation, test, repeats, fit_seconds=scorer.fit_seconds,
                         extra=scorer.extra, baseline=baseline)


def bi_encoder_scores(encoder: Any, records: Sequence[Record]) -> np.ndarray:
    """Cosine of the sentence vectors (mean-pooled, unit length) of each record's target
    and of its text's lead (what the encoder reads: its first ``max_tokens`` word pieces);
    each distinct string is encoded once, then one dot product a pair
    (``DistinctVectors.pair_cosines``)."""
    from newsdesk.summarize.encoder import DistinctVectors

    targets, texts = [r.target or "" for r in records], [r.text for r in records]
    return DistinctVectors.encode(encoder, targets, texts).pair_cosines(targets, texts)


def slice_scores(records: Sequence[Record], predicted: Sequence[str],
                 confidence: Sequence[float] | None = None,
                 baseline: Sequence[str] | None = None) -> dict[str, Any]:
    """Accuracy with a 95% bootstrap interval and the error count for every slice the
    records have; with ``confidence``, each slice's ECE too; with the ``baseline``'s labels
    for the same records, the accuracy difference to it with a paired 95% bootstrap
    interval (``diff_vs_baseline``, ``diff_95``)."""
    kinds = np.array([r.meta["kind"] for r in records])
    correct = correctness(records, predicted)
    theirs = None if baseline is None else correctness(records, baseline)
    out: dict[str, Any] = {}
    for name, members in SLICES.items():
        inside = np.isin(kinds, members)
        hits = correct[inside]
        if not hits.size:
            continue
        out[name] = {"n": int(hits.size), "accuracy": float(hits.mean()),
                     "errors": int(hits.size - hits.sum()),
                     "accuracy_95": mean_interval(hits.astype(float))}
        if confidence is not None:
            out[name]["ece"] = expected_calibration_error(np.asarray(confidence)[inside], hits)
        if theirs is not None:
            paired = paired_difference(hits.astype(float), theirs[inside].astype(float))
            out[name].update(diff_vs_baseline=paired.mean, diff_95=[paired.low, paired.high])
    return out


def correctness(records: Sequence[Record], predicted: Sequence[str]) -> np.ndarray:
    """Whether each record's stance is the predicted label."""
    return np.array([r.stance == p for r, p in zip(records, predicted, strict=True)])


def method_row(name: str, test: Sequence[Record], predict: Callable[[], Scored],
               repeats: int, *, train_seconds: float, extra: dict[str, Any],
               baseline: Scored | None = None) -> dict[str, Any]:
    """Slice scores and ECE of ``predict()`` on ``test``, timed over ``repeats`` passes;
    with ``baseline`` (the baseline's labels on ``test``), paired differences to it."""
    scored, seconds = timed_repeats(predict, repeats, warmup=0)
    slices = slice_scores(test, scored.labels, scored.confidence,
                          None if baseline is None else baseline.labels)
    ece = None if scored.confidence is None else expected_calibration_error(
        scored.confidence, correctness(test, scored.labels))  # every pair, same-entity too
    return {"method": name, "slices": slices, "ece": ece, "train_seconds": round(train_seconds, 1),
            "predict_seconds": seconds,
            "test_pairs_per_s": round(len(test) / max(seconds["median"], 1e-4), 1), **extra}


def trained_model(workdir: Path) -> tuple[Path, float, str]:
    """Train the stance-headlines recipe into ``workdir``: (model dir, seconds, recipe name)."""
    from newsdesk_train.config import load_config
    from newsdesk_train.runner import train

    config = load_config(ROOT / RECIPE, [f"output_dir={workdir}/model"])
    start = time.perf_counter()
    model_dir = train(config)
    return model_dir, time.perf_counter() - start, config.name


def load_cross_encoder(model_dir: Path) -> Any:
    """The stance model as trained: its temperature set to 1 (the rows below fit their own
    on validation), what its manifest held kept in ``dir_temperature``."""
    from newsdesk import StanceClassifier

    classifier = StanceClassifier.from_pretrained(model_dir)
    classifier.dir_temperature = classifier.manifest.temperature
    classifier.manifest.temperature = 1.0
    return classifier


def cross_encoder_rows(classifier: Any, model_dir: Path, test: list[Record],
                       train_seconds: float, label: str, variants: Sequence[str], repeats: int,
                       baseline: Scored | None = None) -> list[dict[str, Any]]:
    """Score the stance model on ``test`` with its own windowing, then each variant (the
    classifier's own windowing is put back at the end)."""
    own = classifier.manifest.windowing
    settings = [(own.mode, own.aggregate)] + [
        WINDOW_VARIANTS[v] for v in variants if WINDOW_VARIANTS[v] != (
            ("first", "mean") if own.mode == "first" else (own.mode, own.aggregate))]
    pairs = [(r.target or "", r.text) for r in test]
    rows = []
    for mode, how in settings:
        classifier.manifest.windowing = replace(own, mode=mode, aggregate=how)
        windows = mode if mode == "first" else f"{mode}, {how}"
        rows.append(method_row(f"newsdesk {label} ({windows} windows)", test,
                               lambda: scored_predictions(classifier.predict(pairs)), repeats,
                               train_seconds=train_seconds, baseline=baseline,
                               extra={"model": str(model_dir), "windows": windows,
                                      "max_length": own.max_length, "temperature": 1.0,
                                      "dir_temperature": getattr(classifier,
                                                                 "dir_temperature", 1.0),
                                      "training": classifier.manifest.training}))
    classifier.manifest.windowing = own
    return rows


def cross_encoder_logits(classifier: Any, records: Sequence[Record]) -> Any:
    """The cross-encoder's window logits of every (headline, body) pair, as it reads them."""
    return classifier.window_logits([r.text for r in records],
                                    [r.target or "" for r in records])


def temperature_row(classifier: Any, logits: dict[str, Any], validation: list[Record],
                    test: list[Record], plain: dict[str, Any], fit_seconds: float,
                    baseline: Scored | None = None) -> dict[str, Any]:
    """The cross-encoder with a temperature fitted on the validation pairs
    (``newsdesk.calibration.fit_calibration``, what ``calibration: temperature`` and
    ``newsdesk calibrate`` do), scored on test: the labels of ``plain`` (one window a
    pair), its probabilities honest; ECE before and after on both splits in the row."""
    from newsdesk.calibration import fit_calibration

    start = time.perf_counter()
    gold = {"validation": [str(r.stance) for r in validation],
            "test": [str(r.stance) for r in test]}
    fitted = fit_calibration(classifier, logits, gold, fit_on="validation",
                             source="headline-stance")
    seconds = plain["train_seconds"] + fit_seconds + time.perf_counter() - start
    probabilities = fitted.probabilities["test"]
    scored = Scored([classifier.labels[i] for i in probabilities.argmax(axis=1)],
                    [float(p) for p in probabilities.max(axis=1)])
    row = method_row(f"{plain['method']} + temperature scaling (T = {fitted.temperature:.3g}, "
                     "fit on validation)", test, lambda: scored, 1, train_seconds=seconds,
                     baseline=baseline, extra={"temperature": fitted.temperature,
                                               "calibration": fitted.entry,
                                               "kind": "temperature-scaled"})
    return with_component_speed(row, [plain])


def with_component_speed(row: dict[str, Any], components: Sequence[dict[str, Any]]
                         ) -> dict[str, Any]:
    """``row`` with the speed of running all its ``components`` (rows timed on the same
    test pairs) one after the other: their median seconds added up. What the row itself
    adds (a division, a logistic regression) is not timed: it is microseconds."""
    median = sum(c["predict_seconds"]["median"] for c in components)
    row["predict_seconds"] = {"median": median,
                              "derived_from": [c["method"] for c in components]}
    n = row["slices"]["all"]["n"] + row["slices"].get("same-entity", {}).get("n", 0)
    row["test_pairs_per_s"] = round(n / max(median, 1e-4), 1)
    return row


# --- fusion: a logistic regression over the methods' scores ----------------------------

CROSS_ENCODER_FEATURE = "cross-encoder log-odds"
#: Extra features, kept only where they raise the validation CV accuracy.
NAMES_FOUND, HAS_NAMES = "share of headline names in the lead", "headline has names"
FUSION_C_GRID = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)
FUSION_FOLDS = 5
NAME_TOKEN = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class FusionFit:
    """A fitted fusion: its features (in column order), the scaler + logistic regression,
    the C chosen and the validation CV scores at that C."""

    features: tuple[str, ...]
    model: Any
    C: float
    cv_accuracy: float
    cv_log_loss: float

    def related_probability(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        return self.model.predict_proba(feature_matrix(columns, self.features))[:, 1]


def log_odds_related(probabilities: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """``log p(related) - log p(unrelated)`` of each row (a probability of 0 as the
    smallest float64, so the log-odds stay finite).

    >>> log_odds_related(np.array([[0.5, 0.5], [0.8, 0.2]]), ["related", "unrelated"])
    array([0.        , 1.38629436])
    """
    floor = np.finfo(np.float64).tiny
    related, unrelated = (probabilities[:, list(labels).index(k)]
                          for k in ("related", "unrelated"))
    return np.log(np.maximum(related, floor)) - np.log(np.maximum(unrelated, floor))


def headline_names(headline: str) -> set[str]:
    """The headline's capitalised words after its first (lower-cased, possessive cut, stop
    words left out): the names a reader looks for in the body.

    >>> sorted(headline_names("Brown's budget meets Bank of England's Carney"))
    ['bank', 'carney', 'england']
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = [_bare(w) for w in NAME_TOKEN.findall(headline)[1:] if w[:1].isupper()]
    return {w for w in words if w not in ENGLISH_STOP_WORDS}


def name_features(records: Sequence[Record]) -> dict[str, np.ndarray]:
    """Per pair: the share of the headline's names (``headline_names``) found among the
    words of the body's lead (``same_subject.lead``: what the cross-encoder reads), 0 for
    a headline without names; and whether the headline has names (1 or 0)."""
    from newsdesk.data.same_subject import lead, without_boilerplate

    found, has = [], []
    for record in records:
        names = headline_names(record.target or "")
        words = {_bare(w) for w in NAME_TOKEN.findall(lead(without_boilerplate(record.text)))}
        found.append(len(names & words) / len(names) if names else 0.0)
        has.append(1.0 if names else 0.0)
    return {NAMES_FOUND: np.array(found), HAS_NAMES: np.array(has)}


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())


def feature_matrix(columns: dict[str, np.ndarray], features: Sequence[str]) -> np.ndarray:
    """The named columns side by side, one row per pair (a ValueError naming a column of
    another length)."""
    arrays = [np.asarray(columns[name], dtype=np.float64) for name in features]
    for name, array in zip(features, arrays):
        if array.shape != arrays[0].shape or array.ndim != 1:
            raise ValueError(f"feature {name!r} has shape {array.shape}, not "
                             f"{arrays[0].shape} like {features[0]!r}")
    return np.column_stack(arrays)


def fit_fusion(columns: dict[str, np.ndarray], related: np.ndarray, groups: Sequence[str],
               features: Sequence[str], *, c_grid: Sequence[float] = FUSION_C_GRID,
               folds: int = FUSION_FOLDS) -> FusionFit:
    """Standardised features -> logistic regression, C chosen by grouped, stratified
    ``folds``-fold CV (a headline's pairs in one fold) for the lowest log-loss, then refit
    on every pair given."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        {"logisticregression__C": list(c_grid)},
        scoring={"log_loss": "neg_log_loss", "accuracy": "accuracy"}, refit="log_loss",
        cv=StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0))
    search.fit(feature_matrix(columns, features), np.asarray(related, dtype=int),
               groups=list(groups))
    best = search.best_index_
    return FusionFit(tuple(features), search.best_estimator_,
                     float(search.best_params_["logisticregression__C"]),
                     float(search.cv_results_["mean_test_accuracy"][best]),
                     float(-search.cv_results_["mean_test_log_loss"][best]))


def choose_fusion(columns: dict[str, np.ndarray], related: np.ndarray, groups: Sequence[str],
                  base: Sequence[str], extra: Sequence[str]) -> tuple[FusionFit, list[dict]]:
    """The fusion over ``base``, or over ``base`` + ``extra`` where that scores a higher
    validation CV accuracy; with each candidate's CV figures."""
    candidates = [fit_fusion(columns, related, groups, base)]
    if extra:
        candidates.append(fit_fusion(columns, related, groups, [*base, *extra]))
    chosen = candidates[-1] if candidates[-1].cv_accuracy > candidates[0].cv_accuracy \
        else candidates[0]
    return chosen, [{"features": list(c.features), "C": c.C, "cv_accuracy": c.cv_accuracy,
                     "cv_log_loss": c.cv_log_loss} for c in candidates]


def fused_scored(fit: FusionFit, columns: dict[str, np.ndarray]) -> Scored:
    """``related`` where the fused probability is at least 0.5, with its probability."""
    p = fit.related_probability(columns)
    return Scored(["related" if q >= 0.5 else "unrelated" for q in p],
                  [float(max(q, 1.0 - q)) for q in p])


def fused_row(classifier: Any, logits: dict[str, Any], validation: list[Record],
              test: list[Record], scorers: Sequence[Scorer], components: list[dict[str, Any]],
              fit_seconds: float, baseline: Scored | None = None) -> dict[str, Any]:
    """Fit the fusion on every validation pair (same-entity included) and score test once.

    ``components`` are the rows of the cross-encoder and the scorers (for the speed);
    ``fit_seconds`` what scoring validation with the cross-encoder took."""
    start = time.perf_counter()
    columns = {split: {CROSS_ENCODER_FEATURE: log_odds_related(classifier.proba_from_logits(
                   logits[split], 1.0), classifier.labels),
                   **{s.name: s.score(records) for s in scorers}, **name_features(records)}
               for split, records in (("validation", validation), ("test", test))}
    base = [CROSS_ENCODER_FEATURE, *(s.name for s in scorers)]
    fit, candidates = choose_fusion(
        columns["validation"], baselines.is_related(validation),
        [str(r.meta.get("headline_id", r.id)) for r in validation], base,
        [NAMES_FOUND, HAS_NAMES])
    seconds = (components[0]["train_seconds"] + fit_seconds + sum(s.fit_seconds for s in scorers)
               + time.perf_counter() - start)
    scored = fused_scored(fit, columns["test"])
    scaler, regression = fit.model[0], fit.model[-1]
    row = method_row("Fused (logistic regression fit on validation): "
                     + " + ".join(fit.features), test, lambda: scored, 1,
                     train_seconds=seconds, baseline=baseline,
                     extra={"kind": "fused", "features": list(fit.features), "C": fit.C,
                            "cv_folds": FUSION_FOLDS, "C_grid": list(FUSION_C_GRID),
                            "candidates": candidates,
                            "coefficients": dict(zip(fit.features, (
                                regression.coef_[0] / scaler.scale_).tolist())),
                            "intercept": float(regression.intercept_[0] - (
                                regression.coef_[0] * scaler.mean_ / scaler.scale_).sum()),
                            "fit_on": f"{len(validation)} validation pairs, every kind"})
    return with_component_speed(row, components)


def scored_predictions(predictions: Sequence[Any]) -> Scored:
    """Labels and the probability of each (``Prediction.score``)."""
    return Scored([p.label for p in predictions], [float(p.score) for p in predictions])


def verdict(baseline: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """The issue's bar: better than the baseline on every slice both rows have (related,
    hard, easy, same-entity), >= 99% on related + hard."""
    slices = [s for s in ("related", "hard negatives", "easy negatives", "same-entity")
              if s in model["slices"] and s in baseline["slices"]]
    beats = {s: model["slices"][s]["accuracy"] > baseline["slices"][s]["accuracy"]
             for s in slices}
    related_hard = model["slices"]["related + hard"]["accuracy"]
    return {"method": model["method"], "beats_baseline": beats,
            "related_hard_at_least_99": related_hard >= STANCE_GOAL,
            "passed": all(beats.values()) and related_hard >= STANCE_GOAL}


def render(report: dict[str, Any], name: str) -> list[str]:
    slices = [s for s in SLICES if any(s in row["slices"] for row in report["rows"])]

    def cells(row: dict[str, Any]) -> list[Any]:
        return [row["method"], *(f"{100 * s['accuracy']:.2f} ({s['errors']}/{s['n']})"
                                 if (s := row["slices"].get(name)) else "" for name in slices),
                "" if row.get("ece") is None else f"{row['ece']:.4f}", row["train_seconds"],
                row["test_pairs_per_s"]]

    lines = ["Accuracy (%) per slice, errors in brackets; ECE: expected calibration error "
             f"on the whole test split ({ECE_BINS} bins; only for methods that give "
             "probabilities); test pairs/s: the median of "
             f"{report['repeats']} timed passes (for the temperature-scaled and fused rows, "
             "the medians of the rows they run added up).", "",
             *table(["method", *slices, "ECE", "train s", "test pairs/s"],
                    map(cells, report["rows"]))]
    lines += paired_table(report["rows"], slices) + calibration_notes(report["rows"])
    lines += [""] + [f"- {v['method']}: beats the baseline on "
                     f"{', '.join(k for k, ok in v['beats_baseline'].items() if ok) or 'no slice'}"
                     f"; related + hard >= 99%: {v['related_hard_at_least_99']}; "
                     f"passed: {v['passed']}" for v in report["verdicts"]]
    return [*lines, "", "all: related + hard + easy pairs (headline-stance version 1); "
            "thresholds are tuned on those kinds of validation pairs. train s: a threshold "
            "method's fit (the bi-encoder: loading it) and threshold search; for a model, the "
            "wall time of the training run (including its scoring of validation and test), or "
            "what the model's manifest records when it was given with --model; for the "
            "temperature-scaled and fused rows, that plus scoring the validation pairs and "
            "fitting (the fused row: plus its scorers' fits).",
            *(line for view, text in QUOTED.get(name, {}).items()
              for line in ["", *quote(view, text(report, name))])]


def paired_table(rows: Sequence[dict[str, Any]], slices: Sequence[str]) -> list[str]:
    """Each row's accuracy difference to the baseline (the first row) per slice, in points
    with its paired 95% bootstrap interval; nothing when no row has one."""
    compared = [r for r in rows if any("diff_vs_baseline" in s for s in r["slices"].values())]
    if not compared:
        return []

    return ["", f"Accuracy difference to the baseline ({rows[0]['method']}), in points on "
            "the same test pairs [paired 95% bootstrap interval]:", "",
            *table(["method", *slices], [
                [row["method"], *(difference_cell(row["slices"].get(name, {}), brackets="[]")
                                  for name in slices)] for row in compared])]


def calibration_notes(rows: Sequence[dict[str, Any]]) -> list[str]:
    """What the temperature-scaled and fused rows fitted on validation."""
    lines = []
    for row in rows:
        if "calibration" in row:
            splits = row["calibration"]["splits"]
            ece = "; ".join(f"{name} {s['ece_before']:.4f} -> {s['ece_after']:.4f}"
                            for name, s in splits.items())
            lines.append(f"- {row['method']}: ECE before -> after: {ece}.")
        if row.get("kind") == "fused":
            tried = "; ".join(f"{' + '.join(c['features'])}: C {c['C']:g}, CV accuracy "
                              f"{100 * c['cv_accuracy']:.2f}%, log-loss {c['cv_log_loss']:.4f}"
                              for c in row["candidates"])
            lines.append(f"- {row['method']}: {row['cv_folds']}-fold grouped CV on "
                         f"validation ({row['fit_on']}) over C in "
                         f"{', '.join(f'{c:g}' for c in row['C_grid'])}; {tried}.")
    return ["", *lines] if lines else []


# --- the text docs/stance.md and the README quote (``QUOTED``) ------------------------------

RELATED_HARD = "related + hard"
SAME_ENTITY = "same-entity"
QUOTED_SLICES = [s for s in SLICES if s != SAME_ENTITY]


def cross_encoder_row(data: dict[str, Any]) -> dict[str, Any]:
    """The cross-encoder as trained: the last row that is neither a threshold method nor
    built on the cross-encoder (``kind``: temperature-scaled, fused)."""
    return [r for r in data["rows"] if "threshold" not in r and "kind" not in r][-1]


def slice_cells(entry: dict[str, Any], slices: list[str]) -> list[str]:
    """``97.17 (65)``: accuracy % (errors) on each slice."""
    return [f"{100 * entry['slices'][s]['accuracy']:.2f} ({entry['slices'][s]['errors']})"
            for s in slices]


def rows_of_kind(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in data["rows"] if r.get("kind") == kind]


def summary(data: dict[str, Any], name: str) -> str:
    """The README's line: the cross-encoder (and the fused row) against the baseline."""
    model, baseline = cross_encoder_row(data), data["rows"][0]
    mine, theirs = (r["slices"][RELATED_HARD]["accuracy"] for r in (model, baseline))
    fused = "".join(f"; fused with the TF-IDF and bi-encoder cosines by a logistic regression "
                    f"fitted on validation, {pct(r['slices'][RELATED_HARD]['accuracy'])}"
                    for r in rows_of_kind(data, "fused"))
    return wrap(f"- Stance: the MiniLM cross-encoder reaches {pct(mine)} on related "
                f"+ hard-negative headline pairs, {compared(mine, theirs)} the TF-IDF cosine "
                f"baseline ({pct(theirs)}) and {compared(mine, STANCE_GOAL)} the "
                f"{goal(STANCE_GOAL)} aimed for{fused} ([docs/stance.md](docs/stance.md), "
                f"[results](benchmarks/results/{name}.md); {measured_on(data)}).")


def baseline_line(data: dict[str, Any], name: str) -> str:
    """The baseline per slice in prose, with its threshold and fitting time."""
    baseline = data["rows"][0]
    acc = {key: pct(s["accuracy"]) for key, s in baseline["slices"].items()}
    return wrap(f"The baseline on the test split ({baseline['slices']['all']['n']:,} pairs): "
                f"{acc['all']} overall, {acc['related']} on related pairs, "
                f"{acc['hard negatives']} on hard negatives, {acc['easy negatives']} on easy "
                f"negatives, {acc[RELATED_HARD]} on related + hard together"
                f"{same_entity_clause(baseline)} (cosine threshold "
                f"{baseline['threshold']:.4f}; fitting and tuning take "
                f"{baseline['train_seconds']:.1f} s; {measured_on(data)}).")


def same_entity_clause(entry: dict[str, Any]) -> str:
    """``, X% on the N same-entity pairs`` where a results file has that slice (from
    headline-stance version 2 on), else nothing."""
    if SAME_ENTITY not in entry["slices"]:
        return ""
    scores = entry["slices"][SAME_ENTITY]
    return f", {pct(scores['accuracy'])} on the {scores['n']:,} same-entity pairs"


def quoted_table(data: dict[str, Any], name: str,
                 recipe: str = "stance-headlines-minilm") -> str:
    """The threshold baselines, the model, and the rows built on it (temperature-scaled,
    fused) per slice, accuracy (errors), and the 99% bar in errors; the same-entity slice,
    ECE and paired differences to the baseline where the results file has them."""
    model = cross_encoder_row(data)
    slices = [*QUOTED_SLICES, *([SAME_ENTITY] if SAME_ENTITY in model["slices"] else [])]
    calibrated = any(r.get("ece") is not None for r in data["rows"])
    baselines = [r for r in data["rows"] if "threshold" in r]
    built_on = [(r, f"{recipe} + temperature {r['temperature']:.3g} (fit on validation)")
                for r in rows_of_kind(data, "temperature-scaled")]
    built_on += [(r, r["method"]) for r in rows_of_kind(data, "fused")]
    shown = [*((b, b["method"]) for b in baselines),
             (model, f"{recipe} (first {model.get('max_length')} tokens)"), *built_on]
    lines = table(["method", *slices, *(["ECE"] if calibrated else [])], [
        [label, *slice_cells(entry, slices), *(
            ["" if entry.get("ece") is None else f"{entry['ece']:.4f}"] if calibrated else [])]
        for entry, label in shown])
    hard, training = model["slices"][RELATED_HARD], model["training"]
    allowed = int(hard["n"] * (1 - STANCE_GOAL) + 1e-9)
    columns = (" all: related + hard + easy; same-entity: other stories on the headline's "
               f"subject; ECE: expected calibration error on the test split, {ECE_BINS} bins."
               if SAME_ENTITY in slices else "")
    fused = "".join(f" The fused method makes {r['slices'][RELATED_HARD]['errors']}."
                    for r in rows_of_kind(data, "fused"))
    lines += ["", wrap(f"Accuracy % (errors).{columns} {goal(STANCE_GOAL)} on related + hard "
                       f"allows {allowed} errors of {hard['n']:,}; this model makes "
                       f"{hard['errors']}.{fused} Training {training['train_runtime_s'] / 60:.1f} "
                       f"min ({training['global_steps']} steps), {model['test_pairs_per_s']} "
                       f"test pairs/s ({measured_on(data)}).")]
    return "\n".join(lines + differences(shown[1:], slices, data["rows"][0]["method"]))


def differences(shown: list[tuple[dict[str, Any], str]], slices: list[str],
                baseline: str) -> list[str]:
    """Each shown row's accuracy minus the baseline's per slice, with the paired 95%
    interval, where the results file has them (nothing otherwise)."""
    compared_rows = [(r, label) for r, label in shown
                     if all("diff_95" in r["slices"][s] for s in slices)]
    if not compared_rows:
        return []
    return ["", f"Accuracy minus {baseline}, in points [paired 95% bootstrap interval]:", "",
            *table(["method", *slices], [
                [label, *(difference_cell(entry["slices"][s], brackets="[]") for s in slices)]
                for entry, label in compared_rows])]


def baselines_table(data: dict[str, Any], name: str) -> str:
    """The untrained methods (``--baseline-only``) per slice, the same-entity slice included."""
    slices = [*QUOTED_SLICES, SAME_ENTITY]
    lines = table(["method", *slices, "threshold"], [
        [entry["method"], *slice_cells(entry, slices), f"{entry['threshold']:.4f}"]
        for entry in data["rows"]])
    same = data["rows"][0]["slices"][SAME_ENTITY]["n"]
    return "\n".join([*lines, "", wrap(
        f"Accuracy % (errors) on the test split; same-entity: {same} pairs. Nothing is "
        "trained; each threshold is tuned on the related, hard and easy validation pairs "
        f"({measured_on(data)}).")])


#: The sections each results file quotes (``quotes.quote``), by results name.
QUOTED: dict[str, dict[str, Callable[[dict[str, Any], str], str]]] = {
    "stance_headlines": {"main": summary, "baseline": baseline_line, "table": quoted_table},
    "stance_headlines_baselines": {"main": baselines_table},
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="an already trained stance model dir "
                        "(default: train the recipe into a temp dir)")
    parser.add_argument("--results", default="stance_headlines", metavar="NAME",
                        help="write benchmarks/results/NAME.{json,md} (default: "
                             "stance_headlines)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over test")
    parser.add_argument("--baseline-only", action="store_true",
                        help="score the baselines only: TF-IDF (seconds) and the zero-shot "
                             "bi-encoder (minutes on 2 cores); no cross-encoder")
    parser.add_argument("--no-bi-encoder", action="store_true",
                        help="leave the zero-shot bi-encoder out (and with it the fusion)")
    parser.add_argument("--compare-windows", action="store_true",
                        help="also score the model with every window, mean and max "
                             "(several times slower)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    run = start_run(None if argv is None else [__file__, *argv])
    args = build_parser().parse_args(argv)
    train, validation, test = (load("headline-stance", split=s)
                               for s in ("train", "validation", "test"))
    scorers = [tfidf_scorer(train)]
    rows = [scorer_row(scorers[0], validation, test, args.repeats)]
    baseline = Scored(threshold_labels(scorers[0].score(test), rows[0]["threshold"]))
    if not args.no_bi_encoder:
        scorers.append(bi_encoder_scorer())
        rows.append(scorer_row(scorers[1], validation, test, args.repeats, baseline))
    variants = list(WINDOW_VARIANTS) if args.compare_windows else []
    if not args.baseline_only:
        with tempfile.TemporaryDirectory() as tmp:
            if args.model is not None:
                from newsdesk.manifest import Manifest

                model_dir, label = args.model, args.model.name
                seconds = float(Manifest.load(model_dir).training.get("train_runtime_s", 0.0))
            else:
                model_dir, seconds, label = trained_model(Path(tmp))
            rows += model_rows(model_dir, seconds, label, variants, args.repeats,
                               (validation, test), scorers, rows, baseline)
    report = {"repeats": args.repeats, "rows": rows,
              "verdicts": [verdict(rows[0], row) for row in rows[1:]]}
    write_results(args.results, run, report, render, TITLE, folder=args.out)
    print((args.out / f"{args.results}.md").read_text(encoding="utf-8"))


def model_rows(model_dir: Path, seconds: float, label: str, variants: Sequence[str],
               repeats: int, splits: tuple[list[Record], list[Record]],
               scorers: Sequence[Scorer], scorer_rows: Sequence[dict[str, Any]],
               baseline: Scored) -> list[dict[str, Any]]:
    """The cross-encoder as trained (and its window variants), with a temperature fitted
    on validation, and fused with the scorers by a logistic regression fitted on
    validation (when the bi-encoder is in: the fusion reads both cosines)."""
    validation, test = splits
    classifier = load_cross_encoder(model_dir)
    rows = cross_encoder_rows(classifier, model_dir, test, seconds, label, variants, repeats,
                              baseline)
    start = time.perf_counter()
    logits = {"validation": cross_encoder_logits(classifier, validation)}
    validation_seconds = time.perf_counter() - start
    logits["test"] = cross_encoder_logits(classifier, test)
    rows.append(temperature_row(classifier, logits, validation, test, rows[0],
                                validation_seconds, baseline))
    if len(scorers) > 1:
        rows.append(fused_row(classifier, logits, validation, test, scorers,
                              [rows[0], *scorer_rows], validation_seconds, baseline))
    return rows


if __name__ == "__main__":
    main()
