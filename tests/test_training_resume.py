"""Training is reproducible on CPU, resumes after SIGKILL with the same result (its manifest
naming the checkpoint it resumed from and the runtime of both pieces), and the model dir only
ever appears complete."""

from __future__ import annotations

import doctest
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import make_tiny_base

import newsdesk_train.resume
from newsdesk_train.cli import main as train_main
from newsdesk_train.resume import TrainRuntime, runtime_at
from newsdesk_train.workdir import WorkDirs

STEPS = "  max_steps: 30\n  eval_steps: 5\n  save_total_limit: 3"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("resume")
    base = make_tiny_base(root / "base")
    data = write_jsonl(root / "topics.jsonl",
                       topic_rows({"train": 40, "validation": 10, "test": 10}))
    return root, base, data


def metrics_of(model: Path) -> dict:
    """The manifest's metrics, floats to 6 decimals: a resumed run's probabilities may differ
    from an uninterrupted one's in the last bits (the calibration error reads them), never
    its labels."""
    return rounded(json.loads((model / "newsdesk.json").read_text())["metrics"])


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def test_same_seed_same_metrics_and_weights(setup: tuple[Path, Path, Path]) -> None:
    root, base, data = setup
    outputs = []
    for name in ("one", "two"):
        path = recipe(root / f"{name}.yaml", task="topic", source=data, base=base,
                      output=root / name, extra_training="  max_steps: 6")
        assert train_main([str(path)]) == 0
        outputs.append(root / name)
    assert metrics_of(outputs[0]) == metrics_of(outputs[1])
    assert ((outputs[0] / "model.safetensors").read_bytes()
            == (outputs[1] / "model.safetensors").read_bytes())


@dataclass(frozen=True)
class Killed:
    """A run SIGKILLed after its checkpoint-10 (its recipe, its newest checkpoint, the
    seconds from its start to the kill), and a copy of its work dir as a run whose
    checkpoints hold no train runtime (saved before newsdesk recorded one)."""

    recipe: Path
    checkpoint: Path
    seconds: float
    legacy_recipe: Path
    legacy_checkpoint: Path
    legacy_output: Path


@pytest.fixture(scope="module")
def killed(setup: tuple[Path, Path, Path]) -> Killed:
    root, base, data = setup
    path = recipe(root / "killed.yaml", task="topic", source=data, base=base,
                  output=root / "killed", extra_training=STEPS)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "newsdesk_train.cli", str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = root / "killed.work" / "checkpoints" / "checkpoint-10"
    deadline = time.monotonic() + 300
    while not (checkpoint / "trainer_state.json").exists():
        assert process.poll() is None, "training ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    seconds = time.monotonic() - started
    assert not (root / "killed").exists(), "a killed run must leave no model dir"
    newest = WorkDirs.for_output(root / "killed").last_checkpoint()
    assert newest is not None

    shutil.copytree(root / "killed.work", root / "legacy.work")
    for state_file in (root / "legacy.work" / "checkpoints").glob("*/trainer_state.json"):
        state = json.loads(state_file.read_text().replace(str(root / "killed.work"),
                                                          str(root / "legacy.work")))
        del state["stateful_callbacks"][TrainRuntime.__name__]
        state_file.write_text(json.dumps(state))
    legacy = recipe(root / "legacy.yaml", task="topic", source=data, base=base,
                    output=root / "legacy", extra_training=STEPS)
    return Killed(path, Path(newest), seconds, legacy,
                  root / "legacy.work" / "checkpoints" / Path(newest).name, root / "legacy")


def training_of(model: Path) -> dict[str, Any]:
    return json.loads((model / "newsdesk.json").read_text())["training"]


def test_killed_run_resumes_to_the_same_metrics(setup: tuple[Path, Path, Path],
                                                killed: Killed) -> None:
    root, base, data = setup
    straight = recipe(root / "straight.yaml", task="topic", source=data, base=base,
                      output=root / "straight", extra_training=STEPS)
    assert train_main([str(straight)]) == 0
    one_piece = training_of(root / "straight")
    assert one_piece["train_runtime_s"] > 0 and one_piece["global_steps"] == 30
    assert "resumed_from" not in one_piece and "train_runtime_s_last_piece" not in one_piece

    first_piece = runtime_at(killed.checkpoint)
    assert first_piece is not None and 0 < first_piece < killed.seconds
    assert train_main([str(killed.recipe), "--resume"]) == 0
    assert metrics_of(root / "killed") == metrics_of(root / "straight")
    resumed = training_of(root / "killed")
    assert resumed["resumed_from"] == killed.checkpoint.name and resumed["global_steps"] == 30
    assert resumed["train_runtime_s"] == pytest.approx(
        first_piece + resumed["train_runtime_s_last_piece"], abs=0.1)


def test_a_resume_from_a_checkpoint_without_a_runtime_records_the_last_piece_only(
        killed: Killed) -> None:
    assert runtime_at(killed.legacy_checkpoint) is None
    assert train_main([str(killed.legacy_recipe), "--resume"]) == 0
    resumed = training_of(killed.legacy_output)
    assert "train_runtime_s" not in resumed, "the earlier piece's runtime is not known"
    assert resumed["resumed_from"] == killed.legacy_checkpoint.name
    assert resumed["train_runtime_s_last_piece"] > 0 and resumed["global_steps"] == 30


def test_doctests() -> None:
    result = doctest.testmod(newsdesk_train.resume)
    assert result.attempted > 0 and result.failed == 0


def test_class_weights_train(setup: tuple[Path, Path, Path]) -> None:
    root, base, data = setup
    path = recipe(root / "weighted.yaml", task="topic", source=data, base=base,
                  output=root / "weighted",
                  extra_training="  max_steps: 3\n  class_weights: true")
    assert train_main([str(path)]) == 0
    assert metrics_of(root / "weighted")["test"]["n"] == 10


def test_resume_skips_a_checkpoint_cut_short_while_saving(tmp_path: Path) -> None:
    """A run killed while the Trainer wrote ``checkpoint-15`` leaves that folder without its
    trainer state; ``--resume`` continues from the last complete one."""
    work = WorkDirs.for_output(tmp_path / "model")
    for step, complete in ((5, True), (10, True), (15, False)):
        folder = work.checkpoints / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"")
        if complete:
            (folder / "trainer_state.json").write_text("{}")
    assert work.last_checkpoint() == str(work.checkpoints / "checkpoint-10")
    (work.checkpoints / "checkpoint-15" / "trainer_state.json").write_text("{}")
    assert work.last_checkpoint() == str(work.checkpoints / "checkpoint-15")

