"""Accuracy per slice of the evaluated records (``newsdesk evaluate --slice-by FIELD``).

A slice is the records with one value of a ``meta`` field (``kind`` in headline-stance:
related, hard, easy, same-entity; ``source`` for a publisher; any column a file has);
records without the field form the slice ``(none)``. A group (``--slice-group
NAME=v1,v2``) is the union of some values' slices, reported as one more row (``related+hard
=related,hard``). Each row: the records, the wrong ones, the accuracy and its 95% bootstrap
interval (``newsdesk.metrics.bootstrap.mean_interval``, seeded); with a baseline's results on
the same records (``newsdesk evaluate --against``), its accuracy there and the difference to
it with a paired bootstrap 95% interval (``paired_difference``, same seed).

>>> rows = accuracy_by_slice([{"kind": "a"}, {"kind": "a"}, {}], [True, False, True], "kind")
>>> [(v, r["n"], r["errors"], r["accuracy"]) for v, r in rows["values"].items()]
[('a', 2, 1, 0.5), ('(none)', 1, 0, 1.0)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError
from newsdesk.metrics.bootstrap import mean_interval, paired_difference

#: The slice of the records that lack the field.
NO_VALUE = "(none)"


@dataclass(frozen=True)
class SliceGroup:
    """A row for the union of several values' slices.

    >>> SliceGroup.parse("related+hard=related, hard")
    SliceGroup(name='related+hard', values=('related', 'hard'))
    """

    name: str
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> SliceGroup:
        """``NAME=VALUE,VALUE...`` as given to ``--slice-group``."""
        name, sep, listed = text.partition("=")
        values = tuple(dict.fromkeys(v.strip() for v in listed.split(",") if v.strip()))
        if not sep or not name.strip() or not values:
            raise ConfigError(f"--slice-group {text!r}: expected NAME=VALUE,VALUE (e.g. "
                              "related+hard=related,hard)")
        return cls(name.strip(), values)


def slice_value(meta: Mapping[str, Any], field: str) -> str:
    """The slice a record's ``meta`` puts it in: its ``field`` as text, or ``(none)``."""
    value = meta.get(field)
    return NO_VALUE if value is None or value == "" else str(value)


def slice_row(correct: np.ndarray, seed: int = 0,
              baseline: np.ndarray | None = None) -> dict[str, Any]:
    """Records, errors, accuracy and its 95% bootstrap interval of one slice; with the
    ``baseline``'s results on the same records, its accuracy and the paired difference."""
    row = {"n": int(correct.size), "errors": int(correct.size - correct.sum()),
           "accuracy": float(correct.mean()),
           "accuracy_95": list(mean_interval(correct.astype(float), seed=seed))}
    if baseline is not None:
        paired = paired_difference(correct.astype(float), baseline.astype(float), seed=seed)
        row.update(baseline_accuracy=float(baseline.mean()), diff_vs_baseline=paired.mean,
                   diff_95=[paired.low, paired.high])
    return row


def accuracy_by_slice(metas: Sequence[Mapping[str, Any]], correct: Sequence[bool], field: str,
                      groups: Sequence[SliceGroup] = (), seed: int = 0,
                      baseline: Sequence[bool] | None = None) -> dict[str, Any]:
    """Each value's row (by value, ``(none)`` last) and each group's (with its values), for
    records with ``metas`` whose prediction was right or not (``correct``; ``baseline``:
    the baseline's, record for record). A group that names a value no record has, or that
    is named as a value, is a ConfigError."""
    values = np.array([slice_value(meta, field) for meta in metas], dtype=object)
    hits = np.asarray(correct, dtype=bool)
    theirs = None if baseline is None else np.asarray(baseline, dtype=bool)
    if len(values) != len(hits) or (theirs is not None and len(theirs) != len(hits)):
        raise ValueError(f"{len(hits)} results for {len(values)} records")

    def row(inside: np.ndarray) -> dict[str, Any]:
        return slice_row(hits[inside], seed, None if theirs is None else theirs[inside])

    present = sorted(set(values), key=lambda v: (v == NO_VALUE, v))
    out: dict[str, Any] = {"field": field, "values": {
        value: row(values == value) for value in present}, "groups": {}}
    for group in groups:
        check_group(group, present, field)
        out["groups"][group.name] = {"values": list(group.values),
                                     **row(np.isin(values, list(group.values)))}
    return out


def check_group(group: SliceGroup, present: Sequence[str], field: str) -> None:
    """A ConfigError if ``group`` names an absent value or shares a value's name."""
    shown = ", ".join(present)
    missing = [v for v in group.values if v not in present]
    if missing:
        raise ConfigError(f"--slice-group {group.name}: no record has {field} "
                          f"{', '.join(map(repr, missing))} (values: {shown})")
    if group.name in present:
        raise ConfigError(f"--slice-group {group.name}: {group.name!r} is a value of {field} "
                          "already; name the group otherwise")


def slices_markdown(slices: Mapping[str, Any], baseline: str | None = None) -> list[str]:
    """The report's table: a row per value, then a row per group; with the name of the
    ``baseline`` the rows were compared with, its accuracy and the difference to it."""
    def line(name: str, row: Mapping[str, Any]) -> str:
        low, high = row["accuracy_95"]
        cells = (f"| {name} | {row['n']} | {row['errors']} | {100 * row['accuracy']:.2f} | "
                 f"{100 * low:.2f} – {100 * high:.2f} |")
        if baseline is None:
            return cells
        return cells + (f" {100 * row['baseline_accuracy']:.2f} | "
                        f"{points(row['diff_vs_baseline'], row['diff_95'])} |")

    field = slices["field"]
    rows = [line(value, row) for value, row in slices["values"].items()]
    rows += [line(f"{name} ({', '.join(row['values'])})", row)
             for name, row in slices["groups"].items()]
    extra = ("", "") if baseline is None else (
        f" {baseline} | difference (paired 95% interval) |", "---|---|")
    return ["", f"## Accuracy by {field}", "",
            f"Records without `{field}` count as {NO_VALUE}; 95% bootstrap intervals.", "",
            f"| {field} | n | errors | accuracy | 95% interval |{extra[0]}",
            f"|---|---|---|---|---|{extra[1]}", *rows]


def points(difference: float, interval: Sequence[float]) -> str:
    """A difference of fractions in points with its interval: ``+1.20 [+0.35, +2.05]``."""
    low, high = interval
    return f"{100 * difference:+.2f} [{100 * low:+.2f}, {100 * high:+.2f}]"
