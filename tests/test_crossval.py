"""Cross-validating a topic recipe against TF-IDF + LinearSVC (``newsdesk_train.crossval``):
each protocol's folds, the fused weight chosen on other folds only, the reports' shape (the
committed benchmark results' and what ``benchmarks/topic_bbc.py`` renders), and
``newsdesk-train RECIPE --cv K`` end to end on a tiny recipe."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import make_tiny_base

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.linear import story_key
from newsdesk_train import crossval
from newsdesk_train.cli import main as train_main
from newsdesk_train.crossval import BASELINE, Fold, Method, Outcome

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


@pytest.fixture(scope="module")
def bbc() -> list[Record]:
    return load("bbc-news")


@pytest.fixture(scope="module")
def topics() -> list[Record]:
    """A few news-topics records of each (split, label, set): every kind, quick to fit."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for record in load("news-topics"):
        key = (record.meta["split"], str(record.label), record.meta.get("corpus", ""))
        seen[key] += 1
        if seen[key] <= 4:
            out.append(record)
    return out


def publisher(record: Record) -> str:
    return record.meta.get("source") or record.meta["corpus"]


# --- folds ----------------------------------------------------------------------------------

def test_story_folds_cover_every_record_once_and_never_split_a_story(bbc: list[Record]) -> None:
    folds = crossval.story_folds(bbc, 5)
    stories = [story_key(r) for r in bbc]
    assert max(Counter(stories).values()) > 1  # same-headline stories exist to be split
    assert sorted(np.concatenate([f.test for f in folds]).tolist()) == list(range(len(bbc)))
    for fold in folds:
        assert sorted([*fold.train, *fold.test]) == list(range(len(bbc)))
        assert not {stories[i] for i in fold.train} & {stories[i] for i in fold.test}
        assert {bbc[i].label for i in fold.test} == {r.label for r in bbc}
    again = crossval.story_folds(bbc, 5)
    assert all((a.test == b.test).all() for a, b in zip(folds, again))


def test_lopo_holds_out_every_article_of_a_publisher_and_never_trains_on_the_test_split(
        topics: list[Record]) -> None:
    held, folds = crossval.lopo_folds(topics, 2)
    largest = Counter(r.meta["source"] for r in topics if "source" in r.meta).most_common(2)
    assert held == [p for p, _ in largest]
    for name, fold in zip(held, folds):
        assert sorted(fold.test) == [i for i, r in enumerate(topics) if publisher(r) == name]
        assert sorted(fold.train) == [i for i, r in enumerate(topics)
                                      if publisher(r) != name and r.meta["split"] != "test"]
        assert "bbc-news" in {publisher(topics[i]) for i in fold.train}


def test_publisher_cv_scores_whole_url_publishers_never_bbc_news_nor_the_test_split(
        topics: list[Record]) -> None:
    names, folds = crossval.publisher_cv_folds(topics)
    pool = [i for i, r in enumerate(topics) if r.meta["split"] != "test"]
    bbc = {i for i in pool if publisher(topics[i]) == "bbc-news"}
    url = sorted({publisher(topics[i]) for i in pool} - {"bbc-news"})
    assert len(folds) == 3 and sorted(p for n in names for p in n.split("+")) == url
    for name, fold in zip(names, folds):
        scored = set(name.split("+"))
        assert sorted(fold.test) == [i for i in pool if publisher(topics[i]) in scored]
        assert sorted(fold.train) == [i for i in pool if publisher(topics[i]) not in scored]
        assert bbc <= set(fold.train)


# --- methods --------------------------------------------------------------------------------

def test_the_fused_weight_of_a_fold_is_chosen_on_the_other_folds_only() -> None:
    """Fold 0's own articles favour the TF-IDF head (weight 1), the other folds' the model
    (weight 0): fold 0 must get 0 and keep the model's wrong labels."""
    labels = ["a", "b"]
    records = [Record(id=str(i), text="x", label=labels[i % 2]) for i in range(12)]
    folds = [Fold(k, np.array([i for i in range(12) if i // 4 != k]),
                  np.arange(4 * k, 4 * k + 4)) for k in range(3)]
    def confident(right: bool, gold: int) -> np.ndarray:
        """Log-probs giving the gold label 0.9 (``right``) or 0.1."""
        p = 0.9 if right else 0.1
        return np.log([p, 1 - p] if gold == 0 else [1 - p, p])

    model = np.array([confident(i >= 4, i % 2) for i in range(12)])  # wrong on fold 0
    head = np.array([confident(i < 4, i % 2) for i in range(12)])    # right on fold 0 only
    outcome = crossval.fused_outcome(records, folds, Outcome([], [0.0] * 3, model), head, labels)
    assert outcome.settings[0] == {"tfidf_weight": 0.0}
    assert [outcome.predicted[i] for i in folds[0].test] == ["b", "a", "b", "a"]  # all wrong
    assert 0.0 < outcome.settings[1]["tfidf_weight"] < 1.0
    overall = outcome.settings[-1]
    assert set(overall["log_loss_on_all_folds"]) == set(crossval.FUSION_WEIGHTS)
    assert overall["weight_on_all_folds"] == min(overall["log_loss_on_all_folds"],
                                                 key=overall["log_loss_on_all_folds"].get)


def test_slice_scores_pair_a_method_with_its_baseline() -> None:
    gold = np.array(["a", "a", "b", "b"] * 5)
    perfect, wrong = gold.copy(), np.array(["b", "b", "a", "a"] * 5)
    scores = crossval.slice_scores(gold, perfect, np.arange(20), wrong)
    assert scores["accuracy"] == scores["macro_f1"] == 1.0
    assert scores["diff_accuracy"] == 1.0 and scores["diff_accuracy_95"] == (1.0, 1.0)


def test_overrides_change_the_cache_key_of_the_transformer_and_names_do_not(
        tmp_path: Path) -> None:
    path = recipe(tmp_path / "r.yaml", task="topic", source=tmp_path / "d.jsonl",
                  base=tmp_path / "base", output=tmp_path / "m")
    key = crossval.transformer_key(Method.parse(f"recipe:{path}"))
    assert key == crossval.transformer_key(Method.parse(
        f"recipe:{path}", overrides=["name=other", "output_dir=elsewhere", "data.source=x"]))
    assert key != crossval.transformer_key(Method.parse(
        f"recipe:{path}", overrides=["training.learning_rate=0.01"]))


# --- reports --------------------------------------------------------------------------------

def copy_of_the_baseline(method: Method, records: list[Record], folds: list[Fold],
                         notes: dict[str, str]) -> Outcome:
    """A second method for the report tests: the baseline under another name."""
    return crossval.method_outcome(Method(BASELINE), records, folds, notes)


def keys(value: object) -> object:
    """The shape of a report as JSON: its keys, nested (a list: its first item's)."""
    value = json.loads(json.dumps(value))
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    return [keys(value[0])] if isinstance(value, list) and value else type(value).__name__


def test_a_cv_report_has_the_committed_shape_and_the_benchmark_renders_it(
        bbc: list[Record]) -> None:
    from topic_bbc import render

    report = crossval.run_cv(bbc[::10], [Method(BASELINE)], 3)
    committed = json.loads((RESULTS / "topic_bbc_cv.json").read_text(encoding="utf-8"))
    assert list(report) == [k for k in committed if k != "run"]
    assert list(report["rows"][0]) == list(committed["rows"][0])
    assert report["rows"][0]["diff_vs_baseline"] == 0.0 and len(report["folds"]) == 3
    assert "| tfidf-svm |" in "\n".join(render(report, "crossval_cv_test"))


def test_a_lopo_report_has_the_committed_shape_and_the_benchmark_renders_it(
        topics: list[Record]) -> None:
    from topic_bbc import render

    fitted: list[set[str]] = []

    def recording(method: Method, records: list[Record], folds: list[Fold],
                  notes: dict[str, str]) -> Outcome:
        fitted.extend({publisher(records[i]) for i in f.train} for f in folds)
        return copy_of_the_baseline(method, records, folds, notes)

    report = crossval.run_lopo(topics, [Method(BASELINE), Method("other")], 2, "news-topics",
                               recording)
    committed = json.loads((RESULTS / "topic_news_lopo.json").read_text(encoding="utf-8"))
    assert list(report) == [k for k in committed if k != "run"]
    held = list(report["publishers"])
    assert all(p not in sources for p, sources in zip(held * 2, fitted))
    base, other = report["rows"]
    ours = {m: keys(r["slices"][held[0]]) for m, r in zip(("base", "other"), (base, other))}
    theirs = [keys(r["slices"][next(iter(committed["publishers"]))])
              for r in committed["rows"]]
    assert ours == {"base": theirs[0], "other": theirs[1]}
    assert other["slices"][held[0]]["diff_accuracy"] == 0.0
    assert f"| other | {held[0]} |" in "\n".join(render(report, "crossval_lopo_test"))


def test_publisher_cv_pools_every_scored_article(topics: list[Record]) -> None:
    report = crossval.run_publisher_cv(topics, [Method(BASELINE), Method("other")],
                                       "news-topics", copy_of_the_baseline)
    slices = report["rows"][1]["slices"]
    assert list(slices)[-1] == "pooled" and report["protocol"] == crossval.PUBLISHER_CV
    assert slices["pooled"]["n"] == sum(p["test"] for p in report["publishers"].values())


def test_leave_one_publisher_out_folds_a_publisher_recipes_inner_cv_by_the_publishers_left(
        topics: list[Record], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        empty_cache: Path) -> None:
    from newsdesk_train import frozen

    path = tmp_path / "xpub.yaml"
    path.write_text(f"name: tiny-xpub\ntask: topic\ndata:\n  source: news-topics\nmodel:\n"
                    f"  base: {make_tiny_base(tmp_path / 'base')}\n  max_length: 64\n"
                    "training:\n  seed: 7\nfrozen:\n  C: [0.1, 10.0]\n  min_df: 1\n"
                    "  inner_cv_groups: publisher\n", encoding="utf-8")
    splits = []
    real = frozen.inner_split

    def spy(records: list[Record], by: str = "story") -> object:
        splits.append(real(records, by))
        return splits[-1]

    monkeypatch.setattr(frozen, "inner_split", spy)
    report = crossval.run_lopo(topics, [Method.parse(f"recipe:{path}")], 2, "news-topics")
    held = list(report["publishers"])
    assert len(splits) == len(held) == 2  # one fit per held-out publisher
    for name, split in zip(held, splits):
        kept = set(split.groups)
        assert split.by == "publisher" and name not in kept and "bbc-news" in kept
        assert split.record()["rotated_publishers"] == sorted(kept - {"bbc-news"})
        bbc = {i for i, p in enumerate(split.groups) if p == "bbc-news"}
        assert all(bbc <= set(train) and not bbc & set(test)
                   for train, test in split.splitter.split())
    assert set(report["rows"][0]["slices"]) == set(held)
    assert any("embedding all" in note for note in report["notes"].values())


def test_the_benchmarks_raw_encoder_rows_fit_beside_crossvals_methods(
        bbc: list[Record], tiny_base: Path, empty_cache: Path) -> None:
    from topic_bbc import C_GRID, method_outcome

    records = bbc[::40]
    folds = crossval.story_folds(records, 2)
    notes: dict[str, str] = {}
    for kind in ("frozen", "frozen+tfidf"):
        outcome = method_outcome(Method.parse(f"{kind}:{tiny_base}"), records, folds, notes)
        assert "" not in outcome.predicted and len(outcome.train_seconds) == 2
        assert all(s["C"] in C_GRID[kind] for s in outcome.settings)
    assert list(notes) == [f"embed:{tiny_base}"]
    assert len(list(empty_cache.glob("bench/embed-*-256-*.npz"))) == 1  # embedded once
    baseline = method_outcome(Method(BASELINE), records, folds, notes)
    assert baseline.predicted == crossval.method_outcome(Method(BASELINE), records, folds,
                                                         notes).predicted


# --- newsdesk-train RECIPE --cv K -----------------------------------------------------------

def test_the_cli_cross_validates_a_tiny_recipe_and_a_rerun_reads_the_cache(
        tmp_path: Path, tiny_base: Path, empty_cache: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "news.jsonl",
                       topic_rows({"train": 20, "validation": 5, "test": 5}))
    path = recipe(tmp_path / "r.yaml", task="topic", source=data, base=tiny_base,
                  output=tmp_path / "unused")
    argv = [str(path), "--cv", "2", "--max-steps", "2", "--set", "hybrid.tfidf_weight=0.5",
            "--set", "hybrid.min_df=1", "--report", str(tmp_path / "report")]
    assert train_main(argv) == 0
    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert (report["recipe"], report["data"], report["n"]) == (str(path), str(data), 30)
    assert [r["method"] for r in report["rows"]] == [BASELINE, f"recipe:{path}"]
    assert report["rows"][1]["settings"] == [{"tfidf_weight": 0.5}] * 2
    assert len(list(empty_cache.glob("bench/topic_cv/transformer-fold*.npz"))) == 2
    markdown = "\n".join(crossval.markdown(report))
    assert (tmp_path / "report" / "report.md").read_text(encoding="utf-8") == markdown + "\n"
    assert markdown in printed and f"| recipe:{path} |" in markdown
    assert not (tmp_path / "unused").exists()

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained again")

    monkeypatch.setattr("newsdesk_train.runner.train", no_training)
    assert train_main(argv) == 0
    again = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert [{k: v for k, v in r.items() if k != "train_seconds_per_fold"}
            for r in again["rows"]] == [
        {k: v for k, v in r.items() if k != "train_seconds_per_fold"} for r in report["rows"]]


@pytest.mark.parametrize("extra", [["--report", "out"], ["--cv", "2", "--resume"],
                                   ["--cv", "2", "--output-dir", "m"],
                                   ["--cv", "2", "--lopo", "2"], ["--cv", "1"],
                                   ["--cv", "0"], ["--lopo", "0"]])
def test_the_cli_refuses_options_that_do_not_go_together(
        tmp_path: Path, extra: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        train_main([str(tmp_path / "r.yaml"), *extra])
    assert exit_.value.code == 2


def test_only_single_label_topic_recipes_are_cross_validated(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = recipe(tmp_path / "r.yaml", task="stance", source=tmp_path / "d.jsonl",
                  base=tmp_path / "base", output=tmp_path / "m")
    assert train_main([str(path), "--lopo", "2"]) == 2
    assert "single-label topic recipes" in capsys.readouterr().err


def test_docstring_examples_run() -> None:
    import doctest

    result = doctest.testmod(crossval)
    assert result.attempted > 0 and result.failed == 0
