"""Training options that change how the base is loaded or run: attention dropout and
precision on a CPU."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tiny_models import make_tiny_base

from newsdesk.errors import ConfigError
from newsdesk_train.base_model import attention_dropout_kwargs
from newsdesk_train.config import load_config
from newsdesk_train.trainer_args import precision_flags


def test_attention_dropout_reaches_the_loaded_model(tmp_path: Path) -> None:
    from transformers import AutoConfig, AutoModelForSequenceClassification

    base = make_tiny_base(tmp_path / "base")
    kwargs = attention_dropout_kwargs(AutoConfig.from_pretrained(base), 0.0)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=3, **kwargs)
    assert model.config.attention_probs_dropout_prob == 0.0
    assert model.config.hidden_dropout_prob == pytest.approx(0.1)  # only attention changes
    assert model.config.num_labels == 3


def test_attention_dropout_names_per_family_and_unknown_configs() -> None:
    from transformers import DistilBertConfig, GPT2Config

    assert attention_dropout_kwargs(DistilBertConfig(), 0.05) == {"attention_dropout": 0.05}
    with pytest.raises(ConfigError, match="GPT2Config.* no attention dropout setting"):
        attention_dropout_kwargs(GPT2Config(), 0.0)


def test_attention_dropout_is_checked_in_the_recipe(tmp_path: Path) -> None:
    path = tmp_path / "recipe.yaml"
    path.write_text("name: x\ntask: topic\nmodel:\n  attention_dropout: 0.0\n")
    assert load_config(path).model.attention_dropout == 0.0
    with pytest.raises(ConfigError, match=r"model\.attention_dropout must be in \[0, 1\)"):
        load_config(path, ["model.attention_dropout=1.5"])


def test_cpu_precision(caplog: pytest.LogCaptureFixture) -> None:
    assert precision_flags("auto", "cpu") == {"bf16": False, "fp16": False}
    assert precision_flags("fp32", "cpu") == {"bf16": False, "fp16": False}
    assert precision_flags("bf16", "cpu") == {"bf16": True, "fp16": False}
    assert precision_flags("bf16", "mps") == {"bf16": False, "fp16": False}
    with caplog.at_level(logging.WARNING):
        assert precision_flags("fp16", "cpu") == {"bf16": False, "fp16": False}
    assert "fp16 needs a GPU" in caplog.text


def test_docstring_examples_run() -> None:
    import doctest

    from newsdesk_train import base_model, recipe_data, trainer_args

    for module in (base_model, recipe_data, trainer_args):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0, module.__name__


def test_best_model_metric_can_be_the_validation_loss(tmp_path: Path) -> None:
    from newsdesk_train.trainer_args import training_arguments
    from newsdesk_train.workdir import WorkDirs

    path = tmp_path / "recipe.yaml"
    path.write_text(f"name: x\ntask: topic\noutput_dir: {tmp_path / 'out'}\n")
    work = WorkDirs.for_output(tmp_path / "out")
    own = training_arguments(load_config(path), work, metric="accuracy", validation=True)
    assert (own.metric_for_best_model, own.greater_is_better) == ("accuracy", True)
    by_loss = training_arguments(load_config(path, ["training.best_model_metric=loss"]), work,
                                 metric="accuracy", validation=True)
    assert (by_loss.metric_for_best_model, by_loss.greater_is_better) == ("loss", False)
    with pytest.raises(ConfigError, match="best_model_metric must be auto or loss"):
        load_config(path, ["training.best_model_metric=f1"])


def test_attention_dropout_reaches_both_sides_of_a_bert2bert(tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from newsdesk_train.summarization import build_model

    base = make_tiny_base(tmp_path / "base")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_model(str(base), tokenizer, 0.0)
    assert model.config.encoder.attention_probs_dropout_prob == 0.0
    assert model.config.decoder.attention_probs_dropout_prob == 0.0
    assert model.config.decoder.add_cross_attention
    default = build_model(str(base), tokenizer)
    assert default.config.encoder.attention_probs_dropout_prob == pytest.approx(0.1)


def test_without_a_validation_set_nothing_is_evaluated_and_the_last_checkpoint_kept(
        tmp_path: Path) -> None:
    from newsdesk_train.trainer_args import early_stopping, kept_checkpoint, training_arguments
    from newsdesk_train.workdir import WorkDirs

    path = tmp_path / "recipe.yaml"
    path.write_text(f"name: x\ntask: topic\noutput_dir: {tmp_path / 'out'}\n")
    config = load_config(path, ["data.validation_split=", "training.best_model_metric=loss"])
    args = training_arguments(config, WorkDirs.for_output(tmp_path / "out"),
                              metric="accuracy", validation=False)
    assert args.eval_strategy == "no" and not args.load_best_model_at_end
    assert args.metric_for_best_model is None and args.save_strategy == "epoch"
    assert early_stopping(config, validation=False) == []
    assert len(early_stopping(config, validation=True)) == 1
    assert kept_checkpoint(config, "accuracy", validation=False) == "last (no validation set)"
    assert kept_checkpoint(config, "accuracy", validation=True) == "best validation loss"


FOLD_ROWS = [{"id": f"{split}-{i}", "text": f"Story {i}.", "label": "sport", "split": split}
             for split, count in (("train", 4), ("validation", 2), ("test", 3))
             for i in range(count)]


def test_a_null_validation_split_is_no_validation_set_unless_a_file_is_named(
        tmp_path: Path) -> None:
    from tiny_data import write_jsonl

    from newsdesk_train.config import DataConfig
    from newsdesk_train.recipe_data import data_sources, load_recipe_data

    source = str(write_jsonl(tmp_path / "folds.jsonl", FOLD_ROWS))
    other = str(write_jsonl(tmp_path / "dev.jsonl", [{"id": "d", "text": "Dev.", "label": "x"},
                                                      {"id": "e", "text": "Dev.", "label": "x"}]))
    default = load_recipe_data(DataConfig(source=source))  # per-record split field
    assert [len(default.train), len(default.validation), len(default.test)] == [4, 2, 3]
    none = load_recipe_data(DataConfig(source=source, validation_split=None))
    assert none.validation == [] and not none.has_validation and len(none.test) == 3
    assert data_sources(DataConfig(source=source, validation_split=None))["validation"] is None
    whole = load_recipe_data(DataConfig(source=source, validation=other, validation_split=None))
    assert [r.id for r in whole.validation] == ["d", "e"] and whole.has_validation
    split = load_recipe_data(DataConfig(source=source, validation=source))
    assert {r.meta["split"] for r in split.validation} == {"validation"}


def test_recipe_data_reads_each_source_once_for_all_its_splits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tiny_data import write_jsonl

    from newsdesk.data import sources
    from newsdesk_train.config import DataConfig
    from newsdesk_train.recipe_data import load_recipe_data

    source = str(write_jsonl(tmp_path / "folds.jsonl", FOLD_ROWS))
    other = str(write_jsonl(tmp_path / "dev.jsonl", [{"id": "d", "text": "Dev.", "label": "x"}]))
    reads: list[str] = []
    read_records = sources.read_records

    def counted_read(path: Path, **options: object) -> list:
        reads.append(Path(path).name)
        return read_records(path, **options)

    monkeypatch.setattr(sources, "read_records", counted_read)
    data = load_recipe_data(DataConfig(source=source))
    assert reads == ["folds.jsonl"]
    assert [[r.id for r in records] for records in (data.train, data.validation, data.test)] \
        == [[row["id"] for row in FOLD_ROWS if row["split"] == split]
            for split in ("train", "validation", "test")]
    reads.clear()
    data = load_recipe_data(DataConfig(source=source, validation=other, validation_split=None))
    assert reads == ["folds.jsonl", "dev.jsonl"]
    assert [r.id for r in data.validation] == ["d"] and len(data.test) == 3
