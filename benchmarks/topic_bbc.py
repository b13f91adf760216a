"""Topic classification on bbc-news: TF-IDF + LinearSVC against newsdesk recipes.

Everything runs on the same built-in split (train / validation / test). For each newsdesk
recipe the model is trained from scratch, then evaluated on the test split twice: with its
windowed inference (every window of the article) and truncated to the first window, to
measure what windowing buys. Results go to benchmarks/results/topic_bbc.{json,md}.

    .venv/bin/python benchmarks/topic_bbc.py                        # all default recipes
    .venv/bin/python benchmarks/topic_bbc.py --recipes training/configs/topic-bbc-minilm.yaml
    .venv/bin/python benchmarks/topic_bbc.py --model models/topic-bbc-minilm   # trained
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from newsdesk.data import load
from newsdesk.evaluation.classification import classification_metrics

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_RECIPES = ["training/configs/topic-bbc-minilm.yaml"]


def svm_baseline() -> dict[str, Any]:
    """TF-IDF (1-2 grams, sublinear tf) + LinearSVC, C chosen on the validation split."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    train, val, test = (load("bbc-news", split=s) for s in ("train", "validation", "test"))
    start = time.perf_counter()
    best: tuple[float, float] = (-1.0, 1.0)
    for c in (0.1, 0.3, 1.0, 3.0, 10.0):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        model = LinearSVC(C=c).fit(vectorizer.fit_transform([r.text for r in train]),
                                   [r.label for r in train])
        accuracy = (model.predict(vectorizer.transform([r.text for r in val]))
                    == [r.label for r in val]).mean()
        best = max(best, (float(accuracy), c))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    model = LinearSVC(C=best[1]).fit(vectorizer.fit_transform([r.text for r in train]),
                                     [r.label for r in train])
    elapsed = time.perf_counter() - start
    predicted = list(model.predict(vectorizer.transform([r.text for r in test])))
    return _row("TF-IDF + LinearSVC", [str(r.label) for r in test], predicted,
                sorted({str(r.label) for r in train}), elapsed, {"C": best[1]})


def _row(name: str, gold: list[str], predicted: list[str], labels: list[str],
         train_seconds: float, extra: dict[str, Any]) -> dict[str, Any]:
    metrics = classification_metrics(gold, predicted, labels, intervals=True)
    return {"method": name, "accuracy": metrics["accuracy"], "macro_f1": metrics["macro_f1"],
            "accuracy_95": metrics["intervals"]["accuracy"], "n_test": len(gold),
            "train_seconds": round(train_seconds, 1), **extra}


def newsdesk_recipe(recipe: str) -> list[dict[str, Any]]:
    """Train ``recipe`` into a temp dir; test it windowed and first-window only."""
    from newsdesk_train.config import load_config
    from newsdesk_train.runner import train

    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(ROOT / recipe, [f"output_dir={tmp}/model"])
        start = time.perf_counter()
        model_dir = train(config)
        return trained_model_rows(model_dir, time.perf_counter() - start)


def trained_model_rows(model_dir: Path, train_seconds: float | None = None
                       ) -> list[dict[str, Any]]:
    """Test a trained model windowed and first-window only; the training time comes from
    its manifest when not measured here."""
    from newsdesk import TopicClassifier

    classifier = TopicClassifier.from_pretrained(model_dir)
    training = classifier.manifest.training
    if train_seconds is None:
        train_seconds = float(training.get("train_runtime_s", float("nan")))
    test = load("bbc-news", split="test")
    gold = [str(r.label) for r in test]
    rows = []
    for mode in ("all", "first"):
        classifier.manifest.windowing = replace(classifier.manifest.windowing, mode=mode)
        start = time.perf_counter()
        predicted = [p.label for p in classifier.predict([r.text for r in test])]
        seconds = time.perf_counter() - start
        rows.append(_row(f"newsdesk {training.get('recipe', model_dir)} ({mode} windows)",
                         gold, predicted, classifier.labels, train_seconds,
                         {"model": str(model_dir), "training": training,
                          "inference_docs_per_s": round(len(test) / seconds, 1),
                          "max_length": classifier.manifest.windowing.max_length}))
    return rows


def environment() -> dict[str, Any]:
    import torch

    return {"python": platform.python_version(), "torch": torch.__version__,
            "threads": torch.get_num_threads(), "cpus": os.cpu_count(),
            "machine": platform.machine()}


def write_results(rows: list[dict[str, Any]], env: dict[str, Any], command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "topic_bbc.json").write_text(
        json.dumps({"environment": env, "rows": rows}, indent=2) + "\n")
    lines = ["# Topic classification on bbc-news (test split)", "",
             f"Environment: {env}", "",
             "| method | accuracy | 95% interval | macro-F1 | train s | test docs/s |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        low, high = r["accuracy_95"]
        lines.append(f"| {r['method']} | {100 * r['accuracy']:.2f} | {100 * low:.1f}-"
                     f"{100 * high:.1f} | {100 * r['macro_f1']:.2f} | {r['train_seconds']} | "
                     f"{r.get('inference_docs_per_s', '')} |")
    lines += ["", "train s: the wall time of the training run; for a model given with --model, "
              "what its manifest records (a run's threads and machine load are not recorded "
              "there).", "", f"Produced by `{command}`."]
    (RESULTS / "topic_bbc.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="*", default=DEFAULT_RECIPES)
    parser.add_argument("--model", type=Path, action="append", default=[],
                        help="an already trained topic model dir (skips training it here; "
                             "its training time comes from its manifest)")
    args = parser.parse_args()
    rows = [svm_baseline()]
    print(json.dumps(rows[-1]))
    for model_dir in args.model:
        rows += trained_model_rows(model_dir)
        print(json.dumps(rows[-2:]))
    for recipe in ([] if args.model else args.recipes):
        rows += newsdesk_recipe(recipe)
        print(json.dumps(rows[-2:]))
    write_results(rows, environment(),
                  " ".join([".venv/bin/python", "benchmarks/topic_bbc.py", *sys.argv[1:]]))
    print((RESULTS / "topic_bbc.md").read_text())


if __name__ == "__main__":
    main()
