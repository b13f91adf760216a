"""Stance end to end on a tiny random BERT: FNC-1 and SemEval fixtures train for a few steps
and evaluate with their own metrics; the pair is two segments with the target in every
window; reload, bad input and NewsDesk.analyze; the shipped recipes parse and run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tiny_data import recipe, small_split, write_jsonl
from tiny_models import json_from_new_process, make_tiny_base

from newsdesk import NewsDesk, StanceClassifier
from newsdesk.cli import main as cli_main
from newsdesk.manifest import Manifest, Windowing
from newsdesk.windowing import encode_windows, target_budget
from newsdesk_train.cli import main as train_main
from newsdesk_train.config import load_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

FIXTURES = Path(__file__).parent / "fixtures"
FNC1 = f"fnc1:{FIXTURES / 'fnc1'}"
SEMEVAL = f"semeval:{FIXTURES / 'semeval' / 'train.txt'}"
CONFIGS = Path(__file__).resolve().parents[1] / "training" / "configs"
ONE_FILE = ["data.train_split=", "data.validation_split=", "data.test_split="]
LONG_ARTICLE = " ".join(["The harbour authority said the old lighthouse will close for "
                         "repairs until spring, and visitors can still use the pier."] * 30)


def _set(*items: str) -> list[str]:
    return [arg for item in items for arg in ("--set", item)]


def own_stance_scores(model: Path, spec: str, split: str | None = None) -> dict:
    """The task scores of the model's own predictions on ``spec``, computed here."""
    from newsdesk.data import load
    from newsdesk.metrics.stance import stance_metrics

    records = load(spec, split=split)
    predictions = StanceClassifier.from_pretrained(model).predict(
        [(str(r.target), r.text) for r in records])
    return stance_metrics([str(r.stance) for r in records], [p.label for p in predictions])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_base(tmp_path_factory.mktemp("stance-base"))


@pytest.fixture(scope="module")
def fnc_model(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fnc1")
    path = recipe(root / "recipe.yaml", task="stance", source=FNC1, base=base,
                  output=root / "model",
                  extra_training="  max_steps: 4\n  class_weights: true")
    assert train_main([str(path)]) == 0
    return root / "model"


def test_fnc1_model_dir_records_the_pair_and_labels(fnc_model: Path) -> None:
    manifest = Manifest.load(fnc_model)
    assert manifest.task == "stance" and manifest.pair_order == ["target", "text"]
    assert manifest.labels == ["agree", "disagree", "discuss", "unrelated"]
    assert manifest.metrics["test"]["n"] == 3
    assert manifest.metrics["test"]["fnc_relative"] == pytest.approx(
        own_stance_scores(fnc_model, FNC1, "test")["fnc_relative"])
    assert "fnc_relative" in (fnc_model / "README.md").read_text()
    config = json.loads((fnc_model / "config.json").read_text())
    assert sorted(config["id2label"].values()) == manifest.labels


def test_fnc1_evaluate_reports_the_fnc_score(fnc_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(fnc_model), "--data", FNC1, "--split", "test",
                     "--out", str(out)]) == 0
    metrics = json.loads((out / "report.json").read_text())["metrics"]
    assert metrics["n"] == 3 and metrics["fnc_score_max"] == pytest.approx(2.25)
    assert metrics["fnc_score"] == pytest.approx(
        own_stance_scores(fnc_model, FNC1, "test")["fnc_score"])
    assert metrics["fnc_relative"] == pytest.approx(metrics["fnc_score"] / 2.25)
    assert set(metrics["per_class"]) == {"agree", "disagree", "discuss", "unrelated"}
    assert "semeval_f_avg" not in metrics


def test_semeval_trains_from_one_file_and_reports_f_avg(base: Path, tmp_path: Path) -> None:
    path = recipe(tmp_path / "recipe.yaml", task="stance", source=SEMEVAL, base=base,
                  output=tmp_path / "model", extra_training="  max_steps: 3")
    overrides = _set(*ONE_FILE, f"data.validation={SEMEVAL}", f"data.test={SEMEVAL}")
    assert train_main([str(path), *overrides]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.labels == ["against", "favor", "none"]
    own = own_stance_scores(tmp_path / "model", SEMEVAL)["semeval_f_avg"]
    assert manifest.metrics["test"]["semeval_f_avg"] == pytest.approx(own)
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(tmp_path / "model"), "--data", SEMEVAL,
                     "--out", str(out)]) == 0
    metrics = json.loads((out / "report.json").read_text())["metrics"]
    assert metrics["n"] == 6 and metrics["semeval_f_avg"] == pytest.approx(own)
    assert "fnc_score" not in metrics


def test_reload_in_new_process_gives_same_predictions(fnc_model: Path) -> None:
    pairs = [("Lighthouse to shut for repairs", LONG_ARTICLE),
             ("Singer buys castle", "A local bakery has won a regional prize for its bread.")]
    here = [[p.label, round(p.score, 5)]
            for p in StanceClassifier.from_pretrained(fnc_model).predict(pairs)]
    script = ("import json; from newsdesk import StanceClassifier; "
              f"p = StanceClassifier.from_pretrained({str(fnc_model)!r}).predict({pairs!r}); "
              "print(json.dumps([[x.label, round(x.score, 5)] for x in p]))")
    assert json_from_new_process(script) == here


def test_pair_is_two_segments_with_the_target_in_every_window(fnc_model: Path) -> None:
    classifier = StanceClassifier.from_pretrained(fnc_model)
    tokenizer, target = classifier.tokenizer, "Lighthouse to shut for repairs"
    windowing = Windowing(max_length=64, stride=16, mode="all")
    windows = encode_windows(tokenizer, [LONG_ARTICLE], windowing, [target])
    assert len(windows.features) > 5 and set(windows.owners) == {0}
    expected = tokenizer(target)["input_ids"]  # [CLS] target [SEP]
    for window in windows.features:
        types, ids = window["token_type_ids"], window["input_ids"]
        assert len(ids) <= 64
        assert ids[:len(expected)] == expected and set(types[:len(expected)]) == {0}
        assert set(types[len(expected):]) == {1}  # the article part is segment B
    probs = classifier.predict_proba([LONG_ARTICLE], [target])
    assert probs.shape == (1, 4) and probs.sum() == pytest.approx(1.0)


def test_a_target_longer_than_the_window_is_cut_to_leave_room(fnc_model: Path) -> None:
    classifier = StanceClassifier.from_pretrained(fnc_model)
    windowing = Windowing(max_length=64, stride=16, mode="all")
    claim = "The harbour lighthouse will close for repairs, officials said. " * 12
    windows = encode_windows(classifier.tokenizer, [LONG_ARTICLE], windowing, [claim])
    kept = target_budget(windowing)
    assert all(f["token_type_ids"].count(0) <= kept + 2 for f in windows.features)
    assert all(f["token_type_ids"].count(1) > windowing.stride for f in windows.features)
    assert len(windows.features) < 40  # each window moves on through the article
    probs = classifier.predict_proba([LONG_ARTICLE], [claim])[0]
    assert classifier.predict([(claim, LONG_ARTICLE)])[0].label == classifier.labels[
        int(probs.argmax())]


def test_windowing_doctests() -> None:
    import doctest

    import newsdesk.windowing

    result = doctest.testmod(newsdesk.windowing)
    assert result.attempted > 0 and result.failed == 0


def test_training_encodes_the_same_pair(fnc_model: Path) -> None:
    from newsdesk.data import load
    from newsdesk.tasks import STANCE
    from newsdesk_train.classification import encode_examples

    classifier = StanceClassifier.from_pretrained(fnc_model)
    records = load(FNC1, split="test")
    dataset = encode_examples(classifier.tokenizer, records, STANCE,
                              classifier.labels, classifier.windowing, multi_label=False)
    inference = encode_windows(classifier.tokenizer, [r.text for r in records],
                               classifier.windowing, [r.target or "" for r in records])
    assert dataset["input_ids"] == [f["input_ids"] for f in inference.features]
    assert all(1 in types for types in dataset["token_type_ids"])
    assert dataset["labels"] == [classifier.labels.index(r.stance) for r in records]


@pytest.mark.parametrize(("pairs", "message"), [
    ("Lighthouse shuts", "single string"),
    ([("a", "b"), "not a pair"], "item at index 1 is not a \\(target, text\\) pair"),
    ([("a", "b"), ("a", "b", "c")], "item at index 1 is not"),
    ([("a", "b"), ("a", "b"), (None, "text")], "target at index 2 is NoneType"),
    ([("a", b"bytes")], "text at index 0 is bytes"),
])
def test_predict_on_bad_input_names_the_index(fnc_model: Path, pairs: object,
                                              message: str) -> None:
    classifier = StanceClassifier.from_pretrained(fnc_model)
    with pytest.raises(TypeError, match=message):
        classifier.predict(pairs)  # type: ignore[arg-type]


def test_predict_on_an_empty_target_names_the_index(fnc_model: Path) -> None:
    with pytest.raises(ValueError, match="target at index 1 is empty"):
        StanceClassifier.from_pretrained(fnc_model).predict([("a", "b"), ("  ", "b")])


def test_newsdesk_analyze_gives_a_stance_per_target(fnc_model: Path) -> None:
    desk = NewsDesk(stance=StanceClassifier.from_pretrained(fnc_model))
    targets = ["Lighthouse to shut for repairs", "Lighthouse stays open", "Bakery wins prize"]
    analysis = desk.analyze(LONG_ARTICLE, targets=targets)
    assert [target for target, _ in analysis.stances] == targets
    assert [s["target"] for s in analysis.to_dict()["stances"]] == targets
    alone = desk.stance.predict([(target, LONG_ARTICLE) for target in targets])
    assert [p.label for _, p in analysis.stances] == [p.label for p in alone]
    assert "toward 'Bakery wins prize'" in analysis.format()


def test_shipped_stance_recipes_parse() -> None:
    headlines = load_config(CONFIGS / "stance-headlines-minilm.yaml")
    fnc = load_config(CONFIGS / "stance-fnc1.yaml")
    semeval = load_config(CONFIGS / "stance-semeval2016.yaml")
    assert {headlines.task, fnc.task, semeval.task} == {"stance"}
    assert headlines.data.source == "headline-stance"
    assert fnc.data.source.startswith("fnc1:") and fnc.training.class_weights
    assert semeval.data.source.startswith("semeval:") and semeval.data.train_split is None
    assert semeval.data.validation and semeval.data.test
    mpnet = load_config(CONFIGS / "stance-headlines-mpnet.yaml")
    assert {r.calibration for r in (headlines, fnc, semeval, mpnet)} == {"temperature"}


def test_headline_recipe_trains_on_a_small_slice(base: Path, tmp_path: Path) -> None:
    rows = [{"id": r.id, "target": r.target, "text": r.text, "stance": r.stance,
             "split": r.meta["split"], "kind": r.meta["kind"]}
            for r in small_split("headline-stance", {"train": 24, "validation": 6,
                                                     "test": 6})]
    data = write_jsonl(tmp_path / "pairs.jsonl", rows)
    overrides = _set(f"data.source={data}", f"model.base={base}",
                     "data.max_train_examples=16", "training.batch_size=8")
    assert train_main([str(CONFIGS / "stance-headlines-minilm.yaml"), *overrides,
                       "--max-steps", "2", "--output-dir", str(tmp_path / "model")]) == 0
    manifest = Manifest.load(tmp_path / "model")
    assert manifest.labels == ["related", "unrelated"]
    assert manifest.windowing.mode == "first" and manifest.windowing.max_length == 192
    assert manifest.data["splits"] == {"train": 16, "validation": 6, "test": 6}
    # calibration: temperature, fitted on validation; the test figures are the calibrated
    # model's, and the card shows ECE before and after
    entry = manifest.extras["calibration"]
    assert manifest.temperature == entry["temperature"]
    assert entry["fitted_on"] == {"data": str(data), "split": "validation", "n": 6}
    assert manifest.metrics["test"]["ece"] == pytest.approx(entry["splits"]["test"]["ece_after"])
    assert manifest.metrics["validation"]["ece"] == pytest.approx(
        entry["splits"]["validation"]["ece_after"])
    card = (tmp_path / "model" / "README.md").read_text()
    assert "## Calibration" in card and "| test | 6 |" in card
    test_rows = [r for r in rows if r["split"] == "test"]
    reloaded = StanceClassifier.from_pretrained(tmp_path / "model").predict(
        [(r["target"], r["text"]) for r in test_rows])
    assert manifest.metrics["test"]["accuracy"] == pytest.approx(
        np.mean([p.label == r["stance"] for p, r in zip(reloaded, test_rows)]))
    prediction = StanceClassifier.from_pretrained(tmp_path / "model").predict(
        [(rows[0]["target"], rows[0]["text"])])[0]
    assert prediction.label in ("related", "unrelated")
