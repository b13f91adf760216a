"""Hugging Face ``datasets`` data sets: ``hf:<id>`` from the hub (online) and
``disk:<path>`` saved with ``save_to_disk``; both need the ``datasets`` package.

A spec may map record fields to the data set's own columns:
``hf:ag_news?text=text&label=label``, ``disk:data/news?text=body&label=topic``. Any record
field (id, text, title, label, target, stance, summary) can be mapped; the other columns
land in ``Record.meta``. Integer class labels become their ``ClassLabel`` names (-1, the
hub's "no label", becomes no label). A data set with splits gives every split's records,
each with its split in ``meta["split"]``, or the one split asked for; a split it lacks is
an error naming the splits it has.

>>> parse_columns("ag_news?text=content&label=category", where="hf:ag_news")
('ag_news', {'text': 'content', 'label': 'category'})
>>> with_columns("disk:/data/news", {"text": "body", "label": None})
'disk:/data/news?text=body'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from newsdesk.data.records import RECORD_FIELDS, Record, record_from_mapping
from newsdesk.data.splits import select_split
from newsdesk.errors import DataError

PREFIXES = ("hf", "disk")
NO_LABEL = -1  # what hub data sets store for an unlabelled row of a ClassLabel column
REFERENCE_FIELDS = ("label", "stance")


def parse_columns(location: str, *, where: str) -> tuple[str, dict[str, str]]:
    """``<id or path>?field=column&...`` -> (id or path, {record field: column})."""
    source, _, query = location.partition("?")
    if not source:
        raise DataError("names no data set", path=where)
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise DataError(f"column mapping {query!r} is not field=column&field=column",
                        path=where) from None
    columns: dict[str, str] = {}
    for field, column in pairs:
        if field not in RECORD_FIELDS:
            raise DataError(f"unknown record field {field!r} in the column mapping; map one "
                            f"of {', '.join(RECORD_FIELDS)}", path=where)
        if not column or field in columns:
            raise DataError(f"record field {field!r} needs one column name", path=where)
        columns[field] = column
    return source, columns


def with_columns(spec: str, columns: Mapping[str, str | None]) -> str:
    """``spec`` with the column mapping ``columns`` added (None values are left out).

    Only ``hf:`` and ``disk:`` specs take a mapping; a local file or built-in set named
    with one is a DataError.
    """
    chosen = {field: column for field, column in columns.items() if column}
    if not chosen:
        return spec
    prefix, _, location = spec.partition(":")
    if prefix not in PREFIXES or not location:
        raise DataError(f"a column mapping ({', '.join(f'{k}={v}' for k, v in chosen.items())}) "
                        "applies to hf:<id> and disk:<path> data sets only", path=spec)
    source, mapping = parse_columns(location, where=spec)
    return f"{prefix}:{source}?{urlencode({**mapping, **chosen})}"


def load_dataset_spec(prefix: str, location: str, split: str | None) -> list[Record]:
    """Records of ``hf:<id>`` or ``disk:<path>`` (``prefix`` and ``location`` of the spec)."""
    source, columns = parse_columns(location, where=f"{prefix}:{location}")
    where = f"{prefix}:{source}"
    loaded = _open(prefix, source, where)
    from datasets import DatasetDict

    if isinstance(loaded, DatasetDict):  # named splits
        if split is not None and split not in loaded:
            raise DataError(f"has no split {split!r} (it has {', '.join(loaded)})", path=where)
        names = [split] if split is not None else list(loaded)
        return [record for name in names
                for record in dataset_records(loaded[name], columns, f"{where} [{name}]",
                                              split=name)]
    return select_split(dataset_records(loaded, columns, where), split, where)


def _open(prefix: str, source: str, where: str) -> Any:
    try:
        import datasets
    except ImportError:
        raise DataError(f"{prefix}: data needs the Hugging Face 'datasets' package: "
                        "pip install 'newsdesk[train]'") from None
    try:
        if prefix == "disk":
            return datasets.load_from_disk(source)
        return datasets.load_dataset(source)
    except Exception as error:  # network, unknown id, not a saved data set: all one message
        reason = " ".join(str(error).split())
        raise DataError(f"could not load the data set ({reason})", path=where) from None


def dataset_records(dataset: Any, columns: Mapping[str, str], where: str, *,
                    split: str | None = None) -> list[Record]:
    """Validated records of one ``datasets.Dataset``, its columns mapped to record fields
    and class labels named; ``split`` goes to each record's ``meta["split"]``."""
    missing = [column for column in columns.values() if column not in dataset.column_names]
    if missing:
        raise DataError(f"no column {missing[0]!r} (it has {', '.join(dataset.column_names)})",
                        path=where)
    sources = {field: columns.get(field, field) for field in RECORD_FIELDS}
    names = {column: _label_namer(dataset.features[column], column, field, where)
             for field, column in sources.items() if column in dataset.features}
    mapped = set(columns.values())
    records = []
    for index, row in enumerate(dataset):
        obj = {key: value for key, value in row.items()
               if key not in mapped and key not in RECORD_FIELDS}
        obj.update({field: names[column](row[column]) for field, column in sources.items()
                    if column in row})
        if split is not None:
            obj["split"] = split
        default_id = f"{split}-{index + 1}" if split else str(index + 1)
        records.append(record_from_mapping(obj, path=where, row=index + 1,
                                           default_id=default_id))
    return records


def _label_namer(feature: Any, column: str, field: str, where: str) -> Any:
    """A function turning a column's values into what the record field takes: names for
    a ``ClassLabel`` column (or a list of them); other values pass unchanged."""
    from datasets import ClassLabel, Value

    def name(value: Any, labels: Any = feature) -> Any:
        if value is None or value == NO_LABEL:
            return None
        if not 0 <= value < labels.num_classes:
            raise DataError(f"class {value} of column {column!r} is outside its "
                            f"{labels.num_classes} ClassLabel names", path=where)
        return labels.int2str(value)

    inner = getattr(feature, "feature", None)  # Sequence / List of ClassLabel: multi-label
    if isinstance(feature, ClassLabel):
        return name
    if isinstance(inner, ClassLabel):
        return lambda values: None if values is None else [name(v, inner) for v in values]
    if (field in REFERENCE_FIELDS and isinstance(feature, Value)
            and feature.dtype.startswith(("int", "uint"))):
        raise DataError(f"column {column!r} ({field}) holds integers without ClassLabel "
                        "names; map a column of label strings, or cast this one to a "
                        "datasets.ClassLabel first", path=where)
    return lambda value: value
