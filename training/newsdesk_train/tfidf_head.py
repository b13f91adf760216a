"""Fit the TF-IDF head of a hybrid topic model with scikit-learn, then keep plain arrays.

scikit-learn fits (``TfidfVectorizer`` + multinomial ``LogisticRegression``); the fitted
objects become a ``newsdesk.tfidf_head.TfidfHead`` (vocabulary, idf, coefficients), which
reproduces ``predict_log_proba`` with numpy alone and saves without pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.errors import ConfigError
from newsdesk.tfidf_head import TfidfHead, TfidfSettings
from newsdesk_train.config import HybridConfig

MAX_ITER = 5000  # lbfgs on ~1,500 articles x ~100k n-grams converges in a few hundred
#: TfidfVectorizer settings a TfidfHead does not reproduce: they must keep these values.
FIXED_VECTORIZER_SETTINGS = {"analyzer": "word", "binary": False, "use_idf": True,
                             "strip_accents": None, "stop_words": None, "preprocessor": None,
                             "tokenizer": None, "input": "content"}


def fit_tfidf_head(texts: Sequence[str], labels: Sequence[str], label_order: Sequence[str],
                   settings: HybridConfig | None = None) -> TfidfHead:
    """TF-IDF of ``texts`` (1..ngram_max-grams in >= min_df texts, sublinear tf, l2) and a
    logistic regression with ``settings.C``, as a head whose label rows follow
    ``label_order`` (the transformer's id order)."""
    unseen = sorted(set(label_order) - set(labels))
    if unseen:
        raise ConfigError(f"hybrid: no training text has the label(s) {', '.join(unseen)}; "
                          "the TF-IDF head cannot learn them")
    vectorizer, classifier = fit_sklearn(texts, labels, settings or HybridConfig())
    return head_from_sklearn(vectorizer, classifier, label_order)


def fit_sklearn(texts: Sequence[str], labels: Sequence[str],
                settings: HybridConfig) -> tuple[Any, Any]:
    """The fitted scikit-learn ``TfidfVectorizer`` and ``LogisticRegression``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    vectorizer = TfidfVectorizer(ngram_range=(1, settings.ngram_max), sublinear_tf=True,
                                 min_df=settings.min_df, dtype=np.float64)
    features = vectorizer.fit_transform(list(texts))
    classifier = LogisticRegression(C=settings.C, max_iter=MAX_ITER)
    classifier.fit(features, [str(label) for label in labels])
    return vectorizer, classifier


def head_from_sklearn(vectorizer: Any, classifier: Any,
                      label_order: Sequence[str]) -> TfidfHead:
    """A ``TfidfHead`` equal to a fitted ``TfidfVectorizer`` + ``LogisticRegression``, its
    rows in ``label_order`` (every one of the classifier's classes, any order)."""
    params = vectorizer.get_params()
    odd = {k: params[k] for k, v in FIXED_VECTORIZER_SETTINGS.items() if params[k] != v}
    if odd:
        raise ConfigError(f"a TfidfHead cannot reproduce TfidfVectorizer settings {odd}")
    classes = [str(c) for c in classifier.classes_]
    if sorted(classes) != sorted(map(str, label_order)):
        raise ConfigError(f"the classifier's classes {classes} are not the labels "
                          f"{list(label_order)}")
    coef, intercept = _multinomial(classifier.coef_, classifier.intercept_)
    rows = [classes.index(str(label)) for label in label_order]
    settings = TfidfSettings(
        lowercase=params["lowercase"], token_pattern=params["token_pattern"],
        ngram_range=tuple(params["ngram_range"]), sublinear_tf=params["sublinear_tf"],
        norm=params["norm"])
    return TfidfHead(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_,
                     coef[rows], intercept[rows], [str(label) for label in label_order],
                     settings)


def _multinomial(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k x V) weights whose softmax is the classifier's probabilities: a binary model's
    single row ``w`` (sigmoid) becomes rows ``0`` and ``w``, as softmax([0, z]) = sigmoid."""
    if coef.shape[0] == 1:
        return (np.vstack([np.zeros_like(coef), coef]),
                np.concatenate([np.zeros_like(intercept), intercept]))
    return coef, intercept
