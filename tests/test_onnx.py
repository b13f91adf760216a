"""ONNX export and the ONNX Runtime backend, on tiny random BERTs: parity with torch.

Here int8 is held to probabilities within 0.05 of fp32 on a probe set; the figures that
matter for a trained model (>= 99% label agreement with fp32, accuracy within 0.5 points)
are measured on the real MiniLM by benchmarks/inference_speed.py.
"""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import numpy as np
import pytest
from tiny_models import make_tiny_classifier, window_batches

from newsdesk import StanceClassifier, TopicClassifier
from newsdesk.batching import pad_batch
from newsdesk.cli import main
from newsdesk.errors import ConfigError, ModelError
from newsdesk.manifest import Manifest
from newsdesk.onnx_backend import OnnxRunner
from newsdesk.onnx_export import ExportOptions, export_onnx

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TOPICS = ["business", "politics", "sport", "tech"]
STANCES = ["agree", "disagree", "discuss", "unrelated"]
SENTENCE = "The minister said the budget would cut taxes for small firms next spring. "
TEXTS = ["Rates rise.", "Shares in the bank fell sharply on Monday.", SENTENCE * 2,
         SENTENCE * 6, SENTENCE * 40, "Goal!", "A new phone chip was unveiled in Taipei.",
         "The film won three awards " * 5]
#: int8 probabilities stay this close to fp32's on these tiny models (measured: 0.032 at
#: most on the probe texts below).
INT8_TOLERANCE = 0.05
PAIRS = [("Taxes cut", t) for t in TEXTS[:4]] + [
    ("Bank shares fall after a long and winding headline " * 3, t) for t in TEXTS[4:]]


def tiny_model(directory: Path, task: str, labels: list[str]) -> Path:
    """A random 2-layer BERT classifier (weights scaled up so logits are far from 0) with
    the MiniLM tokenizer and a manifest: 64-token windows, stride 16."""
    return make_tiny_classifier(directory, task=task, labels=labels, seed=3,
                                initializer_range=0.3)


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tiny_model(tmp_path_factory.mktemp("onnx") / "topic", "topic", TOPICS)
    export_onnx(directory, ExportOptions(int8=True))
    return directory


@pytest.fixture(scope="module")
def stance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tiny_model(tmp_path_factory.mktemp("onnx") / "stance", "stance", STANCES)
    assert main(["export", str(directory), "--onnx", "--int8"]) == 0
    return directory


def test_export_writes_both_files_and_records_them(topic_dir: Path) -> None:
    assert (topic_dir / "model.onnx").is_file() and (topic_dir / "model.int8.onnx").is_file()
    assert not list(topic_dir.glob(".onnx-export-*"))
    entry = Manifest.load(topic_dir).extras["onnx"]
    assert entry["fp32"]["file"] == "model.onnx" and entry["fp32"]["opset"] == 17
    assert entry["fp32"]["max_abs_logit_diff_vs_torch"] < 1e-4
    assert entry["fp32"]["fused"]["Attention"] == 2  # ORT's BERT fusion found both layers
    assert entry["int8"]["file"] == "model.int8.onnx" and entry["int8"]["per_channel"]
    assert entry["int8"]["reduce_range"] is False  # 8-bit weights unless asked (a tagger's: 7)
    assert len(entry["fp32"]["weights_sha256"]) == 64 and "onnxruntime" in entry["versions"]


def test_graph_has_dynamic_batch_and_sequence_axes(topic_dir: Path) -> None:
    import onnx

    graph = onnx.load(str(topic_dir / "model.onnx")).graph
    inputs = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
              for i in graph.input}
    assert set(inputs) == {"input_ids", "attention_mask", "token_type_ids"}
    assert all(dims == ["batch", "sequence"] for dims in inputs.values())


def test_fp32_logits_match_torch_on_varied_lengths(topic_dir: Path) -> None:
    torch_model = TopicClassifier.from_pretrained(topic_dir)
    onnx_model = TopicClassifier.from_pretrained(topic_dir, backend="onnx", threads=1)
    batches = window_batches(torch_model, TEXTS)
    lengths = np.concatenate([b["attention_mask"].sum(axis=1) for b in batches])
    assert lengths.min() < 10 and lengths.max() == 64  # padded rows and full windows
    for batch in batches:
        reference = torch_model.runner(batch)
        assert np.abs(onnx_model.runner(batch) - reference).max() < 1e-4
        assert np.ptp(reference) > 0.5  # logits spread: the check is not vacuous
    single = pad_batch(torch_model.tokenizer,
                       [{"input_ids": [101, 7592, 102], "token_type_ids": [0, 0, 0]}])
    assert np.abs(onnx_model.runner(single) - torch_model.runner(single)).max() < 1e-4


def test_fp32_labels_and_probabilities_match_torch(topic_dir: Path) -> None:
    torch_preds = TopicClassifier.from_pretrained(topic_dir).predict(TEXTS)
    onnx_preds = TopicClassifier.from_pretrained(topic_dir, backend="onnx").predict(TEXTS)
    assert [p.label for p in onnx_preds] == [p.label for p in torch_preds]
    for a, b in zip(onnx_preds, torch_preds):
        assert a.scores == pytest.approx(b.scores, abs=1e-5)


def test_stance_pairs_match_torch(stance_dir: Path) -> None:
    torch_model = StanceClassifier.from_pretrained(stance_dir)
    onnx_model = StanceClassifier.from_pretrained(stance_dir, backend="onnx")
    batches = window_batches(torch_model, [t for _, t in PAIRS], [t for t, _ in PAIRS])
    assert any(b["token_type_ids"].any() for b in batches)
    for batch in batches:
        assert np.abs(onnx_model.runner(batch) - torch_model.runner(batch)).max() < 1e-4
    assert ([p.label for p in onnx_model.predict(PAIRS)]
            == [p.label for p in torch_model.predict(PAIRS)])


def top_two_gap(prediction) -> float:
    first, second = sorted(prediction.scores.values())[-2:][::-1]
    return first - second


def test_int8_probabilities_and_labels_match_fp32(topic_dir: Path, stance_dir: Path) -> None:
    """Every int8 probability within INT8_TOLERANCE of fp32's; so the label is fp32's on
    every topic text, and on every stance pair but the near ties (top two closer than twice
    the tolerance, where rounding may pick the other)."""
    for cls, directory, items in ((TopicClassifier, topic_dir, TEXTS),
                                  (StanceClassifier, stance_dir, PAIRS)):
        fp32 = cls.from_pretrained(directory, backend="onnx").predict(items)
        int8 = cls.from_pretrained(directory, backend="onnx", quantize="int8").predict(items)
        for a, b in zip(fp32, int8):
            assert sum(b.scores.values()) == pytest.approx(1.0, abs=1e-6)
            assert b.scores == pytest.approx(a.scores, abs=INT8_TOLERANCE)
        decisive = [(a.label, b.label) for a, b in zip(fp32, int8)
                    if top_two_gap(a) > 2 * INT8_TOLERANCE]
        assert len(decisive) >= 3 and all(a == b for a, b in decisive), cls.__name__
        if cls is TopicClassifier:
            assert [p.label for p in int8] == [p.label for p in fp32]


def test_onnx_path_shares_windowing_and_aggregation(topic_dir: Path) -> None:
    onnx_model = TopicClassifier.from_pretrained(topic_dir, backend="onnx")
    long_text = SENTENCE * 40
    windows = window_batches(onnx_model, [long_text])
    assert sum(len(b["input_ids"]) for b in windows) > 5
    expected = np.mean(np.concatenate([_softmax(onnx_model.runner(b)) for b in windows]), 0)
    assert onnx_model.predict_proba([long_text])[0] == pytest.approx(expected, abs=1e-6)


def test_token_budget_batches_give_the_same_probabilities(topic_dir: Path) -> None:
    model = TopicClassifier.from_pretrained(topic_dir, backend="onnx")
    model.max_batch_tokens = None
    unbounded = model.predict_proba(TEXTS, batch_size=32)
    model.max_batch_tokens = 64
    assert model.predict_proba(TEXTS, batch_size=32) == pytest.approx(unbounded, abs=1e-6)


def test_threads_reach_the_session(topic_dir: Path) -> None:
    model = TopicClassifier.from_pretrained(topic_dir, backend="onnx", threads=1)
    assert model.runner.session.get_session_options().intra_op_num_threads == 1
    with pytest.raises(ConfigError, match="threads"):
        TopicClassifier.from_pretrained(topic_dir, backend="onnx", threads=0)


def test_missing_export_names_the_command(tmp_path: Path) -> None:
    directory = tiny_model(tmp_path / "plain", "topic", TOPICS)
    with pytest.raises(ModelError, match="newsdesk export .* --onnx"):
        TopicClassifier.from_pretrained(directory, backend="onnx")
    with pytest.raises(ModelError, match="--onnx --int8"):
        TopicClassifier.from_pretrained(directory, backend="onnx", quantize="int8")


def test_bad_backend_options_are_config_errors(topic_dir: Path) -> None:
    with pytest.raises(ConfigError, match="backend"):
        TopicClassifier.from_pretrained(topic_dir, backend="tensorrt")
    with pytest.raises(ConfigError, match="quantize needs backend='onnx'"):
        TopicClassifier.from_pretrained(topic_dir, backend="torch", quantize="int8")
    # no backend named: an int8 copy asked for is the ONNX export's
    assert isinstance(TopicClassifier.from_pretrained(topic_dir, quantize="int8").runner,
                      OnnxRunner)
    with pytest.raises(ConfigError, match="quantize must be"):
        TopicClassifier.from_pretrained(topic_dir, backend="onnx", quantize="int4")
    with pytest.raises(ModelError, match="a topic model, not a stance model"):
        StanceClassifier.from_pretrained(topic_dir, backend="onnx")


def test_a_graph_that_disagrees_with_torch_is_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk import onnx_export

    directory = tiny_model(tmp_path / "bad", "topic", TOPICS)
    before = (directory / "newsdesk.json").read_text()

    class Skewed(onnx_export.OnnxRunner):
        def __call__(self, batch):
            return super().__call__(batch) + 0.01

    monkeypatch.setattr(onnx_export, "OnnxRunner", Skewed)
    with pytest.raises(ModelError, match="differ from torch's by 0.01 .*nothing was written"):
        export_onnx(directory)
    assert not list(directory.glob("*.onnx")) and not list(directory.glob(".onnx-export-*"))
    assert (directory / "newsdesk.json").read_text() == before


def test_unfused_export_and_fp32_only_reexport(tmp_path: Path) -> None:
    directory = tiny_model(tmp_path / "plain", "topic", TOPICS)
    result = export_onnx(directory, ExportOptions(optimize=False))
    assert result.fused == {} and result.fp32_max_abs_diff < 1e-4 and result.int8 is None
    entry = json.loads((directory / "newsdesk.json").read_text())["extras"]["onnx"]
    assert "int8" not in entry and entry["fp32"]["fused"] == {}
    model = TopicClassifier.from_pretrained(directory, backend="onnx")
    assert [p.label for p in model.predict(TEXTS[:3])] == [
        p.label for p in TopicClassifier.from_pretrained(directory).predict(TEXTS[:3])]


def test_cli_export_prints_the_parity(stance_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["export", str(stance_dir), "--onnx"]) == 0
    out = capsys.readouterr().out
    assert "model.onnx (max |logit - torch|" in out and "Attention 2" in out
    assert (stance_dir / "model.int8.onnx").is_file()  # same weights: the int8 copy stays


def test_cli_predict_runs_the_onnx_export(topic_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n"
                              for i, t in enumerate(TEXTS)))
    for run, (flags, quantize) in enumerate(((["--backend", "onnx"], None),
                                             (["--backend", "onnx", "--int8"], "int8"),
                                             (["--int8"], "int8"))):  # --int8 implies onnx
        output = tmp_path / f"out-{run}.jsonl"
        assert main(["predict", str(topic_dir), "--input", str(source), "--output",
                     str(output), "--no-progress", *flags]) == 0
        rows = [json.loads(line) for line in output.read_text().splitlines()]
        expected = TopicClassifier.from_pretrained(topic_dir, backend="onnx",
                                                   quantize=quantize).predict(TEXTS)
        assert [r["label"] for r in rows] == [p.label for p in expected]
        assert [r["score"] for r in rows] == pytest.approx([p.score for p in expected],
                                                           abs=1e-5)
    assert main(["predict", str(topic_dir), "--input", str(source), "--output",
                 str(tmp_path / "x.jsonl"), "--backend", "torch", "--int8"]) == 2
    assert "--int8 needs --backend onnx" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


def test_help_imports_neither_torch_nor_onnx() -> None:
    script = ("import sys\nfrom newsdesk.cli import main\n"
              "for argv in (['--help'], ['export', '--help']):\n"
              "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
              "print(sorted({'torch', 'transformers', 'onnx', 'onnxruntime'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    assert "newsdesk export" in out and out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", ["newsdesk.onnx_backend", "newsdesk.onnx_export",
                                  "newsdesk.classifier", "newsdesk.backends"])
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(import_module(name))
    assert result.attempted > 0 and result.failed == 0


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def test_speed_benchmark_runs_on_a_tiny_model(topic_dir: Path, tmp_path: Path, repo_root: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(repo_root / "benchmarks"))
    bench = import_module("inference_speed")
    missing = tmp_path / "no-venv" / "python"
    report = bench.main(["--model", str(topic_dir), "--limit", "6", "--repeats", "2",
                         "--threads", "1", "--optimum-python", str(missing),
                         "--out", str(tmp_path)])
    rows = report["rows"]
    engines = ["transformers.pipeline", "transformers.pipeline, sorted", "newsdesk torch",
               "newsdesk onnx fp32", "newsdesk onnx int8"]
    assert [(r["workload"], r["engine"]) for r in rows] == [
        (w, e) for w in ("bbc-news", "mixed feed") for e in engines]
    assert all(r["docs"] == 6 and r["seconds"]["n"] == 2 and r["docs_per_s"] > 0 for r in rows)
    # the same first tokens give the same labels, in input order after sorting too
    assert all(r["agreement_with_torch"] == 1.0 for r in rows if "int8" not in r["engine"])
    assert [r["peak"] for r in rows[:5]] == ["fp32"] * 4 + ["int8"]
    assert ["accuracy" in r for r in rows] == [True] * 5 + [False] * 5
    assert report["peak"]["int8"] > report["peak"]["fp32"] > 0
    assert not report["optimum"]["ran"] and str(missing) in report["optimum"]["why"]
    markdown = (tmp_path / "inference_speed.md").read_text()
    saved = json.loads((tmp_path / "inference_speed.json").read_text())
    assert "Reduced run (`--limit 6`)" in markdown and "int8 rows against the int8 peak" in markdown
    assert "| mixed feed | newsdesk onnx int8 |" in markdown
    assert "Optimum's ONNX Runtime rows are missing" in markdown and str(missing) in markdown
    assert saved["optimum"] == report["optimum"] and "--repeats 2" in saved["run"]["command"]
