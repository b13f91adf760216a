"""The train / validation / test records a recipe names."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.data.splits import stable_hash
from newsdesk_train.config import DataConfig


@dataclass
class RecipeData:
    """Records for each split; ``validation`` and ``test`` are empty when the recipe names
    none (no validation set: the run keeps its last checkpoint)."""

    train: list[Record]
    validation: list[Record]
    test: list[Record]

    @property
    def has_validation(self) -> bool:
        return bool(self.validation)


def load_recipe_data(config: DataConfig) -> RecipeData:
    """Load the splits named by a recipe's ``data`` section.

    A split of ``null`` reads a separately named file whole; with no separate file it
    means no such set (never the whole source, which holds the other splits too).
    """
    train = load(config.spec(config.source), split=config.train_split)
    if config.max_train_examples is not None:
        ordered = sorted(train, key=lambda r: stable_hash(r.id, "max_train_examples"))
        train = ordered[:config.max_train_examples]
    validation = (load(config.spec(config.validation or config.source),
                       split=config.validation_split)
                  if config.validation or config.validation_split else [])
    test = (load(config.spec(config.test or config.source), split=config.test_split)
            if config.test or config.test_split else [])
    return RecipeData(train=train, validation=validation, test=test)


def data_sources(config: DataConfig) -> dict[str, str | None]:
    """Where each split came from, for the manifest (None: the recipe has no such set).

    >>> data_sources(DataConfig(source="news.jsonl", validation_split=None))["validation"] is None
    True
    """
    return {"source": config.source,
            "validation": config.validation or (config.source if config.validation_split
                                                else None),
            "test": config.test or (config.source if config.test_split else None)}
