"""Cut long texts into overlapping token windows, and combine the windows' scores.

The fast tokenizer does the cutting (``return_overflowing_tokens`` with a ``stride``), so a
window never splits a word piece and a pair's target is repeated in every window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsdesk.manifest import Windowing


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
    if windowing.max_windows is not None:
        features, owners = _cap_windows(features, owners, windowing.max_windows)
    return Windows(features, owners)


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


def _cap_windows(features: list[dict[str, list[int]]], owners: list[int],
                 cap: int) -> tuple[list[dict[str, list[int]]], list[int]]:
    seen: dict[int, int] = {}
    kept_features, kept_owners = [], []
    for feature, owner in zip(features, owners):
        seen[owner] = seen.get(owner, 0) + 1
        if seen[owner] <= cap:
            kept_features.append(feature)
            kept_owners.append(owner)
    return kept_features, kept_owners


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
