"""Write an evaluation as report.json, report.md and (classification) confusion_matrix.png.

The report folder appears whole or not at all: it is written to a temporary sibling and
renamed into place, so a failed evaluation leaves no partial report.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from newsdesk.atomic import atomic_directory
from newsdesk.evaluation.result import Evaluation
from newsdesk.evaluation.selection import selection_lines
from newsdesk.evaluation.slices import points, slices_markdown
from newsdesk.tasks import get_task


def write_report(evaluation: Evaluation, out: str | Path) -> Path:
    """Write the report files into ``out`` (replacing an older report there)."""
    with atomic_directory(out) as tmp:
        (tmp / "report.json").write_text(
            json.dumps(asdict(evaluation), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
        if "confusion_matrix" in evaluation.metrics:
            plot_confusion(evaluation.metrics["confusion_matrix"], tmp / "confusion_matrix.png")
        (tmp / "report.md").write_text(markdown(evaluation), encoding="utf-8")
    return Path(out)


def plot_confusion(confusion: dict[str, Any], path: Path) -> None:
    """A labelled confusion-matrix heat map (rows: gold, columns: predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = confusion["labels"], confusion["matrix"]
    size = max(4.0, 0.9 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center",
                    color="white" if value > peak / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def per_class_table(per_class: dict[str, dict[str, Any]]) -> list[str]:
    """Precision, recall, F1 and support per label, and the decision threshold of each
    label where the model has them (multi-label)."""
    thresholds = all("threshold" in row for row in per_class.values())
    extra = " threshold |" if thresholds else ""
    lines = ["", "| class | precision | recall | F1 | support |" + extra,
             "|---|---|---|---|---|" + ("---|" if thresholds else "")]
    for label, row in per_class.items():
        threshold = f" {row['threshold']:.2f} |" if thresholds else ""
        lines.append(f"| {label} | {100 * row.get('precision', 0):.2f} | "
                     f"{100 * row.get('recall', 0):.2f} | {100 * row['f1']:.2f} | "
                     f"{row.get('support', '')} |{threshold}")
    return lines


def baseline_lines(baseline: dict[str, Any]) -> list[str]:
    """What fitting an evaluated baseline chose (``newsdesk evaluate --baseline``)."""
    settings = {k: v for k, v in baseline.items() if k != "name"}
    return ["", f"## How {baseline['name']} was fitted", "",
            "On the data's train and validation splits (never the split scored here); "
            "its scores are no probabilities, so it has no calibration error.", "",
            *[f"- {key}: {value}" for key, value in settings.items()]]


def against_lines(against: dict[str, Any]) -> list[str]:
    """The model against a baseline on the same records (``newsdesk evaluate --against``)."""
    diff = against["accuracy_difference"]
    chose = ", ".join(f"{k} {v}" for k, v in against["settings"].items() if k != "cv_accuracy")
    return ["", f"## Against {against['baseline']}", "",
            f"{against['baseline']}, fitted on the data's train and validation splits "
            f"({chose}), scored on the same records: accuracy "
            f"{100 * against['accuracy']:.2f}, macro-F1 {100 * against['macro_f1']:.2f}. "
            "The model's accuracy minus the baseline's, in points "
            "[paired bootstrap 95% interval, 1,000 resamples]: "
            f"{points(diff['mean'], (diff['low'], diff['high']))}."]


def markdown(evaluation: Evaluation) -> str:
    """The human-readable report."""
    if not get_task(evaluation.task).classifies:
        from newsdesk.evaluation.summary_eval import summary_markdown

        return summary_markdown(evaluation)
    metrics = evaluation.metrics
    split = f" ({evaluation.split})" if evaluation.split else ""
    lines = [f"# Evaluation of {evaluation.model}", "",
             f"{evaluation.task} model on `{evaluation.data}`{split}, {metrics.get('n')} "
             "examples.", "", "| metric | value | 95% interval |", "|---|---|---|"]
    intervals = metrics.get("intervals", {})
    for name, value in metrics.items():
        if isinstance(value, float):
            low_high = intervals.get(name)
            interval = f"{100 * low_high[0]:.2f} – {100 * low_high[1]:.2f}" if low_high else ""
            shown = f"{100 * value:.2f}" if value <= 1.0 else f"{value:.2f}"
            lines.append(f"| {name} | {shown} | {interval} |")
    if "per_class" in metrics:
        lines += per_class_table(metrics["per_class"])
    if evaluation.baseline:
        lines += baseline_lines(evaluation.baseline)
    if evaluation.against:
        lines += against_lines(evaluation.against)
    if evaluation.slices:
        lines += slices_markdown(evaluation.slices, evaluation.against
                                 and evaluation.against["baseline"])
    if metrics.get("absent_labels"):
        lines += ["", "Labels the model knows but not in the data (left out of macro-F1): "
                  + ", ".join(metrics["absent_labels"])]
    if "confusion_matrix" in metrics:
        lines += ["", "![confusion matrix](confusion_matrix.png)"]
    if evaluation.selection:
        lines += ["", *selection_lines(evaluation.selection)]
    for title, rows in evaluation.examples.items():
        lines += ["", f"## {title.replace('_', ' ')}", ""]
        lines += [f"- `{r.get('id')}` gold **{r.get('gold')}**, predicted "
                  f"**{r.get('predicted')}** ({r.get('score')}): {r.get('text')}"
                  for r in rows] or ["(none)"]
    return "\n".join(lines) + "\n"
