"""Training is reproducible on CPU, resumes after SIGKILL with the same result, and the
model dir only ever appears complete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tiny_data import recipe, topic_rows, write_jsonl
from tiny_models import make_tiny_base

from newsdesk_train.cli import main as train_main

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


def test_killed_run_resumes_to_the_same_metrics(setup: tuple[Path, Path, Path]) -> None:
    root, base, data = setup
    straight = recipe(root / "straight.yaml", task="topic", source=data, base=base,
                      output=root / "straight", extra_training=STEPS)
    assert train_main([str(straight)]) == 0

    killed = recipe(root / "killed.yaml", task="topic", source=data, base=base,
                    output=root / "killed", extra_training=STEPS)
    process = subprocess.Popen([sys.executable, "-m", "newsdesk_train.cli", str(killed)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = root / "killed.work" / "checkpoints" / "checkpoint-10"
    deadline = time.monotonic() + 300
    while not (checkpoint / "trainer_state.json").exists():
        assert process.poll() is None, "training ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (root / "killed").exists(), "a killed run must leave no model dir"

    assert train_main([str(killed), "--resume"]) == 0
    assert metrics_of(root / "killed") == metrics_of(root / "straight")


def test_class_weights_train(setup: tuple[Path, Path, Path]) -> None:
    root, base, data = setup
    path = recipe(root / "weighted.yaml", task="topic", source=data, base=base,
                  output=root / "weighted",
                  extra_training="  max_steps: 3\n  class_weights: true")
    assert train_main([str(path)]) == 0
    assert metrics_of(root / "weighted")["test"]["n"] == 10
