"""Token counts with the embedded MiniLM word-piece tokenizer (the ``tokenizers`` package)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def minilm_tokenizer() -> Any:
    from tokenizers import Tokenizer

    from newsdesk.assets import model_path

    tokenizer = Tokenizer.from_file(str(model_path("minilm-l6") / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def count_tokens(texts: Sequence[str]) -> list[int]:
    """Word pieces per text (special tokens excluded)."""
    encodings = minilm_tokenizer().encode_batch(list(texts), add_special_tokens=False)
    return [len(e.ids) for e in encodings]
