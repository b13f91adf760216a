"""Abstractive summaries from a fine-tuned seq2seq model dir (bert2bert, T5, BART, ...).

The model reads the same cleaned sentence stream as the extractive methods
(``article_sentences``: datelines, bylines, captions and promos gone), joined into one
text after the model's ``prefix``. Articles longer than the encoder are truncated
(``long_articles="truncate"``, the default) or summarised map-reduce style
(``"map-reduce"``): the sentences are packed into windows that fit the encoder, each window
is summarised, and the joined window summaries are summarised once more. Generation
settings (beams, lengths, no-repeat n-grams, length penalty) come from the dir's
``generation_config.json``; the rest from ``newsdesk.json`` (see :class:`SourceSettings`).

Generation is batched: inputs sorted by length (``newsdesk.batching``), each batch padded
to its longest member, under ``torch.inference_mode()``. Output of an uncased word-piece
vocabulary (MiniLM) is made readable by ``newsdesk.summarize.surface``.

>>> settings = SourceSettings(max_length=64, prefix="summarize: ")
>>> model_input("MOSCOW, March 7. /TASS/. Talks began. They went well. Read more", settings)
'summarize: Talks began. They went well.'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import MANIFEST_NAME, Manifest, Windowing
from newsdesk.summarize.sentences import article_sentences
from newsdesk.tasks import SUMMARY

LONG_ARTICLES = ("truncate", "map-reduce")
#: Generated word pieces allowed per word of ``max_words`` (a cap that saves time only).
PIECES_PER_WORD = 2


@dataclass
class SourceSettings:
    """How an article becomes the model's input; saved in ``newsdesk.json``.

    ``max_length`` is the encoder's budget in tokens (specials and prefix included);
    ``long_articles`` is ``truncate`` or ``map-reduce``; ``max_windows`` caps the windows
    per article in map-reduce mode (None: no cap); ``prefix`` is prepended to every input
    (T5 wants ``"summarize: "``).

    >>> SourceSettings(long_articles="map-reduce").windowing().mode
    'all'
    """

    max_length: int = 256
    long_articles: str = "truncate"
    max_windows: int | None = 8
    prefix: str = ""

    def __post_init__(self) -> None:
        if self.long_articles not in LONG_ARTICLES:
            raise ConfigError(f"long_articles must be one of {', '.join(LONG_ARTICLES)}, "
                              f"got {self.long_articles!r}")
        if self.max_length < 8:
            raise ConfigError(f"the source max_length must be at least 8, got {self.max_length}")
        if self.max_windows is not None and self.max_windows < 1:
            raise ConfigError(f"max_windows must be >= 1 or null, got {self.max_windows}")

    def windowing(self) -> Windowing:
        """The manifest's ``windowing`` entry: ``first`` (truncate) or ``all`` windows."""
        mode = "first" if self.long_articles == "truncate" else "all"
        return Windowing(max_length=self.max_length, stride=0, mode=mode,
                         max_windows=self.max_windows)

    def to_extras(self) -> dict[str, Any]:
        """The manifest ``extras`` keys these settings are read back from."""
        return {"source": asdict(self)}

    @classmethod
    def from_manifest(cls, manifest: Manifest, model_config: Any = None) -> SourceSettings:
        """Settings of a newsdesk model dir, or defaults for a hub model (its max length,
        and its own summarization prefix, as T5's config gives it)."""
        saved = manifest.extras.get("source")
        if isinstance(saved, dict):
            try:
                return cls(**saved)
            except TypeError as error:
                raise ModelError(f"{MANIFEST_NAME}: bad extras.source ({error})") from None
        params = getattr(model_config, "task_specific_params", None) or {}
        prefix = params.get("summarization", {}).get("prefix", "")
        limit = getattr(model_config, "max_position_embeddings", None) or 512
        return cls(max_length=min(512, int(limit)), prefix=prefix)


def model_input(text: str, settings: SourceSettings) -> str:
    """The cleaned article after the prefix; the raw text if cleaning leaves nothing.

    In truncate mode only the sentences the encoder can read are segmented.
    """
    limit = None if settings.long_articles == "map-reduce" else settings.max_length // 4
    sentences = article_sentences(text, limit=limit)
    return settings.prefix + (" ".join(sentences) if sentences else " ".join(text.split()))


def pack_windows(lengths: Sequence[int], budget: int, max_windows: int | None) -> list[range]:
    """Consecutive sentences packed into windows of at most ``budget`` tokens.

    A sentence longer than the budget is a window of its own (the tokenizer cuts it).

    >>> pack_windows([5, 4, 3, 6, 12, 2], budget=10, max_windows=None)
    [range(0, 2), range(2, 4), range(4, 5), range(5, 6)]
    >>> pack_windows([5, 4, 3, 6, 12, 2], budget=10, max_windows=2)
    [range(0, 2), range(2, 4)]
    """
    windows: list[range] = []
    start, used = 0, 0
    for index, length in enumerate(lengths):
        if index > start and used + length > budget:
            windows.append(range(start, index))
            start, used = index, 0
        used += length
    if start < len(lengths):
        windows.append(range(start, len(lengths)))
    return windows[:max_windows] if max_windows is not None else windows


def check_generation(options: dict[str, Any], where: str = "generation") -> dict[str, Any]:
    """``options`` if every key is a ``GenerationConfig`` setting and the lengths agree.

    >>> check_generation({"num_beams": 4, "max_new_tokens": 48})
    {'num_beams': 4, 'max_new_tokens': 48}
    """
    from transformers import GenerationConfig

    known = {k for k in GenerationConfig().to_dict() if not k.startswith("_")}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown generation setting(s) {', '.join(unknown)} "
                          "(see transformers.GenerationConfig)")
    low, high = options.get("min_new_tokens"), options.get("max_new_tokens")
    if low is not None and high is not None and low > high:
        raise ConfigError(f"{where}: min_new_tokens {low} is above max_new_tokens {high}")
    return options


class AbstractiveSummarizer:
    """A ``SummaryBackend`` over a seq2seq model; use ``Summarizer.from_pretrained(dir)``.

    >>> from newsdesk import Summarizer                               # doctest: +SKIP
    >>> summ = Summarizer.from_pretrained("models/summary-news-bert2bert")  # doctest: +SKIP
    >>> summ.summarize(["MOSCOW, March 7. /TASS/. Russia and ..."], max_words=30)  # doctest: +SKIP
    ['Russia and ...']
    """

    def __init__(self, model: Any, tokenizer: Any, settings: SourceSettings, *,
                 device: Any = "cpu", name: str = "abstractive", batch_size: int = 16,
                 generation: dict[str, Any] | None = None) -> None:
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.settings = settings
        self.device = device
        self.name = name
        self.batch_size = batch_size
        self.generation = check_generation(dict(generation or {}))
        self.uncased = bool(getattr(tokenizer, "do_lower_case", False))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None,
             long_articles: str | None = None, batch_size: int = 16,
             generation: dict[str, Any] | None = None,
             allow_pickle: bool = False) -> AbstractiveSummarizer:
        """Load a model dir (safetensors only unless ``allow_pickle``) or a hub id.

        ``long_articles`` overrides the dir's mode; ``generation`` overrides settings of
        its ``generation_config.json`` (e.g. ``{"num_beams": 1}`` for speed).
        """
        from newsdesk.backends import require_torch

        require_torch("an abstractive summary model (it generates with transformers)")
        from transformers import AutoModelForSeq2SeqLM

        from newsdesk.device import resolve_device
        from newsdesk.modeldir import open_model_dir

        opened = open_model_dir(path, SUMMARY.name, allow_pickle=allow_pickle)
        model = opened.load_model(AutoModelForSeq2SeqLM, what="a seq2seq model")
        manifest = opened.manifest or Manifest(task=SUMMARY.name)
        settings = SourceSettings.from_manifest(manifest, model.config)
        if long_articles is not None:
            settings = SourceSettings(**{**asdict(settings), "long_articles": long_articles})
        return cls(model, opened.load_tokenizer(), settings, device=resolve_device(device),
                   name=opened.name, batch_size=batch_size, generation=generation)

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        """One summary per article (``Summarizer`` cuts it to ``max_words``)."""
        cap = self._max_new_tokens(max_words)
        if self.settings.long_articles == "map-reduce":
            outputs = self._map_reduce(texts, cap)
        else:
            outputs = self.generate([model_input(t, self.settings) for t in texts], cap)
        return [self._surface(o, t) for o, t in zip(outputs, texts)]

    def generate(self, sources: Sequence[str], max_new_tokens: int | None = None) -> list[str]:
        """Decoded generations for model inputs, longest first in padded batches."""
        import torch

        from newsdesk.batching import length_batches

        encoded = self.tokenizer(list(sources), truncation=True,
                                 max_length=self.settings.max_length)["input_ids"]
        out = [""] * len(encoded)
        options = self._options(max_new_tokens)
        with torch.inference_mode():
            for batch in length_batches([len(ids) for ids in encoded], self.batch_size):
                inputs = self.tokenizer.pad({"input_ids": [encoded[i] for i in batch]},
                                            return_tensors="pt").to(self.device)
                generated = self.model.generate(**inputs, **options)
                for index, ids in zip(batch, generated):
                    out[index] = decode(self.tokenizer, ids)
        return out

    def _options(self, max_new_tokens: int | None) -> dict[str, Any]:
        options = dict(self.generation)
        if max_new_tokens is not None:
            options["max_new_tokens"] = max_new_tokens
            low = options.get("min_new_tokens", self.model.generation_config.min_new_tokens)
            if low is not None and low > max_new_tokens:
                options["min_new_tokens"] = max_new_tokens
        return options

    def _max_new_tokens(self, max_words: int) -> int | None:
        """The configured length, lowered when ``max_words`` would cut it anyway."""
        configured = self.generation.get("max_new_tokens",
                                         self.model.generation_config.max_new_tokens)
        needed = PIECES_PER_WORD * max_words + 2
        return needed if configured is None else min(configured, needed)

    def _map_reduce(self, texts: Sequence[str], cap: int | None) -> list[str]:
        """Summaries of each article's windows, then one summary of the joined summaries."""
        windows = [self.windows(text) for text in texts]
        flat = [w for article in windows for w in article]
        summaries = iter(self.generate(flat, cap))
        joined = [[next(summaries) for _ in article] for article in windows]
        multi = [i for i, parts in enumerate(joined) if len(parts) > 1]
        reduced = self.generate([self.settings.prefix + " ".join(joined[i]) for i in multi],
                                cap)
        out = [parts[0] if parts else "" for parts in joined]
        for index, summary in zip(multi, reduced):
            out[index] = summary
        return out

    def windows(self, text: str) -> list[str]:
        """Model inputs for map-reduce: the prefix plus sentences packed to fit the encoder."""
        settings = self.settings
        sentences = article_sentences(text) or [" ".join(text.split())]
        lengths = [len(ids) for ids in self.tokenizer(
            sentences, add_special_tokens=False)["input_ids"]]
        prefix = len(self.tokenizer(settings.prefix, add_special_tokens=False)["input_ids"])
        budget = settings.max_length - self.tokenizer.num_special_tokens_to_add() - prefix
        return [settings.prefix + " ".join(sentences[i] for i in window)
                for window in pack_windows(lengths, max(1, budget), settings.max_windows)]

    def _surface(self, summary: str, article: str) -> str:
        if self.uncased:
            from newsdesk.summarize.surface import readable

            return readable(summary, article)
        return " ".join(summary.split())


def decode(tokenizer: Any, ids: Any) -> str:
    """Generated ids as text: special tokens dropped, tokenizer spacing cleaned up."""
    return " ".join(tokenizer.decode(ids, skip_special_tokens=True,
                                     clean_up_tokenization_spaces=True).split())

