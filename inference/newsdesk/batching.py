"""Length-sorted batches padded by the tokenizer: the one batching path of the classifiers,
the abstractive summarizer and the sentence encoder.

Items are sorted longest first and cut into runs of at most ``size`` items whose padded size
(count x longest) stays within a token budget, so a batch pads little and a CPU batch stays
small; each batch is padded to its longest member by the tokenizer's own ``pad``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np


def length_batches(lengths: Sequence[int], size: int,
                   max_tokens: int | None = None) -> Iterator[list[int]]:
    """Indexes of ``lengths``, longest first (ties in input order), in consecutive batches
    of at most ``size`` items whose padded size (count x longest) stays within
    ``max_tokens`` (None: no budget; a single item always fits).

    >>> list(length_batches([10, 300, 10, 200], 32, 512))
    [[1], [3, 0], [2]]
    >>> list(length_batches([3, 5, 4], 2))
    [[1, 2], [0]]
    """
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    batch: list[int] = []
    for index in order:
        longest = lengths[batch[0]] if batch else lengths[index]
        full = len(batch) >= size or (
            max_tokens is not None and (len(batch) + 1) * longest > max_tokens)
        if batch and full:
            yield batch
            batch = []
        batch.append(index)
    if batch:
        yield batch


def pad_batch(tokenizer: Any, features: Sequence[dict[str, list[int]]]) -> dict[str, np.ndarray]:
    """``features`` (token ids, and token type ids where the tokenizer makes them) padded by
    ``tokenizer.pad`` to the longest of the batch, with the attention mask: int64 arrays by
    input name, as a model or an ONNX Runtime session takes them."""
    padded = tokenizer.pad(list(features), padding="longest", return_attention_mask=True,
                           return_tensors="np")
    return {name: np.asarray(array, dtype=np.int64) for name, array in padded.items()}
