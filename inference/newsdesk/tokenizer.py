"""A model dir's tokenizer without transformers: its ``tokenizer.json`` run by the Rust
``tokenizers`` library, called as newsdesk calls a transformers fast tokenizer.

A transformers fast tokenizer wraps the same ``tokenizers.Tokenizer`` (``save_pretrained``
writes it to ``tokenizer.json``) and, for each call, sets its truncation (``max_length``,
``stride``, strategy, side) and turns padding off, encodes the batch, and flattens each
encoding's overflowing windows after it (``overflow_to_sample_mapping``); ``pad`` pads to the
longest with the pad token of ``tokenizer_config.json``. ``LightTokenizer`` does those steps
and nothing else, so ``newsdesk.windowing`` (windows, stride, pair truncation, fitted
targets) and ``newsdesk.batching`` (padding) run unchanged on it: the ONNX backend uses it,
with torch installed or not (``newsdesk export`` checks it gives the transformers
tokenizer's windows).

It always returns ``token_type_ids``; the ONNX runner feeds them only to a graph that takes
them (one exported from a tokenizer that makes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelError
from newsdesk.jsonfile import read_json_object

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"
SPECIAL_TOKENS_FILE = "special_tokens_map.json"
#: ``truncation=`` values as transformers names them -> the ``tokenizers`` strategy.
TRUNCATION = {True: "longest_first", "longest_first": "longest_first",
              "only_first": "only_first", "only_second": "only_second"}
SIDES = ("right", "left")


class Encoded(dict):  # type: ignore[type-arg]
    """What a call returns: lists by name (``input_ids``, ``token_type_ids``, ...), one per
    window, and ``word_ids(i)`` as a transformers ``BatchEncoding`` gives them."""

    def __init__(self, data: dict[str, Any], encodings: list[Any]) -> None:
        super().__init__(data)
        self.encodings = encodings

    def word_ids(self, index: int = 0) -> list[int | None]:
        return list(self.encodings[index].word_ids)


class LightTokenizer:
    """``tokenizer.json`` through ``tokenizers``, with the transformers fast tokenizer's
    settings from ``tokenizer_config.json`` (pad token, padding and truncation side,
    ``model_max_length``, ``split_special_tokens``)."""

    def __init__(self, backend: Any, *, pad_token: str | None = None, pad_token_type_id: int = 0,
                 padding_side: str = "right", truncation_side: str = "right",
                 model_max_length: int | None = None,
                 split_special_tokens: bool = False) -> None:
        for name, side in (("padding_side", padding_side), ("truncation_side", truncation_side)):
            if side not in SIDES:
                raise ValueError(f"{name} must be 'right' or 'left', not {side!r}")
        self.backend = backend
        self.backend.no_padding()
        self.backend.no_truncation()
        self.backend.encode_special_tokens = split_special_tokens
        self.pad_token = pad_token
        self.pad_token_id = None if pad_token is None else backend.token_to_id(pad_token)
        self.pad_token_type_id = pad_token_type_id
        self.padding_side = padding_side
        self.truncation_side = truncation_side
        self.model_max_length = model_max_length

    @classmethod
    def from_dir(cls, directory: str | Path) -> LightTokenizer:
        """The tokenizer of a model dir written by ``save_pretrained`` (``tokenizer.json``
        and ``tokenizer_config.json``); any missing or unreadable file is one ModelError."""
        from tokenizers import Tokenizer

        directory = Path(directory)
        path = directory / TOKENIZER_FILE
        if not path.is_file():
            raise ModelError(f"{directory}: no {TOKENIZER_FILE}, which serving without "
                             "transformers needs (save the tokenizer with a fast tokenizer's "
                             "save_pretrained)")
        try:
            backend = Tokenizer.from_file(str(path))
        except Exception as error:  # tokenizers raises its own error types
            raise ModelError(f"{path}: unreadable ({' '.join(str(error).split())})") from None
        settings = read_json_object(directory / CONFIG_FILE)
        raw = read_json_object(path)
        padding, truncation = raw.get("padding") or {}, raw.get("truncation") or {}
        pad_token = (_token(settings.get("pad_token"))
                     or _token(read_json_object(directory / SPECIAL_TOKENS_FILE)
                               .get("pad_token"))
                     or padding.get("pad_token"))
        if pad_token is not None and backend.token_to_id(pad_token) is None:
            raise ModelError(f"{directory / CONFIG_FILE}: pad token {pad_token!r} is not in "
                             f"{TOKENIZER_FILE}")
        try:
            return cls(backend, pad_token=pad_token,
                       pad_token_type_id=int(settings.get("pad_token_type_id",
                                                          padding.get("pad_type_id", 0))),
                       padding_side=settings.get("padding_side",
                                                 str(padding.get("direction", "right")).lower()),
                       truncation_side=settings.get(
                           "truncation_side", str(truncation.get("direction", "right")).lower()),
                       model_max_length=settings.get("model_max_length"),
                       split_special_tokens=bool(settings.get("split_special_tokens", False)))
        except (TypeError, ValueError) as error:
            raise ModelError(f"{directory / CONFIG_FILE}: {error}") from None

    def __call__(self, text: Sequence[str], text_pair: Sequence[str] | None = None, *,
                 add_special_tokens: bool = True, truncation: bool | str = False,
                 max_length: int | None = None, stride: int = 0,
                 return_overflowing_tokens: bool = False,
                 return_attention_mask: bool | None = None,
                 return_offsets_mapping: bool = False) -> Encoded:
        """Encode a batch of texts (or of (text, text_pair) pairs) as the transformers fast
        tokenizer does with the same arguments, without padding."""
        if isinstance(text, str) or (text_pair is not None and isinstance(text_pair, str)):
            raise TypeError("LightTokenizer encodes batches: pass a list of texts")
        if text_pair is not None and len(text) != len(text_pair):
            raise ValueError(f"{len(text)} texts but {len(text_pair)} text pairs")
        self._set_truncation(truncation, max_length, stride)
        inputs = list(zip(text, text_pair)) if text_pair is not None else list(text)
        encodings = self.backend.encode_batch(inputs, add_special_tokens=add_special_tokens)
        windows, owners = [], []
        for index, encoding in enumerate(encodings):
            more = encoding.overflowing if return_overflowing_tokens else []
            windows.extend([encoding, *more])
            owners.extend([index] * (1 + len(more)))
        data: dict[str, Any] = {"input_ids": [w.ids for w in windows],
                                "token_type_ids": [w.type_ids for w in windows]}
        if return_attention_mask is not False:
            data["attention_mask"] = [w.attention_mask for w in windows]
        if return_offsets_mapping:
            data["offset_mapping"] = [w.offsets for w in windows]
        if return_overflowing_tokens:
            data["overflow_to_sample_mapping"] = owners
        return Encoded(data, windows)

    def _set_truncation(self, truncation: bool | str, max_length: int | None,
                        stride: int) -> None:
        if truncation in (False, "do_not_truncate"):
            self.backend.no_truncation()
            return
        if truncation not in TRUNCATION:
            raise ValueError(f"truncation must be True, False or one of "
                             f"{', '.join(k for k in TRUNCATION if isinstance(k, str))}, "
                             f"not {truncation!r}")
        length = max_length if max_length is not None else self.model_max_length
        if length is None:
            raise ValueError("truncation needs max_length (the tokenizer has no "
                             "model_max_length)")
        self.backend.enable_truncation(length, stride=stride, strategy=TRUNCATION[truncation],
                                       direction=self.truncation_side)

    def pad(self, features: Sequence[dict[str, Sequence[int]]], padding: str = "longest",
            return_attention_mask: bool = True,
            return_tensors: str = "np") -> dict[str, np.ndarray]:
        """Pad ``features`` (``input_ids``, and ``token_type_ids`` where given) to the
        longest, as transformers pads them: the pad token's id, the pad token type id, an
        attention mask of ones then zeros, on the tokenizer's padding side."""
        if padding != "longest" or return_tensors != "np":
            raise ValueError("LightTokenizer pads to the longest into numpy arrays only")
        longest = max((len(f["input_ids"]) for f in features), default=0)
        if self.pad_token_id is None and any(len(f["input_ids"]) < longest for f in features):
            raise ValueError("the tokenizer has no pad token: batches of unequal lengths "
                             "cannot be padded")
        fill = {"input_ids": self.pad_token_id, "token_type_ids": self.pad_token_type_id,
                "attention_mask": 0}
        rows: dict[str, list[list[int]]] = {name: [] for name in features[0]} if features else {}
        if return_attention_mask:
            rows["attention_mask"] = []
        for feature in features:
            gap = longest - len(feature["input_ids"])
            values = dict(feature)
            if return_attention_mask:
                values["attention_mask"] = [1] * len(feature["input_ids"])
            for name in rows:
                pad = [fill[name]] * gap
                row = list(values[name])
                rows[name].append(row + pad if self.padding_side == "right" else pad + row)
        return {name: np.asarray(value, dtype=np.int64).reshape(len(features), longest)
                for name, value in rows.items()}


def _token(value: Any) -> str | None:
    """A special token as the config files write it: a string or {"content": ...}."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None
