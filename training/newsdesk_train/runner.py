"""Run one recipe end to end: train, then the one path every task shares (``staging.stage``:
save on every rank, evaluate and stage on the main one), the card, the atomic publication."""

from __future__ import annotations

import logging
from pathlib import Path

from newsdesk.assets import resolve_model
from newsdesk.errors import ConfigError
from newsdesk.modeldir import TRAINING_PICKLE_ADVICE, check_local_model
from newsdesk.tasks import get_task
from newsdesk_train.config import RecipeConfig
from newsdesk_train.staging import stage
from newsdesk_train.workdir import WorkDirs

logger = logging.getLogger(__name__)


def train(config: RecipeConfig, *, resume: bool = False) -> Path:
    """Train ``config`` and return the published model dir."""
    import torch
    from transformers import set_seed

    from newsdesk_train.modelcard import write_model_card
    from newsdesk_train.selection import selection_record

    if config.training.threads:
        torch.set_num_threads(config.training.threads)
    set_seed(config.training.seed)
    work = WorkDirs.for_output(config.output_dir)
    # safetensors only, intact (the loaders below also ask for safetensors, hub ids too)
    check_local_model(resolve_model(config.model.base), pickle_advice=TRAINING_PICKLE_ADVICE)
    if resume and work.last_checkpoint() is None:
        raise ConfigError(f"--resume: no checkpoint in {work.checkpoints} to resume from")
    work.prepare(resume=resume)
    if config.frozen is not None:
        from newsdesk_train.frozen import train_frozen

        run = train_frozen(config, work)
    elif config.extractive is not None:
        from newsdesk_train.extractive import train_extractor

        run = train_extractor(config, work, resume=resume)
    elif get_task(config.task).classifies:
        from newsdesk_train.classification import train_classifier

        run = train_classifier(config, work, resume=resume)
    else:
        from newsdesk_train.summarization import train_summarizer

        run = train_summarizer(config, work, resume=resume)
    if not stage(run, work):  # every rank saves; the main process evaluates and stages
        return work.output
    selection = selection_record(config)
    if selection:
        run.manifest.extras["selection"] = selection
        run.manifest.save(work.staging)
    write_model_card(work.staging, config, run.manifest)
    return work.publish()
