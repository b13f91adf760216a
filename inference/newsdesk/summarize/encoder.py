"""Sentence embeddings from a BERT-style encoder, as sentence-transformers computes them.

For all-MiniLM-L6-v2 that is: mean of the token vectors over the attention mask, then L2
normalisation. Sentences are tokenized once, then run in length-sorted batches padded by the
tokenizer (``newsdesk.batching``, as the classifiers run windows), so a batch pads little.
``dtype="bfloat16"`` about doubles the speed on CPUs with bf16 units (AMX, AVX512-BF16)
for vectors within 0.996 cosine of float32 ones (MiniLM, news sentences); on other CPUs
it is slower, so float32 is the default.

>>> encoder = SentenceEncoder.load("minilm-l6")            # doctest: +SKIP
>>> encoder.encode(["Rates rose.", "Prices fell."]).shape  # doctest: +SKIP
(2, 384)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError
from newsdesk.pooling import mean_pooled

#: all-MiniLM-L6-v2 reads at most 256 word pieces (its sentence-transformers setting).
MAX_TOKENS = 256
DTYPES = ("float32", "bfloat16")


class SentenceEncoder:
    """A transformers encoder and tokenizer that turn sentences into unit vectors."""

    def __init__(self, model: Any, tokenizer: Any, *, batch_size: int = 64,
                 max_tokens: int = MAX_TOKENS) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_tokens = max_tokens

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str] = "minilm-l6", *,
             dtype: str = "float32", allow_pickle: bool = False,
             **options: Any) -> SentenceEncoder:
        """An encoder from an alias (``minilm-l6``), a local dir or a hub id, opened as
        every model dir is (``newsdesk.modeldir``): safetensors only unless
        ``allow_pickle``, never remote code."""
        from newsdesk.backends import require_torch

        require_torch("a sentence encoder (centroid summaries)")
        import torch
        from transformers import AutoModel

        from newsdesk.modeldir import open_model_dir

        if dtype not in DTYPES:
            raise ConfigError(f"encoder dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        opened = open_model_dir(name_or_path, allow_pickle=allow_pickle)
        model = opened.load_model(AutoModel, what="a sentence encoder")
        return cls(model.to(getattr(torch, dtype)), opened.load_tokenizer(), **options)

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """An ``(n, dimension)`` float32 array of L2-normalised sentence vectors."""
        import torch

        from newsdesk.batching import length_batches, pad_batch

        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        if not sentences:
            return out
        encoded = self.tokenizer(list(sentences), truncation=True, max_length=self.max_tokens,
                                 return_attention_mask=False)
        features = [{name: ids[i] for name, ids in encoded.items()}
                    for i in range(len(sentences))]
        for batch in length_batches([len(f["input_ids"]) for f in features], self.batch_size):
            inputs = {name: torch.from_numpy(array) for name, array in
                      pad_batch(self.tokenizer, [features[i] for i in batch]).items()}
            with torch.inference_mode():
                tokens = self.model(**inputs).last_hidden_state
            out[batch] = mean_pooled(tokens, inputs["attention_mask"]).numpy()
        return out
