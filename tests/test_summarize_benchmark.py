"""benchmarks/summary_news.py runs end to end on a few real articles (no tuning, no MiniLM)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "summary_news.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("summary_news", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_benchmark_writes_json_and_markdown(bench: ModuleType, tmp_path: Path) -> None:
    code = bench.main(["--limit", "6", "--skip-tuning", "--methods", "lead,textrank",
                       "--out", str(tmp_path)])
    assert code == 0
    result = json.loads((tmp_path / "summary_news.json").read_text())
    labels = [row["label"] for row in result["rows"]]
    assert labels == ["Lead-1, raw text", "Lead-1, cleaned", "Lead-2, cleaned",
                      "lead, tuned", "textrank, tuned"]
    assert all(row["within_budget"] for row in result["rows"])
    assert result["rows"][1]["lsum_minus_lead1"]["mean"] == 0.0
    assert "| textrank, tuned |" in (tmp_path / "summary_news.md").read_text()


def test_tuning_picks_the_best_validation_setting(bench: ModuleType) -> None:
    split = bench.load_split("validation", limit=6)
    tuned = bench.tune(split, ["lead"], encoder=None)["lead"]
    assert len(tuned["grid"]) == len(bench.GRID["lead"]["k"]) * len(bench.BUDGETS)
    assert tuned["validation_rougeLsum"] == max(t["rougeLsum"] for t in tuned["grid"])


def test_model_option_goes_to_from_pretrained(bench: ModuleType, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(["--limit", "2", "--skip-tuning", "--methods", "lead",
                       "--model", str(tmp_path / "model"), "--out", str(tmp_path)])
    assert code == 2 and "no such model directory" in capsys.readouterr().err
