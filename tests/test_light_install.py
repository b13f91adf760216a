"""The bare install for real: a fresh venv, ``pip install`` of this checkout with no extras
(the dependencies resolved from the package index, pip's cache reused), then ``newsdesk
predict`` and the Python API on exported tiny models, labels compared with the torch path
here. Skipped, saying so, when the package index cannot be reached; a minute or two."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from test_light import PAIRS, TEXTS

from newsdesk import StanceClassifier, TopicClassifier

REPO_ROOT = Path(__file__).resolve().parents[1]
#: What ``pip install newsdesk`` must leave out.
HEAVY = ("torch", "transformers", "sklearn", "scipy", "pyarrow", "networkx", "datasets")
#: The issue's bound on the bare install's venv, pip included.
MAX_VENV_MB = 250
#: What a source build of the distribution reads.
SOURCE_PARTS = ("pyproject.toml", "README.md", "inference", "training")
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


def clean_env() -> dict[str, str]:
    """This environment without what would point the venv at this checkout or this venv."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def copy_source(into: Path) -> Path:
    """The files a build of the distribution reads, copied (a build in the checkout would
    leave build/ and egg-info behind)."""
    into.mkdir()
    for part in SOURCE_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, into / part)
    return into


def index_unreachable() -> str | None:
    """Why the package index cannot be reached, or None when it answers."""
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    try:
        with urllib.request.urlopen(url, timeout=15):
            return None
    except OSError as error:
        return f"{url}: {error}"


def venv_megabytes(venv: Path) -> float:
    """The bytes of every file under ``venv`` (links not followed), in MB."""
    total = sum((Path(folder) / name).lstat().st_size
                for folder, _, names in os.walk(venv) for name in names)
    return total / 1e6


@pytest.fixture(scope="module")
def light_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding ``pip install <this checkout>`` and nothing else."""
    root = tmp_path_factory.mktemp("light-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=clean_env())
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(copy_source(root / "src"))],
        capture_output=True, text=True, env=clean_env())
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
