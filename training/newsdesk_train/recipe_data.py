"""The train / validation / test records a recipe names."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.data.splits import stable_hash
from newsdesk_train.config import DataConfig


@dataclass
class RecipeData:
    """Records for each split; ``test`` may be empty when the recipe names none."""

    train: list[Record]
    validation: list[Record]
    test: list[Record]


def load_recipe_data(config: DataConfig) -> RecipeData:
    """Load the splits named by a recipe's ``data`` section."""
    train = load(config.spec(config.source), split=config.train_split)
    if config.max_train_examples is not None:
        ordered = sorted(train, key=lambda r: stable_hash(r.id, "max_train_examples"))
        train = ordered[:config.max_train_examples]
    validation = load(config.spec(config.validation or config.source),
                      split=config.validation_split)
    test = (load(config.spec(config.test or config.source), split=config.test_split)
            if config.test or config.test_split else [])
    return RecipeData(train=train, validation=validation, test=test)
