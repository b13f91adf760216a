"""Summaries of a data set: sizes, split and label counts, token lengths, provenance."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from newsdesk.data.records import Record
from newsdesk.data.sources import BUILTIN, load


@dataclass
class Description:
    """What ``newsdesk data show`` prints about one data set."""

    name: str
    records: int
    splits: dict[str, int]
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    mean_tokens: dict[str, float] = field(default_factory=dict)
    provenance: str = "local file"
    licence: str = "as the file's owner says"
    description: str = ""


def describe(name: str) -> Description:
    """Describe a built-in set or a local file (all splits)."""
    records = load(name)
    source = BUILTIN.get(name)
    desc = Description(
        name=name, records=len(records),
        splits=dict(Counter(str(r.meta.get("split", "(none)")) for r in records)),
        labels=_reference_counts(records), mean_tokens=_mean_tokens(records))
    if source is not None:
        desc.provenance, desc.licence = source.provenance, source.licence
        desc.description = source.description
    return desc


def _reference_counts(records: list[Record]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for record in records:
        labels = record.label if isinstance(record.label, tuple) else (record.label,)
        for label in labels:
            if label is not None:
                counts.setdefault("label", Counter())[label] += 1
        if record.stance is not None:
            counts.setdefault("stance", Counter())[record.stance] += 1
        if record.summary is not None:
            counts.setdefault("summary", Counter())["with summary"] += 1
    return {key: dict(counter.most_common()) for key, counter in counts.items()}


def _mean_tokens(records: list[Record]) -> dict[str, float]:
    from newsdesk.data.tokens import count_tokens

    columns = {"text": [r.text for r in records],
               "title": [r.title for r in records if r.title],
               "target": [r.target for r in records if r.target],
               "summary": [r.summary for r in records if r.summary]}
    return {name: statistics.fmean(count_tokens(texts)) for name, texts in columns.items()
            if texts}


def format_description(desc: Description) -> str:
    lines = [f"{desc.name}: {desc.records:,} records"]
    if desc.description:
        lines.append(f"  {desc.description}")
    lines.append("  splits: " + ", ".join(f"{k} {v:,}" for k, v in desc.splits.items()))
    for kind, counts in desc.labels.items():
        lines.append(f"  {kind}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    lines.append("  mean length (MiniLM word pieces): "
                 + ", ".join(f"{k} {v:.0f}" for k, v in desc.mean_tokens.items()))
    lines.append(f"  provenance: {desc.provenance}")
    lines.append(f"  licence: {desc.licence}")
    return "\n".join(lines)
