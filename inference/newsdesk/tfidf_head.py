"""A TF-IDF logistic-regression head whose labels are fused with a fine-tuned transformer's.

A hybrid topic model dir holds, beside the transformer, ``tfidf_head.safetensors`` (``idf``,
``coef``, ``intercept``) and ``tfidf_head.json`` (vocabulary in column order, labels,
vectorizer settings, format version): plain arrays and JSON, never pickle. ``TfidfHead``
computes each text's TF-IDF row sparsely, exactly as scikit-learn's ``TfidfVectorizer``
(word analyzer) does, and the softmax of ``coef @ x + intercept`` as a multinomial
``LogisticRegression`` does, with numpy alone: serving needs no scikit-learn.
``fuse`` mixes the transformer's log-probabilities with the head's; the weight lives in the
manifest (``newsdesk.json`` ``extras["hybrid"]["tfidf_weight"]``).
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
from newsdesk.manifest import MANIFEST_NAME, Manifest

HEAD_WEIGHTS = "tfidf_head.safetensors"
HEAD_JSON = "tfidf_head.json"
HEAD_FORMAT = 1
MANIFEST_KEY = "hybrid"
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
    """Multinomial logistic regression over TF-IDF features, arrays only.

    ``coef`` is (labels x vocabulary), ``intercept`` (labels,), ``idf`` (vocabulary,);
    ``labels[i]`` names row ``i`` of ``coef``.
    """

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray, labels: Sequence[str],
                 settings: TfidfSettings | None = None) -> None:
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.labels = [str(label) for label in labels]
        self.settings = settings or TfidfSettings()
        check_shapes(self)
        self._index = {term: i for i, term in enumerate(self.vocabulary)}
        if len(self._index) != len(self.vocabulary):
            raise ValueError("the vocabulary holds a term twice")
        self._pattern = re.compile(self.settings.token_pattern)
        self._idf64 = self.idf.astype(np.float64)
        self._coef_by_term = np.ascontiguousarray(self.coef.T, dtype=np.float64)
        self._intercept64 = self.intercept.astype(np.float64)

    def log_probs(self, texts: Sequence[str]) -> np.ndarray:
        """Log-probabilities (len(texts), len(labels)), as ``predict_log_proba`` gives."""
        scores = np.tile(self._intercept64, (len(texts), 1))
        for row, text in enumerate(texts):
            columns, values = self.tfidf_row(text)
            scores[row] += values @ self._coef_by_term[columns]
        return log_softmax(scores)

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
                   "settings": asdict(self.settings), "vocabulary": self.vocabulary}
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
                       meta["labels"], settings)
        except (TypeError, ValueError) as error:
            raise ModelError(f"{directory / HEAD_WEIGHTS} and {HEAD_JSON} do not fit together "
                             f"({error})") from None
        if labels is not None and head.labels != list(labels):
            raise ModelError(f"{directory / HEAD_JSON}: labels {head.labels} are not the "
                             f"model's {list(labels)} (in order)")
        return head


def check_shapes(head: TfidfHead) -> None:
    """ValueError unless idf, coef, intercept, vocabulary and labels agree and are finite."""
    k, size = len(head.labels), len(head.vocabulary)
    expected = {"idf": (size,), "coef": (k, size), "intercept": (k,)}
    for name, shape in expected.items():
        array = getattr(head, name)
        if array.shape != shape:
            raise ValueError(f"{name} has shape {array.shape}, expected {shape} for "
                             f"{k} labels and {size} terms")
        if not np.isfinite(array).all():
            raise ValueError(f"{name} holds NaN or infinite values")
    if k < 2:
        raise ValueError(f"a head needs at least 2 labels, not {k}")


def _read_head_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ModelError(f"{path}: missing (the manifest says this model is a hybrid)")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable ({error})") from None
    if not isinstance(raw, dict):
        raise ModelError(f"{path}: must be a JSON object")
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
        raise ModelError(f"{path}: missing (the manifest says this model is a hybrid)")
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


def load_hybrid_head(model_dir: Path, manifest: Manifest) -> TfidfHead | None:
    """The dir's TF-IDF head when its manifest says it is a hybrid, else None; its labels
    must be the model's (``config.json`` ``id2label``), in order."""
    from newsdesk.modeldir import config_labels

    if hybrid_weight(manifest, model_dir / MANIFEST_NAME) is None:
        return None
    return TfidfHead.load(model_dir, config_labels(model_dir))
