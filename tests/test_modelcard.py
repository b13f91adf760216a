"""The model card: YAML metadata the hub's own loaders read (base model, data sets, the
manifest's metrics in ``model-index``) above the Markdown body; built offline."""

from __future__ import annotations

import doctest
import math
from pathlib import Path
from typing import Any

from huggingface_hub import ModelCard, metadata_load

import newsdesk_train.modelcard
from newsdesk.assets import ALIAS_HUB_IDS, MODEL_ALIASES
from newsdesk.manifest import Manifest, Windowing
from newsdesk_train.config import RecipeConfig
from newsdesk_train.modelcard import write_model_card

TOPIC_METRICS = {
    "validation": {"n": 211, "accuracy": 0.995260663507109, "macro_f1": 0.9951212512555603,
                   "per_class": {"sport": {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                           "support": 50}}},
    "test": {"n": 418, "accuracy": 0.9712918660287081, "macro_f1": 0.9703839350275016,
             "per_class": {"sport": {"precision": 0.98, "recall": 1.0, "f1": 0.99,
                                     "support": 98}}},
}


def topic_manifest(**changes: Any) -> Manifest:
    values: dict[str, Any] = {
        "task": "topic", "labels": ["business", "sport"], "base_model": "mpnet-base",
        "windowing": Windowing(max_length=256, mode="first"),
        "data": {"source": "bbc-news", "validation": "bbc-news", "test": "bbc-news",
                 "splits": {"train": 1463, "validation": 211, "test": 418}},
        "metrics": TOPIC_METRICS}
    return Manifest(**{**values, **changes})


def write_card(directory: Path, manifest: Manifest, name: str = "topic-demo") -> Path:
    config = RecipeConfig(name=name, task=manifest.task, description="A demo card.")
    return write_model_card(directory, config, manifest)


def model_index_metrics(path: Path) -> dict[tuple[str, str, str], Any]:
    """(split, metric type, metric name) -> value, read back by ``ModelCard.load``."""
    card = ModelCard.load(path)
    return {(r.dataset_split, r.metric_type, r.metric_name): r.metric_value
            for r in card.data.eval_results}


def test_front_matter_parses_with_the_hubs_loaders_and_names_base_model_and_data(
        tmp_path: Path) -> None:
    path = write_card(tmp_path, topic_manifest())
    metadata = metadata_load(path)
    assert metadata["base_model"] == "sentence-transformers/all-mpnet-base-v2"
    assert metadata["datasets"] == ["bbc-news"]
    assert metadata["library_name"] == "newsdesk"
    assert metadata["pipeline_tag"] == "text-classification"
    assert {"newsdesk", "topic"} <= set(metadata["tags"]) and metadata["language"] == "en"
    assert metadata["model-index"][0]["name"] == "topic-demo"
    card = ModelCard.load(path)
    assert card.data.base_model == metadata["base_model"]
    assert card.text.lstrip().startswith("# topic-demo\n")


def test_model_index_holds_the_manifests_test_and_validation_figures(tmp_path: Path) -> None:
    metrics = model_index_metrics(write_card(tmp_path, topic_manifest()))
    assert metrics == {
        (split, kind, name): TOPIC_METRICS[split][key]
        for split in ("test", "validation")
        for kind, name, key in (("accuracy", "Accuracy", "accuracy"),
                                ("f1", "Macro-F1", "macro_f1"))}
    results = metadata_load(tmp_path / "README.md")["model-index"][0]["results"]
    assert results[0]["dataset"] == {"name": "bbc-news", "type": "bbc-news", "split": "test"}
    assert results[0]["metrics"][1]["args"] == {"average": "macro"}


def test_the_body_keeps_every_section_below_the_metadata(tmp_path: Path) -> None:
    selection = {"how": "Chosen by 5-fold CV.", "cv_missing": "cv.json not found"}
    hybrid = {"tfidf_weight": 0.6, "C": 100.0, "ngram_max": 2, "min_df": 2,
              "vocabulary_size": 74406}
    path = write_card(tmp_path, topic_manifest(extras={"hybrid": hybrid,
                                                       "selection": selection}))
    body = ModelCard.load(path).text
    for heading in ("## Metrics (percent)", "## Use", "## Hybrid labels",
                    "## How this recipe was chosen", "## Intended use and limits"):
        assert f"\n{heading}\n" in body
    assert "| test | 418 | 97.13 | 97.04 |" in body
    assert "- base model: `mpnet-base` (`sentence-transformers/all-mpnet-base-v2`" in body
    assert "Test split (read once): accuracy 97.13" in body
    assert "hybrid" in metadata_load(path)["tags"]


def test_every_embedded_base_model_alias_has_a_hub_id() -> None:
    assert set(ALIAS_HUB_IDS) == set(MODEL_ALIASES)


def test_local_base_and_data_stay_out_of_the_metadata_but_metrics_stay_in(
        tmp_path: Path) -> None:
    base = tmp_path / "bases" / "tiny-bert"
    base.mkdir(parents=True)
    data = str(tmp_path / "data" / "news.jsonl")
    manifest = topic_manifest(base_model=str(base),
                              data={"source": data, "validation": data, "test": data})
    path = write_card(tmp_path, manifest)
    metadata = metadata_load(path)
    assert "base_model" not in metadata and "datasets" not in metadata
    results = metadata["model-index"][0]["results"]
    assert {r["dataset"]["type"] for r in results} == {"news.jsonl"}
    assert str(tmp_path) not in path.read_text(encoding="utf-8").split("\n---\n")[0]


def test_summary_and_stance_metrics_go_in_as_they_are(tmp_path: Path) -> None:
    summary = Manifest(task="summary", base_model="t5-small",
                       data={"source": "news-articles", "test": "news-articles"},
                       metrics={"test": {"n": 40, "rouge1": 0.31, "rouge2": 0.12,
                                         "rougeLsum": 0.27, "words": 23.5,
                                         "novel_bigrams": None}})
    path = write_card(tmp_path / "summary", summary)
    assert metadata_load(path)["pipeline_tag"] == "summarization"
    assert metadata_load(path)["base_model"] == "t5-small"
    assert model_index_metrics(path) == {
        ("test", "rouge", "ROUGE-1"): 0.31, ("test", "rouge", "ROUGE-2"): 0.12,
        ("test", "rouge", "ROUGE-Lsum"): 0.27, ("test", "words", "words"): 23.5}
    stance = Manifest(task="stance", labels=["agree", "unrelated"], base_model="minilm-l6",
                      data={"source": "headline-stance", "test": "fnc1:/data/fnc-1"},
                      metrics={"test": {"n": 3, "accuracy": 2 / 3, "macro_f1": 0.5,
                                        "fnc_relative": 0.75, "semeval_f_avg": math.nan}})
    path = write_card(tmp_path / "stance", stance)
    metrics = model_index_metrics(path)
    assert metrics[("test", "fnc_relative", "fnc_relative")] == 0.75
    assert metrics[("test", "accuracy", "Accuracy")] == 2 / 3
    assert not any(kind == "semeval_f_avg" for _, kind, _ in metrics)  # NaN left out
    results = metadata_load(path)["model-index"][0]["results"]
    assert results[0]["dataset"]["type"] == "fnc1"
    assert metadata_load(path)["datasets"] == ["headline-stance"]


def test_a_model_without_metrics_has_no_model_index(tmp_path: Path) -> None:
    path = write_card(tmp_path, topic_manifest(metrics={}))
    metadata = metadata_load(path)
    assert "model-index" not in metadata and metadata["datasets"] == ["bbc-news"]
    assert ModelCard.load(path).data.eval_results is None


def test_the_card_is_written_whole_with_no_temporary_file_left(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("an older card", encoding="utf-8")
    path = write_card(tmp_path, topic_manifest())
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]
    assert path.read_text(encoding="utf-8").startswith("---\nbase_model: ")


def test_the_modules_examples_hold() -> None:
    result = doctest.testmod(newsdesk_train.modelcard)
    assert result.attempted >= 3 and result.failed == 0


def test_a_news_topics_card_says_what_each_label_means_and_whose_articles_taught_it(
        tmp_path: Path) -> None:
    manifest = topic_manifest(
        labels=["world", "politics"],
        data={"source": "news-topics", "splits": {"train": 5, "validation": 0, "test": 0},
              "train_by_publisher": {"world": {"cnn.com": 3, "tass.com": 1},
                                     "politics": {"bbc-news": 1}}})
    body = write_card(tmp_path, manifest).read_text(encoding="utf-8")
    labels = body.split("## Labels", 1)[1].split("\n## ", 1)[0]
    world_row = next(line for line in labels.splitlines() if line.startswith("| world |"))
    assert "foreign news" in world_row and "| 4 |" in world_row
    assert "cnn.com 3, tass.com 1" in world_row
    assert "| politics |" in labels and "bbc-news 1" in labels


def test_a_card_of_a_set_without_publishers_or_meanings_has_no_labels_section(
        tmp_path: Path) -> None:
    body = write_card(tmp_path, topic_manifest()).read_text(encoding="utf-8")
    assert "## Labels" not in body


def test_the_learning_curve_from_the_log_history_is_a_table_with_a_row_per_evaluation(
        tmp_path: Path) -> None:
    history = [{"loss": 2.5, "epoch": 0.5, "step": 10},
               {"eval_loss": 1.25, "eval_accuracy": 0.75, "eval_runtime": 3.0, "epoch": 1.0,
                "step": 20},
               {"loss": 1.0, "epoch": 1.5, "step": 30},
               {"eval_loss": 0.5, "eval_accuracy": 0.875, "eval_runtime": 3.0, "epoch": 2.0,
                "step": 40},
               {"train_runtime": 60.0, "train_loss": 1.5, "epoch": 2.0, "step": 40}]
    manifest = topic_manifest(training={"log_history": history,
                                        "checkpoint": "best validation accuracy"})
    body = ModelCard.load(write_card(tmp_path, manifest)).text
    section = body.split("## Training results", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert "Validation Loss" in rows[0] and "Accuracy" in rows[0]
    assert len(rows) == 3  # the header, then the two evaluations
    assert "0.875" in rows[2] and "1.0" in rows[2]  # the second one with its training loss
    assert "best validation accuracy" in section


def test_a_model_trained_without_evaluations_has_no_training_results(tmp_path: Path) -> None:
    manifest = topic_manifest(training={"log_history": [{"loss": 2.5, "step": 10},
                                                        {"train_runtime": 6.0, "step": 10}]})
    assert "## Training results" not in ModelCard.load(write_card(tmp_path, manifest)).text
