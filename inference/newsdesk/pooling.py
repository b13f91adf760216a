"""Mean pooling as sentence-transformers does it: the one pooling of every encoder.

It lives apart from ``newsdesk.summarize`` so that the classifiers, which pool a frozen
encoder's output, need nothing from the summarizers (which use the classifiers).
"""

from __future__ import annotations

from typing import Any


def mean_pooled(tokens: Any, attention_mask: Any) -> Any:
    """Sentence vectors as sentence-transformers pools them: the mean of the token vectors
    where ``attention_mask`` is 1, L2-normalised, in float32 (torch tensors in and out).
    ``SentenceEncoder`` (``newsdesk.summarize.encoder``), a frozen-encoder classifier's
    runner and its ONNX export all pool here.

    >>> import torch
    >>> mean_pooled(torch.tensor([[[3.0, 0.0], [0.0, 4.0], [9.0, 9.0]]]),
    ...             torch.tensor([[1, 1, 0]])).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    import torch

    tokens = tokens.float()
    mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
    pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)
