"""Frozen encoder + linear head: a topic recipe kind that trains nothing by gradient.

A recipe with a ``frozen`` section keeps ``model.base`` as it was pretrained.
``embed_texts`` embeds each training article's first ``model.max_length`` tokens (mean
pooling and L2 normalisation, as sentence-transformers encoders were trained; bf16 where the
CPU has AMX or AVX-512 BF16), and ``fit_frozen_head`` fits a LinearSVC or logistic
regression over [TF-IDF of the whole article ; embedding], C chosen by inner grouped CV.
``train_frozen`` hands the encoder (weights as loaded), its tokenizer and the head to
``staging.stage``, the path every recipe ends in: the model is evaluated with the inference
code, then the manifest, card and publication follow. ``newsdesk_train.crossval`` calls the
same ``embed_texts`` (cached) and ``fit_frozen_head`` for every fold of a cross-validation.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.errors import ConfigError
from newsdesk.linear import linear_model, tfidf_vectorizer, tuned
from newsdesk.manifest import Manifest, Windowing
from newsdesk.tfidf_head import FROZEN_KEY, HEAD_JSON, HEAD_WEIGHTS, TfidfHead
from newsdesk_train.config import FrozenConfig, RecipeConfig
from newsdesk_train.staging import TrainedRun
from newsdesk_train.tfidf_head import check_every_label, head_from_sklearn, inner_split
from newsdesk_train.workdir import WorkDirs

if TYPE_CHECKING:
    from newsdesk.summarize.encoder import SentenceEncoder

logger = logging.getLogger(__name__)
EMBED_BATCH = 16
PROBABILITIES = {"linear_svm": "softmax of the LinearSVC decision scores (not calibrated)",
                 "logistic": "the multinomial logistic regression's own"}


def embedding_dtype() -> str:
    """``bfloat16`` where the CPU multiplies it in hardware (``cpu_has_native_bf16``: about
    twice as fast, vectors within 0.996 cosine of float32 ones), else ``float32``."""
    from newsdesk.device import cpu_has_native_bf16

    return "bfloat16" if cpu_has_native_bf16() else "float32"


def load_encoder(name: str) -> tuple[Any, Any]:
    """The encoder (as pretrained: the weights a frozen model ships) and its tokenizer, from
    an alias, dir or hub id, opened as training opens a base (``newsdesk.modeldir``)."""
    from transformers import AutoModel

    from newsdesk.modeldir import TRAINING_PICKLE_ADVICE, open_model_dir

    base = open_model_dir(name, pickle_advice=TRAINING_PICKLE_ADVICE)
    return base.load_model(AutoModel, what="the frozen encoder"), base.load_tokenizer()


def sentence_encoder(model: Any, tokenizer: Any, max_length: int) -> SentenceEncoder:
    """A ``SentenceEncoder`` over ``model`` in ``embedding_dtype()`` reading each text's first
    ``max_length`` tokens. ``model`` keeps its own dtype (it is the model a frozen recipe
    saves): where that differs, the encoder runs a converted copy."""
    import torch

    from newsdesk.summarize.encoder import SentenceEncoder

    dtype = getattr(torch, embedding_dtype())
    if model.dtype != dtype:
        model = copy.deepcopy(model).to(dtype)
    return SentenceEncoder(model, tokenizer, max_tokens=max_length, batch_size=EMBED_BATCH)


def embed_texts(texts: Sequence[str], encoder: str, max_length: int) -> np.ndarray:
    """(len(texts), dim) float32: the mean-pooled, L2-normalised embedding of each text's
    first ``max_length`` tokens by ``encoder`` (an alias, dir or hub id), computed by
    ``sentence_encoder`` in ``embedding_dtype()``."""
    return sentence_encoder(*load_encoder(encoder), max_length).encode(list(texts))


@dataclass
class FrozenFit:
    """The fitted head, the embedding weight and C inner CV chose, the inner-CV accuracy of
    each (weight, C) tried, and how the inner CV was folded (``InnerSplit.record``)."""

    head: TfidfHead
    C: float  # noqa: N815
    embedding_weight: float
    cv_accuracy: dict[tuple[float, float], float]
    inner_cv: dict[str, Any]


def fit_frozen_head(records: Sequence[Record], embeddings: np.ndarray,
                    label_order: Sequence[str], settings: FrozenConfig,
                    seed: int | None) -> FrozenFit:
    """A linear model over [TF-IDF of each record's whole text ; w x its embedding] (rows of
    ``embeddings`` follow ``records``), w and C by inner grouped CV (``inner_split`` by
    ``settings.inner_cv_groups``: story or publisher; for each w in turn the best C, and a
    larger w only where it scores strictly higher), as a head whose label rows follow
    ``label_order``."""
    from scipy.sparse import csr_matrix, hstack

    if len(records) != len(embeddings):
        raise ValueError(f"{len(records)} records but {len(embeddings)} embeddings")
    labels = [str(r.label) for r in records]
    check_every_label(labels, label_order, "frozen")
    vectorizer = tfidf_vectorizer(settings.ngram_max, settings.min_df)
    terms = vectorizer.fit_transform([r.text for r in records])
    dense = np.asarray(embeddings, dtype=np.float64)
    weights = sorted(settings.embedding_weight)
    model = partial(linear_model, settings.classifier, seed=seed)
    split = inner_split(records, settings.inner_cv_groups)
    best, scores = None, {}
    for weight in weights:
        features = hstack([terms, csr_matrix(weight * dense)]).tocsr()
        fit = tuned(model, settings.C, features, labels, split.splitter_groups,
                    score_alone=len(weights) > 1, splitter=split.splitter)
        scores |= {(weight, c): accuracy for c, accuracy in fit.cv_accuracy.items()}
        score = max(fit.cv_accuracy.values(), default=0.0)
        if best is None or score > best[0]:
            best = (score, weight, fit)
    _, weight, fit = best
    head = head_from_sklearn(vectorizer, fit.model, label_order, dense.shape[1], weight)
    return FrozenFit(head, fit.C, weight, scores, split.record())


def train_frozen(config: RecipeConfig, work: WorkDirs) -> TrainedRun:
    """Embed the training records, fit and stage the head; ``staging.stage`` then saves the
    encoder as loaded, evaluates the whole model and stages it."""
    from transformers import AutoModel

    from newsdesk.device import resolve_device
    from newsdesk_train.classification import data_summary, evaluate_classifier, labelled_data

    settings = config.frozen
    if settings is None:
        raise ConfigError(f"{config.name}: not a frozen recipe (no frozen section)")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise ConfigError("a frozen recipe runs in one process (nothing is trained by "
                          "gradient); run newsdesk-train without torchrun or accelerate launch")
    _, data, labels = labelled_data(config)
    encoder, tokenizer = load_encoder(config.model.base)  # loaded once: embeds, then ships
    started = time.perf_counter()
    embeddings = sentence_encoder(encoder, tokenizer, config.model.max_length).encode(
        [r.text for r in data.train])
    embed_seconds = time.perf_counter() - started
    fit = fit_frozen_head(data.train, embeddings, labels, settings, config.training.seed)
    fit.head.save(work.staging)
    seconds = time.perf_counter() - started
    logger.info("frozen: %d articles embedded in %.0f s; %s with C=%g, embedding weight %g "
                "(inner %d-fold CV grouped by %s), over %d terms and %d embedding dimensions",
                len(data.train), embed_seconds, settings.classifier, fit.C,
                fit.embedding_weight, fit.inner_cv["folds"], settings.inner_cv_groups,
                len(fit.head.vocabulary), embeddings.shape[1])
    manifest = Manifest(
        task=config.task, labels=labels, base_model=config.model.base,
        windowing=Windowing(max_length=config.model.max_length, stride=0, mode="first"),
        data=data_summary(config, data),
        training={"recipe": config.name, "kind": "frozen encoder + linear head",
                  "train_runtime_s": round(seconds, 1), "seed": config.training.seed},
        extras={FROZEN_KEY: frozen_record(config.model.base, config.model.max_length, settings,
                                          fit, embed_seconds, seconds - embed_seconds)})
    evaluate = partial(evaluate_classifier, tokenizer=tokenizer, manifest=manifest,
                       device=resolve_device(None), data=data, config=config, work=work,
                       head=fit.head)
    return TrainedRun(None, tokenizer, manifest, AutoModel, evaluate, model=encoder)


def frozen_record(encoder: str, max_length: int, settings: FrozenConfig, fit: FrozenFit,
                  embed_seconds: float, fit_seconds: float) -> dict[str, Any]:
    """The manifest's ``extras["frozen"]``: how the embedding and the head were made."""
    return {
        "encoder": encoder, "embedding_dim": fit.head.embedding_dim,
        "pooling": "mean over the first window's tokens, L2-normalised",
        "max_length": max_length, "training_embedding_dtype": embedding_dtype(),
        "classifier": settings.classifier, "probabilities": PROBABILITIES[settings.classifier],
        "C": fit.C, "C_grid": list(settings.C), "embedding_weight": fit.embedding_weight,
        "embedding_weight_grid": list(settings.embedding_weight),
        "inner_cv": {**fit.inner_cv, "accuracy": {f"weight={w:g} C={c:g}": a
                                                  for (w, c), a in fit.cv_accuracy.items()}},
        "ngram_max": settings.ngram_max, "min_df": settings.min_df,
        "vocabulary_size": len(fit.head.vocabulary), "files": [HEAD_WEIGHTS, HEAD_JSON],
        "fit_on": "training records: embedding of the first window, TF-IDF of the whole text",
        "embed_seconds": round(embed_seconds, 1), "fit_seconds": round(fit_seconds, 1)}
