"""Tiny model dirs written directly (no training) for the reliability tests: a random
2-layer BERT classifier with the real MiniLM tokenizer and a newsdesk.json, in seconds; and
a classifier's own padded window batches, for comparing backends logit by logit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.manifest import Manifest, Windowing

TOPIC_LABELS = ("business", "sport", "tech")
STANCE_LABELS = ("agree", "disagree", "unrelated")


def make_tiny_classifier(directory: Path, *, task: str = "topic",
                         windowing: Windowing | None = None, seed: int = 0,
                         labels: Sequence[str] | None = None,
                         initializer_range: float = 0.5) -> Path:
    """A loadable topic or stance model dir: safetensors, config with labels, manifest.

    ``labels`` defaults to the task's small label set; a larger ``initializer_range``
    pushes logits further from 0."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from newsdesk.assets import model_path

    if labels is None:
        labels = TOPIC_LABELS if task == "topic" else STANCE_LABELS
    labels = list(labels)
    tokenizer = AutoTokenizer.from_pretrained(model_path("minilm-l6"))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=512, initializer_range=initializer_range,
                        id2label=dict(enumerate(labels)),
                        label2id={label: i for i, label in enumerate(labels)})
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    Manifest(task=task, labels=labels, windowing=windowing or Windowing(max_length=64, stride=16),
             pair_order=["target", "text"] if task == "stance" else None).save(directory)
    return directory


def edit_json(path: Path, **changes: object) -> Path:
    """Set top-level keys of a JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def window_batches(classifier: Any, texts: Sequence[str],
                   targets: Sequence[str] | None = None,
                   size: int = 5) -> list[dict[str, np.ndarray]]:
    """The classifier's own padded batches of the windows of ``texts``, ``size`` windows
    of similar length each."""
    from newsdesk.windowing import encode_windows

    windows = encode_windows(classifier.tokenizer, list(texts), classifier.windowing,
                             None if targets is None else list(targets))
    features = sorted(windows.features, key=lambda f: len(f["input_ids"]))
    return [classifier._pad(features[i:i + size]) for i in range(0, len(features), size)]
