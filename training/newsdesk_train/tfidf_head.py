"""Fit linear heads with scikit-learn, then keep plain arrays.

scikit-learn fits a ``TfidfVectorizer`` and a linear model (a hybrid's multinomial
``LogisticRegression`` over TF-IDF; a frozen recipe's ``LinearSVC`` or logistic regression
over [TF-IDF ; embedding], ``newsdesk_train.frozen``); the fitted objects become a
``newsdesk.tfidf_head.TfidfHead`` (vocabulary, idf, coefficients), which reproduces
``decision_function`` and ``predict_log_proba`` with numpy alone and saves without pickle.
``tuned`` picks C by inner grouped CV (``story_key`` groups), as the topic benchmark does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsdesk.data.records import Record
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
    check_every_label(labels, label_order, "hybrid")
    vectorizer, classifier = fit_sklearn(texts, labels, settings or HybridConfig())
    return head_from_sklearn(vectorizer, classifier, label_order)


def check_every_label(labels: Sequence[str], label_order: Sequence[str], section: str) -> None:
    """ConfigError naming the labels of ``label_order`` no training text has."""
    unseen = sorted(set(label_order) - set(labels))
    if unseen:
        raise ConfigError(f"{section}: no training text has the label(s) {', '.join(unseen)}; "
                          "the head cannot learn them")


def fit_sklearn(texts: Sequence[str], labels: Sequence[str],
                settings: HybridConfig) -> tuple[Any, Any]:
    """The fitted scikit-learn ``TfidfVectorizer`` and ``LogisticRegression``."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    vectorizer = tfidf_vectorizer(settings.ngram_max, settings.min_df)
    features = vectorizer.fit_transform(list(texts))
    classifier = linear_model("logistic", settings.C)
    classifier.fit(features, [str(label) for label in labels])
    return vectorizer, classifier


def tfidf_vectorizer(ngram_max: int = 2, min_df: int = 2) -> Any:
    """An unfitted ``TfidfVectorizer``: 1..``ngram_max``-word n-grams in at least ``min_df``
    texts, sublinear tf, l2 rows (the topic benchmark's baseline features too)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, ngram_max), sublinear_tf=True, min_df=min_df,
                           dtype=np.float64)


def linear_model(kind: str, C: float, seed: int | None = None) -> Any:  # noqa: N803
    """An unfitted ``LinearSVC`` (``linear_svm``) or multinomial ``LogisticRegression``
    (``logistic``); ``seed`` fixes LinearSVC's coordinate-descent order."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if kind == "linear_svm":
        return LinearSVC(C=C, random_state=seed)
    if kind == "logistic":
        return LogisticRegression(C=C, max_iter=MAX_ITER)
    raise ValueError(f"unknown linear model {kind!r}; use linear_svm or logistic")


def story_key(record: Record) -> str:
    """The group of inner cross-validation, so a story never scores its own twin: the
    record's ``meta['story']`` where its set names one (news-sections: the story group its
    split was drawn by), else its headline (case and spacing aside), which near-duplicates
    share.

    >>> story_key(Record(id="a", text="x", title="Rates  rise, again!"))
    'rates rise again'
    >>> story_key(Record(id="b", text="x", title="Rates rise", meta={"story": "na-7"}))
    'na-7'
    """
    story = record.meta.get("story")
    if isinstance(story, str) and story:
        return story
    return re.sub(r"\W+", " ", (record.title or record.text.split("\n", 1)[0]).lower()).strip()


@dataclass
class Tuned:
    """A linear model refitted on all it was given with the C inner CV chose, and the mean
    inner-CV accuracy of every C tried (empty when the grid held one value)."""

    model: Any
    C: float  # noqa: N815
    cv_accuracy: dict[float, float]


INNER_FOLDS = 3


def tuned(model: Callable[[float], Any], grid: Sequence[float], features: Any,
          labels: Sequence[str], groups: Sequence[str], *, score_alone: bool = False
          ) -> Tuned:
    """``model(C)`` with C chosen from ``grid`` by inner grouped ``INNER_FOLDS``-fold CV
    (``StratifiedGroupKFold``, accuracy), refitted on all it was given. A one-value grid is
    fitted without CV unless ``score_alone`` (its CV accuracy is then measured too)."""
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    labels = [str(label) for label in labels]
    if len(grid) == 1 and not score_alone:
        return Tuned(model(float(grid[0])).fit(features, labels), float(grid[0]), {})
    search = GridSearchCV(model(1.0), {"C": list(grid)}, cv=StratifiedGroupKFold(INNER_FOLDS),
                          scoring="accuracy", n_jobs=1)
    search.fit(features, labels, groups=list(groups))
    scores = search.cv_results_["mean_test_score"]
    return Tuned(search.best_estimator_, float(search.best_params_["C"]),
                 {float(c): round(float(s), 5) for c, s in zip(grid, scores)})


def head_from_sklearn(vectorizer: Any, classifier: Any, label_order: Sequence[str],
                      embedding_dim: int = 0, embedding_weight: float = 1.0) -> TfidfHead:
    """A ``TfidfHead`` equal to a fitted ``TfidfVectorizer`` + linear model (its last
    ``embedding_dim`` feature columns an embedding's, multiplied by ``embedding_weight``
    before the fit: the head's embedding weights absorb that factor, so it reads plain
    embeddings), its rows in ``label_order`` (every one of the classifier's classes, any
    order)."""
    params = vectorizer.get_params()
    odd = {k: params[k] for k, v in FIXED_VECTORIZER_SETTINGS.items() if params[k] != v}
    if odd:
        raise ConfigError(f"a TfidfHead cannot reproduce TfidfVectorizer settings {odd}")
    classes = [str(c) for c in classifier.classes_]
    if sorted(classes) != sorted(map(str, label_order)):
        raise ConfigError(f"the classifier's classes {classes} are not the labels "
                          f"{list(label_order)}")
    coef, intercept = _multinomial(classifier.coef_, classifier.intercept_)
    if embedding_dim:
        coef = np.array(coef, dtype=np.float64)
        coef[:, coef.shape[1] - embedding_dim:] *= embedding_weight
    rows = [classes.index(str(label)) for label in label_order]
    settings = TfidfSettings(
        lowercase=params["lowercase"], token_pattern=params["token_pattern"],
        ngram_range=tuple(params["ngram_range"]), sublinear_tf=params["sublinear_tf"],
        norm=params["norm"])
    return TfidfHead(vectorizer.get_feature_names_out().tolist(), vectorizer.idf_,
                     coef[rows], intercept[rows], [str(label) for label in label_order],
                     settings, embedding_dim)


def _multinomial(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k x V) weights whose softmax is the classifier's probabilities: a binary model's
    single row ``w`` (sigmoid) becomes rows ``0`` and ``w``, as softmax([0, z]) = sigmoid
    (the argmax stays ``predict``'s for a binary LinearSVC too)."""
    if coef.shape[0] == 1:
        return (np.vstack([np.zeros_like(coef), coef]),
                np.concatenate([np.zeros_like(intercept), intercept]))
    return coef, intercept
