"""TrainingArguments from a recipe: device, precision, checkpoints, logging."""

from __future__ import annotations

import logging
import os
from typing import Any

from newsdesk.device import resolve_device
from newsdesk_train.config import RecipeConfig
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
            logger.warning("training.precision bf16 on a CPU without AMX or AVX-512 BF16: "
                           "emulated, likely slower than fp32")
        return {"bf16": precision == "bf16", "fp16": False}
    if precision == "auto":
        precision = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


def cpu_has_native_bf16() -> bool:
    """True where the CPU multiplies bf16 in hardware (AMX tiles or AVX-512 BF16)."""
    import torch

    try:
        return bool(torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported())
    except AttributeError:  # an older or newer torch without these probes
        return False


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
                       args_class: Any = None, **extra: Any) -> Any:
    """TrainingArguments (or ``args_class``, e.g. Seq2SeqTrainingArguments) for a recipe;
    ``metric`` is the task's own, replaced by ``loss`` when the recipe asks for it. Without
    a ``validation`` set nothing is evaluated during training and the last checkpoint is
    kept; checkpoints are still saved for ``--resume``."""
    from transformers import TrainingArguments

    train = config.training
    device = resolve_device(train.device)
    os.environ.setdefault("TENSORBOARD_LOGGING_DIR", str(work.logs))
    strategy = "steps" if train.eval_steps else "epoch"
    chosen = best_metric(config, metric) if validation else None
    cls = args_class or TrainingArguments
    return cls(
        output_dir=str(work.checkpoints),
        num_train_epochs=train.epochs, max_steps=train.max_steps,
        learning_rate=train.learning_rate, weight_decay=train.weight_decay,
        warmup_steps=train.warmup_ratio, lr_scheduler_type=train.lr_scheduler,
        per_device_train_batch_size=train.batch_size,
        per_device_eval_batch_size=train.eval_batch_size,
        gradient_accumulation_steps=train.gradient_accumulation_steps,
        eval_strategy=strategy if validation else "no", save_strategy=strategy,
        eval_steps=train.eval_steps, save_steps=train.eval_steps,
        save_total_limit=train.save_total_limit, load_best_model_at_end=validation,
        metric_for_best_model=chosen, greater_is_better=chosen not in (None, "loss"),
        logging_steps=train.logging_steps, report_to=["tensorboard"],
        seed=train.seed, data_seed=train.seed,
        use_cpu=device.type == "cpu", dataloader_num_workers=0,
        **precision_flags(train.precision, device.type), **extra)
