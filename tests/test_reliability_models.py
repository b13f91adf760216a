"""Untrusted or damaged model dirs each give one clear ModelError (pickle refused unless
allowed, remote code never run, truncated/corrupt weights, another manifest format), and a
training run that fails midway leaves nothing at its output path."""

from __future__ import annotations

import json
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from tiny_data import recipe, write_jsonl
from tiny_models import edit_json, make_tiny_base, make_tiny_classifier

from newsdesk import TopicClassifier
from newsdesk.errors import ModelError
from newsdesk_train.cli import main as train_main

EVIL_MODULE = """
import pathlib
pathlib.Path({marker!r}).write_text("remote code ran")
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast
class EvilConfig(BertConfig):
    model_type = "evil"
class EvilModel(BertForSequenceClassification):
    config_class = EvilConfig
class EvilTokenizer(BertTokenizerFast):
    pass
"""
TEXTS = ["Shares in the bank rose after profits beat forecasts.", "The striker scored twice."]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("models") / "topic")


@pytest.fixture
def copy(model_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the good model dir, free to damage."""
    return Path(shutil.copytree(model_dir, tmp_path / "copy"))


def load_error(path: Path, **options: Any) -> str:
    with pytest.raises(ModelError) as caught:
        TopicClassifier.from_pretrained(path, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def to_pickle_only(path: Path) -> Path:
    import torch
    from safetensors.torch import load_file

    torch.save(load_file(path / "model.safetensors"), path / "pytorch_model.bin")
    (path / "model.safetensors").unlink()
    return path


def test_a_pickle_only_dir_is_refused_unless_allowed(copy: Path, model_dir: Path) -> None:
    message = load_error(to_pickle_only(copy))
    assert "only pickle weights (pytorch_model.bin)" in message
    assert "allow_pickle=True" in message
    allowed = TopicClassifier.from_pretrained(copy, allow_pickle=True)
    assert allowed.predict(TEXTS) == TopicClassifier.from_pretrained(model_dir).predict(TEXTS)


def test_allow_pickle_still_reads_safetensors_first(model_dir: Path) -> None:
    strict = TopicClassifier.from_pretrained(model_dir).predict(TEXTS)
    assert TopicClassifier.from_pretrained(model_dir, allow_pickle=True).predict(TEXTS) == strict


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str, ...]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('unpickled')",))


def test_a_malicious_pickle_is_never_opened(copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "unpickled"
    (copy / "model.safetensors").unlink()
    (copy / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(marker)))
    assert "only pickle weights" in load_error(copy)
    assert not marker.exists()


def test_the_centroid_encoder_loads_through_the_same_checks(copy: Path, tmp_path: Path,
                                                            model_dir: Path) -> None:
    from newsdesk import Summarizer
    from newsdesk.summarize.encoder import SentenceEncoder

    assert SentenceEncoder.load(model_dir).encode(TEXTS).shape == (2, 32)
    marker = tmp_path / "unpickled"
    (copy / "model.safetensors").unlink()
    (copy / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(marker)))
    with pytest.raises(ModelError, match=r"only pickle weights \(pytorch_model.bin\)"):
        SentenceEncoder.load(copy)
    centroid = Summarizer.extractive("centroid", encoder=str(copy))
    with pytest.raises(ModelError, match="only pickle weights"):
        centroid.summarize(["Rates rose on Monday. Markets fell. Bonds were flat."])
    assert not marker.exists()


def plant_remote_code(path: Path, marker: Path, *, model_type: str) -> None:
    (path / "evil.py").write_text(EVIL_MODULE.format(marker=str(marker)))
    edit_json(path / "config.json", model_type=model_type, auto_map={
        "AutoConfig": "evil.EvilConfig",
        "AutoModelForSequenceClassification": "evil.EvilModel"})
    edit_json(path / "tokenizer_config.json",
              auto_map={"AutoTokenizer": ["evil.EvilTokenizer", "evil.EvilTokenizer"]})


def test_remote_code_in_a_builtin_model_type_is_ignored(copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    plant_remote_code(copy, marker, model_type="bert")
    classifier = TopicClassifier.from_pretrained(copy)
    assert type(classifier.model).__name__ == "BertForSequenceClassification"
    assert len(classifier.predict(TEXTS)) == 2
    assert not marker.exists()
    assert not [name for name in sys.modules if name.endswith("evil")]


def test_a_model_type_that_needs_remote_code_is_refused(copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    plant_remote_code(copy, marker, model_type="evil")
    message = load_error(copy)
    assert "model type 'evil' exists only as custom code" in message
    assert "trust_remote_code=False" in message
    assert not marker.exists()


def test_truncated_weights_are_one_clear_error(copy: Path) -> None:
    weights = copy / "model.safetensors"
    raw = weights.read_bytes()
    weights.write_bytes(raw[:len(raw) // 2])
    message = load_error(copy)
    assert message.startswith(f"{weights}: corrupt or truncated weights")


@pytest.mark.parametrize(("offset", "value"), [(0, b"\xff\xff\xff\xff"), (9, b"X"),
                                               (12, b"\xfe\xfe")],
                         ids=["header-length", "header-json", "header-utf8"])
def test_bytes_flipped_in_the_weights_header_are_one_clear_error(
        copy: Path, offset: int, value: bytes) -> None:
    weights = copy / "model.safetensors"
    raw = bytearray(weights.read_bytes())
    raw[offset:offset + len(value)] = value
    weights.write_bytes(bytes(raw))
    assert load_error(copy).startswith(f"{weights}: corrupt or truncated weights")


def test_a_manifest_of_another_format_names_both_versions(copy: Path) -> None:
    manifest = json.loads((copy / "newsdesk.json").read_text())
    edit_json(copy / "newsdesk.json", format_version=2,
              versions={**manifest["versions"], "newsdesk": "9.0.0"})
    message = load_error(copy)
    assert "manifest format 2 (written by newsdesk 9.0.0) is not format 1" in message
    assert "re-export the model" in message


@pytest.mark.parametrize(("damage", "words"), [
    ("missing dir", "no such model directory"),
    ("no config", "not a model directory (no config.json)"),
    ("no weights", "no weights found"),
    ("bad manifest", "newsdesk.json: unreadable"),
], ids=["missing-dir", "no-config", "no-weights", "bad-manifest"])
def test_other_broken_dirs_are_one_clear_error(copy: Path, damage: str, words: str) -> None:
    if damage == "missing dir":
        shutil.rmtree(copy)
    elif damage == "no config":
        (copy / "config.json").unlink()
    elif damage == "no weights":
        (copy / "model.safetensors").unlink()
    else:
        (copy / "newsdesk.json").write_text("{not json")
    assert words in load_error(copy)


# --- training that fails midway leaves no dir at the output path -----------------------

ROWS = [{"id": f"{split}{i}", "text": text, "label": label, "split": split}
        for split, count in (("train", 8), ("validation", 2), ("test", 2))
        for i in range(count)
        for text, label in [(f"Shares rose {i}.", "business"), (f"Goal number {i}.", "sport")]]


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny base, a small data file and a model already published at ``root/model``."""
    root = tmp_path_factory.mktemp("training")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "data.jsonl", ROWS)
    first = recipe(root / "first.yaml", task="topic", source=data, base=base,
                   output=root / "model", extra_training="  max_steps: 2")
    assert train_main([str(first)]) == 0
    return root, base, data


def snapshot(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_an_exception_midway_leaves_no_new_dir_and_the_old_model_intact(
        training: tuple[Path, Path, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from transformers import Trainer

    root, base, data = training
    before = snapshot(root / "model")
    fresh = recipe(tmp_path / "fresh.yaml", task="topic", source=data, base=base,
                   output=tmp_path / "fresh", extra_training="  max_steps: 6")
    again = recipe(tmp_path / "again.yaml", task="topic", source=data, base=base,
                   output=root / "model", extra_training="  max_steps: 6")
    original = Trainer.training_step
    steps: list[int] = []

    def fail_on_third_step(self: Trainer, *args: Any, **kwargs: Any) -> Any:
        steps.append(1)
        if len(steps) % 3 == 0:
            raise RuntimeError("power cut")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "training_step", fail_on_third_step)
    for path in (fresh, again):
        with pytest.raises(RuntimeError, match="power cut"):
            train_main([str(path)])
    assert not (tmp_path / "fresh").exists()
    assert snapshot(root / "model") == before


def test_a_failure_after_staging_publishes_nothing(
        training: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root, base, data = training

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("newsdesk_train.modelcard.write_model_card", disk_full)
    path = recipe(tmp_path / "r.yaml", task="topic", source=data, base=base,
                  output=tmp_path / "model", extra_training="  max_steps: 2")
    assert train_main([str(path)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert (tmp_path / "model.work" / "staging" / "model.safetensors").exists()
    assert not (tmp_path / "model").exists()


def test_a_bad_data_line_fails_the_run_and_leaves_no_dir(training: tuple[Path, Path, Path],
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _, base, data = training
    bad = tmp_path / "bad.jsonl"
    bad.write_text(data.read_text() + '{"text": "cut off\n', encoding="utf-8")
    path = recipe(tmp_path / "r.yaml", task="topic", source=bad, base=base,
                  output=tmp_path / "model", extra_training="  max_steps: 2")
    assert train_main([str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, line {len(ROWS) + 1}: malformed JSON" in err
    assert not (tmp_path / "model").exists()
