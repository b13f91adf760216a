"""Hugging Face data sets, offline: ``disk:<path>`` (saved with ``save_to_disk``) and
``hf:<id>`` (here a local folder, which ``datasets.load_dataset`` reads as the hub loader
does), with column mapping, ClassLabel names and clear split errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tiny_data import recipe, topic_rows
from tiny_models import make_tiny_base

from newsdesk import TopicClassifier
from newsdesk.cli import main as cli_main
from newsdesk.data import load
from newsdesk.errors import DataError
from newsdesk.manifest import Manifest
from newsdesk_train.cli import main as train_main

TOPICS = ["business", "entertainment", "politics", "sport", "tech"]


def save_splits(path: Path, splits: dict[str, list[dict[str, Any]]],
                features: dict[str, Any]) -> Path:
    """A DatasetDict of ``splits`` with ``features``, saved with ``save_to_disk``."""
    from datasets import Dataset, DatasetDict, Features

    DatasetDict({name: Dataset.from_list(rows, features=Features(features))
                 for name, rows in splits.items()}).save_to_disk(str(path))
    return path


def news_features(**extra: Any) -> dict[str, Any]:
    """AG News style: ``content`` text and ``category`` an integer ClassLabel."""
    from datasets import ClassLabel, Value

    return {"content": Value("string"), "category": ClassLabel(names=TOPICS),
            "outlet": Value("string"), **extra}


def row(text: str, topic: str, outlet: str = "BBC") -> dict[str, Any]:
    return {"content": text, "category": TOPICS.index(topic), "outlet": outlet}


@pytest.fixture
def news(tmp_path: Path) -> Path:
    return save_splits(tmp_path / "news", {
        "train": [row("Shares rose.", "business"), row("A late goal.", "sport")],
        "test": [row("A new phone.", "tech", "CNN")],
    }, news_features())


def test_columns_are_mapped_and_class_labels_named(news: Path) -> None:
    records = load(f"disk:{news}?text=content&label=category", split="train")
    assert [(r.text, r.label) for r in records] == [("Shares rose.", "business"),
                                                    ("A late goal.", "sport")]
    assert records[0].meta == {"outlet": "BBC", "split": "train"}
    assert [r.id for r in records] == ["train-1", "train-2"]


def test_no_split_gives_every_split_tagged(news: Path) -> None:
    records = load(f"disk:{news}?text=content&label=category")
    assert Counter(r.meta["split"] for r in records) == {"train": 2, "test": 1}
    assert [r.label for r in records if r.meta["split"] == "test"] == ["tech"]


def test_a_missing_split_names_the_splits_there_are(news: Path) -> None:
    with pytest.raises(DataError, match=r"has no split 'validation' \(it has train, test\)"):
        load(f"disk:{news}?text=content&label=category", split="validation")


def test_a_single_dataset_without_splits(tmp_path: Path) -> None:
    from datasets import Dataset

    path = tmp_path / "one"
    Dataset.from_dict({"text": ["Rates rose.", "Goal!"], "label": ["business", "sport"],
                       "split": ["train", "test"]}).save_to_disk(str(path))
    assert [r.label for r in load(f"disk:{path}")] == ["business", "sport"]
    assert [r.text for r in load(f"disk:{path}", split="test")] == ["Goal!"]


def test_multi_label_class_lists_become_label_tuples(tmp_path: Path) -> None:
    from datasets import ClassLabel, List

    path = save_splits(tmp_path / "multi", {"train": [
        {"content": "Tech firm fined.", "category": 0, "outlet": "DW", "tags": [0, 4]}]},
        news_features(tags=List(ClassLabel(names=TOPICS))))
    record = load(f"disk:{path}?text=content&label=tags", split="train")[0]
    assert record.label == ("business", "tech")


@pytest.mark.parametrize(("query", "message"), [
    ("text=body&label=category", r"\[train\]: no column 'body' \(it has content, category"),
    ("text=content&topic=category", "unknown record field 'topic'"),
    ("text=content", "column 'label' .* holds integers without ClassLabel names"),
    ("text=content&label=", "record field 'label' needs one column name"),
    ("text=content&label", "'text=content&label' is not field=column&field=column"),
])
def test_bad_mappings_are_one_clear_error(tmp_path: Path, query: str, message: str) -> None:
    from datasets import Value

    path = save_splits(tmp_path / "ints", {"train": [
        {"content": "Rates rose.", "category": 0, "outlet": "BBC", "label": 3}]},
        news_features(label=Value("int64")))
    with pytest.raises(DataError, match=message):
        load(f"disk:{path}?{query}")


def test_not_a_saved_data_set_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"disk:.*could not load the data set"):
        load(f"disk:{tmp_path}")


def test_hf_spec_reads_named_splits_and_refuses_a_missing_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-cache")
    folder = tmp_path / "hub-like"
    folder.mkdir()
    for split, lines in (("train", [("Shares rose.", "business")]),
                         ("test", [("Goal!", "sport"), ("Chip shortage.", "tech")])):
        (folder / f"{split}.jsonl").write_text("".join(
            json.dumps({"body": t, "topic": label}) + "\n" for t, label in lines),
            encoding="utf-8")
    spec = f"hf:{folder}?text=body&label=topic"
    assert [r.label for r in load(spec, split="test")] == ["sport", "tech"]
    assert Counter(r.meta["split"] for r in load(spec)) == {"train": 1, "test": 2}
    with pytest.raises(DataError, match=r"has no split 'validation' \(it has train, test\)"):
        load(spec, split="validation")


def test_cli_column_options(news: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["data", "show", f"disk:{news}", "--text-column", "content",
                     "--label-column", "category"]) == 0
    out = capsys.readouterr().out
    assert "3 records" in out and "business" in out and "tech" in out
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"text": "x", "label": "tech"}\n', encoding="utf-8")
    assert cli_main(["data", "show", str(plain), "--text-column", "body"]) == 2
    assert "applies to hf:<id> and disk:<path> data sets only" in capsys.readouterr().err


def test_topic_recipe_trains_on_a_saved_data_set_with_a_column_mapping(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = topic_rows({"train": 10, "validation": 5, "test": 5})
    splits = {name: [row(r["text"], r["label"]) for r in rows if r["split"] == name]
              for name in ("train", "validation", "test")}
    data = save_splits(tmp_path / "bbc", splits, news_features())
    path = recipe(tmp_path / "recipe.yaml", task="topic", source=Path(f"disk:{data}"),
                  base=make_tiny_base(tmp_path / "base"), output=tmp_path / "model")
    assert train_main([str(path), "--max-steps", "2", "--set", "data.text_column=content",
                       "--set", "data.label_column=category"]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.labels == TOPICS
    assert manifest.training["global_steps"] == 2
    assert manifest.metrics["test"]["n"] == len(splits["test"])
    prediction = TopicClassifier.from_pretrained(tmp_path / "model").predict(["Goal!"])[0]
    assert set(prediction.scores) == set(TOPICS)
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(tmp_path / "model"), "--data", f"disk:{data}",
                     "--text-column", "content", "--label-column", "category",
                     "--split", "test", "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["metrics"]["n"] == len(splits["test"])
    assert report["data"] == f"disk:{data}?text=content&label=category"
