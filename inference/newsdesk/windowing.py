"""Cut long texts into overlapping token windows, and combine the windows' scores.

The fast tokenizer does the cutting (``return_overflowing_tokens`` with a ``stride``), so a
window never splits a word piece and a pair's target is repeated in every window.

A text longer than ``SLICE_CHARS`` characters is first cut at whitespace into slices that
are windowed one group at a time (``slice_groups``), so the memory one huge text needs stays
bounded; its windows are still scored and combined as one text's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsdesk.manifest import Windowing

#: Texts longer than this (in characters) are windowed a slice at a time, and a group of
#: slices handed to the tokenizer at once holds about this many characters at most.
SLICE_CHARS = 100_000


@dataclass
class Windows:
    """Token windows of a batch of texts: ``features[i]`` belongs to text ``owners[i]``."""

    features: list[dict[str, list[int]]]
    owners: list[int]


def encode_windows(tokenizer: Any, texts: Sequence[str], windowing: Windowing,
                   targets: Sequence[str] | None = None) -> Windows:
    """Windows of ``texts`` (each prefixed by its target, as a pair, when given).

    A target longer than ``target_budget(windowing)`` word pieces is cut to fit, so that
    every window still holds part of the text.
    """
    overflow = windowing.mode == "all"
    kwargs: dict[str, Any] = {
        "max_length": windowing.max_length, "truncation": "only_second" if targets else True,
        "return_overflowing_tokens": overflow, "stride": windowing.stride if overflow else 0,
        "return_attention_mask": False}
    encoded = (tokenizer(fit_targets(tokenizer, targets, target_budget(windowing)),
                         list(texts), **kwargs) if targets
               else tokenizer(list(texts), **kwargs))
    owners = (list(encoded["overflow_to_sample_mapping"]) if overflow
              else list(range(len(texts))))
    keys = [k for k in ("input_ids", "token_type_ids") if k in encoded]
    features = [{k: list(encoded[k][i]) for k in keys} for i in range(len(owners))]
    return cap_windows(Windows(features, owners), windowing.max_windows)


def target_budget(windowing: Windowing) -> int:
    """The most word pieces a pair's target keeps: half of what the window leaves after
    the special tokens and the stride, so every window still moves on through the text.

    >>> target_budget(Windowing(max_length=128, stride=32))
    46
    """
    return max(1, (windowing.max_length - 3 - windowing.stride) // 2)


def fit_targets(tokenizer: Any, targets: Sequence[str], budget: int) -> list[str]:
    """``targets``, each longer than ``budget`` word pieces cut after its last whole word
    that fits (a target that fills the window would leave no room for the text)."""
    encoded = tokenizer(list(targets), add_special_tokens=False, return_offsets_mapping=True)
    fitted = list(targets)
    for index, target in enumerate(targets):
        if len(encoded["input_ids"][index]) <= budget:
            continue
        words, offsets = encoded.word_ids(index), encoded["offset_mapping"][index]
        first = next(i for i, w in enumerate(words) if w == words[budget])
        cut = offsets[first][0] if first else offsets[budget][0]  # one huge word: mid-word
        fitted[index] = target[:cut].rstrip()
    return fitted


def cap_windows(windows: Windows, cap: int | None,
                seen: dict[int, int] | None = None) -> Windows:
    """``windows`` without those past the ``cap``-th of their owner (None: no cap).
    ``seen`` counts each owner's windows across calls (a text windowed in several groups).

    >>> cap_windows(Windows([{"input_ids": [i]} for i in range(4)], [0, 0, 1, 0]), 1).owners
    [0, 1]
    """
    if cap is None:
        return windows
    seen = {} if seen is None else seen
    kept = Windows([], [])
    for feature, owner in zip(windows.features, windows.owners):
        seen[owner] = seen.get(owner, 0) + 1
        if seen[owner] <= cap:
            kept.features.append(feature)
            kept.owners.append(owner)
    return kept


def text_windows(tokenizer: Any, texts: Sequence[str], targets: Sequence[str] | None,
                 windowing: Windowing, limit: int = SLICE_CHARS,
                 lock: AbstractContextManager[Any] | None = None) -> Iterator[Windows]:
    """The windows of ``texts`` a group of slices at a time (``slice_groups``), each owned
    by its text's index, at most ``windowing.max_windows`` per text whichever slice they
    came from. ``lock`` is held while the tokenizer runs (a fast tokenizer shared between
    threads must not be called twice at once)."""
    seen: dict[int, int] = {}
    for group in slice_groups(texts, targets, windowing, limit):
        with lock or nullcontext():
            windows = encode_windows(tokenizer, group.texts, windowing, group.targets)
        by_text = Windows(windows.features, [group.owners[o] for o in windows.owners])
        yield cap_windows(by_text, windowing.max_windows, seen)


def text_slices(text: str, limit: int = SLICE_CHARS) -> list[str]:
    """``text`` cut into slices of at most ``limit`` characters, at whitespace (mid-word
    only when a "word" is longer than ``limit``). Slices of whitespace alone are left out;
    a text within the limit is its own single slice.

    >>> text_slices("one two three", limit=8)
    ['one two', ' three']
    """
    if len(text) <= limit:
        return [text]
    slices: list[str] = []
    start = 0
    while start < len(text):
        stop = _cut_point(text, start, limit)
        if not text[start:stop].isspace():
            slices.append(text[start:stop])
        start = stop
    return slices


def _cut_point(text: str, start: int, limit: int) -> int:
    end = start + limit
    if end >= len(text):
        return len(text)
    if text[end].isspace():
        return end
    for index in range(end - 1, start, -1):
        if text[index].isspace():
            return index
    return end


@dataclass
class SliceGroup:
    """Slices windowed together: ``texts[i]`` is a slice of input text ``owners[i]``."""

    texts: list[str]
    targets: list[str] | None
    owners: list[int]

    def add(self, text: str, target: str | None, owner: int) -> None:
        self.texts.append(text)
        self.owners.append(owner)
        if self.targets is not None and target is not None:
            self.targets.append(target)


def slice_groups(texts: Sequence[str], targets: Sequence[str] | None, windowing: Windowing,
                 limit: int = SLICE_CHARS) -> Iterator[SliceGroup]:
    """Groups of slices of ``texts`` of about ``limit`` characters each, in text order.

    With ``mode="first"`` only a text's first slice is kept (it holds the first window).

    >>> [g.owners for g in slice_groups(["a b c", "d", "e f"], None, Windowing(), limit=3)]
    [[0], [0, 1], [2]]
    """
    group, size = _empty_group(targets is not None), 0
    for owner, text in enumerate(texts):
        pieces = text_slices(text, limit)
        for piece in pieces[:1] if windowing.mode == "first" else pieces:
            if group.texts and size + len(piece) > limit:
                yield group
                group, size = _empty_group(targets is not None), 0
            group.add(piece, targets[owner] if targets is not None else None, owner)
            size += len(piece)
    if group.texts:
        yield group


def _empty_group(paired: bool) -> SliceGroup:
    return SliceGroup([], [] if paired else None, [])


def aggregate(window_probs: np.ndarray, owners: Sequence[int], n_texts: int,
              how: str = "mean") -> np.ndarray:
    """Per-text probabilities from per-window ones (mean or max over a text's windows).

    >>> np.round(aggregate(np.array([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0]]), [0, 0, 1], 2),
    ...          6).tolist()
    [[0.4, 0.6], [1.0, 0.0]]
    """
    owners_arr = np.asarray(owners)
    out = np.zeros((n_texts, window_probs.shape[1]), dtype=np.float64)
    if how == "mean":
        np.add.at(out, owners_arr, window_probs)
        counts = np.bincount(owners_arr, minlength=n_texts).astype(np.float64)
        return out / np.maximum(counts, 1)[:, None]
    out.fill(-np.inf)
    np.maximum.at(out, owners_arr, window_probs)
    return out
