"""The bare install for real: a fresh venv, ``pip install`` of this checkout with no extras
(``benchmarks/light_install.build_light_venv``: the dependencies resolved from the package
index, pip's cache reused), then ``newsdesk predict`` and the Python API on exported tiny
models, labels compared with the torch path here. Skipped, saying so, when the package
index cannot be reached; a minute or two."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest
from light_install import build_light_venv, clean_env, venv_megabytes
from test_light import PAIRS, TEXTS

from newsdesk import StanceClassifier, TopicClassifier

#: What ``pip install newsdesk`` must leave out.
HEAVY = ("torch", "transformers", "sklearn", "scipy", "pyarrow", "networkx", "datasets")
#: The issue's bound on the bare install's venv, pip included.
MAX_VENV_MB = 250
API_SCRIPT = """
import json, sys
import newsdesk
from newsdesk import StanceClassifier

args = json.loads(sys.argv[1])
topic = newsdesk.load(args["topic"])
stance = StanceClassifier.from_pretrained(args["stance"])
print(json.dumps({"topic": [p.label for p in topic.predict(args["texts"])],
                  "stance": [p.label for p in stance.predict([tuple(p) for p in args["pairs"]])],
                  "runner": type(topic.runner).__name__}))
"""


def index_unreachable() -> str | None:
    """Why the package index cannot be reached, or None when it answers."""
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    try:
        with urllib.request.urlopen(url, timeout=15):
            return None
    except OSError as error:
        return f"{url}: {error}"


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding ``pip install <this checkout>`` and nothing else."""
    venv = tmp_path_factory.mktemp("light-install") / "venv"
    done = build_light_venv(venv)
    if done.returncode != 0:
        reason = index_unreachable()
        if reason is not None:
            pytest.skip(f"the package index is unreachable ({reason}): the bare install "
                        "cannot be built")
        pytest.fail(f"pip install of the checkout failed:\n{done.stdout}\n{done.stderr}")
    return venv


def run_in(venv: Path, *command: str) -> str:
    """Run the venv's ``command[0]`` outside the checkout (whose ``datasets/`` folder would
    import as a namespace package); its stdout."""
    done = subprocess.run([str(venv / "bin" / command[0]), *command[1:]], capture_output=True,
                          text=True, env=clean_env(), cwd=venv)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_bare_install_has_no_torch_and_fits_the_size_bound(light_venv: Path) -> None:
    probe = ("import importlib.util, json\n"
             f"print(json.dumps({{n: importlib.util.find_spec(n) is not None for n in "
             f"{[*HEAVY, 'newsdesk', 'onnxruntime', 'tokenizers']!r}}}))")
    found = json.loads(run_in(light_venv, "python", "-c", probe))
    assert [name for name in HEAVY if found[name]] == []
    assert found["newsdesk"] and found["onnxruntime"] and found["tokenizers"]
    size = venv_megabytes(light_venv)
    print(f"bare install venv: {size:.0f} MB")
    assert size < MAX_VENV_MB, f"the bare install's venv is {size:.0f} MB"


def test_bare_install_serves_the_torch_paths_labels(light_venv: Path,
                                                    exported_dirs: dict[str, Path],
                                                    tmp_path: Path) -> None:
    topic = TopicClassifier.from_pretrained(exported_dirs["topic"], backend="torch")
    stance = StanceClassifier.from_pretrained(exported_dirs["stance"], backend="torch")
    expected = {"topic": [p.label for p in topic.predict(TEXTS)],
                "stance": [p.label for p in stance.predict([tuple(p) for p in PAIRS])]}
    assert all(len(set(labels)) > 1 for labels in expected.values())  # it can fail
    args = {"topic": str(exported_dirs["topic"]), "stance": str(exported_dirs["stance"]),
            "texts": TEXTS, "pairs": PAIRS}
    api = json.loads(run_in(light_venv, "python", "-c", API_SCRIPT,
                            json.dumps(args)).strip().splitlines()[-1])
    assert api == {**expected, "runner": "OnnxRunner"}
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n"
                              for i, t in enumerate(TEXTS)), encoding="utf-8")
    run_in(light_venv, "newsdesk", "predict", str(exported_dirs["topic"]), "--input",
           str(source), "--output", str(output), "--no-progress")
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["label"] for r in rows] == expected["topic"]


def test_the_benchmarks_processes_give_the_same_labels(light_venv: Path,
                                                       exported_dirs: dict[str, Path],
                                                       tmp_path: Path) -> None:
    """``benchmarks/light_install.py``'s child process on the light venv (the export) and
    here (torch): same labels, a cold start measured."""
    import sys

    from light_install import ENGINES, run_child

    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps({"text": t}) + "\n" for t in TEXTS), encoding="utf-8")
    settings = {"model": str(exported_dirs["topic"]), "items": str(items), "threads": 1,
                "batch_size": 4, "max_length": 64}
    results = {engine: run_child(light_venv / "bin" / "python" if venv == "light"
                                 else Path(sys.executable), engine,
                                 {**settings, **ENGINES[engine][1]})
               for engine, (venv, _) in ENGINES.items() if "pipeline" not in engine}
    torch_labels = results["full torch"]["labels"]
    assert results["light onnx fp32"]["labels"] == torch_labels
    assert len(set(torch_labels)) > 1
    assert all(r["cold_start_s"] > r["import_s"] > 0 and r["docs_per_second"] > 0
               for r in results.values())


def test_agreement_is_positionwise_and_refuses_unequal_lengths() -> None:
    from light_install import agreement

    assert agreement(["a", "b", "b", "a"], ["a", "b", "a", "b"]) == 0.5
    with pytest.raises(RuntimeError, match="3 labels against 2"):
        agreement(["a", "b", "a"], ["a", "b"])


def test_a_labels_only_model_renders_its_round_and_int8_against_fp32() -> None:
    """A ``--labels-model`` row says it ran once and shows int8's share equal to fp32's."""
    from light_install import render

    engine = {"import_s": 0.1, "load_s": 0.2, "first_label_s": 0.01, "cold_start_s": 0.4,
              "docs_per_second": 30.0, "label_agreement_vs_torch": 1.0,
              "label_agreement_vs_onnx_fp32": None}
    report = {"install_mb": {"light": 225, "full": 2168}, "threads": 2, "batch_size": 32,
              "repeats": 3,
              "models": [{"model": "m", "data": "headline-stance", "split": "test",
                          "items": 10, "max_length": 192, "repeats": 1,
                          "engines": {"light onnx fp32": engine,
                                      "light onnx int8": {**engine,
                                                          "label_agreement_vs_torch": 0.99,
                                                          "label_agreement_vs_onnx_fp32":
                                                              0.995},
                                      "full torch": engine}}],
              "run": {"cpu": {"model": "Test CPU", "cores": 2, "isa": []}, "busy": False}}
    text = "\n".join(render(report, "light_install"))
    assert "(10 items, 1 round)" in text
    assert "| light onnx int8 | 0.1 | 0.2 | 0.4 | 30.0 | 99.00% | 99.50% |" in text
    # the README's line: no cold start from a single round
    assert "int8 equal to fp32 on 99.50%" in text and "cold start (process" not in text
