"""The train / validation / test records a recipe names."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from newsdesk.data import load_splits
from newsdesk.data.records import Record
from newsdesk.data.splits import stable_hash
from newsdesk.errors import ConfigError
from newsdesk_train.config import DataConfig

logger = logging.getLogger(__name__)

#: The manifest ``data`` key of ``labels_by_publisher``'s counts.
TRAIN_BY_PUBLISHER = "train_by_publisher"
#: The manifest ``data`` key of the mined negatives' section and counts.
MINED_NEGATIVES = "mined_negatives"


@dataclass
class RecipeData:
    """Records for each split; ``validation`` and ``test`` are empty when the recipe names
    none (no validation set: the run keeps its last checkpoint)."""

    train: list[Record]
    validation: list[Record]
    test: list[Record]
    #: ``data.mined_negatives``' section and counts (``mining.Mining.facts``, and
    #: ``in_training``: the mined pairs left after ``max_train_examples``); None without.
    mining: dict[str, Any] | None = None

    @property
    def has_validation(self) -> bool:
        return bool(self.validation)


def load_recipe_data(config: DataConfig) -> RecipeData:
    """Load the splits named by a recipe's ``data`` section.

    A split of ``null`` reads a separately named file whole; with no separate file it
    means no such set (never the whole source, which holds the other splits too). Each
    source is read once, however many of the splits come from it. Training records: less
    ``exclude_sources``, then with ``mined_negatives`` (``newsdesk_train.mining``), then
    ``max_train_examples`` of them chosen by a stable hash of their ids.
    """
    named = {"train": (config.spec(config.source), config.train_split)}
    if config.validation or config.validation_split:
        named["validation"] = (config.spec(config.validation or config.source),
                               config.validation_split)
    if config.test or config.test_split:
        named["test"] = (config.spec(config.test or config.source), config.test_split)
    wanted: dict[str, list[str | None]] = {}
    for spec, split in named.values():
        wanted.setdefault(spec, []).append(split)
    loaded = {spec: load_splits(spec, splits) for spec, splits in wanted.items()}
    records = {name: list(loaded[spec][split]) for name, (spec, split) in named.items()}
    train = without_sources(records["train"], config.exclude_sources, "training")
    mining = None
    if config.mined_negatives is not None:
        from newsdesk_train.mining import MINED, mine_negatives

        mined = mine_negatives(train, config.mined_negatives)
        train, mining = mined.records, mined.facts(config.mined_negatives)
    if config.max_train_examples is not None:
        ordered = sorted(train, key=lambda r: stable_hash(r.id, "max_train_examples"))
        train = ordered[:config.max_train_examples]
    if mining is not None:
        mining["in_training"] = sum(r.meta.get("kind") == MINED for r in train)
        logger.info("training on %d pairs, %d of them mined", len(train),
                    mining["in_training"])
    validation = without_sources(records.get("validation", []), config.exclude_sources)
    return RecipeData(train=train, validation=validation, test=records.get("test", []),
                      mining=mining)


def labels_by_publisher(records: list[Record]) -> dict[str, dict[str, int]]:
    """Training articles per label and publisher (``source`` in meta, else the built-in set
    it came from, ``corpus``), most frequent first; empty when no record names either or a
    label is not one string (multi-label). The model card says from it whose habits each
    label learned.

    >>> labels_by_publisher([Record(id="a", text="t", label="world", meta={"source": "cnn.com"}),
    ...                      Record(id="b", text="t", label="world", meta={"corpus": "bbc-news"}),
    ...                      Record(id="c", text="t", label="world", meta={"source": "cnn.com"})])
    {'world': {'cnn.com': 2, 'bbc-news': 1}}
    """
    if any(not isinstance(r.label, str) for r in records):
        return {}
    publishers = [record_source(r) or r.meta.get("corpus") for r in records]
    if not any(publishers):
        return {}
    counts: dict[str, Counter[str]] = {}
    for record, publisher in zip(records, publishers):
        counts.setdefault(str(record.label), Counter())[str(publisher or "unnamed")] += 1
    return {label: dict(counter.most_common()) for label, counter in sorted(counts.items())}


def record_source(record: Record) -> str | None:
    """The publisher a record came from (``source`` in its meta), if it names one."""
    source = record.meta.get("source")
    return None if source is None else str(source)


def without_sources(records: list[Record], excluded: list[str],
                    check: str | None = None) -> list[Record]:
    """``records`` less those from an ``excluded`` source; with ``check`` (the split's
    name), an excluded source that no record comes from is a ConfigError (a typo would
    otherwise exclude nothing)."""
    if not excluded:
        return records
    present = {record_source(r) for r in records}
    unknown = [s for s in excluded if s not in present]
    if check and unknown:
        named = ", ".join(sorted(s for s in present if s)) or "none"
        raise ConfigError(f"data.exclude_sources: no {check} record comes from "
                          f"{', '.join(unknown)} (sources: {named})")
    return [r for r in records if record_source(r) not in excluded]


def data_sources(config: DataConfig) -> dict[str, Any]:
    """Where each split came from, for the manifest (None: the recipe has no such set), and
    the sources left out of training and validation (``exclude_sources``), if any.

    >>> data_sources(DataConfig(source="news.jsonl", validation_split=None))["validation"] is None
    True
    """
    sources: dict[str, Any] = {
        "source": config.source,
        "validation": config.validation or (config.source if config.validation_split
                                            else None),
        "test": config.test or (config.source if config.test_split else None)}
    if config.exclude_sources:
        sources["exclude_sources"] = list(config.exclude_sources)
    return sources
