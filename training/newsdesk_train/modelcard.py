"""The model card (README.md) written into every trained model dir.

A ``huggingface_hub.ModelCard``, as setfit writes its cards: YAML metadata the Hugging Face
hub indexes (library, base model, data sets, pipeline tag, tags, and the manifest's metrics
as a ``model-index``) above a Markdown body (metrics table, how labels are made, how the
recipe was chosen, windowing, data, intended use and limits). Nothing here reaches the hub.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

from huggingface_hub import EvalResult, ModelCard, ModelCardData
from huggingface_hub.utils import HFValidationError, validate_repo_id

from newsdesk.assets import ALIAS_HUB_IDS
from newsdesk.atomic import write_text_atomically
from newsdesk.data.news_sections import LABEL_MEANINGS
from newsdesk.data.sources import BUILTIN, FORMATS
from newsdesk.evaluation.selection import selection_lines
from newsdesk.manifest import Manifest
from newsdesk.metrics.calibration import ECE_BINS
from newsdesk.metrics.multilabel import F1_AVERAGES
from newsdesk.metrics.summary import ROUGE_TYPES
from newsdesk.onnx_backend import LIMITS_HEADING, serving_lines
from newsdesk.summarize.scorer import SETTINGS_KEY as SCORER_SETTINGS
from newsdesk.tasks import EXTRACTIVE_KINDS, EXTRACTIVE_TAGGER, SUMMARY_KIND_KEY, get_task
from newsdesk_train.config import RecipeConfig
from newsdesk_train.recipe_data import MINED_NEGATIVES, TRAIN_BY_PUBLISHER
from newsdesk_train.staging import LOG_HISTORY


class HubMetric(NamedTuple):
    """How a manifest metric is named in the card's ``model-index``."""

    type: str
    name: str
    config: str | None = None
    args: dict[str, Any] | None = None


#: Manifest metric -> its hub metric id and name; any other metric (``fnc_relative``,
#: ``semeval_f_avg``, ``words``, ``novel_bigrams``) keeps its own name as the type.
HUB_METRICS: dict[str, HubMetric] = {
    "accuracy": HubMetric("accuracy", "Accuracy"),
    "subset_accuracy": HubMetric("accuracy", "Subset accuracy", "subset"),
    **{f"{average}_f1": HubMetric("f1", f"{average.capitalize()}-F1", None,
                                  {"average": average})
       for average in F1_AVERAGES},
    **{name: HubMetric("rouge", name.replace("rouge", "ROUGE-"), name) for name in ROUGE_TYPES},
    "ece": HubMetric("ece", "Expected calibration error", None, {"bins": ECE_BINS}),
}
#: The splits whose metrics go into the model-index, the one read once first.
EVAL_SPLITS = ("test", "validation")


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
    scorer = manifest.extras.get(SCORER_SETTINGS)
    kind = manifest.extras.get(SUMMARY_KIND_KEY)
    if kind == EXTRACTIVE_TAGGER and scorer:
        return (f"- input: the cleaned article's first {scorer['window']} sentences in one "
                f"sequence of up to {windowing.max_length} tokens, each sentence framed by "
                "its own [CLS] and [SEP] and cut to an equal share")
    if kind in EXTRACTIVE_KINDS and scorer:
        return (f"- input: each of the cleaned article's first {scorer['window']} sentences "
                f"after its position marker, paired with the first "
                f"{scorer['context_sentences']} sentence(s), up to {windowing.max_length} "
                "tokens a pair")
    if not get_task(manifest.task).classifies:
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


def publisher_folds(inner: dict[str, Any]) -> str:
    """What a publisher-grouped inner CV scored and what it always trained on (the
    manifest's ``rotated_publishers`` and ``always_trained_on``); empty for other groupings.

    >>> publisher_folds({"rotated_publishers": ["cnn.com", "tass.com"],
    ...                  "always_trained_on": ["bbc-news"]})
    ' (scored in turn: cnn.com, tass.com; always trained on: bbc-news)'
    """
    rotated = inner.get("rotated_publishers")
    if not rotated:
        return ""
    always = inner.get("always_trained_on") or []
    return (f" (scored in turn: {', '.join(rotated)}"
            f"{'; always trained on: ' + ', '.join(always) if always else ''})")


def frozen_section(manifest: Manifest) -> list[str]:
    """For a frozen-encoder model: how its labels are made, and what transformers gives."""
    frozen = manifest.extras.get("frozen")
    if not frozen:
        return []
    kind = {"linear_svm": "linear SVM (LinearSVC)",
            "logistic": "multinomial logistic regression"}[frozen["classifier"]]
    grid = ", ".join(f"{c:g}" for c in frozen["C_grid"])
    inner = frozen["inner_cv"]
    chosen = (f"C={frozen['C']:g}, chosen among {grid} by inner {inner['folds']}-fold "
              f"cross-validation on the training articles grouped by {inner['groups']}"
              f"{publisher_folds(inner)}"
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


def extractive_section(manifest: Manifest) -> list[str]:
    """For a fine-tuned extractor (a sentence scorer): how its summaries are made and how
    its training sentences were labelled."""
    scorer = manifest.extras.get(SCORER_SETTINGS)
    kind = manifest.extras.get(SUMMARY_KIND_KEY)
    if kind not in EXTRACTIVE_KINDS or not scorer:
        return []
    labels = manifest.extras.get("labels", {})
    negatives = labels.get("negatives_per_article")
    sampled = ("all the other candidates" if negatives is None
               else f"up to {negatives} of the other candidates per article, drawn at random")
    reading = (f"The cleaned article's first {scorer['window']} sentences are read in one "
               "pass, each after its own [CLS] token (its tokenizer's start token; "
               "BertSumExt), and each is scored P(in_summary) at that token; the "
               if kind == EXTRACTIVE_TAGGER else
               f"Each of the cleaned article's first {scorer['window']} sentences is read "
               "with its position marker (`[3]`) and the article's opening, and scored "
               "P(in_summary); the ")
    return [
        "## How summaries are made", "",
        "This is an extractive summarizer: the model scores sentences, it writes nothing. "
        + reading +
        f"best-scored sentences (a sentence whose TF-IDF cosine to a better one is above "
        f"{scorer['redundancy']:g} is passed over) fill the word budget, at most "
        f"{scorer['k']} of them, printed in article order. No summary is longer than "
        "`max_words`; when not even the best sentence fits, it is cut at the budget.", "",
        f"Training labels: the greedy ROUGE oracle ({labels.get('oracle', '?')}, at most "
        f"{labels.get('oracle_max_sentences', '?')} sentences) of each training article's "
        f"candidates against its `{manifest.extras.get('target', 'summary')}` marks the "
        f"positives; {sampled} are the negatives"
        + ("; articles without one add their sentence best matching the headline"
           if labels.get("headlines") else "") + ". "
        "`newsdesk export DIR --onnx [--int8]` exports the scorer; load it with "
        "`Summarizer.from_pretrained(DIR, backend=\"onnx\")`.", ""]


#: Built-in sets whose labels have a written meaning (news_sections.LABEL_MEANINGS).
MEANINGS_BY_SOURCE = {"news-sections": LABEL_MEANINGS, "news-topics": LABEL_MEANINGS}
PUBLISHERS_SHOWN = 5


def labels_section(manifest: Manifest) -> list[str]:
    """What each label means (for a built-in set that says) and whose articles taught it:
    the training articles per label and publisher, the largest first."""
    meanings = MEANINGS_BY_SOURCE.get(str(manifest.data.get("source")), {})
    by_publisher: dict[str, dict[str, int]] = manifest.data.get(TRAIN_BY_PUBLISHER) or {}
    if not meanings and not by_publisher:
        return []
    rows = []
    for label in manifest.labels:
        counts = by_publisher.get(label, {})
        shown = ", ".join(f"{p} {n}" for p, n in list(counts.items())[:PUBLISHERS_SHOWN])
        more = len(counts) - PUBLISHERS_SHOWN
        rows.append(f"| {label} | {meanings.get(label, '')} | {sum(counts.values())} | "
                    f"{shown}{f', {more} more' if more > 0 else ''} |")
    return ["## Labels", "",
            "What each label means and whose articles taught it. A label learns its "
            "publishers' habits: where most of a label's training articles come from one "
            "publisher, the model follows that publisher's idea of the section (section "
            "labels are publishers' choices, not annotations).", "",
            "| label | meaning | training articles | by publisher |",
            "| --- | --- | ---: | --- |", *rows, ""]


def mined_negatives_section(manifest: Manifest) -> list[str]:
    """For a recipe with ``data.mined_negatives``: how the harder negatives were mined and
    how many went into training."""
    entry = manifest.data.get(MINED_NEGATIVES)
    if not entry:
        return []
    replaced = (f"they replace the {entry['replaced']} `{entry['replaces']}` pairs"
                if entry.get("replaces") else "they are added to the other pairs")
    return [
        "## Mined negatives", "",
        f"For each of the {entry['headlines']} training headlines, its "
        f"{entry['per_headline']} most similar other training bodies by the `{entry['encoder']}`"
        " sentence encoder's cosine (headline vs the body's lead) became `unrelated` pairs "
        f"(kind `mined`): {entry['mined']} pairs from {entry['bodies']} bodies; {replaced}. "
        f"Never the headline's own body, a body it was paired with, or another telling of its "
        f"own story ({entry['skipped_same_event']} such bodies skipped). "
        f"{entry.get('in_training', entry['mined'])} mined pairs are among the training pairs "
        f"after `max_train_examples`; mining took {entry['seconds']} s.", ""]


def training_results_section(manifest: Manifest) -> list[str]:
    """The learning curve, as transformers' own cards show it: the last training loss,
    epoch, step and every validation figure of each evaluation (the Trainer's log history
    that ``staging.stage`` keeps in ``newsdesk.json``); nothing for a model trained without
    evaluations."""
    from transformers.modelcard import make_markdown_table, parse_log_history

    _, evaluations, _ = parse_log_history(manifest.training.get(LOG_HISTORY) or [])
    if not evaluations:
        return []
    return ["## Training results", "",
            "Every validation evaluation during training; the weights kept: "
            f"{manifest.training.get('checkpoint', 'the last')}.", "",
            make_markdown_table(evaluations).rstrip("\n"), ""]


def calibration_section(manifest: Manifest) -> list[str]:
    """For a temperature-scaled model: T, what it was fitted on, and the expected
    calibration error before and after on each split."""
    entry = manifest.extras.get("calibration")
    if not entry:
        return []
    fitted = entry["fitted_on"]
    rows = [f"| {split} | {scores['n']} | {100 * scores['ece_before']:.2f} | "
            f"{100 * scores['ece_after']:.2f} | {scores['nll_before']:.4f} | "
            f"{scores['nll_after']:.4f} |" for split, scores in entry["splits"].items()]
    return [
        "## Calibration", "",
        f"Scores are temperature-scaled: the logits are divided by T = "
        f"{entry['temperature']:.4g} before the softmax, T fitted on the {fitted['split']} "
        f"split ({fitted['n']} examples) by minimising the negative log-likelihood, never on "
        "test. A text read as one window keeps its label; only the scores move. Expected "
        f"calibration error (ECE, {entry['ece_bins']} bins, percent; 0 is perfect) and "
        "negative "
        "log-likelihood (NLL), before (T = 1) and after:", "",
        "| split | n | ECE before | ECE after | NLL before | NLL after |",
        "|---|---|---|---|---|---|", *rows, ""]


def hub_base_model(base: str) -> str | None:
    """The hub id of the base model: an embedded alias's, or ``base`` itself when it is a
    hub id; None for a local dir (a path on the training machine means nothing on the hub).

    >>> hub_base_model("mpnet-base"), hub_base_model("t5-small"), hub_base_model("/tmp/x/y")
    ('sentence-transformers/all-mpnet-base-v2', 't5-small', None)
    """
    if base in ALIAS_HUB_IDS:
        return ALIAS_HUB_IDS[base]
    if not base or Path(base).exists():
        return None
    try:
        validate_repo_id(base)
    except HFValidationError:
        return None
    return base


def dataset_id(source: str | None) -> str | None:
    """What the card's ``datasets`` calls a data source: a built-in set's name, an
    ``hf:`` set's hub id (without its column mapping), ``fnc1`` / ``semeval`` for those
    files; None for a local file or ``disk:`` folder.

    >>> dataset_id("hf:SetFit/bbc-news?text=body"), dataset_id("fnc1:/data/fnc")
    ('SetFit/bbc-news', 'fnc1')
    >>> dataset_id("bbc-news"), dataset_id("data/news.jsonl")
    ('bbc-news', None)
    """
    if not source:
        return None
    if source in BUILTIN:
        return source
    prefix, _, location = source.partition(":")
    if prefix == "hf" and location:
        return location.partition("?")[0]
    return prefix if prefix in FORMATS and location else None


def dataset_label(source: str) -> str:
    """A name for the data a metric was measured on: its ``dataset_id``, or a local file's
    or folder's name (never its directories)."""
    return dataset_id(source) or Path(source.partition("?")[0].removeprefix("disk:")).name


def training_datasets(manifest: Manifest) -> list[str]:
    """The ``dataset_id`` of the training and validation sources, once each."""
    ids = (dataset_id(manifest.data.get(key)) for key in ("source", "validation"))
    return list(dict.fromkeys(i for i in ids if i))


def eval_results(manifest: Manifest) -> list[EvalResult]:
    """Every finite numeric metric of the test and validation splits, as the manifest
    holds it (fractions; ``words`` in words), for the card's ``model-index``."""
    task, results = get_task(manifest.task), []
    for split in EVAL_SPLITS:
        metrics = manifest.metrics.get(split) or {}
        source = manifest.data.get(split) or manifest.data.get("source") or "unknown"
        for key, value in metrics.items():
            if key == "n" or not _is_finite_number(value):
                continue
            metric = HUB_METRICS.get(key, HubMetric(key, key))
            results.append(EvalResult(
                task_type=task.pipeline_tag, task_name=task.title,
                dataset_type=dataset_label(source), dataset_name=dataset_label(source),
                dataset_split=split, metric_type=metric.type, metric_name=metric.name,
                metric_config=metric.config, metric_args=metric.args, metric_value=value))
    return results


def _is_finite_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def card_data(config: RecipeConfig, manifest: Manifest) -> ModelCardData:
    """The card's YAML metadata. No ``license``: the base encoders are Apache-2.0, but the
    built-in news text is for research use only, which the body says."""
    task = get_task(manifest.task)
    tags = ["newsdesk", task.name, "news", task.pipeline_tag]
    tags += [kind for kind in ("hybrid", "frozen") if manifest.extras.get(kind)]
    if manifest.extras.get(SUMMARY_KIND_KEY) in EXTRACTIVE_KINDS:
        tags.append("extractive")
    results = eval_results(manifest)
    return ModelCardData(
        language="en", library_name="newsdesk", pipeline_tag=task.pipeline_tag,
        tags=tags, base_model=hub_base_model(manifest.base_model),
        datasets=training_datasets(manifest) or None,
        metrics=list(dict.fromkeys(r.metric_type for r in results)) or None,
        model_name=config.name, eval_results=results or None)


def card_body(config: RecipeConfig, manifest: Manifest) -> str:
    """The Markdown below the metadata: metrics, use, how labels are made, how the recipe
    was chosen, intended use and limits."""
    task, hub_id = get_task(manifest.task), hub_base_model(manifest.base_model)
    on_hub = (f" (`{hub_id}` on the Hugging Face hub)"
              if hub_id and hub_id != manifest.base_model else "")
    lines = [
        f"# {config.name}", "",
        config.description or f"A newsdesk {manifest.task} model.", "",
        f"- task: **{manifest.task}**; labels: {', '.join(manifest.labels) or '(generated text)'}",
        f"- base model: `{manifest.base_model}`{on_hub}",
        input_line(manifest),
        f"- training data: `{manifest.data.get('source')}` "
        f"({manifest.data.get('splits', {})})", "",
        "## Metrics (percent)", "", *metrics_table(manifest.metrics), "",
        "## Use", "", "```python",
        f"from newsdesk import {task.model_class_name}",
        f"model = {task.model_class_name}.from_pretrained({str(config.output_dir)!r})",
        "```", "",
        *serving_lines(manifest, str(config.output_dir)),
        *labels_section(manifest),
        *mined_negatives_section(manifest),
        *hybrid_section(manifest),
        *frozen_section(manifest),
        *extractive_section(manifest),
        *calibration_section(manifest),
        *training_results_section(manifest),
        *selection_lines(manifest.extras.get("selection"), manifest.metrics.get("test")),
        LIMITS_HEADING, "", task.intended_use,
        "Trained on a small set of English news from a few outlets and years; expect lower "
        "accuracy on other outlets, eras, languages or genres, and check it on your own "
        "labelled sample (`newsdesk evaluate`). The training text is licensed for research "
        "use only.", "",
        f"Written by newsdesk {manifest.versions.get('newsdesk')}; settings in newsdesk.json.",
    ]
    return "\n".join(lines) + "\n"


def model_card(config: RecipeConfig, manifest: Manifest) -> ModelCard:
    """The card: YAML metadata between ``---`` lines, then the Markdown body."""
    return ModelCard(f"---\n{card_data(config, manifest).to_yaml()}\n---\n\n"
                     f"{card_body(config, manifest)}")


def write_model_card(directory: Path, config: RecipeConfig, manifest: Manifest) -> Path:
    """Write README.md (atomically) with metadata, metrics, training data, intended use
    and limits."""
    return write_text_atomically(directory / "README.md", str(model_card(config, manifest)))
