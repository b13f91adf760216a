"""Topic and stance classifiers: one implementation, text or text-pair input.

A model dir is opened by ``newsdesk.modeldir.open_model_dir``. Texts are cut into token
windows (``newsdesk.windowing.text_windows``: a very long text a slice at a time, so memory
stays bounded), windows are sorted by length and run in batches padded by the tokenizer
(``newsdesk.batching``), and the window probabilities are combined per text as the model's
manifest says. Only the step "padded batch -> logits" depends on the backend: a
``TorchRunner`` (``torch.inference_mode()``) or an ONNX Runtime session
(``newsdesk.onnx_backend``); tokenisation, windowing, batching and aggregation are shared,
and so is ``proba_from_logits``, where every window's logits are divided by the manifest's
temperature (temperature scaling, fitted by ``newsdesk.calibration``) before the softmax.
A hybrid model dir adds a TF-IDF head (``newsdesk.tfidf_head``) whose probabilities of each
whole text are fused with the aggregated transformer probabilities in ``predict_proba``, the
one place every backend's per-text probabilities pass through. A frozen-encoder model dir
(``extras["frozen"]`` in its manifest) holds a plain pretrained encoder: its runner gives the
mean-pooled, L2-normalised embedding of each text's first window, and a linear head over
[TF-IDF of the whole text ; that embedding] gives the probabilities, again in
``predict_proba``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from newsdesk.backends import resolve_backend
from newsdesk.batching import length_batches, pad_batch
from newsdesk.errors import ConfigError, ModelError
from newsdesk.inputs import check_pairs, check_texts, check_visible
from newsdesk.manifest import MANIFEST_NAME, Manifest, Windowing
from newsdesk.modeldir import ModelDir, config_labels, open_model_dir
from newsdesk.prediction import Prediction
from newsdesk.tasks import STANCE, TOPIC
from newsdesk.tfidf_head import TfidfHead, frozen_entry, fuse, hybrid_weight, load_head
from newsdesk.windowing import SLICE_CHARS, Windows, aggregate, text_windows

DOCS_PER_CHUNK = 256  # texts windowed and length-sorted together (more: less padding)
TORCH_TOKENS_PER_THREAD = 1024  # torch on CPU: fewer, larger batches (see batch_tokens)


@dataclass(frozen=True)
class WindowLogits:
    """The logits of every window of ``n_texts`` texts: row ``i`` of ``logits`` comes from
    text ``owners[i]`` (``SequenceClassifier.window_logits``)."""

    logits: np.ndarray
    owners: list[int]
    n_texts: int


class BatchRunner(Protocol):
    """Turns one padded batch (int64 arrays by input name) into one float32 row per window:
    logits, or a frozen encoder's pooled embeddings."""

    @property
    def batch_tokens(self) -> int:
        """The padded tokens (count x longest) a CPU batch should hold."""
        ...

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray: ...


class TorchRunner:
    """Runs a transformers model on a device under ``torch.inference_mode()``: a classifier's
    logits, or with ``pooled`` an encoder's mean-pooled, L2-normalised last hidden state."""

    def __init__(self, model: Any, device: Any, *, pooled: bool = False) -> None:
        self.model = model.eval().to(device)
        self.device = device
        self.pooled = pooled

    @property
    def batch_tokens(self) -> int:
        """``TORCH_TOKENS_PER_THREAD`` per torch thread: 512 to 1024 tokens a thread ran
        fastest alone, and on a busy machine torch's OpenMP threads wait at every op's
        barrier, so smaller batches (more ops) lost up to 4x there."""
        import torch

        return TORCH_TOKENS_PER_THREAD * torch.get_num_threads()

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        from newsdesk.pooling import mean_pooled

        with torch.inference_mode():
            inputs = {k: torch.from_numpy(v).to(self.device) for k, v in batch.items()}
            output = self.model(**inputs)
            rows = (mean_pooled(output.last_hidden_state, inputs["attention_mask"])
                    if self.pooled else output.logits)
            return rows.float().cpu().numpy()


class SequenceClassifier:
    """Shared machinery of ``TopicClassifier`` and ``StanceClassifier``: load a model dir
    (``from_pretrained``), then ``predict_texts`` (or ``predict_proba`` for the arrays).

    ``runner`` replaces the torch model (``model`` and ``device`` are then None) and
    ``labels`` must come with it. ``head`` is the TF-IDF head of a hybrid model (its manifest
    holds the fusion weight) or the linear head of a frozen-encoder model (``model`` is then
    the plain encoder, and ``labels`` default to the manifest's); a manifest that needs a
    head without one is a ModelError.
    """

    task: ClassVar[str] = ""
    #: Whether the model reads (target, text) pairs (stance) or texts alone.
    paired: ClassVar[bool] = False
    #: Whether a prediction's scores are probabilities (a baseline's are not).
    gives_probabilities: ClassVar[bool] = True
    #: Characters of text windowed at once (see ``newsdesk.windowing.slice_groups``).
    slice_chars: int = SLICE_CHARS
    #: The most padded tokens (count x longest window) a batch holds: ``"auto"`` is the
    #: runner's ``batch_tokens`` on CPU and no cap on an accelerator; None is no cap. Set it
    #: on an instance to override.
    max_batch_tokens: int | str | None = "auto"
    #: The transformers auto class that loads the dir's weights (a frozen-encoder dir:
    #: ``AutoModel``).
    auto_model_name: ClassVar[str] = "AutoModelForSequenceClassification"
    #: Whether ``newsdesk export --int8`` quantizes to 7-bit weights unless told otherwise.
    int8_reduce_range: ClassVar[bool] = False

    def __init__(self, model: Any, tokenizer: Any, manifest: Manifest, device: Any = None,
                 *, runner: BatchRunner | None = None, labels: Sequence[str] | None = None,
                 head: TfidfHead | None = None) -> None:
        self.frozen = frozen_entry(manifest) is not None
        if runner is None:
            runner = TorchRunner(model, device, pooled=self.frozen)
            model = runner.model
        self.runner: BatchRunner = runner
        self.model = model
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.device = device
        if labels is None and self.frozen:
            labels = manifest.labels
        elif labels is None:
            id2label = model.config.id2label
            labels = [str(id2label[i]) for i in range(len(id2label))]
        self.labels = list(labels)
        self.head, self.tfidf_weight = head, _checked_head(manifest, head, self.labels)
        self._tokenizer_lock = threading.Lock()

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path | ModelDir, device: str | None = None, *,
                        allow_pickle: bool = False, backend: str | None = None,
                        quantize: str | None = None,
                        threads: int | None = None) -> SequenceClassifier:
        """Load a model dir (or a hub id when online), opened by
        ``newsdesk.modeldir.open_model_dir``: only safetensors unless allowed, no remote
        code, a manifest for this task.

        ``backend="onnx"`` runs the dir's ONNX export (``newsdesk export DIR --onnx``) with
        ONNX Runtime on CPU and the dir's ``tokenizer.json`` through ``tokenizers``
        (``newsdesk.tokenizer``), ``quantize="int8"`` its int8 copy; ``backend="torch"``
        its weights with transformers. Without ``backend``, ``newsdesk.backends`` decides:
        torch where it is installed (unless ``quantize`` is given), else the ONNX export,
        which is all the light install (``pip install newsdesk``) runs. ``threads`` sets the
        intra-op threads of either backend (torch's is process-wide).
        """
        backend = resolve_backend(backend, quantize)
        opened = open_model_dir(name_or_path, cls.task, allow_pickle=allow_pickle)
        manifest = opened.manifest or Manifest(task=cls.task)
        head = load_head(opened.path, manifest)
        frozen = frozen_entry(manifest) is not None  # a plain encoder: no classification layer
        if backend == "onnx":
            from newsdesk.onnx_backend import load_onnx_runner
            from newsdesk.tokenizer import LightTokenizer

            if device not in (None, "cpu"):
                raise ConfigError(f"the onnx backend runs on the CPU, not on {device!r}")
            runner = load_onnx_runner(opened.path, manifest, quantize, threads)
            labels = manifest.labels if frozen else config_labels(opened.path)
            return cls(None, LightTokenizer.from_dir(opened.path), manifest, None, runner=runner,
                       labels=labels, head=head)
        import transformers

        from newsdesk.device import resolve_device

        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        model = opened.load_model(getattr(transformers, "AutoModel" if frozen
                                          else cls.auto_model_name))
        return cls(model, opened.load_tokenizer(), manifest, resolve_device(device), head=head)

    def predict_texts(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> list[Prediction]:
        """One ``Prediction`` per text, each read with its target for a paired (stance)
        model; ``DOCS_PER_CHUNK`` texts are windowed at a time, so memory stays bounded.
        A text or target with nothing to read is a ValueError naming its index."""
        texts = check_texts(texts)
        check_visible(texts)
        if self.paired != (targets is not None):
            raise ValueError(f"a {self.task} model reads "
                             + ("(target, text) pairs: pass one target per text" if self.paired
                                else "texts alone: it takes no targets"))
        if targets is not None:
            targets = check_texts(targets, what="target")
            if len(targets) != len(texts):
                raise ValueError(f"{len(targets)} targets for {len(texts)} texts")
            check_visible(targets, what="target")
        thresholds = self.manifest.thresholds if self.manifest.multi_label else None
        out: list[Prediction] = []
        for start in range(0, len(texts), DOCS_PER_CHUNK):
            stop = start + DOCS_PER_CHUNK
            chunk_targets = targets[start:stop] if targets is not None else None
            probs = self.predict_proba(texts[start:stop], chunk_targets, batch_size)
            out.extend(Prediction.from_probabilities(self.labels, row, thresholds)
                       for row in probs)
        return out

    def predict_proba(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> np.ndarray:
        """Per-text label probabilities, shape (len(texts), len(labels)): the transformer's
        (``transformer_proba``), fused with the TF-IDF head's for a hybrid model; for a
        frozen-encoder model the softmax of its head's scores over the whole text's TF-IDF
        and the first window's embedding (``embeddings``)."""
        if self.frozen:
            return np.exp(self.head.log_probs(texts, self.embeddings(texts, batch_size)))
        probs = self.transformer_proba(texts, targets, batch_size)
        if self.head is None or self.tfidf_weight is None:
            return probs
        floor = np.finfo(np.float64).tiny  # a probability that underflowed to 0
        return fuse(np.log(np.maximum(probs, floor)), self.head.log_probs(texts),
                    self.tfidf_weight)

    def transformer_proba(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                          batch_size: int = 32) -> np.ndarray:
        """The transformer's per-text label probabilities, shape (len(texts), len(labels)):
        ``proba_from_logits`` of ``window_logits``."""
        return self.proba_from_logits(self.window_logits(texts, targets, batch_size))

    def window_logits(self, texts: Sequence[str], targets: Sequence[str] | None = None,
                      batch_size: int = 32) -> WindowLogits:
        """The raw logits of every window of ``texts`` (each read with its target for a
        paired model), before temperature and aggregation.

        Texts are windowed a group of slices at a time; every window of a text counts once
        (at most ``windowing.max_windows`` of them), whichever slice it came from.
        """
        if self.frozen:
            raise ModelError("a frozen-encoder model has no transformer probabilities: its "
                             "labels come from its linear head (predict_proba)")
        rows, owners = self._rows(texts, targets, batch_size, len(self.labels))
        return WindowLogits(rows, owners, len(texts))

    def proba_from_logits(self, windows: WindowLogits,
                          temperature: float | None = None) -> np.ndarray:
        """Per-text probabilities from window logits: each window's logits divided by the
        temperature (the manifest's unless given), softmax (sigmoid for a multi-label
        model), then the windows of a text combined as the manifest's windowing says. Every
        backend's logits pass through here."""
        temperature = self.manifest.temperature if temperature is None else temperature
        multi_label = self.manifest.multi_label
        window_probs = probabilities(windows.logits / temperature, multi_label)
        probs = aggregate(window_probs, windows.owners, windows.n_texts,
                          self.windowing.aggregate)
        if self.windowing.aggregate == "max" and not multi_label:
            probs = probs / probs.sum(axis=1, keepdims=True)
        return probs

    def embeddings(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """A frozen-encoder model's sentence embeddings, shape (len(texts), embedding_dim):
        its encoder's mean-pooled, L2-normalised last hidden state over each text's first
        window (the manifest's windowing mode is ``first``: one window per text)."""
        if not self.frozen:
            raise ModelError("embeddings come from frozen-encoder models only")
        rows, owners = self._rows(texts, None, batch_size, self.head.embedding_dim)
        return aggregate(rows, owners, len(texts), self.windowing.aggregate)

    def _rows(self, texts: Sequence[str], targets: Sequence[str] | None, batch_size: int,
              width: int) -> tuple[np.ndarray, list[int]]:
        """The runner's rows of every window of ``texts``, and the text each came from."""
        parts: list[np.ndarray] = [np.zeros((0, width))]
        owners: list[int] = []
        for windows in text_windows(self.tokenizer, texts, targets, self.windowing,
                                    self.slice_chars, self._tokenizer_lock):
            parts.append(self._window_rows(windows, batch_size, width))
            owners.extend(windows.owners)
        return np.concatenate(parts), owners

    def _window_rows(self, windows: Windows, batch_size: int, width: int) -> np.ndarray:
        """The runner's rows of ``windows`` in their order, run in length-sorted batches."""
        lengths = [len(f["input_ids"]) for f in windows.features]
        result = np.zeros((len(lengths), width), dtype=np.float64)
        for batch in length_batches(lengths, batch_size, self._batch_tokens()):
            result[batch] = self.runner(pad_batch(self.tokenizer,
                                                  [windows.features[i] for i in batch]))
        return result

    def _batch_tokens(self) -> int | None:
        if self.max_batch_tokens != "auto":
            return self.max_batch_tokens  # type: ignore[return-value]
        if self.device is not None and str(self.device) != "cpu":
            return None
        return self.runner.batch_tokens

    @property
    def windowing(self) -> Windowing:
        return self.manifest.windowing


def _checked_head(manifest: Manifest, head: TfidfHead | None,
                  labels: Sequence[str]) -> float | None:
    """The manifest's TF-IDF fusion weight (None unless a hybrid), checked against the head
    given (or not given): a frozen model needs a head with embedding columns, a hybrid one
    without."""
    if frozen_entry(manifest) is not None:
        if head is None or not head.embedding_dim:
            raise ModelError(f"{MANIFEST_NAME} says the model is a frozen encoder, but no "
                             "linear head over embeddings was given; load the model dir "
                             "with from_pretrained")
        if head.labels != list(labels):
            raise ModelError(f"the linear head's labels {head.labels} are not the model's "
                             f"{list(labels)} (in order)")
        return None
    weight = hybrid_weight(manifest)
    if head is not None and head.embedding_dim:
        raise ModelError(f"a head over embeddings was given, but {MANIFEST_NAME} has no "
                         "extras.frozen")
    if weight is not None and head is None:
        raise ModelError(f"{MANIFEST_NAME} says the model is a hybrid, but no TF-IDF head "
                         "was given; load the model dir with from_pretrained")
    if head is not None and weight is None:
        raise ModelError(f"a TF-IDF head was given, but {MANIFEST_NAME} has no "
                         "extras.hybrid.tfidf_weight")
    if head is not None and head.labels != list(labels):
        raise ModelError(f"the TF-IDF head's labels {head.labels} are not the model's "
                         f"{list(labels)} (in order)")
    return weight


def probabilities(logits: np.ndarray, multi_label: bool = False) -> np.ndarray:
    """Sigmoid (multi-label) or softmax of a batch of logits, in float64.

    >>> probabilities(np.array([[2.0, -2.0]]), multi_label=False).round(3).tolist()
    [[0.982, 0.018]]
    >>> probabilities(np.array([[2.0, -2.0]]), multi_label=True).round(3).tolist()
    [[0.881, 0.119]]
    """
    logits = logits.astype(np.float64)
    if multi_label:
        return 1.0 / (1.0 + np.exp(-logits))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class TopicClassifier(SequenceClassifier):
    """Tag articles with a topic.

    >>> topics = TopicClassifier.from_pretrained("models/topic-bbc-minilm")  # doctest: +SKIP
    >>> topics.predict(["Shares in the bank rose 5% after profits beat forecasts."])
    ... # doctest: +SKIP
    [Prediction(label='business', score=0.99, scores={...}, labels=('business',))]
    """

    task = TOPIC.name
    paired = TOPIC.paired

    def predict(self, texts: Sequence[str], batch_size: int = 32) -> list[Prediction]:
        """One ``Prediction`` per text; an empty text is a ValueError naming its index."""
        return self.predict_texts(texts, None, batch_size)


class StanceClassifier(SequenceClassifier):
    """Judge the stance of an article towards a target (a claim, headline or entity).

    The pair is encoded as two segments (target first), never as one joined string.

    >>> stance = StanceClassifier.from_pretrained("models/stance-headlines-minilm")
    ... # doctest: +SKIP
    >>> stance.predict([("Bank profits rise", "Shares in the bank rose ...")])
    ... # doctest: +SKIP
    [Prediction(label='related', ...)]
    """

    task = STANCE.name
    paired = STANCE.paired

    def predict(self, pairs: Sequence[tuple[str, str]],
                batch_size: int = 32) -> list[Prediction]:
        """One ``Prediction`` per (target, text) pair."""
        checked = check_pairs(pairs)
        return self.predict_texts([text for _, text in checked], [t for t, _ in checked],
                                  batch_size)
