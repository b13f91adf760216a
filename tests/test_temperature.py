"""Temperature scaling (newsdesk.calibration): the fit recovers a known temperature, the
manifest carries it (old manifests load with T = 1), every backend applies it, a calibrated
dir reloads in a new process with the same probabilities on torch and ONNX, `newsdesk
calibrate` and recipes with `calibration: temperature` write it, `newsdesk evaluate`
reports ECE."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pytest
from tiny_data import exported_copy, write_jsonl
from tiny_models import edit_json, json_from_new_process, make_tiny_classifier

import newsdesk.calibration as calibration
from newsdesk import StanceClassifier, TopicClassifier
from newsdesk.calibration import (
    LabelledTexts,
    calibrate,
    fit_temperature,
    label_indices,
    top_label_ece,
)
from newsdesk.cli import main as cli_main
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import MANIFEST_NAME, Manifest, Windowing
from newsdesk.metrics.calibration import expected_calibration_error

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

STANCES = ["related", "unrelated"]
HEADLINES = ["Bank raises rates", "Reds win the cup", "Storm cuts power", "Film tops box office",
             "Minister quits over row", "Chip maker opens plant"]
BODIES = ["The central bank raised its main rate to 4% on Thursday.",
          "The Reds beat the Blues 2-1 in the final at Wembley.",
          "Storm Bella brought down power lines across the north overnight.",
          "The lighthouse film topped the box office this weekend.",
          "The minister resigned on Monday after a row over expenses.",
          "The firm will build a new chip plant near Dresden, creating 900 jobs."]
FIRST = Windowing(max_length=64, stride=16, mode="first")


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def test_doctests() -> None:
    result = doctest.testmod(calibration)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("true_temperature", [0.5, 2.5])
def test_the_fit_recovers_a_known_temperature(true_temperature: float) -> None:
    """Labels drawn from softmax(z / T0): the NLL-minimising T is T0, up to sampling."""
    rng = np.random.default_rng(0)
    logits = rng.normal(0.0, 3.0, size=(20000, 3))
    probs = softmax(logits / true_temperature)
    gold = np.array([rng.choice(3, p=row) for row in probs])
    fitted = fit_temperature(lambda t: softmax(logits / t), gold)
    assert fitted == pytest.approx(true_temperature, rel=0.05)


def test_the_fit_lowers_ece_of_overconfident_scores() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(0.0, 2.0, size=(5000, 2))
    gold = np.array([rng.choice(2, p=row) for row in softmax(logits / 3.0)])
    fitted = fit_temperature(lambda t: softmax(logits / t), gold)
    assert top_label_ece(softmax(logits / fitted), gold) < 0.5 * top_label_ece(
        softmax(logits), gold)


def test_label_indices_name_an_unknown_label() -> None:
    with pytest.raises(ValueError, match="does not know: maybe"):
        label_indices(STANCES, ["related", "maybe"])


# --- the manifest ------------------------------------------------------------------------

def test_an_old_manifest_without_a_temperature_loads_with_one(tmp_path: Path) -> None:
    Manifest(task="stance", labels=STANCES).save(tmp_path)
    raw = json.loads((tmp_path / MANIFEST_NAME).read_text())
    del raw["temperature"]
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(raw))
    assert Manifest.load(tmp_path).temperature == 1.0


@pytest.mark.parametrize("bad", [0, -1.5, "hot", True])
def test_a_bad_temperature_is_refused_naming_the_file(tmp_path: Path, bad: object) -> None:
    Manifest(task="topic").save(tmp_path)
    edit_json(tmp_path / MANIFEST_NAME, temperature=bad)
    with pytest.raises(ModelError, match=rf"{MANIFEST_NAME}.*temperature must be a finite"):
        Manifest.load(tmp_path)


# --- applied on every backend, kept across processes -------------------------------------

@pytest.fixture(scope="module")
def stance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny related/unrelated stance dir with its ONNX exports."""
    root = tmp_path_factory.mktemp("temperature")
    made = make_tiny_classifier(root / "made", task="stance", labels=STANCES, windowing=FIRST,
                                initializer_range=1.0)
    return exported_copy(made, root)


def pairs() -> list[tuple[str, str]]:
    return [(h, b) for h in HEADLINES for b in BODIES]


def test_the_classifier_divides_every_windows_logits_by_the_temperature(
        stance_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(stance_dir)
    classifier.manifest.temperature = 1.0  # whatever another test wrote into the dir
    heads, bodies = [h for h, _ in pairs()], [b for _, b in pairs()]
    raw = classifier.window_logits(bodies, heads)
    assert raw.owners == list(range(len(bodies)))  # one window a pair: rows are texts
    plain = classifier.predict_proba(bodies, heads)
    classifier.manifest.temperature = 3.0
    scaled = classifier.predict_proba(bodies, heads)
    np.testing.assert_allclose(scaled, softmax(raw.logits / 3.0), atol=1e-6)
    np.testing.assert_allclose(plain, softmax(raw.logits), atol=1e-6)
    assert (scaled.argmax(1) == plain.argmax(1)).all()
    assert scaled.max(axis=1).mean() < plain.max(axis=1).mean()  # softer


def gold_for(classifier: StanceClassifier, flip_every: int = 4) -> list[str]:
    """The model's own labels with every ``flip_every``-th flipped: a model right 3 times
    in 4, whatever its confidence, so the best temperature is finite."""
    predicted = [p.label for p in classifier.predict(pairs())]
    return [(STANCES[1 - STANCES.index(label)] if i % flip_every == 0 else label)
            for i, label in enumerate(predicted)]


def labelled_file(stance_dir: Path, path: Path) -> Path:
    gold = gold_for(StanceClassifier.from_pretrained(stance_dir))
    return write_jsonl(path, [{"id": f"p{i}", "target": h, "text": b, "stance": g}
                              for i, ((h, b), g) in enumerate(zip(pairs(), gold))])


LOAD_BOTH = """
import json
from newsdesk import StanceClassifier
pairs = {pairs!r}
out = {{}}
for backend in ("torch", "onnx"):
    model = StanceClassifier.from_pretrained({path!r}, backend=backend)
    out[backend] = [[p.label, p.scores] for p in model.predict(pairs)]
    out[backend + "_temperature"] = model.manifest.temperature
print(json.dumps(out))
"""


def test_calibrate_cli_rewrites_the_manifest_and_a_new_process_reads_it_on_both_backends(
        stance_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = labelled_file(stance_dir, tmp_path / "validation.jsonl")
    before = StanceClassifier.from_pretrained(stance_dir).predict(pairs())
    assert cli_main(["calibrate", str(stance_dir), "--data", str(data)]) == 0
    assert "temperature" in capsys.readouterr().out
    manifest = Manifest.load(stance_dir)
    entry = manifest.extras["calibration"]
    assert manifest.temperature == entry["temperature"] != 1.0
    assert entry["fitted_on"] == {"data": str(data), "split": "all", "n": len(pairs())}
    assert entry["splits"]["all"]["nll_after"] < entry["splits"]["all"]["nll_before"]
    assert "onnx" in manifest.extras  # the export's record survives the rewrite
    # in this process: the scores are softmax(logits / T) of the uncalibrated logits
    here = StanceClassifier.from_pretrained(stance_dir)
    heads, bodies = [h for h, _ in pairs()], [b for _, b in pairs()]
    expected = softmax(here.window_logits(bodies, heads).logits / manifest.temperature)
    assert [p.label for p in before] == [STANCES[i] for i in expected.argmax(1)]
    fresh = json_from_new_process(LOAD_BOTH.format(pairs=pairs(), path=str(stance_dir)))
    for backend in ("torch", "onnx"):
        assert fresh[f"{backend}_temperature"] == manifest.temperature
        scores = np.array([[s[label] for label in STANCES] for _, s in fresh[backend]])
        np.testing.assert_allclose(scores, expected, atol=1e-4 if backend == "onnx" else 1e-6)
        assert [label for label, _ in fresh[backend]] == [p.label for p in before]


def test_evaluate_reports_the_calibrated_ece(stance_dir: Path, tmp_path: Path) -> None:
    data = labelled_file(stance_dir, tmp_path / "validation.jsonl")
    classifier = StanceClassifier.from_pretrained(stance_dir)
    records = [json.loads(line) for line in data.read_text().splitlines()]
    predictions = classifier.predict([(r["target"], r["text"]) for r in records])
    expected = expected_calibration_error([p.score for p in predictions],
                                          [p.label == r["stance"]
                                           for p, r in zip(predictions, records)])
    out = tmp_path / "report"
    assert cli_main(["evaluate", str(stance_dir), "--data", str(data), "--out", str(out)]) == 0
    assert json.loads((out / "report.json").read_text())["metrics"]["ece"] == \
        pytest.approx(expected)
    assert "| ece |" in (out / "report.md").read_text()


def test_calibrate_reports_each_split_and_fits_on_one(stance_dir: Path) -> None:
    classifier = StanceClassifier.from_pretrained(stance_dir)
    gold = gold_for(classifier)
    heads, bodies = [h for h, _ in pairs()], [b for _, b in pairs()]
    half = len(gold) // 2
    splits = {"validation": LabelledTexts(bodies[:half], heads[:half], gold[:half]),
              "test": LabelledTexts(bodies[half:], heads[half:], gold[half:])}
    probs = calibrate(classifier, splits, fit_on="validation", source="mine")
    entry = classifier.manifest.extras["calibration"]
    assert entry["fitted_on"] == {"data": "mine", "split": "validation", "n": half}
    assert set(entry["splits"]) == {"validation", "test"}
    test_gold = label_indices(STANCES, gold[half:])
    assert entry["splits"]["test"]["ece_after"] == pytest.approx(
        top_label_ece(probs["test"], test_gold))
    np.testing.assert_allclose(probs["test"], classifier.predict_proba(bodies[half:],
                                                                       heads[half:]))


def test_calibrate_needs_data_and_a_single_label_transformer(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture
                                                             ) -> None:
    plain = make_tiny_classifier(tmp_path / "plain", task="stance", labels=STANCES,
                                 windowing=FIRST)
    assert cli_main(["calibrate", str(plain)]) == 2
    assert "names no validation data; pass --data" in capsys.readouterr().err
    multi = make_tiny_classifier(tmp_path / "multi", windowing=FIRST)
    edit_json(multi / MANIFEST_NAME, multi_label=True)
    with pytest.raises(ConfigError, match="single-label"):
        calibration.calibrate_dir(multi, "bbc-news")
    assert cli_main(["calibrate", str(tmp_path / "nowhere"), "--data", "x.jsonl"]) == 2
    assert "not a newsdesk model dir" in capsys.readouterr().err
    assert Manifest.load(plain).temperature == 1.0  # nothing written on failure


def test_a_topic_model_calibrates_on_a_built_in_validation_split(tmp_path: Path) -> None:
    topic = make_tiny_classifier(tmp_path / "topic", windowing=FIRST,
                                 labels=["business", "entertainment", "politics", "sport",
                                         "tech"])
    entry = calibration.calibrate_dir(topic, "bbc-news")
    assert entry["fitted_on"]["split"] == "validation" and entry["fitted_on"]["n"] > 100
    assert TopicClassifier.from_pretrained(topic).manifest.temperature == \
        entry["temperature"]


# --- recipes -------------------------------------------------------------------------------

@pytest.mark.parametrize(("settings", "message"), [
    ({"calibration": "platt"}, "must be one of temperature or null"),
    ({"task": "summary"}, "single-label topic and stance"),
    ({"model": {"multi_label": True}}, "single-label topic and stance"),
    ({"hybrid": {}}, "hybrid or frozen"),
    ({"data": {"validation_split": None}}, "has none"),
])
def test_a_recipe_that_cannot_be_calibrated_is_refused(tmp_path: Path, settings: dict,
                                                        message: str) -> None:
    import yaml

    from newsdesk_train.config import load_config

    raw = {"name": "r", "task": "topic", "calibration": "temperature", **settings}
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    raw.update(calibration=None)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_config(path).calibration is None  # the rest of the recipe is fine
