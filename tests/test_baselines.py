"""The classic baselines as package objects (``newsdesk.evaluation.baselines``), ``newsdesk
evaluate --baseline tfidf`` and ``newsdesk evaluate MODEL --against tfidf``: fitted on real
news (a few bbc-news and headline-stance records) with scikit-learn, checked against fits and
counts made by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from tiny_data import small_split, topic_rows, write_jsonl
from tiny_models import make_tiny_classifier

from newsdesk import StanceClassifier
from newsdesk.cli import main as cli_main
from newsdesk.data import Record, load
from newsdesk.errors import ConfigError, DataError
from newsdesk.evaluation.baselines import (
    BASELINES,
    C_GRID,
    TfidfCosine,
    TfidfLinearSvc,
    baseline_class,
    data_task,
    tune_threshold,
)
from newsdesk.evaluation.scoring import score_classifier
from newsdesk.evaluation.slices import accuracy_by_slice
from newsdesk.metrics.bootstrap import paired_difference
from newsdesk.tasks import STANCE, SUMMARY, TASKS, TOPIC, TopicTask

SPLITS = ("train", "validation", "test")


@pytest.fixture(scope="module")
def topic_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("topics") / "topics.jsonl",
                       topic_rows({"train": 40, "validation": 10, "test": 20}))


@pytest.fixture(scope="module")
def topics(topic_file: Path) -> dict[str, list[Record]]:
    return {s: load(topic_file, split=s) for s in SPLITS}


@pytest.fixture(scope="module")
def pairs() -> dict[str, list[Record]]:
    records = small_split("headline-stance", {"train": 60, "validation": 30, "test": 30})
    return {s: [r for r in records if r.meta["split"] == s] for s in SPLITS}


def pair_rows(records: list[Record]) -> list[dict]:
    return [{"id": r.id, "target": r.target, "text": r.text, "stance": r.stance,
             "kind": r.meta["kind"], "split": r.meta["split"]} for r in records]


def test_the_topic_baseline_is_linearsvc_over_tfidf_with_c_by_grouped_cv(
        topics: dict[str, list[Record]]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
    from sklearn.svm import LinearSVC

    fitted = [*topics["train"], *topics["validation"]]
    baseline = TfidfLinearSvc.fit(topics["train"], topics["validation"])
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    stories = [re.sub(r"\W+", " ", r.title.lower()).strip() for r in fitted]
    search = GridSearchCV(LinearSVC(), {"C": list(C_GRID)}, cv=StratifiedGroupKFold(3),
                          scoring="accuracy").fit(
        vectorizer.fit_transform([r.text for r in fitted]), [r.label for r in fitted],
        groups=stories)
    assert baseline.settings["C"] == search.best_params_["C"]
    assert baseline.settings["fitted_on"] == len(fitted)
    texts = [r.text for r in topics["test"]]
    expected = search.predict(vectorizer.transform(texts)).tolist()
    predictions = baseline.predict_texts(texts)
    assert [p.label for p in predictions] == expected == baseline.predict_labels(texts)
    assert all(p.score == max(p.scores.values()) for p in predictions)
    assert all(sum(p.scores.values()) == pytest.approx(1.0) for p in predictions)


def test_a_baseline_is_scored_like_a_model_without_a_calibration_error(
        topics: dict[str, list[Record]]) -> None:
    baseline = TfidfLinearSvc.fit(topics["train"], topics["validation"])
    scored = score_classifier(baseline, topics["test"])
    right = [p.label == r.label for p, r in zip(scored.predictions, topics["test"])]
    assert scored.metrics["accuracy"] == pytest.approx(np.mean(right))
    assert scored.metrics["n"] == len(topics["test"]) and "ece" not in scored.metrics


def test_the_threshold_maximises_accuracy_between_scores() -> None:
    scores = np.array([0.05, 0.10, 0.30, 0.20, 0.50, 0.70])
    related = np.array([0, 0, 0, 1, 1, 1])
    # a cut between 0.10 and 0.20 misses only the 0.30 negative: 5/6; so does 0.30-0.50
    # (misses the 0.20 related); the first best cut is kept
    assert tune_threshold(scores, related) == pytest.approx(0.15)
    assert tune_threshold(np.array([0.2, 0.2]), np.array([1, 1])) == pytest.approx(0.2)


def test_the_stance_baseline_cuts_tfidf_cosines_at_the_best_validation_threshold(
        pairs: dict[str, list[Record]]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    train, validation, test = (pairs[s] for s in SPLITS)
    baseline = TfidfCosine.fit(train, validation)
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(
        sorted({r.text for r in train}) + sorted({r.target for r in train}))

    def cosines(records: list[Record]) -> np.ndarray:
        return np.array([cosine_similarity(vectorizer.transform([r.target]),
                                           vectorizer.transform([r.text]))[0, 0]
                         for r in records])

    val = cosines(validation)
    related = np.array([r.stance == "related" for r in validation])
    best = max(((val >= cut) == related).mean() for cut in [*val, 2.0])
    assert ((val >= baseline.threshold) == related).mean() == pytest.approx(best)
    assert baseline.threshold == tune_threshold(val, related)
    predicted = baseline.predict_texts([r.text for r in test], [r.target for r in test])
    assert [p.label for p in predicted] == [
        "related" if c >= baseline.threshold else "unrelated" for c in cosines(test)]
    assert [p.scores["related"] for p in predicted] == pytest.approx(cosines(test).tolist())


def test_the_stance_baseline_refuses_stances_it_cannot_give(
        pairs: dict[str, list[Record]]) -> None:
    agree = [Record(id="a", text="Body.", target="Head", stance="agree")]
    with pytest.raises(DataError, match="related from unrelated only; the data has stances "
                                        "agree"):
        TfidfCosine.fit(pairs["train"], agree)


def test_the_registry_names_each_tasks_baseline(topics: dict, pairs: dict) -> None:
    assert baseline_class(TOPIC) is TfidfLinearSvc and baseline_class(STANCE) is TfidfCosine
    with pytest.raises(ConfigError, match="a summary model has no TF-IDF baseline"):
        baseline_class(SUMMARY)
    assert data_task(topics["test"], "t") is TOPIC and data_task(pairs["test"], "p") is STANCE
    with pytest.raises(DataError, match="the records fit no task"):
        data_task([Record(id="x", text="Body.")], "file.jsonl")


def test_every_baseline_a_task_names_is_a_class_for_that_task() -> None:
    named = {t.name: t.baseline_name for t in TASKS.values() if t.baseline_name}
    assert named and all(BASELINES[name].task == task for task, name in named.items())


def test_a_baseline_name_without_a_class_is_a_config_error() -> None:
    class MisnamedTopicTask(TopicTask):
        baseline_name = "TfidfNaiveBayes"

    with pytest.raises(ConfigError, match=re.escape(
            "the topic task names the baseline 'TfidfNaiveBayes', which "
            "newsdesk.evaluation.baselines does not have (it has TfidfLinearSvc, TfidfCosine)")):
        baseline_class(MisnamedTopicTask())


def test_cli_baseline_reports_the_baseline_fitted_on_train_and_validation(
        topics: dict[str, list[Record]], topic_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert cli_main(["evaluate", "--baseline", "tfidf", "--data", str(topic_file), "--split",
                     "test",
                     "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    fitted = TfidfLinearSvc.fit(topics["train"], topics["validation"])
    right = np.mean([label == r.label for label, r in zip(
        fitted.predict_labels([r.text for r in topics["test"]]), topics["test"])])
    assert report["metrics"]["accuracy"] == pytest.approx(right)
    assert report["task"] == "topic" and "ece" not in report["metrics"]
    assert report["baseline"]["name"] == "TF-IDF + LinearSVC"
    assert report["baseline"]["C"] == fitted.settings["C"]
    assert "## How TF-IDF + LinearSVC was fitted" in (out / "report.md").read_text()
    assert f"accuracy {100 * right:.2f}" in capsys.readouterr().out


def test_cli_against_adds_the_paired_difference_overall_and_per_slice(
        pairs: dict[str, list[Record]], tmp_path: Path) -> None:
    model = make_tiny_classifier(tmp_path / "model", task="stance",
                                 labels=["related", "unrelated"], seed=3)
    data = write_jsonl(tmp_path / "pairs.jsonl", pair_rows(
        [r for s in SPLITS for r in pairs[s]]))
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(model), "--data", str(data), "--split", "test",
                     "--out", str(out), "--against", "tfidf", "--slice-by", "kind",
                     "--slice-group", "related+hard=related,hard"]) == 0
    test = pairs["test"]
    texts, targets = [r.text for r in test], [r.target for r in test]
    mine = np.array([p.label == r.stance for p, r in zip(
        StanceClassifier.from_pretrained(model).predict_texts(texts, targets), test)])
    theirs = np.array([p.label == r.stance for p, r in zip(
        TfidfCosine.fit(pairs["train"], pairs["validation"]).predict_texts(texts, targets),
        test)])
    assert (mine != theirs).any()  # the comparison has something to measure
    report = json.loads((out / "report.json").read_text())
    against = report["against"]
    paired = paired_difference(mine.astype(float), theirs.astype(float))
    assert against["baseline"] == "TF-IDF cosine"
    assert against["accuracy"] == pytest.approx(theirs.mean())
    difference = against["accuracy_difference"]
    assert difference["mean"] == pytest.approx(mine.mean() - theirs.mean())
    assert (difference["low"], difference["high"]) == pytest.approx((paired.low, paired.high))
    kinds = np.array([r.meta["kind"] for r in test])
    for kind, row in report["slices"]["values"].items():
        inside = kinds == kind
        assert row["baseline_accuracy"] == pytest.approx(theirs[inside].mean())
        assert row["diff_vs_baseline"] == pytest.approx(
            mine[inside].mean() - theirs[inside].mean())
    group = report["slices"]["groups"]["related+hard"]
    inside = np.isin(kinds, ["related", "hard"])
    paired = paired_difference(mine[inside].astype(float), theirs[inside].astype(float))
    assert group["diff_95"] == pytest.approx([paired.low, paired.high])
    markdown = (out / "report.md").read_text()
    assert "## Against TF-IDF cosine" in markdown
    assert "| kind | n | errors | accuracy | 95% interval | TF-IDF cosine |" in markdown


def test_slices_without_a_baseline_have_no_differences() -> None:
    rows = accuracy_by_slice([{"kind": "a"}, {"kind": "b"}], [True, False], "kind")
    assert "diff_vs_baseline" not in rows["values"]["a"]
    with_base = accuracy_by_slice([{"kind": "a"}, {"kind": "a"}], [True, False], "kind",
                                  baseline=[False, False])
    assert with_base["values"]["a"]["diff_vs_baseline"] == pytest.approx(0.5)
    assert with_base["values"]["a"]["baseline_accuracy"] == 0.0


@pytest.mark.parametrize(("args", "message"), [
    (["--against", "tfidf", "--split", "validation"],
     "--against fits the baseline on the data's train and validation splits; score on "
     "--split test \\(not validation\\)"),
    (["--against", "bm25", "--split", "test"], "unknown baseline 'bm25'; use one of tfidf"),
    (["--baseline", "tfidf", "--split", "test"], "give a MODEL or --baseline NAME"),
])
def test_cli_refuses_a_baseline_it_cannot_fit_honestly(
        args: list[str], message: str, pairs: dict[str, list[Record]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    model = make_tiny_classifier(tmp_path / "model", task="stance",
                                 labels=["related", "unrelated"])
    data = write_jsonl(tmp_path / "pairs.jsonl", pair_rows(
        [r for s in SPLITS for r in pairs[s]]))
    assert cli_main(["evaluate", str(model), "--data", str(data), "--out",
                     str(tmp_path / "r"), *args]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "r").exists()
