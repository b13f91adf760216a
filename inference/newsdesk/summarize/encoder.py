"""Sentence embeddings from a BERT-style encoder, as sentence-transformers computes them.

For all-MiniLM-L6-v2 that is: mean of the token vectors over the attention mask, then L2
normalisation. Sentences are tokenized once, then run in length-sorted batches padded by the
tokenizer (``newsdesk.batching``, as the classifiers run windows), so a batch pads little.
``dtype="bfloat16"`` about doubles the speed on CPUs with bf16 units (AMX, AVX512-BF16)
for vectors within 0.996 cosine of float32 ones (MiniLM, news sentences); on other CPUs
it is slower, so float32 is the default.

Without torch (the light install) ``load_sentence_encoder`` gives an ``OnnxSentenceEncoder``
instead (``newsdesk.backends.resolve_backend`` decides, as for the classifiers): the dir's
ONNX export (``newsdesk export DIR --onnx`` of the plain encoder, or a frozen-encoder
model's export), whose graph ends in the same pooling (``newsdesk.pooling.mean_pooled``),
run by ONNX Runtime on sentences tokenized by its ``tokenizer.json``
(``newsdesk.tokenizer.LightTokenizer``) and batched the same way.

``DistinctVectors`` is the one encode-once-then-compare helper for tables and pairs of
strings (mined stance negatives, the stance benchmark's zero-shot bi-encoder): each
distinct string encoded once, then a table of cosines (one matrix product) or the cosine
of each pair (one dot product a pair).

>>> encoder = SentenceEncoder.load("minilm-l6")            # doctest: +SKIP
>>> encoder.encode(["Rates rose.", "Prices fell."]).shape  # doctest: +SKIP
(2, 384)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError, ModelError

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
        return encode_sentences(self.tokenizer, sentences, self._run, self.dimension,
                                batch_size=self.batch_size, max_tokens=self.max_tokens)

    def _run(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        from newsdesk.pooling import mean_pooled

        inputs = {name: torch.from_numpy(array) for name, array in batch.items()}
        with torch.inference_mode():
            tokens = self.model(**inputs).last_hidden_state
        return mean_pooled(tokens, inputs["attention_mask"]).numpy()


class OnnxSentenceEncoder:
    """A sentence encoder's ONNX export (its graph pools: output ``sentence_embedding``) run
    by ONNX Runtime, tokenizing with the dir's ``tokenizer.json``: ``SentenceEncoder``
    without torch or transformers."""

    def __init__(self, runner: Any, tokenizer: Any, *, batch_size: int = 64,
                 max_tokens: int = MAX_TOKENS) -> None:
        if runner.output_name != EMBEDDING_OUTPUT:
            raise ModelError(f"{runner.path}: its output is {runner.output_name!r}, not "
                             f"{EMBEDDING_OUTPUT!r}: the export of a classifier, not of a "
                             "sentence encoder")
        self.runner = runner
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_tokens = max_tokens

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str] = "minilm-l6", *,
             threads: int | None = None, **options: Any) -> OnnxSentenceEncoder:
        """The ONNX export in an encoder dir (an alias or a local dir): a plain encoder's
        ``model.onnx`` or a frozen-encoder model's recorded export; none is a ModelError
        giving the command that writes it."""
        from newsdesk.backends import TORCH_EXTRA
        from newsdesk.modeldir import open_model_dir
        from newsdesk.onnx_backend import FILE_NAMES, OnnxRunner, check_threads, exported_file
        from newsdesk.tokenizer import LightTokenizer

        opened = open_model_dir(name_or_path)
        path = (exported_file(opened.path, opened.manifest, "fp32")
                if opened.manifest is not None else opened.path / FILE_NAMES["fp32"])
        if path is None or not path.is_file():
            raise ModelError(
                f"{opened.path}: no ONNX export of this sentence encoder ({FILE_NAMES['fp32']}),"
                " which centroid summaries without torch need; run `newsdesk export "
                f"{opened.path} --onnx` in a full install ({TORCH_EXTRA}) to write it")
        runner = OnnxRunner(Path(path), check_threads(threads))
        return cls(runner, LightTokenizer.from_dir(opened.path), **options)

    @property
    def dimension(self) -> int:
        return int(self.runner.session.get_outputs()[0].shape[-1])

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """An ``(n, dimension)`` float32 array of L2-normalised sentence vectors."""
        return encode_sentences(self.tokenizer, sentences, self.runner, self.dimension,
                                batch_size=self.batch_size, max_tokens=self.max_tokens)


#: The output name of an encoder export whose graph pools (``newsdesk.onnx_export``).
EMBEDDING_OUTPUT = "sentence_embedding"


def load_sentence_encoder(name_or_path: str | os.PathLike[str] = "minilm-l6", *,
                          backend: str | None = None, dtype: str = "float32",
                          **options: Any) -> SentenceEncoder | OnnxSentenceEncoder:
    """The encoder on ``backend`` (``newsdesk.backends.resolve_backend``: torch where it
    is installed, else the dir's ONNX export); ``dtype`` other than float32 is torch's."""
    from newsdesk.backends import resolve_backend

    if resolve_backend(backend) == "torch":
        return SentenceEncoder.load(name_or_path, dtype=dtype, **options)
    if dtype != "float32":
        raise ConfigError(f"encoder dtype {dtype!r} needs the torch backend; the ONNX "
                          "export runs float32")
    return OnnxSentenceEncoder.load(name_or_path, **options)


def encode_sentences(tokenizer: Any, sentences: Sequence[str],
                     run: Callable[[dict[str, np.ndarray]], np.ndarray], dimension: int, *,
                     batch_size: int, max_tokens: int) -> np.ndarray:
    """Sentences tokenized once (truncated to ``max_tokens``), then run by ``run`` (a
    padded batch -> its pooled vectors) in length-sorted batches padded by the tokenizer:
    an ``(n, dimension)`` float32 array."""
    from newsdesk.batching import length_batches, pad_batch

    out = np.zeros((len(sentences), dimension), dtype=np.float32)
    if not sentences:
        return out
    encoded = tokenizer(list(sentences), truncation=True, max_length=max_tokens,
                        return_attention_mask=False)
    features = [{name: ids[i] for name, ids in encoded.items()} for i in range(len(sentences))]
    for batch in length_batches([len(f["input_ids"]) for f in features], batch_size):
        out[batch] = run(pad_batch(tokenizer, [features[i] for i in batch]))
    return out


@dataclass(frozen=True)
class DistinctVectors:
    """The unit vectors of the distinct strings of some texts, each encoded once (sorted, so
    the batches, and the vectors, do not depend on the order the texts came in), looked up
    by string; their dot products are cosines.

    >>> class Axes:  # an encoder that gives each string its own unit vector
    ...     def encode(self, texts):
    ...         return np.eye(len(texts), dtype=np.float32)
    >>> vectors = DistinctVectors.encode(Axes(), ["b", "a"], ["a", "c"])
    >>> vectors.row
    {'a': 0, 'b': 1, 'c': 2}
    >>> vectors.cosine_table(["a", "b"], ["a", "c"]).tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    >>> vectors.pair_cosines(["a", "b"], ["a", "c"]).tolist()
    [1.0, 0.0]
    """

    vectors: np.ndarray
    row: dict[str, int]

    @classmethod
    def encode(cls, encoder: Any, *groups: Iterable[str]) -> DistinctVectors:
        """The distinct strings of ``groups``, sorted, through one ``encoder.encode`` call
        (a ``SentenceEncoder`` or an ``OnnxSentenceEncoder``: each reads a string's first
        ``max_tokens`` word pieces)."""
        texts = sorted(set().union(*groups))
        return cls(encoder.encode(texts), {text: i for i, text in enumerate(texts)})

    def of(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts``, one row each (a copy)."""
        return self.vectors[[self.row[text] for text in texts]]

    def cosine_table(self, rows: Sequence[str], columns: Sequence[str]) -> np.ndarray:
        """The cosine of every row string with every column string: one float32 matrix
        product, shape ``(len(rows), len(columns))``."""
        return self.of(rows) @ self.of(columns).T

    def pair_cosines(self, lefts: Sequence[str], rights: Sequence[str]) -> np.ndarray:
        """The cosine of each left string with the right string beside it: one float32 dot
        product a pair, as a float64 array. (A matrix product's figures may differ from
        these in the last float32 bits: the sums run in another order.)"""
        return np.array([float(self.vectors[self.row[left]] @ self.vectors[self.row[right]])
                         for left, right in zip(lefts, rights, strict=True)])
