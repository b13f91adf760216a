"""Summaries of a data set: sizes, split and label counts, token lengths, provenance.

>>> desc = summarize_records("mem", [Record(id="1", text="Rates rise.", label="business",
...                                         meta={"split": "train"})], tokens=False)
>>> desc.split_labels["label"]["business"]
{'train': 1}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsdesk.data.records import Record
from newsdesk.data.sources import FORMATS, builtin_source, load
from newsdesk.data.splits import SPLITS

NO_SPLIT = "(none)"
FACETS = ("corpus", "kind", "source")


@dataclass
class Description:
    """What ``newsdesk data show`` prints about one data set."""

    name: str
    records: int
    splits: dict[str, int]
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    split_labels: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    mean_tokens: dict[str, float] = field(default_factory=dict)
    provenance: str = "local file"
    licence: str = "as the file's owner says"
    description: str = ""


def describe(name: str) -> Description:
    """Describe a built-in set, a local file or a ``fnc1:``/``semeval:`` spec (all splits)."""
    desc = summarize_records(name, load(name))
    source = builtin_source(name) or FORMATS.get(name.partition(":")[0] if ":" in name else "")
    if source is not None:
        desc.provenance, desc.licence = source.provenance, source.licence
        desc.description = source.description
    return desc


def summarize_records(name: str, records: Sequence[Record], *, tokens: bool = True
                      ) -> Description:
    """Counts of ``records``; ``tokens=False`` skips the (slower) token lengths."""
    splits = Counter(str(r.meta.get("split", NO_SPLIT)) for r in records)
    split_labels = _reference_counts(records)
    return Description(
        name=name, records=len(records), splits=_in_split_order(splits),
        labels={kind: {label: sum(per.values()) for label, per in table.items()}
                for kind, table in split_labels.items()},
        split_labels=split_labels, facets=_facet_counts(records),
        mean_tokens=_mean_tokens(records) if tokens else {})


def _in_split_order(counts: Counter[str]) -> dict[str, int]:
    order = [*SPLITS, *sorted(set(counts) - set(SPLITS))]
    return {split: counts[split] for split in order if counts[split]}


def _references(record: Record) -> list[tuple[str, str]]:
    labels = record.label if isinstance(record.label, tuple) else (record.label,)
    refs = [("label", label) for label in labels if label is not None]
    if record.stance is not None:
        refs.append(("stance", record.stance))
    if record.summary is not None:
        refs.append(("summary", "with summary"))
    return refs


def _reference_counts(records: Sequence[Record]) -> dict[str, dict[str, dict[str, int]]]:
    """kind (label/stance/summary) -> value -> split -> count, most frequent value first."""
    table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for record in records:
        split = str(record.meta.get("split", NO_SPLIT))
        for kind, value in _references(record):
            table[kind][value][split] += 1
    return {kind: {value: _in_split_order(per) for value, per in
                   sorted(values.items(), key=lambda item: -sum(item[1].values()))}
            for kind, values in table.items()}


def _facet_counts(records: Sequence[Record]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        for facet in FACETS:
            if isinstance(record.meta.get(facet), str):
                counts[facet][record.meta[facet]] += 1
                if record.summary is not None:
                    counts[f"summary by {facet}"][record.meta[facet]] += 1
    return {facet: dict(counter.most_common()) for facet, counter in counts.items()}


def _mean_tokens(records: Sequence[Record]) -> dict[str, float]:
    """Mean word pieces per field; each distinct string is tokenized once."""
    from newsdesk.data.tokens import count_tokens

    means: dict[str, float] = {}
    for name in ("text", "title", "target", "summary"):
        values = Counter(getattr(r, name) for r in records if getattr(r, name))
        if values:
            distinct = list(values)
            lengths = count_tokens(distinct)
            total = sum(n * values[text] for n, text in zip(lengths, distinct))
            means[name] = total / sum(values.values())
    return means


def format_description(desc: Description) -> str:
    lines = [f"{desc.name}: {desc.records:,} records"]
    if desc.description:
        lines.append(f"  {desc.description}")
    lines.append("  splits: " + ", ".join(f"{k} {v:,}" for k, v in desc.splits.items()))
    for kind, table in desc.split_labels.items():
        lines.extend(_format_table(kind, table, list(desc.splits)))
    for facet, counts in desc.facets.items():
        lines.append(f"  {facet}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    if desc.mean_tokens:
        lines.append("  mean length (MiniLM word pieces): "
                     + ", ".join(f"{k} {v:.0f}" for k, v in desc.mean_tokens.items()))
    lines.append(f"  provenance: {desc.provenance}")
    lines.append(f"  licence: {desc.licence}")
    return "\n".join(lines)


def _format_table(kind: str, table: dict[str, dict[str, int]], splits: list[str]) -> list[str]:
    width = max(len(kind), *(len(value) for value in table))
    header = f"  {kind:<{width}}  {'all':>7}" + "".join(f"  {s:>10}" for s in splits)
    rows = [f"  {value:<{width}}  {sum(per.values()):>7,}"
            + "".join(f"  {per.get(s, 0):>10,}" for s in splits)
            for value, per in table.items()]
    return [header, *rows]
