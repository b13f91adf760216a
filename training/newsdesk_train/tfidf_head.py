"""Fit linear heads with scikit-learn, then keep plain arrays.

scikit-learn fits a ``TfidfVectorizer`` and a linear model (a hybrid's multinomial
``LogisticRegression`` over TF-IDF; a frozen recipe's ``LinearSVC`` or logistic regression
over [TF-IDF ; embedding], ``newsdesk_train.frozen``); the fitted objects become a
``newsdesk.tfidf_head.TfidfHead`` (vocabulary, idf, coefficients), which reproduces
``decision_function`` and ``predict_log_proba`` with numpy alone and saves without pickle.
The features, the models and the C search (``tuned``) are ``newsdesk.linear``'s, which the
TF-IDF baselines fit too; ``inner_split`` gives that search its groups and folds: stories
(``story_key``) or publishers.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from newsdesk.data.records import Record
from newsdesk.errors import ConfigError
from newsdesk.linear import INNER_FOLDS, linear_model, story_key, tfidf_vectorizer
from newsdesk.tfidf_head import TfidfHead, TfidfSettings
from newsdesk_train.config import INNER_CV_GROUPS, HybridConfig
from newsdesk_train.recipe_data import record_source

logger = logging.getLogger(__name__)
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


#: The publisher of a bbc-news record (``meta['corpus']`` in news-topics): the set keeps no
#: URLs, so all of it is one publisher (the BBC of 2004-05; news-sections' bbc.co.uk
#: articles of 2016-17 are another).
BBC_NEWS = "bbc-news"


def publisher_key(record: Record) -> str:
    """The publisher inner CV keeps in one fold (``frozen.inner_cv_groups: publisher``): the
    record's ``meta['source']`` (news-sections, news-articles, a file's ``source`` column),
    or ``bbc-news`` for a record of that set in news-topics; a ConfigError naming the record
    otherwise.

    >>> publisher_key(Record(id="a", text="x", meta={"source": "tass.com"}))
    'tass.com'
    >>> publisher_key(Record(id="b", text="x", meta={"corpus": "bbc-news"}))
    'bbc-news'
    """
    source = record_source(record)
    if source:
        return source
    if record.meta.get("corpus") == BBC_NEWS:
        return BBC_NEWS
    raise ConfigError(f"frozen.inner_cv_groups: publisher: record {record.id!r} names no "
                      "publisher (no 'source' in its meta, and it is not from bbc-news); "
                      "give every record a source or use inner_cv_groups: story")


def stories_across_publishers(records: Sequence[Record],
                              publishers: Sequence[str]) -> dict[str, int]:
    """How many stories (``story_key``) more than one publisher told (``publishers``: each
    record's ``publisher_key``, as ``inner_split`` has them), and how many of ``records``
    belong to them: grouped by publisher, such a story is split between inner folds, as the
    leave-one-publisher-out benchmark splits it.

    >>> stories_across_publishers([Record(id="a", text="x", meta={"story": "s"}),
    ...                            Record(id="b", text="x", meta={"story": "s"}),
    ...                            Record(id="c", text="x", meta={"story": "t"})],
    ...                           ["p", "q", "q"])
    {'stories': 1, 'articles': 2}
    """
    tellers: dict[str, set[str]] = {}
    stories = [story_key(r) for r in records]
    for story, publisher in zip(stories, publishers, strict=True):
        tellers.setdefault(story, set()).add(publisher)
    shared = {story for story, publishers in tellers.items() if len(publishers) > 1}
    return {"stories": len(shared), "articles": sum(story in shared for story in stories)}


@dataclass
class InnerSplit:
    """How inner CV folds the training records: grouped ``by`` story or publisher, one group
    per record (a group stays in one fold), the scikit-learn splitter (by publisher a
    ``PredefinedSplit`` that never scores bbc-news: it ignores the groups ``tuned`` hands
    it), and what the manifest says of the groups beside their kind (``notes``)."""

    by: str
    groups: list[str]
    splitter: Any
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def folds(self) -> int:
        return int(self.splitter.get_n_splits())

    @property
    def splitter_groups(self) -> list[str] | None:
        """The groups ``tuned`` hands the splitter: None by publisher (the
        ``PredefinedSplit`` holds its folds and warns when given groups)."""
        return self.groups if self.by == "story" else None

    def record(self) -> dict[str, Any]:
        """The manifest's ``inner_cv`` entries: folds, what the groups are, and the notes
        (by publisher: the publishers the folds rotate over, those always trained on, each
        group's training articles, the stories told across them)."""
        return {"folds": self.folds, "groups": GROUPED_BY[self.by], **self.notes}


#: What the groups of each ``frozen.inner_cv_groups`` are ("grouped by ...": the card).
GROUPED_BY = {
    "story": "story (meta.story where the set names one, else the normalised headline)",
    "publisher": "publisher (meta.source), the folds rotating over the publishers named by "
                 "URL; bbc-news (BBC 2004-05, no URL), where present, in every fold's training "
                 "part and never scored"}


def inner_split(records: Sequence[Record], by: str = "story") -> InnerSplit:
    """The inner CV of ``records`` grouped ``by`` story or publisher.

    ``story``: ``StratifiedGroupKFold(INNER_FOLDS)`` over ``story_key`` groups (thousands
    of them: the folds keep each label's share). ``publisher``: the records of the
    publishers named by URL (``publisher_key`` other than ``BBC_NEWS``) are split by
    ``GroupKFold`` with min(``INNER_FOLDS``, such publishers) folds, each fold scoring one
    or more whole publishers; bbc-news records are in every fold's training part and never
    scored (``PredefinedSplit``, their fold -1). This mirrors the outer
    leave-one-publisher-out benchmark (``benchmarks/topic_bbc.py --lopo``), which holds out
    only news-sections publishers and always trains on bbc-news: an inner fold scoring the
    BBC of 2004-05 would measure a transfer the question does not ask about. With four or
    five groups of unequal size and labels, stratification cannot be kept, and
    ``StratifiedGroupKFold`` may leave a fold empty (scikit-learn issue 34828);
    ``GroupKFold`` gives each fold at least one group, the largest first. Fewer than two
    publishers named by URL is a ConfigError.

    A story told by two publishers is split between their folds (or between a fold and
    bbc-news), as in the leave-one-publisher-out benchmark and for a new publisher reporting
    the news the training publishers reported: ``stories_across_publishers`` counts them for
    the manifest. (Merging publishers that share a story would keep every story in one fold,
    but in news-topics' training split 56 stories, 213 articles, link all five news-sections
    publishers: one group would be left to rotate.)
    """
    from sklearn.model_selection import GroupKFold, PredefinedSplit, StratifiedGroupKFold

    if by not in INNER_CV_GROUPS:
        raise ValueError(f"inner CV groups must be one of {INNER_CV_GROUPS}, not {by!r}")
    if by == "story":
        return InnerSplit(by, [story_key(r) for r in records], StratifiedGroupKFold(INNER_FOLDS))
    groups = [publisher_key(r) for r in records]
    sizes = Counter(groups)
    rotated = sorted(p for p in sizes if p != BBC_NEWS)
    if len(rotated) < 2:
        raise ConfigError(f"frozen.inner_cv_groups: publisher needs training articles from at "
                          f"least 2 publishers named by URL (meta.source; bbc-news is always "
                          f"trained on, never scored), found {len(rotated)} "
                          f"({', '.join(rotated) or 'none'})")
    scored = [i for i, publisher in enumerate(groups) if publisher != BBC_NEWS]
    test_fold = np.full(len(groups), -1)  # -1: in every fold's training part, never scored
    folds = GroupKFold(min(INNER_FOLDS, len(rotated)))
    for fold, (_, test) in enumerate(folds.split(scored, groups=[groups[i] for i in scored])):
        test_fold[[scored[i] for i in test]] = fold
    notes = {"rotated_publishers": rotated,
             "always_trained_on": [BBC_NEWS] if BBC_NEWS in sizes else [],
             "group_sizes": dict(sorted(sizes.items())),
             "stories_across_publishers": stories_across_publishers(records, groups)}
    logger.info("inner CV by publisher: %d folds over %s; always trained on: %s; %d stories "
                "(%d articles) told by more than one publisher are split between their folds",
                folds.get_n_splits(), ", ".join(f"{p} {sizes[p]}" for p in rotated),
                ", ".join(f"{p} {sizes[p]}" for p in notes["always_trained_on"]) or "none",
                *notes["stories_across_publishers"].values())
    return InnerSplit(by, groups, PredefinedSplit(test_fold), notes)


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
