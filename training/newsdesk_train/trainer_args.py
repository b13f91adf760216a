"""TrainingArguments from a recipe: its Trainer options through ``HfArgumentParser``, with
device, precision, checkpoints, evaluation and logging set by newsdesk."""

from __future__ import annotations

import logging
import os
from typing import Any

from newsdesk.device import cpu_has_native_bf16, resolve_device
from newsdesk.errors import ConfigError
from newsdesk_train.config import TRAINER_DEFAULTS, RecipeConfig, trainer_arguments_class
from newsdesk_train.workdir import WorkDirs

logger = logging.getLogger(__name__)


def precision_flags(precision: str, device_type: str) -> dict[str, bool]:
    """bf16/fp16 flags. On a GPU ``auto`` picks bf16 where supported, else fp16; on a CPU
    ``auto`` and ``fp32`` train in fp32, and ``bf16`` trains under bf16 autocast (fast on
    CPUs with AMX or AVX-512 BF16, e.g. Xeon Sapphire Rapids: fp32 master weights)."""
    import torch

    if precision == "fp32" or device_type not in ("cuda", "cpu"):
        return {"bf16": False, "fp16": False}
    if device_type == "cpu":
        if precision == "fp16":
            logger.warning("training.precision fp16 needs a GPU; training in fp32 on the CPU "
                           "(bf16 is the CPU's half precision)")
        if precision == "bf16" and not cpu_has_native_bf16():
            logger.warning("training.precision bf16 on a CPU without AMX or AVX-512 BF16 (or "
                           "whose flags cannot be read): emulated, likely slower than fp32")
        return {"bf16": precision == "bf16", "fp16": False}
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


def best_metric(config: RecipeConfig, metric: str) -> str:
    """The validation figure that picks the kept checkpoint: the task's own ``metric``, or
    ``loss`` when the recipe asks for it."""
    return "loss" if config.training.best_model_metric == "loss" else metric


def kept_checkpoint(config: RecipeConfig, metric: str, *, validation: bool) -> str:
    """How the run chose the weights it ships, as the manifest records it.

    >>> from newsdesk_train.config import RecipeConfig
    >>> kept_checkpoint(RecipeConfig(name="x", task="topic"), "accuracy", validation=False)
    'last (no validation set)'
    """
    if not validation:
        return "last (no validation set)"
    return f"best validation {best_metric(config, metric)}"


def early_stopping(config: RecipeConfig, *, validation: bool) -> list[Any]:
    """The Trainer callbacks for ``training.early_stopping_patience`` (none without a
    validation set: there is nothing to stop on)."""
    from transformers import EarlyStoppingCallback

    patience = config.training.early_stopping_patience
    if patience and not validation:
        logger.info("no validation set: no early stopping, the last checkpoint is kept")
    return [EarlyStoppingCallback(patience)] if patience and validation else []


def training_arguments(config: RecipeConfig, work: WorkDirs, *, metric: str, validation: bool,
                       **fixed: Any) -> Any:
    """The Trainer's arguments for a recipe (``TrainingArguments``, or
    ``Seq2SeqTrainingArguments`` for a seq2seq summary recipe), made by
    ``HfArgumentParser.parse_dict`` from newsdesk's defaults (``TRAINER_DEFAULTS``), the
    recipe's Trainer options, what newsdesk derives from the recipe (``TRAINER_MANAGED``:
    checkpoints, evaluation and saving, the kept checkpoint, device, precision) and
    ``fixed``, the options the task's trainer needs.

    ``metric`` is the task's own, replaced by ``loss`` when the recipe asks for it. Without a
    ``validation`` set nothing is evaluated during training and the last checkpoint is
    kept; checkpoints are still saved for ``--resume``.
    """
    from transformers import HfArgumentParser

    train = config.training
    clash = sorted(set(fixed) & set(train.arguments))
    if clash:
        raise ConfigError(f"{config.recipe_path or config.name}: training.{clash[0]} is fixed "
                          f"by the {config.task} trainer ({clash[0]}={fixed[clash[0]]!r}); "
                          "remove it")
    device = resolve_device(train.device)
    os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(work.logs))
    eval_steps = train.argument("eval_steps")
    strategy = "steps" if eval_steps else "epoch"
    chosen = best_metric(config, metric) if validation else None
    managed = {
        "output_dir": str(work.checkpoints),
        "eval_strategy": strategy if validation else "no", "save_strategy": strategy,
        "save_steps": eval_steps, "load_best_model_at_end": validation,
        "metric_for_best_model": chosen, "greater_is_better": chosen not in (None, "loss"),
        "use_cpu": device.type == "cpu", **precision_flags(train.precision, device.type)}
    values = {**TRAINER_DEFAULTS, "data_seed": train.seed, **train.arguments, **managed,
              **fixed}
    parser = HfArgumentParser(trainer_arguments_class(config.task,
                                                      config.extractive is not None))
    try:
        return parser.parse_dict(values, allow_extra_keys=False)[0]
    except ValueError as error:
        raise ConfigError(f"{config.recipe_path or config.name}: training: {error}") from None
