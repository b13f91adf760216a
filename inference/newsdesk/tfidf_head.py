"""A linear head over TF-IDF features (and, for a frozen encoder, a sentence embedding).

Two kinds of topic model dir hold one, as ``tfidf_head.safetensors`` (``idf``, ``coef``,
``intercept``) and ``tfidf_head.json`` (vocabulary in column order, labels, vectorizer
settings, embedding size, format version): plain arrays and JSON, never pickle.

* a hybrid (``extras["hybrid"]`` in ``newsdesk.json``): a TF-IDF logistic regression whose
  log-probabilities ``fuse`` mixes with the fine-tuned transformer's at
  ``extras["hybrid"]["tfidf_weight"]``;
* a frozen encoder (``extras["frozen"]``): a linear model over [TF-IDF of the whole text ;
  the frozen encoder's ``embedding_dim``-wide sentence embedding], which alone gives the
  labels.

``TfidfHead`` computes each text's TF-IDF row sparsely, exactly as scikit-learn's
``TfidfVectorizer`` (word analyzer) does, the decision scores ``coef @ [x ; e] +
intercept`` and their softmax (a multinomial ``LogisticRegression``'s probabilities; for a
linear SVM a plain softmax of its scores), with numpy alone: serving needs no scikit-learn.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelError
from newsdesk.jsonfile import read_json_object
from newsdesk.manifest import MANIFEST_NAME, Manifest
from newsdesk.modeldir import config_labels

HEAD_WEIGHTS = "tfidf_head.safetensors"
HEAD_JSON = "tfidf_head.json"
HEAD_FORMAT = 1
HEAD_NEEDED = "the manifest says this model has a linear head"
MANIFEST_KEY = "hybrid"
FROZEN_KEY = "frozen"
NORMS = ("l2", "l1", None)


@dataclass(frozen=True)
class TfidfSettings:
    """The vectorizer settings that change a text's TF-IDF row; the rest of
    ``TfidfVectorizer``'s settings must be its defaults. Defaults here are scikit-learn's.

    >>> TfidfSettings().token_pattern
    '(?u)\\\\b\\\\w\\\\w+\\\\b'
    """

    lowercase: bool = True
    token_pattern: str = r"(?u)\b\w\w+\b"
    ngram_range: tuple[int, int] = (1, 1)
    sublinear_tf: bool = False
    norm: str | None = "l2"

    def __post_init__(self) -> None:
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"ngram_range {self.ngram_range} must be (min, max), 1 <= min "
                             "<= max")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be 'l2', 'l1' or None, not {self.norm!r}")
        if re.compile(self.token_pattern).groups > 1:
            raise ValueError("token_pattern may hold at most one capturing group")

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TfidfSettings:
        values = dict(raw)
        if "ngram_range" in values:
            values["ngram_range"] = tuple(values["ngram_range"])
        return cls(**values)


class TfidfHead:
    """A linear model over [TF-IDF features ; an embedding], arrays only.

    ``coef`` is (labels x (vocabulary + embedding_dim)): the first columns weigh the terms,
    the last ``embedding_dim`` (0 for a hybrid's head) the embedding; ``intercept`` is
    (labels,), ``idf`` (vocabulary,); ``labels[i]`` names row ``i`` of ``coef``.
    """

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, labels: Sequence[str],
                 settings: TfidfSettings | None = None, embedding_dim: int = 0) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.labels = [str(label) for label in labels]
        self.settings = settings or TfidfSettings()
        self.embedding_dim = embedding_dim
        check_shapes(self)
        self._index = {term: i for i, term in enumerate(self.vocabulary)}
        if len(self._index) != len(self.vocabulary):
            raise ValueError("the vocabulary holds a term twice")
        self._pattern = re.compile(self.settings.token_pattern)
        self._idf64 = self.idf.astype(np.float64)
        weights = np.ascontiguousarray(self.coef.T, dtype=np.float64)
        self._coef_by_term = weights[:len(self.vocabulary)]
        self._coef_by_dimension = weights[len(self.vocabulary):]
        self._intercept64 = self.intercept.astype(np.float64)

    def log_probs(self, texts: Sequence[str], embeddings: np.ndarray | None = None
                  ) -> np.ndarray:
        """Log-probabilities (len(texts), len(labels)): the log-softmax of ``scores``, as
        a logistic regression's ``predict_log_proba`` gives."""
        return log_softmax(self.scores(texts, embeddings))

    def scores(self, texts: Sequence[str], embeddings: np.ndarray | None = None
               ) -> np.ndarray:
        """Decision scores (len(texts), len(labels)) in float64, as scikit-learn's
        ``decision_function`` gives; ``embeddings`` (len(texts), embedding_dim) must come
        with a head that has embedding columns, and only then."""
        scores = np.tile(self._intercept64, (len(texts), 1))
        for row, text in enumerate(texts):
            columns, values = self.tfidf_row(text)
            scores[row] += values @ self._coef_by_term[columns]
        if self.embedding_dim:
            if embeddings is None or np.shape(embeddings) != (len(texts), self.embedding_dim):
                raise ValueError(f"this head needs a ({len(texts)}, {self.embedding_dim}) "
                                 f"embedding array, not {np.shape(embeddings)}")
            scores += np.asarray(embeddings, dtype=np.float64) @ self._coef_by_dimension
        elif embeddings is not None:
            raise ValueError("this head has no embedding columns; pass no embeddings")
        return scores

    def tfidf_row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The text's nonzero TF-IDF features: column indices and float64 values."""
        counts = Counter(self._index[term] for term in self._terms(text) if term in self._index)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if self.settings.sublinear_tf:
            tf = np.log(tf) + 1.0
        values = tf * self._idf64[columns]
        return columns, _normalized(values, self.settings.norm)

    def _terms(self, text: str) -> list[str]:
        """The word n-grams of ``text``, as the word analyzer of ``TfidfVectorizer`` makes."""
        if self.settings.lowercase:
            text = text.lower()
        tokens = self._pattern.findall(text)
        low, high = self.settings.ngram_range
        terms = list(tokens) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            terms.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return terms

    def save(self, model_dir: str | Path) -> list[Path]:
        """Write ``tfidf_head.safetensors`` and ``tfidf_head.json`` into ``model_dir``."""
        from safetensors.numpy import save_file

        directory = Path(model_dir)
        weights, meta = directory / HEAD_WEIGHTS, directory / HEAD_JSON
        save_file({"idf": self.idf, "coef": self.coef, "intercept": self.intercept},
                  str(weights), metadata={"format": "newsdesk-tfidf-head"})
        payload = {"format_version": HEAD_FORMAT, "labels": self.labels,
                   "settings": asdict(self.settings), "embedding_dim": self.embedding_dim,
                   "vocabulary": self.vocabulary}
        meta.write_text(json.dumps(payload, ensure_ascii=False) + "\n", encoding="utf-8")
        return [weights, meta]

    @classmethod
    def load(cls, model_dir: str | Path, labels: Sequence[str] | None = None) -> TfidfHead:
        """Read a saved head; with ``labels``, its labels must be exactly those, in order.
        Any missing, damaged or inconsistent file is one ``ModelError`` naming it."""
        directory = Path(model_dir)
        meta = _read_head_json(directory / HEAD_JSON)
        try:
            settings = TfidfSettings.from_dict(meta["settings"])
        except (TypeError, ValueError) as error:
            raise ModelError(f"{directory / HEAD_JSON}: bad settings ({error})") from None
        arrays = _read_head_arrays(directory / HEAD_WEIGHTS)
        try:
            head = cls(meta["vocabulary"], arrays["idf"], arrays["coef"], arrays["intercept"],
                       meta["labels"], settings, meta.get("embedding_dim", 0))
        except (TypeError, ValueError) as error:
            raise ModelError(f"{directory / HEAD_WEIGHTS} and {HEAD_JSON} do not fit together "
                             f"({error})") from None
        if labels is not None and head.labels != list(labels):
            raise ModelError(f"{directory / HEAD_JSON}: labels {head.labels} are not the "
                             f"model's {list(labels)} (in order)")
        return head


def check_shapes(head: TfidfHead) -> None:
    """ValueError unless idf, coef, intercept, vocabulary, embedding size and labels agree
    and are finite."""
    k, size, width = len(head.labels), len(head.vocabulary), head.embedding_dim
    if isinstance(width, bool) or not isinstance(width, int) or width < 0:
        raise ValueError(f"embedding_dim must be a whole number >= 0, not {width!r}")
    expected = {"idf": (size,), "coef": (k, size + width), "intercept": (k,)}
    for name, shape in expected.items():
        array = getattr(head, name)
        if array.shape != shape:
            raise ValueError(f"{name} has shape {array.shape}, expected {shape} for "
                             f"{k} labels, {size} terms and {width} embedding dimensions")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or infinite values")
    if k < 2:
        raise ValueError(f"a head needs at least 2 labels, not {k}")


def _read_head_json(path: Path) -> dict[str, Any]:
    """``tfidf_head.json``, its format and field types checked."""
    raw = read_json_object(path, missing=HEAD_NEEDED)
    if raw.get("format_version") != HEAD_FORMAT:
        raise ModelError(f"{path}: format {raw.get('format_version')!r} is not format "
                         f"{HEAD_FORMAT}, which this newsdesk reads")
    for key, kind in (("vocabulary", list), ("labels", list), ("settings", dict)):
        if not isinstance(raw.get(key), kind):
            raise ModelError(f"{path}: '{key}' must be a JSON {kind.__name__}")
    if not all(isinstance(term, str) for term in raw["vocabulary"]):
        raise ModelError(f"{path}: 'vocabulary' must hold strings only")
    return raw


def _read_head_arrays(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    if not path.is_file():
        raise ModelError(f"{path}: missing ({HEAD_NEEDED})")
    try:
        arrays = load_file(str(path))
    except Exception as error:  # safetensors raises its own error types
        reason = " ".join(str(error).split())
        raise ModelError(f"{path}: corrupt or truncated ({reason})") from None
    missing = sorted({"idf", "coef", "intercept"} - set(arrays))
    if missing:
        raise ModelError(f"{path}: no tensor named {', '.join(missing)}")
    return arrays


def _normalized(values: np.ndarray, norm: str | None) -> np.ndarray:
    if norm is None or not values.size:
        return values
    size = np.abs(values).sum() if norm == "l1" else np.sqrt(values @ values)
    return values / size if size > 0 else values


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax in float64.

    >>> np.exp(log_softmax(np.array([[0.0, np.log(3.0)]]))).round(3).tolist()
    [[0.25, 0.75]]
    """
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def fuse(transformer_log_probs: np.ndarray, head_log_probs: np.ndarray,
         weight: float) -> np.ndarray:
    """Probabilities ``softmax((1 - weight) * log p_model + weight * log p_head)``.

    >>> fuse(np.log([[0.5, 0.5]]), np.log([[0.2, 0.8]]), 1.0).round(3).tolist()
    [[0.2, 0.8]]
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"the fusion weight must be in [0, 1], not {weight}")
    model, head = np.asarray(transformer_log_probs), np.asarray(head_log_probs)
    if model.shape != head.shape:
        raise ValueError(f"log-probabilities of shapes {model.shape} and {head.shape} "
                         "cannot be fused")
    return np.exp(log_softmax((1.0 - weight) * model + weight * head))


def hybrid_weight(manifest: Manifest, where: str | Path = MANIFEST_NAME) -> float | None:
    """The manifest's TF-IDF fusion weight, or None when the model is not a hybrid."""
    entry = manifest.extras.get(MANIFEST_KEY)
    if entry is None:
        return None
    weight = entry.get("tfidf_weight") if isinstance(entry, dict) else None
    if (isinstance(weight, bool) or not isinstance(weight, (int, float))
            or not 0.0 <= weight <= 1.0):
        raise ModelError(f"{where}: extras.hybrid.tfidf_weight must be a number in [0, 1], "
                         f"not {weight!r}")
    return float(weight)


def frozen_entry(manifest: Manifest, where: str | Path = MANIFEST_NAME) -> dict[str, Any] | None:
    """The manifest's ``extras["frozen"]`` (a frozen encoder + linear head), or None."""
    entry = manifest.extras.get(FROZEN_KEY)
    if entry is None:
        return None
    width = entry.get("embedding_dim") if isinstance(entry, dict) else None
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ModelError(f"{where}: extras.frozen.embedding_dim must be a positive whole "
                         f"number, not {width!r}")
    if manifest.extras.get(MANIFEST_KEY) is not None:
        raise ModelError(f"{where}: a model is frozen or hybrid, not both (extras.frozen and "
                         "extras.hybrid)")
    if not manifest.labels:
        raise ModelError(f"{where}: a frozen model's manifest must list its labels")
    if manifest.windowing.mode != "first":
        raise ModelError(f"{where}: a frozen model reads each text's first window (windowing "
                         f"mode 'first'), not {manifest.windowing.mode!r}")
    return entry


def load_head(model_dir: Path, manifest: Manifest) -> TfidfHead | None:
    """The dir's linear head: a frozen model's (labels from the manifest, embedding size
    that of the manifest and of config.json's ``hidden_size``), a hybrid's (labels from
    ``config.json`` ``id2label``, no embedding columns), or None for a plain fine-tuned
    model. Labels must match in order; any mismatch is a ModelError naming the file."""
    where = model_dir / MANIFEST_NAME
    frozen = frozen_entry(manifest, where)
    if frozen is not None:
        head = TfidfHead.load(model_dir, manifest.labels)
        width, hidden = frozen["embedding_dim"], _config_hidden_size(model_dir)
        if head.embedding_dim != width or hidden not in (None, width):
            raise ModelError(f"{model_dir / HEAD_JSON}: embedding_dim {head.embedding_dim} "
                             f"does not match the manifest's {width} and the encoder's "
                             f"hidden_size {hidden}")
        return head
    if hybrid_weight(manifest, where) is None:
        return None
    head = TfidfHead.load(model_dir, config_labels(model_dir))
    if head.embedding_dim:
        raise ModelError(f"{model_dir / HEAD_JSON}: a hybrid's head reads TF-IDF features "
                         f"only, but this one has {head.embedding_dim} embedding columns")
    return head


def _config_hidden_size(model_dir: Path) -> int | None:
    try:
        config = read_json_object(model_dir / "config.json")
    except ModelError:
        return None  # opening the model itself reports the broken config.json
    return config.get("hidden_size")
