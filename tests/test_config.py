"""Recipes: strict YAML into dataclasses, overrides, clear errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.errors import ConfigError
from newsdesk_train.config import load_config

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_recipes_load() -> None:
    for path in sorted((REPO / "training" / "configs").glob("*.yaml")):
        config = load_config(path)
        assert config.name and config.task in ("topic", "stance", "summary"), path


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  learning_rat: 0.1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'training\.learning_rat'.*"
                                          r"did you mean 'training\.learning_rate'"):
        load_config(path)


def test_mistyped_value_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  batch_size: sixteen\n")
    with pytest.raises(ConfigError, match=r"training\.batch_size must be int, got str"):
        load_config(path)


def test_bool_is_not_an_int(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  batch_size: true\n")
    with pytest.raises(ConfigError, match="training.batch_size"):
        load_config(path)


def test_exponent_without_dot_reads_as_float(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "name: x\ntask: topic\ntraining:\n"
                                         "  learning_rate: 1e-4\n"))
    assert config.training.learning_rate == pytest.approx(1e-4)


def test_overrides_use_dotted_keys_and_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\n")
    config = load_config(path, ["training.epochs=1", "model.max_length=64",
                                "model.stride=8", "output_dir=/tmp/out"])
    assert (config.training.epochs, config.model.max_length, config.output_dir) == (
        1.0, 64, "/tmp/out")
    with pytest.raises(ConfigError, match="unknown key 'model.max_len'"):
        load_config(path, ["model.max_len=64"])
    with pytest.raises(ConfigError, match="expected key=value"):
        load_config(path, ["training.epochs"])


def test_bad_task_and_windowing_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="task must be one of"):
        load_config(write(tmp_path, "name: x\ntask: sentiment\n"))
    with pytest.raises(ConfigError, match="stride"):
        load_config(write(tmp_path, "name: x\ntask: topic\nmodel:\n  max_length: 64\n"
                                    "  stride: 40\n"))


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing key 'task'"):
        load_config(write(tmp_path, "name: x\n"))


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "name: [unclosed\n")
    with pytest.raises(ConfigError, match="recipe.yaml: not valid YAML"):
        load_config(path)
