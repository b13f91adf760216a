"""Topic and stance classifiers: one implementation, text or text-pair input.

Texts are cut into token windows (see ``newsdesk.windowing``), windows are sorted by length
and run in batches with dynamic padding under ``torch.inference_mode()``, and the window
probabilities are combined per text as the model's manifest says. A very long text is
windowed a slice at a time (``newsdesk.windowing.slice_groups``), so memory stays bounded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from newsdesk.assets import resolve_model
from newsdesk.errors import ModelError
from newsdesk.inputs import check_pairs, check_texts
from newsdesk.manifest import MANIFEST_NAME, Manifest, Windowing
from newsdesk.modeldir import check_local_model
from newsdesk.prediction import Prediction
from newsdesk.windowing import SLICE_CHARS, Windows, aggregate, encode_windows, slice_groups

DOCS_PER_CHUNK = 64


class SequenceClassifier:
    """Shared machinery of ``TopicClassifier`` and ``StanceClassifier``."""

    task: ClassVar[str] = ""
    #: Characters of text windowed at once (see ``newsdesk.windowing.slice_groups``).
    slice_chars: int = SLICE_CHARS

    def __init__(self, model: Any, tokenizer: Any, manifest: Manifest, device: Any) -> None:
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.device = device
        id2label = model.config.id2label
        self.labels = [str(id2label[i]) for i in range(len(id2label))]
        self._tokenizer_lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, device: str | None = None, *,
                        allow_pickle: bool = False) -> SequenceClassifier:
        """Load a model dir (or a hub id when online); only safetensors unless allowed."""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from newsdesk.device import resolve_device

        source = resolve_model(name_or_path)
        local = Path(source)
        check_local_model(source, allow_pickle=allow_pickle)
        manifest = cls._manifest_for(local)
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                source, use_safetensors=not allow_pickle, trust_remote_code=False)
            tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=False)
        except (OSError, ValueError) as error:
            reason = " ".join(str(error).split())
            raise ModelError(f"{source}: could not load the model ({reason})") from None
        return cls(model, tokenizer, manifest, resolve_device(device))

    @classmethod
    def _manifest_for(cls, local: Path) -> Manifest:
        if (local / MANIFEST_NAME).is_file():
            manifest = Manifest.load(local)
            if manifest.task != cls.task:
                raise ModelError(f"{local}: a {manifest.task} model, not a {cls.task} model; "
                                 f"load it with the {manifest.task} class")
            return manifest
        return Manifest(task=cls.task)

    def _check_nonempty(self, texts: Sequence[str], what: str) -> None:
        for index, text in enumerate(texts):
            if not has_visible_text(text):
                raise ValueError(f"{what} at index {index} is empty or whitespace only "
                                 "(or holds only control or format characters)")

    def _predict(self, texts: list[str], targets: list[str] | None,
                 batch_size: int) -> list[Prediction]:
        self._check_nonempty(texts, "text")
        if targets is not None:
            self._check_nonempty(targets, "target")
        out: list[Prediction] = []
        for start in range(0, len(texts), DOCS_PER_CHUNK):
            stop = start + DOCS_PER_CHUNK
            chunk_targets = targets[start:stop] if targets is not None else None
            probs = self.predict_proba(texts[start:stop], chunk_targets, batch_size)
            out.extend(self._to_prediction(row) for row in probs)
        return out

    def predict_proba(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> np.ndarray:
        """Per-text label probabilities, shape (len(texts), len(labels)).

        Texts are windowed a group of slices at a time; every window of a text counts once
        (at most ``windowing.max_windows`` of them), whichever slice it came from.
        """
        windowing = self.manifest.windowing
        parts: list[np.ndarray] = [np.zeros((0, len(self.labels)))]
        owners: list[int] = []
        counts: dict[int, int] = {}
        for group in slice_groups(texts, targets, windowing, self.slice_chars):
            with self._tokenizer_lock:
                windows = encode_windows(self.tokenizer, group.texts, windowing, group.targets)
            windows = _by_text(windows, group.owners, counts, windowing.max_windows)
            parts.append(self._window_probs(windows, batch_size))
            owners.extend(windows.owners)
        probs = aggregate(np.concatenate(parts), owners, len(texts), windowing.aggregate)
        if windowing.aggregate == "max" and not self.manifest.multi_label:
            probs = probs / probs.sum(axis=1, keepdims=True)
        return probs

    def _window_probs(self, windows: Windows, batch_size: int) -> np.ndarray:
        import torch

        order = sorted(range(len(windows.features)),
                       key=lambda i: len(windows.features[i]["input_ids"]), reverse=True)
        result = np.zeros((len(order), len(self.labels)), dtype=np.float64)
        with torch.inference_mode():
            for batch in _chunks(order, batch_size):
                inputs = self._pad([windows.features[i] for i in batch])
                logits = self.model(**inputs).logits.float()
                probs = (torch.sigmoid(logits) if self.manifest.multi_label
                         else torch.softmax(logits, dim=-1))
                result[batch] = probs.cpu().numpy()
        return result

    def _pad(self, features: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        longest = max(len(f["input_ids"]) for f in features)
        pad_id = self.tokenizer.pad_token_id or 0
        batch: dict[str, Any] = {}
        for key in features[0]:
            fill = pad_id if key == "input_ids" else 0
            batch[key] = torch.tensor([f[key] + [fill] * (longest - len(f[key]))
                                       for f in features], device=self.device)
        lengths = torch.tensor([len(f["input_ids"]) for f in features], device=self.device)
        batch["attention_mask"] = (torch.arange(longest, device=self.device)[None, :]
                                   < lengths[:, None]).long()
        return batch

    def _to_prediction(self, row: np.ndarray) -> Prediction:
        scores = {label: float(p) for label, p in zip(self.labels, row)}
        best = int(np.argmax(row))
        labels: tuple[str, ...] = ()
        if self.manifest.multi_label:
            thresholds = self.manifest.thresholds
            labels = tuple(label for label, p in scores.items()
                           if p >= thresholds.get(label, 0.5))
        return Prediction(label=self.labels[best], score=float(row[best]), scores=scores,
                          labels=labels or (self.labels[best],))

    @property
    def windowing(self) -> Windowing:
        return self.manifest.windowing


def has_visible_text(text: str) -> bool:
    """True when ``text`` has a character that is neither whitespace nor a control or
    format character (those the tokenizer drops, so nothing would be left to classify).

    >>> has_visible_text("\\x00\\u200b \\n"), has_visible_text("\\x07ok")
    (False, True)
    """
    return any(char.isprintable() and not char.isspace() for char in text)


def _by_text(windows: Windows, slice_owners: Sequence[int], counts: dict[int, int],
             cap: int | None) -> Windows:
    """Windows of slices owned by their texts; past ``cap`` windows of a text (counted in
    ``counts`` across groups) the rest are dropped."""
    features: list[dict[str, list[int]]] = []
    owners: list[int] = []
    for feature, owner in zip(windows.features, windows.owners):
        text = slice_owners[owner]
        counts[text] = counts.get(text, 0) + 1
        if cap is None or counts[text] <= cap:
            features.append(feature)
            owners.append(text)
    return Windows(features, owners)


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class TopicClassifier(SequenceClassifier):
    """Tag articles with a topic.

    >>> topics = TopicClassifier.from_pretrained("models/topic-bbc-minilm")  # doctest: +SKIP
    >>> topics.predict(["Shares in the bank rose 5% after profits beat forecasts."])
    ... # doctest: +SKIP
    [Prediction(label='business', score=0.99, scores={...}, labels=('business',))]
    """

    task = "topic"

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[Prediction]:
        """One ``Prediction`` per text; an empty text is a ValueError naming its index."""
        return self._predict(check_texts(texts), None, batch_size)


class StanceClassifier(SequenceClassifier):
    """Judge the stance of an article towards a target (a claim, headline or entity).

    The pair is encoded as two segments (target first), never as one joined string.

    >>> stance = StanceClassifier.from_pretrained("models/stance-headlines-minilm")
    ... # doctest: +SKIP
    >>> stance.predict([("Bank profits rise", "Shares in the bank rose ...")])
    ... # doctest: +SKIP
    [Prediction(label='related', ...)]
    """

    task = "stance"

    def predict(self, pairs: Sequence[tuple[str, str]],
                batch_size: int = 32) -> list[Prediction]:
        """One ``Prediction`` per (target, text) pair."""
        checked = check_pairs(pairs)
        return self._predict([text for _, text in checked], [t for t, _ in checked],
                             batch_size)
