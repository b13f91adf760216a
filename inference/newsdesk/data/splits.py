"""Deterministic, seeded splits that come out identical on every machine.

A split never uses a random generator whose stream could change between library versions:
each key is hashed with the seed (sha256), keys are ordered by hash within their stratum,
and the ordered list is cut at the split fractions. ``select_split`` picks one split out of
records by their ``split`` field.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence

from newsdesk.data.records import Record
from newsdesk.errors import DataError

SPLITS = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.7, 0.1, 0.2)


def stable_hash(key: str, seed: str) -> str:
    """A hex digest that orders keys the same way on every machine and Python."""
    return hashlib.sha256(f"{seed}\x00{key}".encode()).hexdigest()


def assign_splits(keys: Sequence[str], strata: Sequence[str] | None = None, *, seed: str,
                  fractions: Sequence[float] = DEFAULT_FRACTIONS) -> list[str]:
    """The split name of each key, stratified by ``strata`` (e.g. the label) when given.

    >>> assign_splits([str(i) for i in range(10)], seed="s").count("train")
    7
    """
    if len(set(keys)) != len(keys):
        raise ValueError("split keys must be unique")
    if abs(sum(fractions) - 1.0) > 1e-9 or len(fractions) != len(SPLITS):
        raise ValueError(f"fractions must be {len(SPLITS)} numbers summing to 1")
    groups: dict[str, list[int]] = defaultdict(list)
    for index, stratum in enumerate(strata if strata is not None else [""] * len(keys)):
        groups[stratum].append(index)
    result = [""] * len(keys)
    for members in groups.values():
        ordered = sorted(members, key=lambda i: stable_hash(keys[i], seed))
        bounds = _cut_points(len(ordered), fractions)
        for split, (lo, hi) in zip(SPLITS, zip(bounds, bounds[1:])):
            for index in ordered[lo:hi]:
                result[index] = split
    return result


def assign_group_splits(keys: Sequence[str], groups: Sequence[str],
                        strata: Sequence[str] | None = None, *, seed: str,
                        fractions: Sequence[float] = DEFAULT_FRACTIONS) -> list[str]:
    """Like ``assign_splits``, but items with the same ``groups`` value share one split.

    Each group is split as a unit under the key (and stratum) of its first item, so an
    item alone in its group lands exactly where ``assign_splits`` would put its key among
    the groups. Used to keep near-duplicates (articles sharing a headline) together.

    >>> splits = assign_group_splits(["a", "b", "c"], ["x", "y", "x"], seed="s")
    >>> splits[0] == splits[2]
    True
    """
    first: dict[str, int] = {}
    for index, group in enumerate(groups):
        first.setdefault(group, index)
    heads = list(first.values())
    chosen = assign_splits([keys[i] for i in heads],
                           [strata[i] for i in heads] if strata is not None else None,
                           seed=seed, fractions=fractions)
    split_of = dict(zip(first, chosen))
    return [split_of[group] for group in groups]


def select_split(records: list[Record], split: str | None, where: str) -> list[Record]:
    """The records of ``split`` (all of them for None), by their ``split`` field."""
    if split is None:
        return records
    if any("split" not in r.meta for r in records):
        raise DataError(f"split {split!r} asked for, but the records have no 'split' field; "
                        "give one file per split instead", path=where)
    chosen = [r for r in records if r.meta["split"] == split]
    if not chosen:
        raise DataError(f"no records in split {split!r}", path=where)
    return chosen


def _cut_points(total: int, fractions: Sequence[float]) -> list[int]:
    points, running = [0], 0.0
    for fraction in fractions[:-1]:
        running += fraction
        points.append(round(total * running))
    points.append(total)
    return points
