"""Every committed benchmarks/results/NAME.md is what its script renders today from NAME.json.

The script is the one the JSON's ``run.command`` names; its ``render(report, NAME)`` gives the
body (with the sections README.md and docs/*.md quote) and its ``TITLE`` (or ``title(report)``)
the heading, as ``benchlib.write_results`` writes them. The provenance header is
``benchlib.provenance_markdown`` of the JSON's run block: byte for byte for files written
since the header names steal time; older files (an earlier header) must still agree on the
command, commit, CPU and start lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchlib import rendered_body, script_of, split_markdown

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: Header lines every results file has rendered the same way since benchlib began.
STABLE_HEADER = ("- command:", "- commit:", "- CPU:", "- started ")


def as_written(run: dict[str, Any]) -> dict[str, Any]:
    """The run block as ``write_results`` held it when rendering (loads as tuples)."""
    return {**run, **{key: tuple(run[key]) for key in ("load_before", "load_after")}}


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_committed_markdown_is_what_the_script_renders_from_the_json(path: Path) -> None:
    import benchlib

    data = json.loads(path.read_text(encoding="utf-8"))
    module = script_of(data)
    head, body = split_markdown(path.with_suffix(".md").read_text(encoding="utf-8"))
    assert body == rendered_body(path)
    heading, _, *header = head.split("\n")
    title = module.title(data) if hasattr(module, "title") else module.TITLE
    assert heading == f"# {title}"
    fresh = benchlib.provenance_markdown(as_written(data["run"]))
    if data["run"].get("steal_cores") is not None:
        assert header == fresh
    else:
        assert [line for line in header if line.startswith(STABLE_HEADER)] == [
            line for line in fresh if line.startswith(STABLE_HEADER)]


def test_a_changed_figure_changes_the_rendered_body() -> None:
    path = RESULTS / "train_step_speed.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    body = split_markdown(path.with_suffix(".md").read_text(encoding="utf-8"))[1]
    data["rows"][0]["seconds"]["median"] += 1.0
    assert "\n".join(script_of(data).render(data, path.stem)) + "\n" != body
