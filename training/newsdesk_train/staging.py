"""The one save-evaluate-stage path every training task ends in, on every rank.

A task trains and hands back a ``TrainedRun``: its Trainer, tokenizer, manifest, the auto
class that reloads its model dir, and how to evaluate the model. ``stage`` then does the
same for topic, stance and summary models under one process, ``torchrun`` or ``accelerate
launch`` (DDP, DeepSpeed, FSDP); a frozen-encoder recipe, which trains nothing by gradient,
hands back its encoder instead of a Trainer and runs in one process:

1. every rank calls ``save_model`` into ``work.staging``: under DeepSpeed/FSDP gathering
   the sharded weights is a collective, and only rank 0 writes;
2. every rank waits at a barrier, so rank 0 cannot publish (and delete the checkpoints)
   while another rank still loads the best checkpoint at the end of ``train()``;
3. rank 0 alone drops the pickled ``training_args.bin``, saves the tokenizer, evaluates
   the whole model (the Trainer's own, or the staged copy where the weights are sharded)
   and writes ``newsdesk.json`` with the Trainer's log history (training loss and every
   validation evaluation, across a ``--resume``: the learning curve the card shows); the
   runner then writes the card and publishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsdesk.manifest import Manifest
from newsdesk_train.workdir import WorkDirs, is_main_process

#: The manifest ``training`` key holding ``TrainerState.log_history``.
LOG_HISTORY = "log_history"


@dataclass
class TrainedRun:
    """What a task's training hands to ``stage``.

    ``evaluate(model)`` fills ``manifest`` (metrics; thresholds for multi-label models)
    from the whole trained model; it runs on the main process only. ``trainer`` is None
    when nothing was trained by gradient (a frozen encoder): ``model`` is then saved as it
    is.
    """

    trainer: Any
    tokenizer: Any
    manifest: Manifest
    auto_class: Any
    evaluate: Callable[[Any], None]
    model: Any = None


def stage(run: TrainedRun, work: WorkDirs) -> bool:
    """Save, evaluate and stage the trained model (call it on every rank); True on the
    main process, which then publishes."""
    trainer = run.trainer
    if trainer is None:  # one process, nothing sharded: the model is saved as it is
        run.model.save_pretrained(str(work.staging))
    else:
        trainer.save_model(str(work.staging))
        trainer.accelerator.wait_for_everyone()
    if not is_main_process():
        return False
    (work.staging / "training_args.bin").unlink(missing_ok=True)  # a pickle: never ship it
    run.tokenizer.save_pretrained(str(work.staging))
    run.evaluate(whole_model(run, work))
    if trainer is not None:
        run.manifest.training[LOG_HISTORY] = trainer.state.log_history
    run.manifest.save(work.staging)
    return True


def whole_model(run: TrainedRun, work: WorkDirs) -> Any:
    """The trained model for the main process's evaluation: the Trainer's own under DDP or
    one process; under DeepSpeed or FSDP (weights sharded across ranks) the staged copy,
    loaded as inference loads a model dir."""
    trainer = run.trainer
    if trainer is None:
        return run.model
    if not (trainer.is_deepspeed_enabled or trainer.is_fsdp_enabled):
        return trainer.model
    from newsdesk.modeldir import open_model_dir

    return open_model_dir(work.staging).load_model(run.auto_class, what="the staged model")
