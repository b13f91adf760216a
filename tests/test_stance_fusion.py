"""benchmarks/stance_headlines.py: the fused stance method (a logistic regression over the
cross-encoder's log-odds and the cosines, fitted on validation), its features, the
temperature-scaled cross-encoder row and paired differences to the baseline: on synthetic
arrays, and end to end on a tiny cross-encoder."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from tiny_models import make_tiny_base, make_tiny_classifier

from newsdesk.data.records import Record
from newsdesk.manifest import Windowing

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return importlib.import_module("stance_headlines")


def _pair(ident: str, kind: str, target: str, text: str, headline_id: str) -> Record:
    return Record(id=ident, text=text, target=target,
                  stance="related" if kind == "related" else "unrelated",
                  meta={"kind": kind, "split": "test", "headline_id": headline_id})


def synthetic(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, list[str]]:
    """An informative column, a noise column and a constant one; 4 pairs a headline."""
    rng = np.random.default_rng(seed)
    related = rng.random(n) < 0.3
    columns = {"signal": np.where(related, 1.0, -1.0) + rng.normal(0, 0.8, n),
               "noise": rng.normal(0, 1, n), "constant": np.zeros(n)}
    return columns, related, [f"h{i // 4}" for i in range(n)]


def test_feature_matrix_keeps_the_order_asked_and_refuses_ragged_columns(
        bench: ModuleType) -> None:
    columns = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0]), "c": np.array([5.0])}
    assert bench.feature_matrix(columns, ["b", "a"]).tolist() == [[3.0, 1.0], [4.0, 2.0]]
    with pytest.raises(ValueError, match="feature 'c' has shape"):
        bench.feature_matrix(columns, ["a", "c"])


def test_fit_fusion_learns_the_informative_feature_with_c_from_the_grid(
        bench: ModuleType) -> None:
    columns, related, groups = synthetic(400, 0)
    fit = bench.fit_fusion(columns, related, groups, ["signal", "noise"])
    assert fit.features == ("signal", "noise") and fit.C in bench.FUSION_C_GRID
    assert fit.cv_accuracy > 0.85 and 0 < fit.cv_log_loss < 0.5
    coef = fit.model[-1].coef_[0]
    assert coef[0] > 5 * abs(coef[1])  # the signal counts, the noise hardly
    test, truth, _ = synthetic(400, 1)
    assert ((fit.related_probability(test) >= 0.5) == truth).mean() > 0.85


def test_extra_features_are_kept_only_when_they_raise_cv_accuracy(bench: ModuleType) -> None:
    columns, related, groups = synthetic(400, 2)
    useless, tried = bench.choose_fusion(columns, related, groups, ["noise"], ["constant"])
    assert useless.features == ("noise",)  # a constant changes nothing: not kept
    assert [c["features"] for c in tried] == [["noise"], ["noise", "constant"]]
    useful, _ = bench.choose_fusion(columns, related, groups, ["noise"], ["signal"])
    assert useful.features == ("noise", "signal")
    alone, tried = bench.choose_fusion(columns, related, groups, ["signal"], [])
    assert alone.features == ("signal",) and len(tried) == 1


def test_fused_labels_split_at_one_half_with_the_probability_of_the_label(
        bench: ModuleType) -> None:
    columns, related, groups = synthetic(200, 3)
    fit = bench.fit_fusion(columns, related, groups, ["signal"])
    p = fit.related_probability(columns)
    scored = bench.fused_scored(fit, columns)
    assert scored.labels == ["related" if q >= 0.5 else "unrelated" for q in p]
    assert scored.confidence == pytest.approx(np.maximum(p, 1 - p))
    assert min(scored.confidence) >= 0.5


def test_name_features_read_the_headlines_names_in_the_lead(bench: ModuleType) -> None:
    records = [_pair("a", "related", "Reds beat Blues at Wembley's final",
                     "The Reds won 2-1 at Wembley on Saturday.", "h"),
               _pair("b", "hard", "rates rise again", "Rates rose.", "h"),
               _pair("c", "hard", "Minister quits over Smith row",
                     " ".join(["word"] * 200) + " Smith", "h")]
    features = bench.name_features(records)
    # Reds opens the headline (not a name); Blues is missing, Wembley('s) is found
    assert features[bench.NAMES_FOUND].tolist() == [0.5, 0.0, 0.0]  # Smith: past the lead
    assert features[bench.HAS_NAMES].tolist() == [1.0, 0.0, 1.0]


def test_slice_scores_give_the_paired_difference_to_the_baseline(bench: ModuleType) -> None:
    records = [_pair(f"r{i}", "related", "H", "B", f"h{i}") for i in range(4)] + \
              [_pair(f"e{i}", "easy", "H", "B", f"h{i}") for i in range(4)]
    mine = ["related"] * 4 + ["unrelated"] * 3 + ["related"]
    theirs = ["related", "unrelated", "unrelated", "related"] + ["unrelated"] * 4
    slices = bench.slice_scores(records, mine, baseline=theirs)
    assert slices["related"]["diff_vs_baseline"] == pytest.approx(0.5)  # 4/4 - 2/4
    assert slices["easy negatives"]["diff_vs_baseline"] == pytest.approx(-0.25)
    low, high = slices["all"]["diff_95"]
    assert slices["all"]["diff_vs_baseline"] == pytest.approx(0.125)
    assert low <= 0.125 <= high
    assert "diff_vs_baseline" not in bench.slice_scores(records, mine)["all"]


# --- end to end on a tiny cross-encoder ---------------------------------------------------

STORIES = [("Bank raises rates", "The central bank raised its main rate to 4% on Thursday."),
           ("Reds win the cup", "The Reds beat the Blues 2-1 in the final at Wembley."),
           ("Storm cuts power", "Storm Bella brought down power lines across the north."),
           ("Film tops box office", "The lighthouse film topped the box office this weekend."),
           ("Minister quits over row", "The minister resigned on Monday after a row."),
           ("Chip maker opens plant", "The firm will build a chip plant near Dresden."),
           ("Flood warnings issued", "Rivers burst their banks after a week of heavy rain."),
           ("Airline cancels flights", "The airline cancelled 200 flights after a strike."),
           ("Museum reopens doors", "The museum reopened after a two-year refit."),
           ("Oil price falls", "Brent crude fell 3% as stocks grew in America.")]


def story_pairs(stories: list[tuple[str, str]], prefix: str) -> list[Record]:
    """Each headline with its body (related), the next one's (hard), the one after (easy)
    and the third after (same-entity)."""
    pairs = []
    for i, (headline, body) in enumerate(stories):
        for offset, kind in ((0, "related"), (1, "hard"), (2, "easy"), (3, "same-entity")):
            other = stories[(i + offset) % len(stories)][1] if offset else body
            pairs.append(_pair(f"{prefix}{i}-{kind}", kind, headline, other, f"{prefix}{i}"))
    return pairs


def test_model_rows_add_a_temperature_scaled_and_a_fused_row(bench: ModuleType,
                                                             tmp_path: Path) -> None:
    from newsdesk.summarize.encoder import SentenceEncoder

    model = make_tiny_classifier(tmp_path / "model", task="stance",
                                 labels=["related", "unrelated"],
                                 windowing=Windowing(max_length=64, stride=16, mode="first"))
    validation, test = story_pairs(STORIES, "v"), story_pairs(STORIES[::-1], "t")
    scorers = [bench.tfidf_scorer(validation),
               bench.bi_encoder_scorer(SentenceEncoder.load(make_tiny_base(tmp_path / "b")))]
    scorer_rows = [bench.scorer_row(s, validation, test, 1) for s in scorers]
    baseline = bench.Scored(bench.threshold_labels(scorers[0].score(test),
                                                   scorer_rows[0]["threshold"]))
    rows = bench.model_rows(model, 12.0, "tiny", [], 1, (validation, test), scorers,
                            scorer_rows, baseline)
    plain, scaled, fused = rows
    assert [r.get("kind") for r in rows] == [None, "temperature-scaled", "fused"]
    # temperature scaling: the plain row's labels, new probabilities, ECE before and after
    entry = scaled["calibration"]
    assert scaled["method"].startswith(plain["method"] + " + temperature scaling (T = ")
    assert entry["fitted_on"] == {"data": "headline-stance", "split": "validation",
                                  "n": len(validation)}
    assert entry["splits"]["test"]["ece_before"] == pytest.approx(plain["ece"])
    assert scaled["ece"] == pytest.approx(entry["splits"]["test"]["ece_after"])
    assert {k: v["errors"] for k, v in scaled["slices"].items()} == \
        {k: v["errors"] for k, v in plain["slices"].items()}
    # the fusion: named for its features, fitted on every validation kind, paired intervals
    assert fused["method"].startswith("Fused (logistic regression fit on validation): "
                                      "cross-encoder log-odds + TF-IDF cosine + MiniLM "
                                      "bi-encoder cosine (zero-shot)")
    assert fused["fit_on"] == f"{len(validation)} validation pairs, every kind"
    assert fused["C"] in bench.FUSION_C_GRID and set(fused["coefficients"]) == \
        set(fused["features"])
    assert all("diff_95" in s for s in fused["slices"].values())
    # speeds: the rows each runs, added up
    seconds = plain["predict_seconds"]["median"] + sum(
        r["predict_seconds"]["median"] for r in scorer_rows)
    assert fused["predict_seconds"]["median"] == pytest.approx(seconds)
    assert fused["train_seconds"] >= 12.0
    report = {"repeats": 1, "rows": [*scorer_rows, *rows],
              "verdicts": [bench.verdict(scorer_rows[0], r) for r in rows]}
    text = "\n".join(bench.render(report, "unquoted"))
    assert f"| {fused['method']} |" in text and "[paired 95% bootstrap interval]" in text
    assert "ECE before -> after: validation" in text
    assert "5-fold grouped CV on validation" in text
