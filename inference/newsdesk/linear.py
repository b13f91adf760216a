"""scikit-learn's TF-IDF features and linear models, with C chosen by grouped inner CV.

What the recipes fit (a hybrid's TF-IDF head and a frozen recipe's head:
``newsdesk_train.tfidf_head``, ``newsdesk_train.frozen``) and what the TF-IDF baselines fit
(``newsdesk.evaluation.baselines``, ``newsdesk evaluate --baseline tfidf``): one vectorizer,
one pair of linear models and one C search, so a recipe and the baseline it is measured
against differ only where they mean to. Needs scikit-learn (the ``eval`` or ``train``
extra), imported when a function is called.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsdesk.data.records import Record

MAX_ITER = 5000  # lbfgs on ~1,500 articles x ~100k n-grams converges in a few hundred
INNER_FOLDS = 3


def tfidf_vectorizer(ngram_max: int = 2, min_df: int = 2) -> Any:
    """An unfitted ``TfidfVectorizer``: 1..``ngram_max``-word n-grams in at least ``min_df``
    texts, sublinear tf, l2 rows (the topic baseline's features too)."""
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


def tuned(model: Callable[[float], Any], grid: Sequence[float], features: Any,
          labels: Sequence[str], groups: Sequence[str] | None, *, score_alone: bool = False,
          splitter: Any = None) -> Tuned:
    """``model(C)`` with C chosen from ``grid`` by inner grouped CV (``splitter``, by default
    ``StratifiedGroupKFold(INNER_FOLDS)``, given ``groups`` unless they are None, as for a
    splitter holding its own folds; accuracy), refitted on all it was given. A one-value
    grid is fitted without CV unless ``score_alone`` (its CV accuracy is then measured
    too)."""
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold

    labels = [str(label) for label in labels]
    if len(grid) == 1 and not score_alone:
        return Tuned(model(float(grid[0])).fit(features, labels), float(grid[0]), {})
    search = GridSearchCV(model(1.0), {"C": list(grid)},
                          cv=StratifiedGroupKFold(INNER_FOLDS) if splitter is None
                          else splitter,
                          scoring="accuracy", n_jobs=1)
    search.fit(features, labels, **({} if groups is None else {"groups": list(groups)}))
    scores = search.cv_results_["mean_test_score"]
    return Tuned(search.best_estimator_, float(search.best_params_["C"]),
                 {float(c): round(float(s), 5) for c, s in zip(grid, scores)})
