"""The model card (README.md) written into every trained model dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.evaluation.selection import selection_lines
from newsdesk.manifest import Manifest
from newsdesk_train.config import RecipeConfig

USES = {
    "topic": "Tagging English news articles with one of the topics above.",
    "stance": "Judging whether an English news article relates to / agrees with a target "
              "(a headline or claim), as the labels above define.",
    "summary": "Writing short English summaries (standfirsts or headlines) of news articles.",
}


def metrics_table(metrics: dict[str, Any]) -> list[str]:
    """Markdown rows: one per split, fractions as percentages (mean words as they are)."""
    names = sorted({k for split in metrics.values() for k, v in split.items()
                    if isinstance(v, float)})
    lines = ["| split | n | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for split, values in metrics.items():
        cells = [_cell(values[n]) if n in values else "" for n in names]
        lines.append(f"| {split} | {values.get('n', '')} | " + " | ".join(cells) + " |")
    return lines


def _cell(value: float) -> str:
    return f"{100 * value:.2f}" if value <= 1.0 else f"{value:.1f}"


def input_line(manifest: Manifest) -> str:
    """How the model reads a text: windows for classifiers, source and generation for
    summarizers."""
    windowing = manifest.windowing
    if manifest.extras.get("frozen"):
        return (f"- input: the first {windowing.max_length} tokens (the frozen encoder's "
                "embedding) and the whole text (TF-IDF)")
    if manifest.task == "summary":
        long = ("truncated" if windowing.mode == "first" else
                f"map-reduce (up to {windowing.max_windows} windows summarised, then the "
                "joined window summaries)")
        generation = {k: v for k, v in manifest.extras.get("generation", {}).items()
                      if not k.endswith("token_id") and k != "transformers_version"}
        return (f"- input: the cleaned article, up to {windowing.max_length} tokens; longer "
                f"articles {long}; generation: `{generation}`")
    return (f"- input: up to {windowing.max_length} tokens per window; long texts: "
            f"{windowing.mode} windows (stride {windowing.stride}), {windowing.aggregate} of "
            "the window probabilities")


def hybrid_section(manifest: Manifest) -> list[str]:
    """For a hybrid model: how its labels are made, and what plain transformers gives."""
    hybrid = manifest.extras.get("hybrid")
    if not hybrid:
        return []
    weight = hybrid["tfidf_weight"]
    return [
        "## Hybrid labels", "",
        "Labels are fused from the fine-tuned transformer and a TF-IDF logistic regression "
        f"over the whole article (`tfidf_head.safetensors`, `tfidf_head.json`) with weight "
        f"{weight:g}: softmax({1 - weight:g} x log p(transformer) + {weight:g} x "
        "log p(TF-IDF)); "
        f"the regression has C={hybrid['C']:g}, 1- to {hybrid['ngram_max']}-word n-grams "
        f"seen in at least {hybrid['min_df']} training articles "
        f"({hybrid.get('vocabulary_size', '?')} terms). The metrics above are the fused "
        "model's. `transformers.pipeline(\"text-classification\", model=DIR)` on this dir "
        "gives the transformer-only labels; newsdesk (`TopicClassifier` on torch or ONNX, "
        "`newsdesk predict`, `newsdesk evaluate`) gives the fused ones.", ""]


def frozen_section(manifest: Manifest) -> list[str]:
    """For a frozen-encoder model: how its labels are made, and what transformers gives."""
    frozen = manifest.extras.get("frozen")
    if not frozen:
        return []
    kind = {"linear_svm": "linear SVM (LinearSVC)",
            "logistic": "multinomial logistic regression"}[frozen["classifier"]]
    grid = ", ".join(f"{c:g}" for c in frozen["C_grid"])
    chosen = (f"C={frozen['C']:g}, chosen among {grid} by inner {frozen['inner_cv']['folds']}"
              "-fold cross-validation on the training articles grouped by headline"
              if len(frozen["C_grid"]) > 1 else f"C={frozen['C']:g} as the recipe fixed it")
    return [
        "## How labels are made", "",
        f"No weight was trained by gradient: the encoder `{frozen['encoder']}` is frozen "
        "(the dir holds its pretrained weights, unchanged). Each article's first "
        f"{frozen['max_length']} tokens become one {frozen['embedding_dim']}-dimensional "
        "embedding (mean of the token vectors, L2-normalised, as sentence-transformers "
        f"encoders were trained), and a {kind} over [that embedding ; TF-IDF of the whole "
        f"article: 1- to {frozen['ngram_max']}-word n-grams seen in at least "
        f"{frozen['min_df']} training articles, {frozen['vocabulary_size']} terms] gives the "
        f"label; {chosen}. Probabilities: {frozen['probabilities']}. The head is "
        "`tfidf_head.safetensors` + `tfidf_head.json` (plain arrays and JSON). "
        "`transformers.pipeline` cannot give this model's labels (config.json describes the "
        "plain encoder); use newsdesk (`TopicClassifier` on torch or ONNX, `newsdesk "
        "predict`, `newsdesk evaluate`).", ""]


def write_model_card(directory: Path, config: RecipeConfig, manifest: Manifest) -> Path:
    """Write README.md with metrics, training data, intended use and limits."""
    lines = [
        f"# {config.name}", "",
        config.description or f"A newsdesk {manifest.task} model.", "",
        f"- task: **{manifest.task}**; labels: {', '.join(manifest.labels) or '(generated text)'}",
        f"- base model: `{manifest.base_model}`",
        input_line(manifest),
        f"- training data: `{manifest.data.get('source')}` "
        f"({manifest.data.get('splits', {})})", "",
        "## Metrics (percent)", "", *metrics_table(manifest.metrics), "",
        "## Use", "", "```python",
        f"from newsdesk import {_class_for(manifest.task)}",
        f"model = {_class_for(manifest.task)}.from_pretrained({str(config.output_dir)!r})",
        "```", "",
        *hybrid_section(manifest),
        *frozen_section(manifest),
        *selection_lines(manifest.extras.get("selection"), manifest.metrics.get("test")),
        "## Intended use and limits", "", USES.get(manifest.task, ""),
        "Trained on a small set of English news from a few outlets and years; expect lower "
        "accuracy on other outlets, eras, languages or genres, and check it on your own "
        "labelled sample (`newsdesk evaluate`). The training text is licensed for research "
        "use only.", "",
        f"Written by newsdesk {manifest.versions.get('newsdesk')}; settings in newsdesk.json.",
    ]
    path = directory / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _class_for(task: str) -> str:
    return {"topic": "TopicClassifier", "stance": "StanceClassifier"}.get(task, "Summarizer")
