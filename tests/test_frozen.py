"""Frozen encoder + linear head: a topic recipe kind that trains nothing by gradient.

The head is checked against scikit-learn's decision function on real BBC news; a tiny random
BERT kept frozen checks the recipe's config errors, the model dir, reloading, ONNX, the
Ray actor, the CV harness's per-fold fit and the errors for damaged head files.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tiny_data import (
    TEXTS,
    TOPICS,
    exported_copy,
    few_per_topic,
    topic_accuracy,
    topic_predictions,
    topic_rows,
    write_jsonl,
)
from tiny_models import make_tiny_base

from newsdesk import TopicClassifier
from newsdesk.data import load
from newsdesk.errors import ConfigError, ModelError
from newsdesk.linear import linear_model, story_key, tfidf_vectorizer, tuned
from newsdesk.manifest import Manifest
from newsdesk.tfidf_head import HEAD_JSON, HEAD_WEIGHTS, TfidfHead
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import FrozenConfig, load_config
from newsdesk_train.frozen import fit_frozen_head
from newsdesk_train.tfidf_head import GROUPED_BY, head_from_sklearn, inner_split

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROWS = {"train": 40, "validation": 10, "test": 10}
FROZEN = "frozen:\n  classifier: linear_svm\n  C: [0.1, 10.0]\n  ngram_max: 2\n  min_df: 1\n"


def frozen_recipe(path: Path, *, source: Path, base: Path, output: Path,
                  frozen: str = FROZEN) -> Path:
    path.write_text(f"""
name: tiny-frozen
task: topic
data:
  source: {source}
model:
  base: {base}
  max_length: 64
training:
  seed: 7
output_dir: {output}
{frozen}""", encoding="utf-8")
    return path


# --- the head against scikit-learn -------------------------------------------------------

def sklearn_head(kind: str, records: list, embeddings: np.ndarray, order: list[str]):
    from scipy.sparse import csr_matrix, hstack

    vectorizer = tfidf_vectorizer(2, 1)
    features = hstack([vectorizer.fit_transform([r.text for r in records]),
                       csr_matrix(embeddings)]).tocsr()
    model = linear_model(kind, 1.0, seed=0).fit(features, [str(r.label) for r in records])
    head = head_from_sklearn(vectorizer, model, order, embeddings.shape[1])
    return vectorizer, model, head


def stacked(vectorizer, texts: list[str], embeddings: np.ndarray):
    from scipy.sparse import csr_matrix, hstack

    return hstack([vectorizer.transform(texts), csr_matrix(embeddings)]).tocsr()


@pytest.mark.parametrize("kind", ["linear_svm", "logistic"])
def test_head_reproduces_sklearn_decision_function_and_predict(kind: str) -> None:
    rng = np.random.default_rng(0)
    train = few_per_topic("validation", 8)
    embed = rng.normal(size=(len(train), 16)).astype(np.float32)
    order = ["tech", "business", "sport", "entertainment", "politics"]  # not sklearn's order
    vectorizer, model, head = sklearn_head(kind, train, embed, order)
    unseen = [r.text for r in load("bbc-news", split="test")[:60]]
    unseen_embed = rng.normal(size=(len(unseen), 16)).astype(np.float32)
    reference = model.decision_function(stacked(vectorizer, unseen, unseen_embed))
    columns = [list(model.classes_).index(label) for label in order]
    ours = head.scores(unseen, unseen_embed)
    assert head.embedding_dim == 16 and ours.shape == (len(unseen), 5)
    assert np.abs(ours - reference[:, columns]).max() < 1e-5
    assert np.ptp(reference) > 0.5  # the scores are far from flat
    predicted = [order[i] for i in ours.argmax(axis=1)]
    assert predicted == list(model.predict(stacked(vectorizer, unseen, unseen_embed)))
    assert np.abs(np.exp(head.log_probs(unseen, unseen_embed)).sum(axis=1) - 1).max() < 1e-12
    if kind == "logistic":
        proba = model.predict_proba(stacked(vectorizer, unseen, unseen_embed))
        assert np.abs(np.exp(head.log_probs(unseen, unseen_embed)) - proba[:, columns]).max() < 1e-5


def test_a_two_label_svm_head_keeps_sklearns_predictions() -> None:
    rng = np.random.default_rng(1)
    train = [r for r in few_per_topic("validation", 10) if r.label in ("sport", "tech")]
    embed = rng.normal(size=(len(train), 8))
    vectorizer, model, head = sklearn_head("linear_svm", train, embed, ["tech", "sport"])
    unseen = [r.text for r in few_per_topic("test", 4)]
    unseen_embed = rng.normal(size=(len(unseen), 8))
    features = stacked(vectorizer, unseen, unseen_embed)
    scores = head.scores(unseen, unseen_embed)
    assert model.coef_.shape[0] == 1 and head.coef.shape == (2, len(head.vocabulary) + 8)
    # sklearn's single score is for its second class, "tech": our row 0
    assert np.abs((scores[:, 0] - scores[:, 1]) - model.decision_function(features)).max() < 1e-5
    assert [["tech", "sport"][i] for i in scores.argmax(axis=1)] == list(model.predict(features))


def test_embeddings_must_come_with_an_embedding_head_only() -> None:
    train = few_per_topic("validation", 4)
    _, _, head = sklearn_head("linear_svm", train, np.ones((len(train), 4)), TOPICS)
    with pytest.raises(ValueError, match=r"needs a \(2, 4\) embedding array"):
        head.scores(TEXTS[:2])
    plain = TfidfHead(head.vocabulary, head.idf, head.coef[:, :-4], head.intercept, TOPICS)
    with pytest.raises(ValueError, match="no embedding columns"):
        plain.scores(TEXTS[:2], np.ones((2, 4)))


def test_fit_chooses_c_by_inner_grouped_cv_and_names_unseen_labels() -> None:
    train = few_per_topic("validation", 8)
    embed = np.random.default_rng(2).normal(size=(len(train), 8))
    fit = fit_frozen_head(train, embed, TOPICS, FrozenConfig(C=[0.01, 1.0, 100.0], min_df=1),
                          seed=0)
    assert set(fit.cv_accuracy) == {(1.0, 0.01), (1.0, 1.0), (1.0, 100.0)}
    assert fit.cv_accuracy[1.0, fit.C] == max(fit.cv_accuracy.values())
    single = fit_frozen_head(train, embed, TOPICS, FrozenConfig(C=3.0, min_df=1), seed=0)
    assert single.C == 3.0 and single.cv_accuracy == {}


def test_fit_chooses_the_embedding_weight_with_c_and_the_head_absorbs_it() -> None:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.svm import LinearSVC

    train = few_per_topic("validation", 8)
    embed = np.random.default_rng(3).normal(size=(len(train), 8))
    settings = FrozenConfig(C=[0.1, 10.0], embedding_weight=[0.5, 3.0], min_df=1)
    fit = fit_frozen_head(train, embed, TOPICS, settings, seed=0)
    assert set(fit.cv_accuracy) == {(w, c) for w in (0.5, 3.0) for c in (0.1, 10.0)}
    best = max(fit.cv_accuracy.values())
    assert fit.cv_accuracy[fit.embedding_weight, fit.C] == best
    # ties go to the smaller weight: the first (weight, C) reaching the best score
    assert fit.embedding_weight == min(w for (w, _), a in fit.cv_accuracy.items() if a == best)
    # the head reads plain embeddings and gives the decision scores of the model fitted on
    # weighted ones
    vectorizer = tfidf_vectorizer(2, 1)
    terms = vectorizer.fit_transform([r.text for r in train])
    model = LinearSVC(C=fit.C, random_state=0).fit(
        hstack([terms, csr_matrix(fit.embedding_weight * embed)]).tocsr(),
        [str(r.label) for r in train])
    expected = model.decision_function(
        hstack([vectorizer.transform([r.text for r in train]),
                csr_matrix(fit.embedding_weight * embed)]).tocsr())
    scores = fit.head.scores([r.text for r in train], embed)
    order = [list(model.classes_).index(t) for t in TOPICS]
    assert np.abs(scores - expected[:, order]).max() < 1e-5
    with pytest.raises(ConfigError, match="frozen: no training text has the label.*weather"):
        fit_frozen_head(train, embed, [*TOPICS, "weather"], FrozenConfig(min_df=1), seed=0)


# --- inner CV grouped by story (the default) or by publisher -------------------------------

PUBLISHERS = ("tass.com", "cnn.com", "rte.ie", "abcnews.go.com")


def with_publishers(records: list, publishers: Sequence[str]) -> list:
    """``records`` with a publisher each, in turn (few_per_topic's order: every publisher
    gets every topic), as news-topics names them: ``meta['source']``, or
    ``meta['corpus']`` for bbc-news."""
    return [replace(r, meta={**r.meta, **({"corpus": "bbc-news"} if p == "bbc-news"
                                          else {"source": p, "corpus": "news-sections"})})
            for r, p in zip(records, [publishers[i % len(publishers)]
                                      for i in range(len(records))])]


def spied_inner_cv(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, object, list]]:
    """The (groups, splitter, labels) ``fit_frozen_head`` hands ``tuned`` (the real one
    runs)."""
    from newsdesk_train import frozen

    calls: list[tuple[Any, object, list]] = []
    real = frozen.tuned

    def spy(model: Any, grid: Any, features: Any, labels: Any, groups: Any,
            **options: Any) -> Any:
        calls.append((groups, options.get("splitter"), list(labels)))
        return real(model, grid, features, labels, groups, **options)

    monkeypatch.setattr(frozen, "tuned", spy)
    return calls


def scored_folds(split: Any, labels: Sequence[str]) -> list[tuple[set[int], set[int]]]:
    """The (training rows, scored rows) of each fold ``split.splitter`` gives ``tuned``'s
    GridSearchCV (it hands the splitter the groups too)."""
    return [(set(train), set(test)) for train, test in split.splitter.split(
        np.zeros(len(labels)), labels, split.splitter_groups)]


def assert_bbc_news_trained_on_and_url_publishers_scored_once(
        publishers: Sequence[str], folds: list[tuple[set[int], set[int]]]) -> None:
    """bbc-news rows are in every fold's training part and in no scored part; each other
    publisher's rows are all scored in exactly one fold and trained on in the others."""
    bbc = {i for i, p in enumerate(publishers) if p == "bbc-news"}
    everything = set(range(len(publishers)))
    for train, test in folds:
        assert bbc <= train and not bbc & test and test and train | test == everything
    for publisher in set(publishers) - {"bbc-news"}:
        rows = {i for i, p in enumerate(publishers) if p == publisher}
        holding = [test for _, test in folds if rows & test]
        assert len(holding) == 1 and rows <= holding[0], publisher


def test_publisher_grouping_trains_on_bbc_news_and_scores_each_url_publisher_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    train = with_publishers(few_per_topic("validation", 8), [*PUBLISHERS, "bbc-news"])
    publishers = [r.meta.get("source", "bbc-news") for r in train]
    embed = np.random.default_rng(4).normal(size=(len(train), 8))
    calls = spied_inner_cv(monkeypatch)
    settings = FrozenConfig(C=[0.1, 10.0], embedding_weight=[0.5, 3.0], min_df=1,
                            inner_cv_groups="publisher")
    fit = fit_frozen_head(train, embed, TOPICS, settings, seed=0)
    assert len(calls) == 2  # one inner CV per embedding weight
    for groups, splitter, labels in calls:
        assert groups is None  # the PredefinedSplit holds the folds
        folds = [(set(a), set(b)) for a, b in splitter.split(np.zeros(len(train)), labels,
                                                             groups)]
        assert len(folds) == 3  # min(3, four URL publishers)
        assert_bbc_news_trained_on_and_url_publishers_scored_once(publishers, folds)
    assert fit.inner_cv == {"folds": 3, "groups": GROUPED_BY["publisher"],
                            "rotated_publishers": sorted(PUBLISHERS),
                            "always_trained_on": ["bbc-news"],
                            "group_sizes": dict(sorted(Counter(publishers).items())),
                            "stories_across_publishers": {"stories": 0, "articles": 0}}
    assert fit.cv_accuracy[fit.embedding_weight, fit.C] == max(fit.cv_accuracy.values())


def test_tuned_scores_only_the_folds_of_the_publisher_split() -> None:
    """GridSearchCV in ``tuned`` uses the splitter as given: each C's inner-CV accuracy is
    the mean over the URL-publisher folds of a model trained with bbc-news."""
    train = with_publishers(few_per_topic("validation", 8), [*PUBLISHERS[:3], "bbc-news"])
    labels = [str(r.label) for r in train]
    features = tfidf_vectorizer(2, 1).fit_transform([r.text for r in train])
    split = inner_split(train, "publisher")
    fit = tuned(partial(linear_model, "linear_svm", seed=0), [0.1, 10.0], features, labels,
                split.splitter_groups, splitter=split.splitter)
    for c, accuracy in fit.cv_accuracy.items():
        by_hand = [linear_model("linear_svm", c, seed=0).fit(
            features[sorted(rows)], [labels[i] for i in sorted(rows)]).score(
            features[sorted(test)], [labels[i] for i in sorted(test)])
            for rows, test in scored_folds(split, labels)]
        assert accuracy == round(float(np.mean(by_hand)), 5)


@pytest.mark.parametrize(("publishers", "folds"), [
    (("tass.com", "cnn.com", "bbc-news"), 2), (("tass.com", "cnn.com", "rte.ie"), 3),
    ((*PUBLISHERS, "bbc-news"), 3)], ids=["two-and-bbc", "three", "four-and-bbc"])
def test_publisher_folds_are_min_of_three_and_the_url_publishers_none_empty(
        publishers: tuple[str, ...], folds: int) -> None:
    records = with_publishers(few_per_topic("validation", 4), publishers)
    split = inner_split(records, "publisher")
    labels = [str(r.label) for r in records]
    tested = scored_folds(split, labels)
    assert split.folds == len(tested) == folds
    assert_bbc_news_trained_on_and_url_publishers_scored_once(split.groups, tested)
    assert sorted(set(split.groups)) == sorted(publishers)
    assert split.record()["rotated_publishers"] == sorted(set(publishers) - {"bbc-news"})


def test_publisher_grouping_needs_two_url_publishers_and_one_on_every_record() -> None:
    one = with_publishers(few_per_topic("validation", 4), ["tass.com", "bbc-news"])
    with pytest.raises(ConfigError, match=r"frozen\.inner_cv_groups: publisher needs training "
                                          r"articles from at least 2 publishers named by URL "
                                          r".*found 1 \(tass\.com\)"):
        inner_split(one, "publisher")
    only_bbc = with_publishers(few_per_topic("validation", 4), ["bbc-news"])
    with pytest.raises(ConfigError, match=r"found 0 \(none\)"):
        inner_split(only_bbc, "publisher")
    anonymous = few_per_topic("validation", 4)  # bbc-news read alone: no source, no corpus
    with pytest.raises(ConfigError, match=rf"record '{anonymous[0].id}' names no publisher"):
        fit_frozen_head(anonymous, np.zeros((len(anonymous), 4)), TOPICS,
                        FrozenConfig(min_df=1, inner_cv_groups="publisher"), seed=0)


def test_a_story_told_by_two_publishers_is_split_by_publisher_and_counted() -> None:
    records = with_publishers(few_per_topic("validation", 4), ["tass.com", "cnn.com", "rte.ie"])
    told_twice = [replace(r, meta={**r.meta, "story": "one-event"}) if i < 3 else r
                  for i, r in enumerate(records)]  # a tass.com, a cnn.com, an rte.ie article
    split = inner_split(told_twice, "publisher")
    assert split.groups == [r.meta["source"] for r in records] and split.folds == 3
    entry = split.record()
    assert entry["stories_across_publishers"] == {"stories": 1, "articles": 3}
    assert entry["group_sizes"] == dict(sorted(Counter(split.groups).items()))
    assert inner_split(records, "publisher").record()["stories_across_publishers"] == {
        "stories": 0, "articles": 0}


def test_story_grouping_is_the_default_and_chooses_as_before() -> None:
    """The default is the inner CV of before ``inner_cv_groups``: StratifiedGroupKFold(3)
    over ``story_key`` groups, the same accuracies and the same (weight, C)."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
    from sklearn.svm import LinearSVC

    train = with_publishers(few_per_topic("validation", 8), PUBLISHERS)  # present, unused
    embed = np.random.default_rng(5).normal(size=(len(train), 8))
    grids = {"C": [0.01, 0.1, 1.0, 10.0], "embedding_weight": [0.5, 3.0]}
    fit = fit_frozen_head(train, embed, TOPICS, FrozenConfig(**grids, min_df=1), seed=0)
    explicit = fit_frozen_head(train, embed, TOPICS, FrozenConfig(
        **grids, min_df=1, inner_cv_groups="story"), seed=0)
    terms = tfidf_vectorizer(2, 1).fit_transform([r.text for r in train])
    before: dict[tuple[float, float], float] = {}
    for weight in grids["embedding_weight"]:
        search = GridSearchCV(LinearSVC(random_state=0), {"C": grids["C"]},
                              cv=StratifiedGroupKFold(3), scoring="accuracy").fit(
            hstack([terms, csr_matrix(weight * embed)]).tocsr(), [r.label for r in train],
            groups=[story_key(r) for r in train])
        before |= {(weight, c): round(float(a), 5)
                   for c, a in zip(grids["C"], search.cv_results_["mean_test_score"])}
    assert len(set(before.values())) > 1  # the settings score differently
    assert fit.cv_accuracy == explicit.cv_accuracy == before
    best = max(before.values())  # the smallest weight, then C, reaching it
    assert (fit.embedding_weight, fit.C) == (explicit.embedding_weight, explicit.C) == min(
        key for key, accuracy in before.items() if accuracy == best)
    assert fit.inner_cv == {"folds": 3, "groups": GROUPED_BY["story"]}
    assert np.array_equal(fit.head.coef, explicit.head.coef)


# --- the recipe section -------------------------------------------------------------------

def test_the_frozen_section_is_read_with_a_grid_or_one_c(tmp_path: Path) -> None:
    path = frozen_recipe(tmp_path / "r.yaml", source=Path("x.jsonl"), base=Path("b"),
                         output=tmp_path / "m")
    config = load_config(path)
    assert config.frozen == FrozenConfig(classifier="linear_svm", C=[0.1, 10.0], min_df=1)
    assert load_config(path, ["frozen.C=1e-2"]).frozen.C == [0.01]
    assert load_config("training/configs/topic-bbc-mpnet-frozen.yaml").frozen is not None
    assert config.frozen.inner_cv_groups == "story"
    assert load_config(path, ["frozen.inner_cv_groups=publisher"]).frozen.inner_cv_groups == (
        "publisher")


def test_the_xpub_recipe_is_the_general_recipe_with_inner_folds_by_publisher(
        repo_root: Path) -> None:
    configs = repo_root / "training" / "configs"
    general = asdict(load_config(configs / "topic-news-mpnet-frozen.yaml"))
    xpub = asdict(load_config(configs / "topic-news-mpnet-frozen-xpub.yaml"))
    assert (general["frozen"]["inner_cv_groups"], xpub["frozen"]["inner_cv_groups"]) == (
        "story", "publisher")
    assert {k for k in general if general[k] != xpub[k]} == {
        "name", "description", "output_dir", "frozen", "selection", "recipe_path"}
    assert {k for k in general["frozen"] if general["frozen"][k] != xpub["frozen"][k]} == {
        "inner_cv_groups"}
    assert xpub["output_dir"] == "models/topic-news-mpnet-frozen-xpub"
    assert "a priori" in xpub["selection"]["how"]


@pytest.mark.parametrize(("frozen", "words"), [
    ("frozen:\n  classifier: svm\n", r"frozen\.classifier must be one of linear_svm, logistic"),
    ("frozen:\n  C: [1.0, -2]\n", r"frozen\.C must be a positive number or a non-empty list"),
    ("frozen:\n  C: []\n", r"frozen\.C must be a positive number"),
    ("frozen:\n  min_df: 0\n", r"frozen\.min_df must be at least 1"),
    ("frozen:\n  embedding_weight: [0]\n", r"frozen\.embedding_weight must be a positive"),
    ("frozen:\n  weight: 1\n", r"unknown key 'frozen\.weight'"),
    ("frozen: 3\n", r"frozen must be a section"),
    ("frozen: {}\nhybrid: {}\n", r"frozen and hybrid exclude each other"),
    ("frozen:\n  inner_cv_groups: outlet\n",
     r"frozen\.inner_cv_groups must be one of story, publisher, not 'outlet'"),
    ("frozen:\n  inner_cv_group: publisher\n",
     r"unknown key 'frozen\.inner_cv_group'; did you mean 'frozen\.inner_cv_groups'"),
], ids=["classifier", "negative-C", "empty-grid", "min_df", "zero-weight", "unknown-key",
        "not-a-section", "hybrid", "inner-cv-groups", "inner-cv-groups-typo"])
def test_bad_frozen_settings_are_config_errors(tmp_path: Path, frozen: str, words: str) -> None:
    path = frozen_recipe(tmp_path / "r.yaml", source=Path("x.jsonl"), base=Path("b"),
                         output=tmp_path / "m", frozen=frozen)
    with pytest.raises(ConfigError, match=words):
        load_config(path)


@pytest.mark.parametrize(("override", "words"), [
    ("task=stance", r"topic models only, not for a stance model"),
    ("task=summary", r"topic models only, not for a summary model"),
    ("model.multi_label=true", r"one label per article"),
    ("training.epochs=2", r"training\.epochs has no effect in a frozen recipe"),
    ("model.stride=8", r"model\.stride has no effect in a frozen recipe, which reads only "
                       r"model\.base, model\.max_length, model\.multi_label"),
], ids=["stance", "summary", "multi-label", "epochs", "stride"])
def test_frozen_recipes_refuse_other_tasks_and_unused_keys(tmp_path: Path, override: str,
                                                          words: str) -> None:
    path = frozen_recipe(tmp_path / "r.yaml", source=Path("x.jsonl"), base=Path("b"),
                         output=tmp_path / "m")
    with pytest.raises(ConfigError, match=words):
        load_config(path, [override])


def test_max_steps_on_a_frozen_recipe_is_a_clear_cli_error(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    path = frozen_recipe(tmp_path / "r.yaml", source=Path("x.jsonl"), base=Path("b"),
                         output=tmp_path / "m")
    assert train_main([str(path), "--max-steps", "2"]) == 2
    assert "training.max_steps has no effect in a frozen recipe" in capsys.readouterr().err


# --- a trained frozen model dir ------------------------------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("frozen-base") / "base")


@pytest.fixture(scope="module")
def frozen(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("frozen")
    data = write_jsonl(root / "topics.jsonl", topic_rows(ROWS))
    path = frozen_recipe(root / "recipe.yaml", source=data, base=base, output=root / "model")
    assert train_main([str(path)]) == 0
    return root / "model"


@pytest.fixture(scope="module")
def exported(frozen: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    return exported_copy(frozen, tmp_path_factory.mktemp("exported"))


def test_the_dir_holds_the_encoder_the_head_and_a_manifest_that_says_so(frozen: Path) -> None:
    names = {p.name for p in frozen.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", HEAD_WEIGHTS, HEAD_JSON,
            "newsdesk.json", "README.md"} <= names
    assert not any(name.endswith((".bin", ".pkl", ".pickle")) for name in names)
    manifest = Manifest.load(frozen)
    entry = manifest.extras["frozen"]
    assert entry["embedding_dim"] == 32 and entry["classifier"] == "linear_svm"
    assert entry["C"] in (0.1, 10.0)
    assert set(entry["inner_cv"]["accuracy"]) == {"weight=1 C=0.1", "weight=1 C=10"}
    assert (entry["inner_cv"]["folds"], entry["inner_cv"]["groups"]) == (3, GROUPED_BY["story"])
    assert manifest.windowing.mode == "first" and manifest.windowing.max_length == 64
    assert manifest.labels == TOPICS and manifest.training["kind"] == "frozen encoder + linear head"
    assert {"validation", "test"} <= set(manifest.metrics)
    head = TfidfHead.load(frozen, TOPICS)
    assert head.embedding_dim == 32 and len(head.vocabulary) == entry["vocabulary_size"] > 100
    config = json.loads((frozen / "config.json").read_text(encoding="utf-8"))
    assert "business" not in json.dumps(config)  # the plain encoder's config, no topic labels
    card = (frozen / "README.md").read_text(encoding="utf-8")
    assert "## How labels are made" in card and "frozen" in card and "linear SVM" in card
    assert f"C={entry['C']:g}, chosen among 0.1, 10 by inner 3-fold" in card
    assert "transformers.pipeline` cannot give this model's labels" in card


def test_a_recipe_grouped_by_publisher_trains_and_its_manifest_and_card_say_so(
        base: Path, tmp_path: Path) -> None:
    rows = [{**row, "source": PUBLISHERS[i % 3]} for i, row in enumerate(topic_rows(ROWS))]
    data = write_jsonl(tmp_path / "topics.jsonl", rows)
    path = frozen_recipe(tmp_path / "r.yaml", source=data, base=base, output=tmp_path / "model",
                         frozen=FROZEN + "  inner_cv_groups: publisher\n")
    assert train_main([str(path)]) == 0
    entry = Manifest.load(tmp_path / "model").extras["frozen"]["inner_cv"]
    trained_on = Counter(row["source"] for row in rows if row["split"] == "train")
    assert entry["groups"] == GROUPED_BY["publisher"] and entry["folds"] == 3
    assert entry["group_sizes"] == dict(sorted(trained_on.items())) and len(trained_on) == 3
    assert entry["rotated_publishers"] == sorted(trained_on) and entry["always_trained_on"] == []
    card = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert "by inner 3-fold cross-validation on the training articles grouped by publisher" in card
    assert f"(scored in turn: {', '.join(sorted(trained_on))})" in card


def test_the_encoder_weights_are_the_pretrained_ones(frozen: Path, base: Path) -> None:
    from safetensors.numpy import load_file

    saved = load_file(frozen / "model.safetensors")
    pretrained = load_file(base / "model.safetensors")
    assert saved.keys() == pretrained.keys()
    assert all(np.array_equal(saved[name], pretrained[name]) for name in saved)


def test_one_training_run_loads_the_encoder_once_and_reads_its_data_once(
        base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.data import sources
    from newsdesk.modeldir import ModelDir

    reads: list[Path] = []
    read_records = sources.read_records

    def counted_read(path: Path, **options: object) -> list:
        reads.append(Path(path).resolve())
        return read_records(path, **options)

    loads: list[tuple[str, Path]] = []
    load_model, load_tokenizer = ModelDir.load_model, ModelDir.load_tokenizer

    def counted_model(self: ModelDir, auto_class: object, **options: object) -> object:
        loads.append(("model", Path(self.source).resolve()))
        return load_model(self, auto_class, **options)

    def counted_tokenizer(self: ModelDir) -> object:
        loads.append(("tokenizer", Path(self.source).resolve()))
        return load_tokenizer(self)

    monkeypatch.setattr(ModelDir, "load_model", counted_model)
    monkeypatch.setattr(ModelDir, "load_tokenizer", counted_tokenizer)
    data = write_jsonl(tmp_path / "topics.jsonl", topic_rows(ROWS))
    path = frozen_recipe(tmp_path / "recipe.yaml", source=data, base=base,
                         output=tmp_path / "model")
    monkeypatch.setattr(sources, "read_records", counted_read)
    assert train_main([str(path)]) == 0
    assert sorted(loads) == [("model", base.resolve()), ("tokenizer", base.resolve())]
    assert reads == [data.resolve()]  # train, validation and test all come from this file


@pytest.mark.parametrize(("flags", "dtype"), [("avx2", "float32"), ("avx2 amx_tile", "bfloat16")])
def test_embedding_runs_beside_the_shipped_encoder_and_as_a_fresh_load_would(
        base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: str, dtype: str
        ) -> None:
    import torch

    from newsdesk import device
    from newsdesk.summarize.encoder import SentenceEncoder
    from newsdesk_train.frozen import EMBED_BATCH, embedding_dtype, load_encoder, sentence_encoder

    (tmp_path / "cpuinfo").write_text(f"flags\t: {flags}\n", encoding="utf-8")
    monkeypatch.setattr(device, "CPUINFO", tmp_path / "cpuinfo")
    assert embedding_dtype() == dtype
    model, tokenizer = load_encoder(str(base))
    before = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    vectors = sentence_encoder(model, tokenizer, 64).encode(TEXTS)
    assert model.dtype == torch.float32  # the encoder the recipe ships, as loaded
    assert all(torch.equal(before[name], t) for name, t in model.state_dict().items())
    fresh = SentenceEncoder.load(base, dtype=dtype, max_tokens=64, batch_size=EMBED_BATCH)
    assert np.array_equal(vectors, fresh.encode(TEXTS))


def test_the_manifest_metrics_are_the_models_predictions(frozen: Path) -> None:
    test = [r for r in topic_rows(ROWS) if r["split"] == "test"]
    assert Manifest.load(frozen).metrics["test"]["accuracy"] == pytest.approx(
        topic_accuracy(frozen, test))


def test_probabilities_are_the_heads_softmax_over_tfidf_and_the_first_window(
        frozen: Path) -> None:
    classifier = TopicClassifier.from_pretrained(frozen)
    embeddings = classifier.embeddings(TEXTS)
    probs = classifier.predict_proba(TEXTS)
    assert embeddings.shape == (5, 32)
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-6)
    scores = classifier.head.scores(TEXTS, embeddings)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    assert np.allclose(probs, expected / expected.sum(axis=1, keepdims=True), atol=1e-12)
    predictions = classifier.predict(TEXTS)
    assert [p.label for p in predictions] == [TOPICS[i] for i in scores.argmax(axis=1)]
    assert np.allclose([list(p.scores.values()) for p in predictions], probs)
    longer = TEXTS[0] + " " + "More words after the first window. " * 60
    assert not np.allclose(classifier.predict_proba([longer]), probs[:1])  # TF-IDF reads on
    assert np.allclose(classifier.embeddings([longer])[0],
                       classifier.embeddings([longer[:2000]])[0], atol=1e-6)
    with pytest.raises(ModelError, match="no transformer probabilities"):
        classifier.transformer_proba(TEXTS)


def test_inference_embeds_as_training_embedded(frozen: Path) -> None:
    from newsdesk.summarize.encoder import SentenceEncoder

    trained_on = SentenceEncoder.load(frozen, max_tokens=64).encode(TEXTS)
    assert np.abs(TopicClassifier.from_pretrained(frozen).embeddings(TEXTS) - trained_on
                  ).max() < 1e-5


def test_reload_in_a_new_process_gives_identical_predictions(frozen: Path) -> None:
    assert topic_predictions(frozen, TEXTS, new_process=True) == topic_predictions(frozen, TEXTS)


def test_onnx_labels_are_torchs_and_int8_runs(exported: Path) -> None:
    torch_model = TopicClassifier.from_pretrained(exported)
    onnx_model = TopicClassifier.from_pretrained(exported, backend="onnx")
    texts = TEXTS + [r["text"] for r in topic_rows(ROWS) if r["split"] == "test"]
    assert [p.label for p in onnx_model.predict(texts)] == [
        p.label for p in torch_model.predict(texts)]
    assert np.abs(onnx_model.embeddings(texts) - torch_model.embeddings(texts)).max() < 1e-4
    assert np.allclose(onnx_model.predict_proba(texts), torch_model.predict_proba(texts),
                       atol=1e-4)
    onnx = Manifest.load(exported).extras["onnx"]
    assert onnx["fp32"]["max_abs_logit_diff_vs_torch"] < 1e-4
    assert 0.0 <= onnx["int8"]["probe_label_agreement"] <= 1.0
    int8 = TopicClassifier.from_pretrained(exported, backend="onnx", quantize="int8")
    probs = int8.predict_proba(texts)
    assert probs.shape == (len(texts), 5) and np.allclose(probs.sum(axis=1), 1.0)
    assert Manifest.load(exported).extras["frozen"]["embedding_dim"] == 32  # kept by export


def test_newsdesk_predict_and_the_ray_actor_give_the_models_labels(frozen: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    from newsdesk.batch import load_classifier, predict_rows
    from newsdesk.data.records import Record
    from newsdesk.ray_engine import RayPredictor

    expected = [p.label for p in TopicClassifier.from_pretrained(frozen).predict(TEXTS)]
    records = [Record(id=str(i), text=text) for i, text in enumerate(TEXTS)]
    rows = predict_rows(load_classifier(frozen), records)
    assert [row["label"] for row in rows] == expected
    lines = [json.dumps({"id": str(i), "text": text}) for i, text in enumerate(TEXTS)]
    table = RayPredictor(str(frozen), "jsonl", batch_size=4)(
        pa.table({"text": lines, "path": ["a.jsonl"] * len(lines)}))
    assert table.column("label").to_pylist() == expected


def _edit_head_json(directory: Path, **changes: object) -> None:
    path = directory / HEAD_JSON
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def _break_embedding_dim(directory: Path) -> None:
    manifest = Manifest.load(directory)
    manifest.extras["frozen"]["embedding_dim"] = "wide"
    manifest.save(directory)


def _every_window(directory: Path) -> None:
    manifest = Manifest.load(directory)
    manifest.windowing.mode = "all"
    manifest.save(directory)


DAMAGE = {
    "json-missing": (lambda d: (d / HEAD_JSON).unlink(), f"{HEAD_JSON}: missing"),
    "weights-missing": (lambda d: (d / HEAD_WEIGHTS).unlink(), f"{HEAD_WEIGHTS}: missing"),
    "weights-truncated": (lambda d: (d / HEAD_WEIGHTS).write_bytes(
        (d / HEAD_WEIGHTS).read_bytes()[:100]), f"{HEAD_WEIGHTS}: corrupt or truncated"),
    "embedding-dim": (lambda d: _edit_head_json(d, embedding_dim=16),
                      f"{HEAD_WEIGHTS} and {HEAD_JSON} do not fit together .*coef has shape"),
    "labels": (lambda d: _edit_head_json(d, labels=TOPICS[::-1]),
               f"{HEAD_JSON}: labels .* are not the model's"),
    "manifest": (_break_embedding_dim,
                 "newsdesk.json: extras.frozen.embedding_dim must be a positive"),
    "windowing": (_every_window, "newsdesk.json: a frozen model reads each text's first window"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_or_missing_head_file_is_one_line_naming_it(frozen: Path, tmp_path: Path,
                                                              case: str) -> None:
    directory = shutil.copytree(frozen, tmp_path / "model")
    damage, words = DAMAGE[case]
    damage(directory)
    with pytest.raises(ModelError, match=words) as error:
        TopicClassifier.from_pretrained(directory)
    assert "\n" not in str(error.value) and str(directory) in str(error.value)


# --- the CV harness ------------------------------------------------------------------------

def test_the_cv_harness_fits_a_frozen_recipe_per_fold_with_its_own_fit(
        base: Path, tmp_path: Path, empty_cache: Path) -> None:
    from newsdesk_train import crossval

    records = few_per_topic("train", 12)
    folds = crossval.story_folds(records, 3)
    path = frozen_recipe(tmp_path / "r.yaml", source=Path("unused.jsonl"), base=base,
                         output=tmp_path / "m")
    notes: dict[str, str] = {}
    outcome = crossval.method_outcome(crossval.Method.parse(f"recipe:{path}"), records, folds,
                                      notes)
    assert len(list(empty_cache.glob("bench/embed-*-64-*.npz"))) == 1  # embedded once, cached
    assert set(outcome.predicted) <= set(TOPICS) and "" not in outcome.predicted
    assert [s["C"] in (0.1, 10.0) for s in outcome.settings] == [True] * 3
    assert any(str(base.name) in note for note in notes.values())
    embeddings, _ = crossval.sentence_embeddings(records, str(base), 64)
    fold = folds[0]
    fit = fit_frozen_head([records[i] for i in fold.train], embeddings[fold.train], TOPICS,
                          load_config(path).frozen, 7)
    direct = fit.head.scores([records[i].text for i in fold.test], embeddings[fold.test])
    assert [outcome.predicted[i] for i in fold.test] == [TOPICS[j] for j in direct.argmax(1)]
