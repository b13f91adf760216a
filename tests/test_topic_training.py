"""Train a tiny random BERT on real BBC news with the real Trainer, then use it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import json_from_new_process, make_tiny_base, make_tiny_classifier

from newsdesk import TopicClassifier
from newsdesk.batching import pad_batch
from newsdesk.manifest import Manifest
from newsdesk_train.cli import main as train_main

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("topic")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "topics.jsonl",
                       topic_rows({"train": 40, "validation": 10, "test": 10}))
    path = recipe(root / "recipe.yaml", task="topic", source=data, base=base,
                  output=root / "model")
    assert train_main([str(path)]) == 0
    return root / "model"


def test_model_dir_has_the_promised_files(trained: Path) -> None:
    names = {p.name for p in trained.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "newsdesk.json",
            "README.md"} <= names
    assert "training_args.bin" not in names and "pytorch_model.bin" not in names
    config = json.loads((trained / "config.json").read_text())
    manifest = Manifest.load(trained)
    assert sorted(config["id2label"].values()) == manifest.labels == [
        "business", "entertainment", "politics", "sport", "tech"]
    assert manifest.task == "topic" and manifest.windowing.mode == "all"
    assert set(manifest.metrics) == {"validation", "test"}
    assert manifest.training["checkpoint"] == "best validation accuracy"
    assert manifest.metrics["test"]["n"] == 10
    assert "transformers" in manifest.versions
    card = (trained / "README.md").read_text()
    assert "| test | 10 |" in card and "Intended use and limits" in card


def test_the_trained_cards_metadata_holds_the_manifests_metrics(trained: Path) -> None:
    from huggingface_hub import ModelCard

    manifest, card = Manifest.load(trained), ModelCard.load(trained / "README.md")
    figures = {(r.dataset_split, r.metric_name): r.metric_value for r in card.data.eval_results}
    assert figures == {(split, name): manifest.metrics[split][key]
                       for split in ("test", "validation")
                       for name, key in (("Accuracy", "accuracy"), ("Macro-F1", "macro_f1"),
                                         ("Expected calibration error", "ece"))}
    assert card.data.library_name == "newsdesk" and card.data.datasets is None  # local file
    assert card.data.model_name == manifest.training["recipe"]


def test_predict_returns_label_strings_and_probabilities(trained: Path) -> None:
    classifier = TopicClassifier.from_pretrained(trained)
    predictions = classifier.predict(["Shares fell sharply.", "The striker scored twice."])
    assert len(predictions) == 2
    for prediction in predictions:
        assert list(prediction.scores) == classifier.labels
        assert prediction.label == max(prediction.scores, key=prediction.scores.get)
        assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-5)
        assert prediction.score == max(prediction.scores.values())


def test_long_text_is_windowed_not_truncated(trained: Path, tmp_path: Path) -> None:
    from newsdesk.windowing import encode_windows

    classifier = TopicClassifier.from_pretrained(trained)
    long_text = " ".join(f"On day {i} the {place} council met to discuss the {topic} budget."
                         for i, (place, topic) in enumerate(zip(
                             ["Leeds", "Oslo", "Lima", "Cairo", "Perth"] * 8,
                             ["school", "river", "rail", "health"] * 10)))
    windows = encode_windows(classifier.tokenizer, [long_text], classifier.windowing)
    assert len(windows.features) > 5
    assert all(len(f["input_ids"]) <= 64 for f in windows.features)
    # Every window is scored and the text's probabilities are their mean. The trained tiny
    # model scores every window alike, so a random one (same windowing) tells the mean of
    # all windows from the first window's.
    random = TopicClassifier.from_pretrained(make_tiny_classifier(
        tmp_path / "random", windowing=classifier.windowing))
    logits = np.concatenate([random.runner(pad_batch(random.tokenizer, windows.features[i:i + 4]))
                             for i in range(0, len(windows.features), 4)])
    window_probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mean = window_probs.mean(axis=0)
    assert np.abs(window_probs[0] - mean).max() > 0.01
    assert random.predict_proba([long_text])[0] == pytest.approx(mean, abs=1e-5)


def test_reload_in_new_process_gives_same_predictions(trained: Path) -> None:
    texts = ["Parliament votes on the budget.", "A new phone chip was unveiled.",
             "The film won three awards."]
    here = [(p.label, round(p.score, 5))
            for p in TopicClassifier.from_pretrained(trained).predict(texts)]
    script = ("import json,sys; from newsdesk import TopicClassifier; "
              f"p = TopicClassifier.from_pretrained({str(trained)!r}).predict({texts!r}); "
              "print(json.dumps([[x.label, round(x.score, 5)] for x in p]))")
    assert [tuple(x) for x in json_from_new_process(script)] == here


def test_transformers_pipeline_gives_the_same_labels(trained: Path) -> None:
    from transformers import pipeline

    texts = ["Parliament votes on the budget.", "The striker scored twice."]
    classifier = TopicClassifier.from_pretrained(trained)
    ours = [p.label for p in classifier.predict(texts)]
    theirs = [r["label"] for r in pipeline("text-classification", model=str(trained),
                                           device="cpu")(texts)]
    assert ours == theirs


def test_resume_without_checkpoint_is_a_clear_error(tmp_path: Path, trained: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = recipe(tmp_path / "r.yaml", task="topic", source=tmp_path / "none.jsonl",
                  base=trained, output=tmp_path / "fresh")
    assert train_main([str(path), "--resume"]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_topic_model_refuses_stance_use(trained: Path) -> None:
    from newsdesk import StanceClassifier
    from newsdesk.errors import ModelError

    with pytest.raises(ModelError, match="a topic model, not a stance model"):
        StanceClassifier.from_pretrained(trained)


def test_a_null_validation_split_trains_without_validation(tmp_path: Path) -> None:
    """No validation set: nothing evaluated on the whole file, the last checkpoint kept,
    and the manifest says so (no "validation" metrics)."""
    base = make_tiny_base(tmp_path / "base")
    data = write_jsonl(tmp_path / "topics.jsonl",
                       topic_rows({"train": 20, "validation": 10, "test": 10}))
    path = recipe(tmp_path / "recipe.yaml", task="topic", source=data, base=base,
                  output=tmp_path / "model",
                  extra_training="  early_stopping_patience: 1\n  best_model_metric: loss")
    assert train_main([str(path), "--set", "data.validation_split="]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert set(manifest.metrics) == {"test"} and manifest.metrics["test"]["n"] == 10
    assert manifest.data["validation"] is None
    assert manifest.data["splits"] == {"train": 20, "validation": 0, "test": 10}
    assert manifest.training["checkpoint"] == "last (no validation set)"
    assert manifest.training["global_steps"] == 6  # 2 epochs of 3 batches: no early stop


def test_multi_label_mode_tunes_thresholds(tmp_path: Path) -> None:
    base = make_tiny_base(tmp_path / "base")
    source = Path(__file__).parent / "fixtures" / "multilabel.jsonl"
    path = recipe(tmp_path / "recipe.yaml", task="topic", source=source, base=base,
                  output=tmp_path / "model", extra_model="  multi_label: true")
    assert train_main([str(path)]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.multi_label
    assert sorted(manifest.thresholds) == ["economy", "health", "politics", "sport"]
    assert all(0.0 < t < 1.0 for t in manifest.thresholds.values())
    assert {"micro_f1", "macro_f1", "samples_f1", "subset_accuracy"} <= set(
        manifest.metrics["test"])
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    predictions = TopicClassifier.from_pretrained(tmp_path / "model").predict(
        ["The minister promised money for hospitals.", "The striker scored twice.",
         "Parliament passed the budget after a long debate on tax rises."])
    for prediction in predictions:  # every label at or over its threshold, else the top one
        above = tuple(label for label in manifest.labels
                      if prediction.scores[label] >= manifest.thresholds[label])
        assert prediction.labels == (above or (prediction.label,))


def test_cli_analyze_prints_topic_and_summary(trained: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.cli import main as cli_main

    article = Path(__file__).resolve().parents[1] / "datasets" / "samples" / "article.txt"
    assert cli_main(["analyze", str(article), "--topic", str(trained), "--summary", "lead",
                     "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["topic"]["label"] in ("business", "entertainment", "politics", "sport",
                                        "tech")
    # the sample is hard-wrapped: the summary must be whole sentences, joined across lines
    assert result["summary"].startswith("Shares in the chipmaker rose 12% on Thursday")
    assert "well ahead of analysts' expectations" in result["summary"]
    assert len(result["summary"].split()) <= 50


def test_the_learning_curve_is_kept_in_the_manifest_and_shown_on_the_card(
        trained: Path) -> None:
    history = Manifest.load(trained).training["log_history"]
    evaluations = [entry for entry in history if "eval_loss" in entry]
    assert evaluations and all("eval_accuracy" in entry and "epoch" in entry
                               for entry in evaluations)
    card = (trained / "README.md").read_text(encoding="utf-8")
    section = card.split("## Training results", 1)[1]
    assert "Validation Loss" in section and "Accuracy" in section
    assert section.count("\n| ") >= len(evaluations) + 1  # header + one row per evaluation
