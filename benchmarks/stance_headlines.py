"""Headline stance (related / unrelated) on headline-stance: TF-IDF cosine, the zero-shot
MiniLM bi-encoder and the cross-encoder.

The classic FNC-1 stage-1 baseline scores a (headline, body) pair by the cosine similarity
of their TF-IDF vectors (fit on the train split's bodies and headlines) and calls it
``related`` at or above a threshold tuned for accuracy on the validation split. The
zero-shot bi-encoder does the same with the cosine of all-MiniLM-L6-v2's mean-pooled vectors
of the headline and of the body's lead (its first 256 word pieces), untrained. Both cuts are
tuned on the validation pairs of the set's first version (related, hard, easy), so the old
slices' figures stay comparable. The newsdesk cross-encoder reads the headline and the
body's lead as one token pair. Every method is scored on the test split, overall and per
slice: related pairs, hard negatives (a body of the same topic or publisher), easy
negatives, related + hard together (the pairs where relatedness is not obvious), and the
same-entity slice (other stories sharing names or many words with the headline's story);
"all" is related + hard + easy, as before the same-entity slice existed. Methods that give
probabilities also get their expected calibration error on the test split (ECE, 15 bins).
Results go to benchmarks/results/stance_headlines.{json,md}.

    .venv/bin/python benchmarks/stance_headlines.py                      # train the recipe
    .venv/bin/python benchmarks/stance_headlines.py --max-train 4000     # a shorter run
    .venv/bin/python benchmarks/stance_headlines.py --model models/stance-headlines-minilm
    .venv/bin/python benchmarks/stance_headlines.py --baseline-only      # no training: TF-IDF
                                                                         # and the bi-encoder

Prediction speed: the median of ``--repeats`` timed passes over the test split.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from benchlib import RESULTS, ROOT, start_run, timed_repeats, write_results

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.metrics.bootstrap import mean_interval
from newsdesk.metrics.calibration import ECE_BINS, expected_calibration_error

TITLE = "Headline stance on headline-stance (test split, related / unrelated)"
RECIPE = "training/configs/stance-headlines-minilm.yaml"
SLICES = {"all": ("related", "hard", "easy"), "related": ("related",),
          "hard negatives": ("hard",), "easy negatives": ("easy",),
          "related + hard": ("related", "hard"), "same-entity": ("same-entity",)}
#: The validation pairs thresholds are tuned on: the kinds of headline-stance version 1, so a
#: threshold method's figures on the old slices are the ones it had before same-entity.
TUNING_KINDS = ("related", "hard", "easy")
BI_ENCODER = "minilm-l6"
WINDOW_VARIANTS = {"first": ("first", "mean"), "all-mean": ("all", "mean"),
                   "all-max": ("all", "max")}


@dataclass(frozen=True)
class Scored:
    """A method's labels for the test pairs, and the probability it gave each label (only
    for methods that give probabilities: a cosine is no probability)."""

    labels: list[str]
    confidence: list[float] | None = None


def tune_threshold(scores: np.ndarray, related: np.ndarray) -> float:
    """The cut with the best accuracy for ``score >= cut`` -> related (midway between scores).

    >>> tune_threshold(np.array([0.1, 0.2, 0.6, 0.9]), np.array([0, 0, 1, 1]))
    0.4
    """
    values = np.unique(scores)
    cuts = np.concatenate([[values[0]], (values[:-1] + values[1:]) / 2, [values[-1] + 1.0]])
    accuracy = [float(((scores >= cut) == related).mean()) for cut in cuts]
    return round(float(cuts[int(np.argmax(accuracy))]), 6)


def cosine_scores(vectorizer: Any, records: Sequence[Record]) -> np.ndarray:
    """TF-IDF cosine of each record's target (headline) and text (body)."""
    heads = vectorizer.transform([r.target or "" for r in records])
    bodies = vectorizer.transform([r.text for r in records])
    return np.asarray(heads.multiply(bodies).sum(axis=1)).ravel()  # rows are L2-normalised


def threshold_labels(scores: np.ndarray, cut: float) -> list[str]:
    return ["related" if score >= cut else "unrelated" for score in scores]


def threshold_row(name: str, score: Callable[[Sequence[Record]], np.ndarray],
                  validation: Sequence[Record], test: Sequence[Record], repeats: int, *,
                  fit_seconds: float, extra: dict[str, Any]) -> dict[str, Any]:
    """A score-and-threshold method: ``score(pairs) >= cut`` is related, the cut tuned for
    accuracy on the ``TUNING_KINDS`` pairs of validation; then scored on test."""
    start = time.perf_counter()
    tuning = [r for r in validation if r.meta["kind"] in TUNING_KINDS]
    cut = tune_threshold(score(tuning), is_related(tuning))
    seconds = fit_seconds + time.perf_counter() - start
    return method_row(name, test, lambda: Scored(threshold_labels(score(test), cut)), repeats,
                      train_seconds=seconds, extra={"threshold": cut, **extra})


def tfidf_baseline(train: list[Record], validation: list[Record], test: list[Record],
                   repeats: int) -> dict[str, Any]:
    """Fit TF-IDF on train bodies + headlines, tune the cut on validation, predict test."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    start = time.perf_counter()
    texts = sorted({r.text for r in train}) + sorted({r.target or "" for r in train})
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(texts)
    return threshold_row("TF-IDF cosine, threshold tuned on validation",
                         lambda pairs: cosine_scores(vectorizer, pairs), validation, test,
                         repeats, fit_seconds=time.perf_counter() - start,
                         extra={"vectorizer": "sublinear tf, English stop words, fit on "
                                "train bodies + headlines"})


def bi_encoder_scores(encoder: Any, records: Sequence[Record]) -> np.ndarray:
    """Cosine of the sentence vectors (mean-pooled, unit length) of each record's target
    and of its text's lead (what the encoder reads: its first ``max_tokens`` word pieces);
    each distinct string is encoded once."""
    texts = sorted({r.target or "" for r in records} | {r.text for r in records})
    vectors = dict(zip(texts, encoder.encode(texts)))
    return np.array([float(vectors[r.target or ""] @ vectors[r.text]) for r in records])


def bi_encoder_baseline(validation: list[Record], test: list[Record], repeats: int,
                        encoder: Any = None) -> dict[str, Any]:
    """all-MiniLM-L6-v2 as it ships (no training): headline vs lead cosine, cut tuned on
    validation as the TF-IDF baseline's is."""
    from newsdesk.summarize.encoder import SentenceEncoder

    start = time.perf_counter()
    encoder = encoder if encoder is not None else SentenceEncoder.load(BI_ENCODER)
    return threshold_row("MiniLM bi-encoder cosine (zero-shot), threshold tuned on validation",
                         lambda pairs: bi_encoder_scores(encoder, pairs), validation, test,
                         repeats, fit_seconds=time.perf_counter() - start,
                         extra={"encoder": "all-MiniLM-L6-v2, mean pooling",
                                "lead_word_pieces": encoder.max_tokens})


def is_related(records: Sequence[Record]) -> np.ndarray:
    return np.array([r.stance == "related" for r in records])


def slice_scores(records: Sequence[Record], predicted: Sequence[str],
                 confidence: Sequence[float] | None = None) -> dict[str, Any]:
    """Accuracy with a 95% bootstrap interval and the error count for every slice the
    records have; with ``confidence``, each slice's ECE too."""
    kinds = np.array([r.meta["kind"] for r in records])
    correct = np.array([r.stance == p for r, p in zip(records, predicted, strict=True)])
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
    return out


def ece_on_test(records: Sequence[Record], scored: Scored) -> float | None:
    """ECE over every test pair (same-entity included), or None without probabilities."""
    if scored.confidence is None:
        return None
    correct = [r.stance == label for r, label in zip(records, scored.labels, strict=True)]
    return expected_calibration_error(scored.confidence, correct)


def method_row(name: str, test: Sequence[Record], predict: Callable[[], Scored],
               repeats: int, *, train_seconds: float, extra: dict[str, Any]) -> dict[str, Any]:
    """Slice scores and ECE of ``predict()`` on ``test``, timed over ``repeats`` passes."""
    scored, seconds = timed_repeats(predict, repeats, warmup=0)
    return {"method": name, "slices": slice_scores(test, scored.labels, scored.confidence),
            "ece": ece_on_test(test, scored), "train_seconds": round(train_seconds, 1),
            "predict_seconds": seconds,
            "test_pairs_per_s": round(len(test) / max(seconds["median"], 1e-4), 1), **extra}


def trained_model(max_train: int | None, workdir: Path) -> tuple[Path, float, str]:
    """Train the stance-headlines recipe into ``workdir``: (model dir, seconds, recipe name)."""
    from newsdesk_train.config import load_config
    from newsdesk_train.runner import train

    overrides = [f"output_dir={workdir}/model"]
    if max_train is not None:
        overrides.append(f"data.max_train_examples={max_train}")
    config = load_config(ROOT / RECIPE, overrides)
    start = time.perf_counter()
    model_dir = train(config)
    return model_dir, time.perf_counter() - start, config.name


def cross_encoder_rows(model_dir: Path, test: list[Record], train_seconds: float,
                       label: str, variants: Sequence[str], repeats: int
                       ) -> list[dict[str, Any]]:
    """Score the stance model on ``test`` with its own windowing, then each variant."""
    from newsdesk import StanceClassifier

    classifier = StanceClassifier.from_pretrained(model_dir)
    own = classifier.manifest.windowing
    settings = [(own.mode, own.aggregate)] + [
        WINDOW_VARIANTS[v] for v in variants if WINDOW_VARIANTS[v] != _variant_of(own)]
    pairs = [(r.target or "", r.text) for r in test]
    rows = []
    for mode, how in settings:
        classifier.manifest.windowing = replace(own, mode=mode, aggregate=how)
        windows = mode if mode == "first" else f"{mode}, {how}"
        rows.append(method_row(f"newsdesk {label} ({windows} windows)", test,
                               lambda: scored_predictions(classifier.predict(pairs)), repeats,
                               train_seconds=train_seconds,
                               extra={"model": str(model_dir), "windows": windows,
                                      "max_length": own.max_length,
                                      "training": classifier.manifest.training}))
    return rows


def scored_predictions(predictions: Sequence[Any]) -> Scored:
    """Labels and the probability of each (``Prediction.score``)."""
    return Scored([p.label for p in predictions], [float(p.score) for p in predictions])


def _variant_of(windowing: Any) -> tuple[str, str]:
    return ("first", "mean") if windowing.mode == "first" else (windowing.mode,
                                                                windowing.aggregate)


def verdict(baseline: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """The issue's bar: better than the baseline on every slice both rows have (related,
    hard, easy, same-entity), >= 99% on related + hard."""
    slices = [s for s in ("related", "hard negatives", "easy negatives", "same-entity")
              if s in model["slices"] and s in baseline["slices"]]
    beats = {s: model["slices"][s]["accuracy"] > baseline["slices"][s]["accuracy"]
             for s in slices}
    related_hard = model["slices"]["related + hard"]["accuracy"]
    return {"method": model["method"], "beats_baseline": beats,
            "related_hard_at_least_99": related_hard >= 0.99,
            "passed": all(beats.values()) and related_hard >= 0.99}


def render(report: dict[str, Any]) -> list[str]:
    slices = [s for s in SLICES if any(s in row["slices"] for row in report["rows"])]
    lines = ["Accuracy (%) per slice, errors in brackets; ECE: expected calibration error "
             f"on the whole test split ({ECE_BINS} bins; only for methods that give "
             "probabilities); test pairs/s: the median of "
             f"{report['repeats']} timed passes.", "",
             f"| method | {' | '.join(slices)} | ECE | train s | test pairs/s |",
             "|---|" + "---|" * (len(slices) + 3)]
    for row in report["rows"]:
        cells = [f"{100 * s['accuracy']:.2f} ({s['errors']}/{s['n']})"
                 if (s := row["slices"].get(name)) else "" for name in slices]
        ece = "" if row.get("ece") is None else f"{row['ece']:.4f}"
        lines.append(f"| {row['method']} | {' | '.join(cells)} | {ece} | "
                     f"{row['train_seconds']} | {row['test_pairs_per_s']} |")
    lines += [""] + [f"- {v['method']}: beats the baseline on "
                     f"{', '.join(k for k, ok in v['beats_baseline'].items() if ok) or 'no slice'}"
                     f"; related + hard >= 99%: {v['related_hard_at_least_99']}; "
                     f"passed: {v['passed']}" for v in report["verdicts"]]
    return [*lines, "", "all: related + hard + easy pairs (headline-stance version 1); "
            "thresholds are tuned on those kinds of validation pairs. train s: a threshold "
            "method's fit (the bi-encoder: loading it) and threshold search; for a model, the "
            "wall time of the training run (including its scoring of validation and test), or "
            "what the model's manifest records when it was given with --model."]


def _recorded_seconds(model_dir: Path) -> float:
    """The training time a model's manifest records (0.0 when it records none)."""
    from newsdesk.manifest import Manifest

    return float(Manifest.load(model_dir).training.get("train_runtime_s", 0.0))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="an already trained stance model dir "
                        "(default: train the recipe into a temp dir)")
    parser.add_argument("--max-train", type=int, help="train on this many pairs "
                        "(data.max_train_examples)")
    parser.add_argument("--results", default="stance_headlines", metavar="NAME",
                        help="write benchmarks/results/NAME.{json,md} (default: "
                             "stance_headlines)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over test")
    parser.add_argument("--baseline-only", action="store_true",
                        help="score the baselines only: TF-IDF (seconds) and the zero-shot "
                             "bi-encoder (minutes on 2 cores); no cross-encoder")
    parser.add_argument("--no-bi-encoder", action="store_true",
                        help="leave the zero-shot bi-encoder out")
    parser.add_argument("--compare-windows", action="store_true",
                        help="also score the model with every window, mean and max "
                             "(several times slower)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    run = start_run(None if argv is None else [__file__, *argv])
    args = build_parser().parse_args(argv)
    train, validation, test = (load("headline-stance", split=s)
                               for s in ("train", "validation", "test"))
    rows = [tfidf_baseline(train, validation, test, args.repeats)]
    if not args.no_bi_encoder:
        rows.append(bi_encoder_baseline(validation, test, args.repeats))
    variants = list(WINDOW_VARIANTS) if args.compare_windows else []
    if not args.baseline_only:
        with tempfile.TemporaryDirectory() as tmp:
            if args.model is not None:
                model_dir, seconds, label = args.model, _recorded_seconds(args.model), \
                    args.model.name
            else:
                model_dir, seconds, label = trained_model(args.max_train, Path(tmp))
            rows += cross_encoder_rows(model_dir, test, seconds, label, variants, args.repeats)
    report = {"repeats": args.repeats, "rows": rows,
              "verdicts": [verdict(rows[0], row) for row in rows[1:]]}
    write_results(args.results, run, report, render, TITLE, folder=args.out)
    print((args.out / f"{args.results}.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
