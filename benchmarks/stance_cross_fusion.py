"""Two stance cross-encoders fused: a logistic regression over each one's log-odds of
``related``, judged by out-of-fold accuracy on headline-stance's validation split (5 folds,
a headline's pairs in one fold, C chosen inside each fold as stance_headlines.py's fusion
does), then fitted on every validation pair and read once on test. What it was for and the
rule that judged it: docs/stance.md. Results: benchmarks/results/stance_cross_fusion.{json,md}.

    .venv/bin/python benchmarks/stance_cross_fusion.py \\
        --model models/stance-headlines-minilm --model models/stance-headlines-minilm-mined

``--cache DIR`` reuses predictions ``newsdesk predict MODEL`` wrote there as
``pred-NAME-SPLIT.jsonl`` (every pair of the split, target and text), writing any missing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from benchlib import start_run, table, write_results
from sklearn.model_selection import StratifiedGroupKFold
from stance_headlines import SLICES, fit_fusion, log_odds_related

from newsdesk.data import load
from newsdesk.data.records import Record

TITLE = "Two stance cross-encoders fused (headline-stance, related / unrelated)"
FOLDS = 5
FUSED = "fused"


def log_odds(model: Path, split: str, records: Sequence[Record], cache: Path | None
             ) -> np.ndarray:
    """Each pair's log-odds of ``related`` by ``model``, from ``cache`` where it is there."""
    path = cache / f"pred-{model.name}-{split}.jsonl" if cache else None
    if path is None or not path.exists():
        from newsdesk import StanceClassifier

        classifier = StanceClassifier.from_pretrained(model)
        rows = [{"id": r.id, "scores": p.scores} for r, p in zip(records, classifier.predict_texts(
            [r.text for r in records], [r.target or "" for r in records]))]
        if path is not None:
            path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_id = {row["id"]: row["scores"] for row in rows}
    missing = [r.id for r in records if r.id not in by_id]
    if missing:
        raise SystemExit(f"{path}: no prediction for {len(missing)} pairs, e.g. {missing[0]}")
    labels = ["related", "unrelated"]
    return log_odds_related(np.array([[by_id[r.id][k] for k in labels] for r in records]),
                            labels)


def slice_accuracy(records: Sequence[Record], related: np.ndarray) -> dict[str, Any]:
    """Accuracy (and n) of ``related`` predictions on each slice of ``SLICES``."""
    out = {}
    for name, kinds in SLICES.items():
        idx = [i for i, r in enumerate(records) if r.meta.get("kind") in kinds]
        hits = [related[i] == (records[i].stance == "related") for i in idx]
        out[name] = {"n": len(idx), "accuracy": float(np.mean(hits)) if idx else None}
    return out


def out_of_fold(columns: dict[str, np.ndarray], gold: np.ndarray, groups: list[str]
                ) -> np.ndarray:
    """The fusion's predictions of each validation pair by a fit on the other folds."""
    predicted = np.zeros(len(gold), dtype=bool)
    folds = StratifiedGroupKFold(FOLDS, shuffle=True, random_state=1)
    for train, held in folds.split(gold, gold, groups):
        fit = fit_fusion({k: v[train] for k, v in columns.items()}, gold[train],
                         [groups[i] for i in train], list(columns))
        predicted[held] = fit.related_probability({k: v[held] for k, v in columns.items()}) >= .5
    return predicted


def main(argv: Sequence[str] | None = None) -> None:
    run = start_run(None if argv is None else [__file__, *argv])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", required=True)
    parser.add_argument("--cache", type=Path, help="predictions folder (read and written)")
    args = parser.parse_args(argv)
    splits = {s: load("headline-stance", split=s) for s in ("validation", "test")}
    columns = {s: {m.name: log_odds(m, s, records, args.cache) for m in args.model}
               for s, records in splits.items()}
    validation = splits["validation"]
    gold = np.array([r.stance == "related" for r in validation], dtype=int)
    groups = [str(r.meta.get("headline_id", r.id)) for r in validation]
    fit = fit_fusion(columns["validation"], gold, groups, [m.name for m in args.model])
    rows = {FUSED: {"validation_out_of_fold": slice_accuracy(
        validation, out_of_fold(columns["validation"], gold, groups)),
        "test": slice_accuracy(splits["test"], fit.related_probability(columns["test"]) >= .5),
        "C": fit.C, "coefficients": (fit.model[-1].coef_[0] / fit.model[0].scale_).tolist()}}
    for name in columns["validation"]:
        rows[name] = {split: slice_accuracy(splits[split], columns[split][name] >= 0)
                      for split in ("validation", "test")}
    write_results("stance_cross_fusion", run, {"folds": FOLDS, "rows": rows}, render, TITLE)


def render(report: dict[str, Any], name: str) -> list[str]:
    """Accuracy per slice on validation and test (the docs quote no section of it)."""
    def cells(figures: dict[str, Any]) -> list[str]:
        return [f"{100 * figures[s]['accuracy']:.2f}" for s in SLICES]

    lines = ["Accuracy (%) per slice. Validation: the fusion out of fold "
             f"({report['folds']} folds grouped by headline), each model as it is; test: the "
             "fusion fitted on every validation pair.", ""]
    for split, fused_key in (("validation", "validation_out_of_fold"), ("test", "test")):
        rows = [[f"{FUSED} ({split})", *cells(report["rows"][FUSED][fused_key])]]
        rows += [[f"{method} ({split})", *cells(row[split])]
                 for method, row in report["rows"].items() if method != FUSED]
        lines += [*table(["method", *SLICES], rows), ""]
    fused = report["rows"][FUSED]
    return [*lines, f"Fusion fitted on validation: C = {fused['C']}, coefficients (per unit "
            f"of log-odds) {', '.join(f'{c:.3f}' for c in fused['coefficients'])}."]


if __name__ == "__main__":
    main()
