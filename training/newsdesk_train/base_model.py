"""Settings applied to a base model's config as it is loaded for fine-tuning."""

from __future__ import annotations

from typing import Any

from newsdesk.errors import ConfigError

# The name each architecture family gives its attention-probability dropout.
ATTENTION_DROPOUT_KEYS = ("attention_probs_dropout_prob", "attention_dropout")


def attention_dropout_kwargs(base_config: Any, value: float | None) -> dict[str, float]:
    """``from_pretrained`` keyword arguments that set the attention dropout to ``value``.

    >>> from transformers import BertConfig
    >>> attention_dropout_kwargs(BertConfig(), 0.0)
    {'attention_probs_dropout_prob': 0.0}
    >>> attention_dropout_kwargs(BertConfig(), None)
    {}
    """
    if value is None:
        return {}
    for key in ATTENTION_DROPOUT_KEYS:
        if hasattr(base_config, key):
            return {key: value}
    raise ConfigError(f"model.attention_dropout: the base model's config "
                      f"({type(base_config).__name__}) has no attention dropout setting "
                      f"({' or '.join(ATTENTION_DROPOUT_KEYS)}); leave it null")
