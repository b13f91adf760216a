"""Hybrid topic models: a TF-IDF logistic-regression head fused with the transformer.

The head is checked against scikit-learn on real BBC news; a tiny random BERT trained for
two steps with a ``hybrid`` section checks the model dir, the manifest, every backend and
the errors for damaged head files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from tiny_data import (
    TEXTS,
    TOPICS,
    exported_copy,
    few_per_topic,
    recipe,
    topic_accuracy,
    topic_predictions,
    topic_rows,
    write_jsonl,
)
from tiny_models import json_from_new_process, make_tiny_base

from newsdesk import TopicClassifier
from newsdesk.data import load
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import Manifest
from newsdesk.tfidf_head import HEAD_JSON, HEAD_WEIGHTS, TfidfHead, fuse
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import HybridConfig, load_config
from newsdesk_train.tfidf_head import fit_sklearn, fit_tfidf_head, head_from_sklearn

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

HYBRID = "hybrid:\n  tfidf_weight: 0.5\n  C: 10.0\n  ngram_max: 2\n  min_df: 2\n"


# --- the head against scikit-learn -------------------------------------------------------

def test_head_log_probs_equal_sklearn_predict_log_proba_on_real_news() -> None:
    train = few_per_topic("validation", 8)
    texts, labels = [r.text for r in train], [str(r.label) for r in train]
    order = ["tech", "business", "sport", "entertainment", "politics"]  # not sklearn's order
    settings = HybridConfig(C=10.0, ngram_max=2, min_df=2)
    vectorizer, classifier = fit_sklearn(texts, labels, settings)
    head = head_from_sklearn(vectorizer, classifier, order)
    unseen = [r.text for r in load("bbc-news", split="validation")]
    reference = classifier.predict_log_proba(vectorizer.transform(unseen))
    columns = [list(classifier.classes_).index(label) for label in order]
    ours = head.log_probs(unseen)
    assert head.labels == order and ours.shape == (len(unseen), 5)
    assert np.abs(ours - reference[:, columns]).max() < 1e-5
    assert np.ptp(reference) > 1.0  # the probabilities are far from uniform
    assert len(head.vocabulary) == len(vectorizer.vocabulary_) > 1000
    assert any(" " in term for term in head.vocabulary)  # bigrams are in
    again = fit_tfidf_head(texts, labels, order, settings)
    assert np.array_equal(again.log_probs(unseen[:20]), ours[:20])


def test_a_two_label_head_equals_sklearns_sigmoid_model() -> None:
    train = [r for r in few_per_topic("validation", 10) if r.label in ("sport", "tech")]
    texts, labels = [r.text for r in train], [str(r.label) for r in train]
    vectorizer, classifier = fit_sklearn(texts, labels, HybridConfig(min_df=1))
    head = head_from_sklearn(vectorizer, classifier, ["tech", "sport"])
    unseen = [r.text for r in few_per_topic("test", 4)]
    reference = classifier.predict_log_proba(vectorizer.transform(unseen))[:, ::-1]
    assert classifier.coef_.shape[0] == 1 and head.coef.shape[0] == 2
    assert np.abs(head.log_probs(unseen) - reference).max() < 1e-5


def test_a_label_without_training_texts_is_a_config_error() -> None:
    train = few_per_topic("validation", 3)
    with pytest.raises(ConfigError, match="no training text has the label.*weather"):
        fit_tfidf_head([r.text for r in train], [str(r.label) for r in train],
                       [*TOPICS, "weather"])


def test_a_saved_head_loads_and_scores_with_numpy_alone(tmp_path: Path) -> None:
    train = few_per_topic("validation", 4)
    head = fit_tfidf_head([r.text for r in train], [str(r.label) for r in train], TOPICS)
    head.save(tmp_path)
    expected = head.log_probs(TEXTS)
    assert np.array_equal(TfidfHead.load(tmp_path, TOPICS).log_probs(TEXTS), expected)
    script = ("import json, sys; from newsdesk.tfidf_head import TfidfHead; "
              f"h = TfidfHead.load({str(tmp_path)!r}); lp = h.log_probs({TEXTS!r}).tolist(); "
              "print(json.dumps([lp, [m for m in ('sklearn', 'scipy', 'torch') "
              "if m in sys.modules]]))")
    log_probs, heavy = json_from_new_process(script)
    assert heavy == [] and np.array_equal(np.array(log_probs), expected)


def test_fuse_mixes_log_probabilities_and_renormalises() -> None:
    model, head = np.log([[0.7, 0.2, 0.1]]), np.log([[0.1, 0.3, 0.6]])
    mixed = np.exp(0.75 * model + 0.25 * head)
    assert np.allclose(fuse(model, head, 0.25), mixed / mixed.sum())
    assert np.allclose(fuse(model, head, 0.0), [[0.7, 0.2, 0.1]])
    assert np.allclose(fuse(model, head, 1.0), [[0.1, 0.3, 0.6]])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        fuse(model, head, 1.5)


# --- the recipe section -------------------------------------------------------------------

def write_recipe(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_hybrid_section_is_read_and_absent_or_null_means_none(tmp_path: Path) -> None:
    config = load_config(write_recipe(tmp_path, "name: x\ntask: topic\n" + HYBRID))
    assert config.hybrid == HybridConfig(tfidf_weight=0.5, C=10.0, ngram_max=2, min_df=2)
    assert load_config(write_recipe(tmp_path, "name: x\ntask: topic\n")).hybrid is None
    path = write_recipe(tmp_path, "name: x\ntask: topic\nhybrid: null\n")
    assert load_config(path).hybrid is None
    assert load_config(path, ["hybrid.tfidf_weight=0.3"]).hybrid == HybridConfig(0.3)


@pytest.mark.parametrize(("text", "words"), [
    ("task: topic\nhybrid:\n  weight: 0.3\n",
     r"unknown key 'hybrid\.weight'; did you mean 'hybrid\.tfidf_weight'"),
    ("task: topic\nhybrid:\n  tfidf_weight: 1.5\n", r"hybrid\.tfidf_weight must be in \[0, 1\]"),
    ("task: topic\nhybrid:\n  C: 0\n", r"hybrid\.C must be positive"),
    ("task: topic\nhybrid: 3\n", r"hybrid must be a section"),
    ("task: stance\nhybrid: {}\n", r"topic models only, not with a stance model"),
    ("task: summary\nhybrid: {}\n", r"topic models only, not with a summary model"),
    ("task: topic\nmodel:\n  multi_label: true\nhybrid: {}\n", r"single-label topic models"),
], ids=["unknown-key", "weight", "C", "not-a-section", "stance", "summary", "multi-label"])
def test_bad_hybrid_settings_are_config_errors(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(write_recipe(tmp_path, "name: x\n" + text))


# --- a trained hybrid model dir -----------------------------------------------------------

ROWS = {"train": 40, "validation": 10, "test": 10}


@pytest.fixture(scope="module")
def hybrid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hybrid")
    data = write_jsonl(root / "topics.jsonl", topic_rows(ROWS))
    path = recipe(root / "recipe.yaml", task="topic", source=data,
                  base=make_tiny_base(root / "base"), output=root / "model",
                  extra_training="  max_steps: 2")
    path.write_text(path.read_text(encoding="utf-8") + HYBRID, encoding="utf-8")
    assert train_main([str(path)]) == 0
    return root / "model"


@pytest.fixture(scope="module")
def exported(hybrid: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    return exported_copy(hybrid, tmp_path_factory.mktemp("exported"))


def test_training_writes_the_head_and_records_it(hybrid: Path) -> None:
    manifest = Manifest.load(hybrid)
    entry = manifest.extras["hybrid"]
    assert {k: entry[k] for k in ("tfidf_weight", "C", "ngram_max", "min_df")} == {
        "tfidf_weight": 0.5, "C": 10.0, "ngram_max": 2, "min_df": 2}
    assert entry["files"] == [HEAD_WEIGHTS, HEAD_JSON] and manifest.training["global_steps"] == 2
    head = TfidfHead.load(hybrid, manifest.labels)
    assert head.labels == manifest.labels == TOPICS
    assert len(head.vocabulary) == entry["vocabulary_size"] > 100
    card = (hybrid / "README.md").read_text(encoding="utf-8")
    assert "## Hybrid labels" in card and "TF-IDF logistic regression" in card
    assert "transformers.pipeline" in card and "transformer-only labels" in card


def test_the_manifest_metrics_are_the_fused_models(hybrid: Path) -> None:
    test = [r for r in topic_rows(ROWS) if r["split"] == "test"]
    assert Manifest.load(hybrid).metrics["test"]["accuracy"] == pytest.approx(
        topic_accuracy(hybrid, test))


def test_fused_probabilities_follow_fuse_and_differ_from_the_transformers(
        hybrid: Path) -> None:
    classifier = TopicClassifier.from_pretrained(hybrid)
    transformer = classifier.transformer_proba(TEXTS)
    fused = classifier.predict_proba(TEXTS)
    expected = fuse(np.log(transformer), classifier.head.log_probs(TEXTS), 0.5)
    assert np.allclose(fused, expected, atol=1e-12)
    assert np.abs(fused - transformer).max() > 1e-3
    scores = [list(p.scores.values()) for p in classifier.predict(TEXTS)]
    assert np.allclose(scores, fused)


def test_reload_in_a_new_process_gives_identical_predictions(hybrid: Path) -> None:
    assert topic_predictions(hybrid, TEXTS, new_process=True) == topic_predictions(hybrid, TEXTS)


def test_transformers_pipeline_gives_the_transformer_only_labels(hybrid: Path) -> None:
    from transformers import pipeline

    classifier = TopicClassifier.from_pretrained(hybrid)
    transformer_only = [classifier.labels[i]
                        for i in classifier.transformer_proba(TEXTS).argmax(axis=1)]
    theirs = [r["label"] for r in pipeline("text-classification", model=str(hybrid),
                                           device="cpu")(TEXTS)]
    assert theirs == transformer_only


def test_the_onnx_backends_fuse_like_torch(exported: Path) -> None:
    torch_model = TopicClassifier.from_pretrained(exported)
    onnx_model = TopicClassifier.from_pretrained(exported, backend="onnx")
    assert Manifest.load(exported).extras["hybrid"]["tfidf_weight"] == 0.5  # kept by export
    assert ([p.label for p in onnx_model.predict(TEXTS)]
            == [p.label for p in torch_model.predict(TEXTS)])
    assert np.allclose(onnx_model.predict_proba(TEXTS), torch_model.predict_proba(TEXTS),
                       atol=1e-5)
    int8 = TopicClassifier.from_pretrained(exported, backend="onnx", quantize="int8")
    expected = fuse(np.log(int8.transformer_proba(TEXTS)), int8.head.log_probs(TEXTS), 0.5)
    assert np.allclose(int8.predict_proba(TEXTS), expected, atol=1e-12)


def test_the_ray_actor_callable_gives_the_fused_labels(hybrid: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    from newsdesk.ray_engine import RayPredictor

    lines = [json.dumps({"id": str(i), "text": text}) for i, text in enumerate(TEXTS)]
    table = RayPredictor(str(hybrid), "jsonl", batch_size=4)(
        pa.table({"text": lines, "path": ["a.jsonl"] * len(lines)}))
    fused = [p.label for p in TopicClassifier.from_pretrained(hybrid).predict(TEXTS)]
    assert table.column("label").to_pylist() == fused


def _edit_head_json(directory: Path, **changes: object) -> None:
    path = directory / HEAD_JSON
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, change in changes.items():
        data[key] = change(data[key])
    path.write_text(json.dumps(data), encoding="utf-8")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _set_weight(directory: Path, weight: object) -> None:
    manifest = Manifest.load(directory)
    manifest.extras["hybrid"]["tfidf_weight"] = weight
    manifest.save(directory)


DAMAGE = {
    "json-missing": (lambda d: (d / HEAD_JSON).unlink(), f"{HEAD_JSON}: missing"),
    "weights-missing": (lambda d: (d / HEAD_WEIGHTS).unlink(), f"{HEAD_WEIGHTS}: missing"),
    "weights-truncated": (lambda d: _truncate(d / HEAD_WEIGHTS),
                          f"{HEAD_WEIGHTS}: corrupt or truncated"),
    "json-cut-off": (lambda d: _truncate(d / HEAD_JSON), f"{HEAD_JSON}: unreadable"),
    "labels-reordered": (lambda d: _edit_head_json(d, labels=lambda x: x[::-1]),
                         f"{HEAD_JSON}: labels .* are not the model's"),
    "vocabulary-short": (lambda d: _edit_head_json(d, vocabulary=lambda x: x[:-1]),
                         f"{HEAD_WEIGHTS} and {HEAD_JSON} do not fit together .*idf has shape"),
    "bad-settings": (lambda d: _edit_head_json(d, settings=lambda x: {**x, "norm": "l3"}),
                     f"{HEAD_JSON}: bad settings"),
    "weight-out-of-range": (lambda d: _set_weight(d, 2), r"newsdesk.json: "
                            r"extras.hybrid.tfidf_weight must be a number in \[0, 1\]"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_or_missing_head_file_is_one_line_naming_it(hybrid: Path, tmp_path: Path,
                                                              case: str) -> None:
    directory = shutil.copytree(hybrid, tmp_path / "model")
    damage, words = DAMAGE[case]
    damage(directory)
    with pytest.raises(ModelError, match=words) as error:
        TopicClassifier.from_pretrained(directory)
    assert "\n" not in str(error.value) and str(directory) in str(error.value)


def test_the_docstring_examples_of_the_head_module_run() -> None:
    import doctest

    import newsdesk.tfidf_head

    result = doctest.testmod(newsdesk.tfidf_head)
    assert result.attempted >= 3 and result.failed == 0
