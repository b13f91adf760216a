"""The base model loaded for fine-tuning, with the recipe's settings applied to its config."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from newsdesk.assets import resolve_model
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


def base_classifier(base: str, labels: Sequence[str], *, attention_dropout: float | None,
                    multi_label: bool = False,
                    auto_model_name: str = "AutoModelForSequenceClassification"
                    ) -> tuple[Any, Any]:
    """(tokenizer, classifier) of the base model (an alias, a dir or a hub id) with a fresh
    head over ``labels`` (in id order), safetensors only and no remote code: a sequence
    classifier, or the ``auto_model_name`` class of transformers (a token classifier for
    the sentence tagger)."""
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    path = resolve_model(base)
    dropout = attention_dropout_kwargs(AutoConfig.from_pretrained(path), attention_dropout)
    problem = ({"problem_type": ("multi_label_classification" if multi_label
                                 else "single_label_classification")}
               if auto_model_name == "AutoModelForSequenceClassification" else {})
    model = getattr(transformers, auto_model_name).from_pretrained(
        path, use_safetensors=True, trust_remote_code=False, **dropout,
        num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)}, **problem)
    return AutoTokenizer.from_pretrained(path), model
