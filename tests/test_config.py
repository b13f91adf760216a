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
    with pytest.raises(ConfigError, match=r"recipe\.yaml: training\.batch_size: invalid int "
                                          r"value: 'sixteen'"):
        load_config(path)
    with pytest.raises(ConfigError, match=r"training\.lr_scheduler: invalid choice: 'fast'"):
        load_config(path, ["training.batch_size=8", "training.lr_scheduler=fast"])
    with pytest.raises(ConfigError, match=r"model\.max_length must be int, got str"):
        load_config(path, ["training.batch_size=8", "model.max_length=long"])


def test_bool_is_not_an_int(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  batch_size: true\n")
    with pytest.raises(ConfigError, match="training.batch_size"):
        load_config(path)


def test_exponent_without_dot_reads_as_float(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "name: x\ntask: topic\ntraining:\n"
                                         "  learning_rate: 1e-4\n"))
    assert config.training.argument("learning_rate") == pytest.approx(1e-4)


def test_overrides_use_dotted_keys_and_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\n")
    config = load_config(path, ["training.epochs=1", "model.max_length=64",
                                "model.stride=8", "output_dir=/tmp/out"])
    assert (config.training.argument("epochs"), config.model.max_length, config.output_dir) == (
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


# Trainer options pass through HfArgumentParser/TrainingArguments (see TrainingConfig).
#: What each shipped recipe trains with: its own values, newsdesk's defaults elsewhere.
SHIPPED_ARGUMENTS = {  # recipe: (epochs, learning rate, warmup, eval batch, class)
    "stance-fnc1": (2.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "stance-headlines-minilm": (1.0, 1e-4, 0.1, 64, "TrainingArguments"),
    "stance-headlines-minilm-mined": (1.0, 1e-4, 0.1, 64, "TrainingArguments"),
    "stance-headlines-mpnet": (1.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "stance-semeval2016": (4.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "summary-headlines-bert2bert": (10.0, 1e-4, 0.05, 64, "Seq2SeqTrainingArguments"),
    "summary-news-bert2bert": (20.0, 1e-4, 0.05, 64, "Seq2SeqTrainingArguments"),
    "summary-news-extractive": (1.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "summary-news-tagger": (3.0, 5e-5, 0.1, 32, "TrainingArguments"),
    "summary-t5-small": (10.0, 3e-4, 0.05, 64, "Seq2SeqTrainingArguments"),
    "topic-bbc-minilm": (2.0, 1e-4, 0.1, 64, "TrainingArguments"),
    "topic-bbc-mpnet-frozen": (3.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "topic-news-minilm": (2.0, 1e-4, 0.1, 64, "TrainingArguments"),
    "topic-news-mpnet-frozen": (3.0, 5e-5, 0.1, 64, "TrainingArguments"),
    "topic-news-mpnet-frozen-xpub": (3.0, 5e-5, 0.1, 64, "TrainingArguments"),
}


#: The shipped recipes that ask for ``training.precision: bf16``.
BF16_RECIPES = ("stance-headlines-minilm-mined", "stance-headlines-mpnet",
                "summary-news-extractive", "summary-news-tagger")


def trainer_args(config: object, tmp_path: Path, validation: bool = True) -> object:
    from newsdesk_train.trainer_args import training_arguments
    from newsdesk_train.workdir import WorkDirs

    return training_arguments(config, WorkDirs.for_output(tmp_path / "model"),
                              metric="accuracy", validation=validation)


def test_every_shipped_recipe_gives_the_trainer_its_settings(tmp_path: Path) -> None:
    recipes = sorted((REPO / "training" / "configs").glob("*.yaml"))
    assert {p.stem for p in recipes} == set(SHIPPED_ARGUMENTS)
    for path in recipes:
        config = load_config(path)
        args = trainer_args(config, tmp_path)
        epochs, rate, warmup, eval_batch, kind = SHIPPED_ARGUMENTS[path.stem]
        assert type(args).__name__ == kind, path
        assert (args.num_train_epochs, args.learning_rate, args.warmup_steps) == (
            epochs, pytest.approx(rate), warmup), path
        assert (args.per_device_train_batch_size, args.per_device_eval_batch_size) == (
            16, eval_batch), path
        assert (args.seed, args.data_seed, args.weight_decay) == (42, 42, 0.01), path
        assert (args.lr_scheduler_type, args.logging_steps, args.save_total_limit) == (
            "linear", 20, 2), path
        assert (args.eval_strategy, args.save_strategy, args.report_to) == (
            "epoch", "epoch", ["tensorboard"]), path
        assert args.output_dir == str(tmp_path / "model.work" / "checkpoints"), path
        assert args.bf16 == (path.stem in BF16_RECIPES), path  # precision: bf16
        assert args.restore_callback_states_from_checkpoint, path  # --resume keeps patience


def test_any_trainer_option_passes_through(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  optim: adafactor\n"
                           "  max_grad_norm: 0.5\n  lr_scheduler_type: cosine\n"
                           "  lr_scheduler_kwargs: {num_cycles: 2}\n  report_to: []\n"
                           "  data_seed: 3\n  activation_checkpointing: true\n")
    args = trainer_args(load_config(path, ["training.warmup_steps=5"]), tmp_path)
    assert (args.optim, args.max_grad_norm, args.lr_scheduler_type) == (
        "adafactor", 0.5, "cosine")
    assert args.lr_scheduler_kwargs == {"num_cycles": 2} and args.report_to == []
    assert (args.seed, args.data_seed, args.warmup_steps) == (42, 3, 5)
    assert args.activation_checkpointing is True


def test_unknown_trainer_option_names_the_key_and_the_recipe(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n  max_grad_nrom: 1\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: unknown key 'training.max_grad_nrom'; did you mean "
                              "'training.max_grad_norm'?")
    assert "field of transformers.TrainingArguments" in message


def test_seq2seq_options_are_for_summary_recipes_only(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: summary\ntraining:\n  generation_num_beams: 2\n")
    assert load_config(path).training.arguments["generation_num_beams"] == 2
    with pytest.raises(ConfigError, match="unknown key 'training.generation_num_beams'"):
        load_config(path, ["task=topic"])


def test_options_newsdesk_sets_are_refused_with_the_key_that_decides(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ntask: topic\n")
    with pytest.raises(ConfigError, match=r"training\.bf16 is set by newsdesk from "
                                          r"training\.precision"):
        load_config(path, ["training.bf16=true"])
    with pytest.raises(ConfigError, match=r"training\.output_dir is set by newsdesk"):
        load_config(path, ["training.output_dir=/tmp/x"])
    with pytest.raises(ConfigError, match=r"training\.epochs: training\.num_train_epochs is "
                                          "given twice"):
        load_config(path, ["training.num_train_epochs=2", "training.epochs=1"])
    with pytest.raises(ConfigError, match=r"training\.warmup_ratio must be in \[0, 1\)"):
        load_config(path, ["training.warmup_ratio=10"])
    with pytest.raises(ConfigError, match="training.learning_rate must not be empty"):
        load_config(path, ["training.learning_rate="])
    with pytest.raises(ConfigError, match="training.precision must be auto, fp32"):
        load_config(path, ["training.precision=half"])


def test_a_trainer_option_a_task_fixes_is_refused(tmp_path: Path) -> None:
    from newsdesk_train.trainer_args import training_arguments
    from newsdesk_train.workdir import WorkDirs

    path = write(tmp_path, "name: x\ntask: topic\ntraining:\n"
                           "  ddp_find_unused_parameters: true\n")
    with pytest.raises(ConfigError, match=r"recipe\.yaml: training\.ddp_find_unused_parameters "
                                          "is fixed by the topic trainer"):
        training_arguments(load_config(path), WorkDirs.for_output(tmp_path / "m"),
                           metric="accuracy", validation=True, ddp_find_unused_parameters=False)


@pytest.mark.parametrize("option", ["learning_rate: -0.001", "batch_size: 0", "epochs: 0",
                                    "gradient_accumulation_steps: 0"])
def test_options_that_must_be_positive_are_checked_when_the_recipe_loads(
        tmp_path: Path, option: str) -> None:
    key = option.split(":")[0]
    path = write(tmp_path, f"name: x\ntask: topic\ntraining:\n  {option}\n")
    with pytest.raises(ConfigError, match=rf"recipe\.yaml: training\.{key} must be above 0"):
        load_config(path)
