"""After training: fit the model's temperature on the validation split, when the recipe
says ``calibration: temperature`` (``newsdesk.calibration``), and report the expected
calibration error before and after on validation and test."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.calibration import LabelledTexts, calibrate
from newsdesk.data.records import Record
from newsdesk.tasks import Task
from newsdesk_train.config import RecipeConfig
from newsdesk_train.recipe_data import RecipeData, data_sources


def labelled_texts(task: Task, records: Sequence[Record]) -> LabelledTexts:
    """The texts, targets (stance) and gold label strings of ``records``."""
    return LabelledTexts([r.text for r in records], task.targets(records),
                         [str(task.gold(r)) for r in records])


def calibrate_on_validation(classifier: Any, task: Task, data: RecipeData,
                            config: RecipeConfig) -> dict[str, np.ndarray]:
    """Fit ``classifier``'s temperature on the validation records (its manifest gets T and
    ``extras["calibration"]``); every split is run once, and its calibrated probabilities
    come back by split name so that the evaluation need not run it again."""
    splits = {"validation": labelled_texts(task, data.validation)}
    if data.test:
        splits["test"] = labelled_texts(task, data.test)
    return calibrate(classifier, splits, fit_on="validation",
                     source=data_sources(config.data)["validation"],
                     batch_size=config.training.argument("eval_batch_size"))
