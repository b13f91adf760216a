"""Tiny data for fast tests: a few real news records per split (bbc-news, news-articles) as
JSONL rows, and small YAML recipes that train the tiny base (``tiny_models``) on them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.data import load
from newsdesk.data.records import Record

TOPICS = ["business", "entertainment", "politics", "sport", "tech"]  # bbc-news labels
TEXTS = ["Parliament votes on the budget after a long debate.",
         "A new phone chip was unveiled by the firm in Taipei.",
         "The film won three awards at the festival.",
         "Shares in the bank fell sharply on Monday.",
         "The striker scored twice as the club won the cup."]


def few_per_topic(split: str, count: int) -> list[Record]:
    """The first ``count`` records of each topic in a bbc-news split."""
    records = load("bbc-news", split=split)
    return [r for topic in TOPICS for r in [x for x in records if x.label == topic][:count]]


def write_jsonl(path: Path, rows: Sequence[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def small_split(source: str, per_split: dict[str, int]) -> list[Record]:
    """The first records of each split of a built-in set (real news, few of them)."""
    out: list[Record] = []
    for split, count in per_split.items():
        out.extend(load(source, split=split)[:count] if count else [])
    return out


def topic_rows(per_split: dict[str, int]) -> list[dict]:
    """bbc-news records (all 5 topics in each split) as JSONL rows with their split."""
    rows: list[dict] = []
    for split, count in per_split.items():
        records = load("bbc-news", split=split)
        by_topic: dict[str, list[Record]] = {}
        for record in records:
            by_topic.setdefault(str(record.label), []).append(record)
        picked = [r for group in by_topic.values() for r in group[:count // len(by_topic)]]
        rows += [{"id": r.id, "text": r.text[:1500], "title": r.title, "label": r.label,
                  "split": split} for r in picked]
    return rows


def summary_rows(per_split: dict[str, int], without_summary: int = 3) -> list[dict]:
    """news-articles records with a standfirst per split, plus a few without one (train)."""
    records = small_split("news-articles", {s: 200 for s in per_split})
    rows, kept = [], dict.fromkeys(per_split, 0)
    for record in records:
        split = record.meta["split"]
        has = bool(record.summary)
        if (has and kept[split] < per_split[split]) or (
                not has and split == "train" and without_summary > 0):
            without_summary -= not has
            kept[split] += has
            rows.append({"id": record.id, "text": record.text[:1200], "title": record.title,
                         "summary": record.summary, "split": split,
                         "source": record.meta["source"]})
    return rows


#: generation.max_new_tokens of ``summary_recipe``.
SUMMARY_MAX_NEW_TOKENS = 12


def summary_recipe(path: Path, *, source: Path, base: Path, output: Path,
                   summary: str = "", max_steps: int = 4) -> Path:
    """A small summary recipe for a bert2bert of the tiny base."""
    path.write_text(f"""
name: tiny-summary
task: summary
data:
  source: {source}
model:
  base: {base}
  max_length: 64
  stride: 0
summary:
  max_target_length: 16
{summary}
training:
  epochs: 1
  max_steps: {max_steps}
  learning_rate: 5e-4
  batch_size: 4
  eval_batch_size: 8
  seed: 7
  logging_steps: 2
  early_stopping_patience: null
generation:
  num_beams: 2
  max_new_tokens: {SUMMARY_MAX_NEW_TOKENS}
  min_new_tokens: 2
  no_repeat_ngram_size: 3
output_dir: {output}
""", encoding="utf-8")
    return path


def extractive_recipe(path: Path, *, source: Path, base: Path, output: Path,
                      extractive: str = "", max_steps: int = 4) -> Path:
    """A small extractive summary recipe (a sentence scorer) for the tiny base."""
    path.write_text(f"""
name: tiny-extractive
task: summary
data:
  source: {source}
model:
  base: {base}
  max_length: 64
  stride: 0
  attention_dropout: 0.0
extractive:
  window: 6
  context_sentences: 1
  k: 3
  negatives_per_article: 2
{extractive}
training:
  epochs: 1
  max_steps: {max_steps}
  learning_rate: 5e-4
  batch_size: 8
  eval_batch_size: 16
  seed: 7
  logging_steps: 2
  early_stopping_patience: null
output_dir: {output}
""", encoding="utf-8")
    return path


def recipe(path: Path, *, task: str, source: Path, base: Path, output: Path,
           extra_model: str = "", extra_training: str = "") -> Path:
    """A small YAML recipe for the tiny base."""
    path.write_text(f"""
name: tiny-{task}
task: {task}
data:
  source: {source}
model:
  base: {base}
  max_length: 64
  stride: 16
{extra_model}
training:
  epochs: 2
  learning_rate: 5e-4
  batch_size: 8
  seed: 7
  logging_steps: 5
  early_stopping_patience: null
{extra_training}
output_dir: {output}
""", encoding="utf-8")
    return path


def topic_predictions(model_dir: Path, texts: Sequence[str], *,
                      new_process: bool = False) -> list[list[Any]]:
    """``[label, scores]`` of each text by ``TopicClassifier.from_pretrained(model_dir)``,
    loaded here or in a fresh Python process, as JSON gives them back."""
    if new_process:
        from tiny_models import json_from_new_process

        return json_from_new_process(
            "import json; from newsdesk import TopicClassifier; "
            f"p = TopicClassifier.from_pretrained({str(model_dir)!r}).predict({list(texts)!r}); "
            "print(json.dumps([[x.label, x.scores] for x in p]))")
    from newsdesk import TopicClassifier

    predictions = TopicClassifier.from_pretrained(model_dir).predict(list(texts))
    return json.loads(json.dumps([[p.label, p.scores] for p in predictions]))


def topic_accuracy(model_dir: Path, rows: Sequence[dict]) -> float:
    """The share of ``rows`` (``{"text", "label"}``) the dir's topic model labels right."""
    from newsdesk import TopicClassifier

    predictions = TopicClassifier.from_pretrained(model_dir).predict([r["text"] for r in rows])
    return sum(p.label == r["label"] for p, r in zip(predictions, rows)) / len(rows)


def exported_copy(model_dir: Path, into: Path) -> Path:
    """A copy of ``model_dir`` (as ``into/model``) with its fp32 and int8 ONNX exports."""
    import shutil

    from newsdesk.onnx_export import ExportOptions, export_onnx

    directory = Path(shutil.copytree(model_dir, into / "model"))
    export_onnx(directory, ExportOptions(int8=True))
    return directory
