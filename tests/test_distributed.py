"""``newsdesk-train`` under ``torchrun`` and ``accelerate launch``: 2 CPU processes (gloo DDP).

The commands are the ones docs/scaling.md gives (same flags); only the recipe differs.
Each run trains a tiny random BERT (a topic classifier, or a bert2bert summarizer) on real
news; every rank takes the one save path, rank 0 alone evaluates and publishes once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_data import recipe, summary_recipe, summary_rows, topic_rows, write_jsonl
from tiny_models import make_tiny_base

from newsdesk.manifest import Manifest
from newsdesk_train.workdir import WorkDirs

BIN = Path(sys.executable).parent
TORCHRUN = [str(BIN / "torchrun"), "--standalone", "--nproc_per_node", "2",
            "-m", "newsdesk_train.cli"]
ACCELERATE = [str(BIN / "accelerate"), "launch", "--multi_gpu", "--num_processes", "2",
              "--num_machines", "1", "--main_process_port", "0", "--mixed_precision", "no",
              "--dynamo_backend", "no", "-m", "newsdesk_train.cli"]
TRAIN_TEXTS = 40  # 2 epochs of 40 texts at batch 8: 10 steps alone, 6 on 2 ranks


@pytest.fixture(scope="module")
def tiny_recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ddp")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "topics.jsonl",
                       topic_rows({"train": TRAIN_TEXTS, "validation": 10, "test": 10}))
    return recipe(root / "recipe.yaml", task="topic", source=data, base=base,
                  output=root / "model")


@pytest.fixture(scope="module")
def tiny_summary_recipe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ddp-summary")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "news.jsonl",
                       summary_rows({"train": 16, "validation": 4, "test": 4}))
    return summary_recipe(root / "recipe.yaml", source=data, base=base, output=root / "model",
                          max_steps=4)


def launch(command: list[str], recipe_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    env.pop("RANK", None)
    result = subprocess.run([*command, str(recipe_path)], capture_output=True, text=True,
                            env=env, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def check_published_once(result: subprocess.CompletedProcess[str], output: Path, *,
                         steps: int = 6, metric: str = "accuracy") -> Manifest:
    """One model dir, staged by rank 0 only, evaluated, work dir cleaned up."""
    assert result.stdout.count("model written to") == 1
    siblings = sorted(p.name for p in output.parent.iterdir() if p.name.startswith("model"))
    assert siblings == ["model", "model.work"]
    assert sorted(p.name for p in WorkDirs.for_output(output).root.iterdir()) == ["logs"]
    names = {p.name for p in output.iterdir()}
    assert {"model.safetensors", "config.json", "newsdesk.json", "README.md"} <= names
    assert "training_args.bin" not in names
    manifest = Manifest.load(output)
    assert manifest.training["global_steps"] == steps
    assert manifest.training["checkpoint"] == f"best validation {metric}"
    assert set(manifest.metrics) == {"validation", "test"}
    assert isinstance(manifest.metrics["validation"][metric], float)
    return manifest


def test_torchrun_two_cpu_processes_train_save_once_and_evaluate(tiny_recipe: Path) -> None:
    result = launch(TORCHRUN, tiny_recipe)
    # each of the 2 ranks sees half of every batch: 3 steps an epoch instead of 5
    manifest = check_published_once(result, tiny_recipe.parent / "model", steps=6)
    assert manifest.metrics["test"]["n"] == manifest.metrics["validation"]["n"] == 10


def test_torchrun_trains_a_summary_model_on_the_same_path(tiny_summary_recipe: Path) -> None:
    output = tiny_summary_recipe.parent / "model"
    result = launch(TORCHRUN, tiny_summary_recipe)
    manifest = check_published_once(result, output, steps=4, metric="rougeLsum")
    assert manifest.task == "summary"
    assert manifest.metrics["test"]["n"] == manifest.metrics["validation"]["n"] == 4
    assert (output / "generation_config.json").is_file()
    from newsdesk import Summarizer

    summary = Summarizer.from_pretrained(output).summarize(["Talks began on Monday. "
                                                            "Both sides called them useful."])
    assert len(summary) == 1 and isinstance(summary[0], str)


def test_accelerate_launch_replaces_the_model_in_place(tiny_recipe: Path) -> None:
    output = tiny_recipe.parent / "model"
    if not output.exists():  # run alone: make the model the launch must replace
        launch(TORCHRUN, tiny_recipe)
    before = json.loads((output / "newsdesk.json").read_text())
    result = launch(ACCELERATE, tiny_recipe)
    check_published_once(result, output)
    assert Manifest.load(output).labels == before["labels"]


def test_only_rank_zero_clears_the_work_dir(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    work = WorkDirs.for_output(tmp_path / "model")
    (work.checkpoints / "checkpoint-3").mkdir(parents=True)
    (work.staging / "model.safetensors").parent.mkdir(parents=True)
    (work.staging / "model.safetensors").write_bytes(b"rank 0 is writing this")
    monkeypatch.setenv("RANK", "1")
    work.prepare(resume=False)
    assert (work.checkpoints / "checkpoint-3").is_dir()
    assert (work.staging / "model.safetensors").is_file()
    monkeypatch.setenv("RANK", "0")
    work.prepare(resume=False)
    assert not any(work.checkpoints.iterdir()) and not any(work.staging.iterdir())


def test_the_docs_give_these_commands(repo_root: Path) -> None:
    doc = (repo_root / "docs" / "scaling.md").read_text(encoding="utf-8")
    for command in (TORCHRUN, ACCELERATE):
        assert " ".join([Path(command[0]).name, *command[1:]]) in doc
