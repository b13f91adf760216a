"""``hf:<id>`` data sets from the Hugging Face hub (needs the [train] extra and a network)."""

from __future__ import annotations

from typing import Any

from newsdesk.data.records import Record, record_from_mapping
from newsdesk.errors import DataError

HUB_SPLITS = {"train": "train", "validation": "validation", "test": "test"}


def load_hub(dataset_id: str, split: str | None) -> list[Record]:
    """Records of a hub data set whose columns use the record field names."""
    try:
        import datasets
    except ImportError:
        raise DataError("hf:<id> data needs the Hugging Face 'datasets' package: "
                        "pip install 'newsdesk[train]'") from None
    try:
        loaded: Any = datasets.load_dataset(dataset_id, split=HUB_SPLITS.get(split or "train"))
    except Exception as error:  # network, missing split, unknown id: all one message
        raise DataError(f"could not load hub data set {dataset_id!r} ({error})") from None
    return [record_from_mapping(row, path=f"hf:{dataset_id}", row=i + 1, default_id=str(i + 1))
            for i, row in enumerate(loaded)]
