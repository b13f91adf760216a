"""Every committed benchmarks/results/NAME.md is what its script renders today from NAME.json.

The script is the one the JSON's ``run.command`` names; its ``render(report)`` gives the body
and its ``TITLE`` (or ``title(report)``) the heading, as ``benchlib.write_results`` writes
them. The provenance header is ``benchlib.provenance_markdown`` of the JSON's run block: byte
for byte for files written since the header names steal time; older files (an earlier
header) must still agree on the command, commit, CPU and start lines.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: Header lines every results file has rendered the same way since benchlib began.
STABLE_HEADER = ("- command:", "- commit:", "- CPU:", "- started ")


def script(data: dict[str, Any]) -> ModuleType:
    """The benchmark module that wrote ``data`` (the ``benchmarks/X.py`` of its command)."""
    name = next(Path(word).stem for word in data["run"]["command"].split()
                if word.startswith("benchmarks/") and word.endswith(".py"))
    return importlib.import_module(name)


def parts(markdown: str) -> tuple[str, list[str], str]:
    """(heading line, provenance header lines, body) of a results Markdown file."""
    lines = markdown.split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith("- started ")) + 2
    return lines[0], lines[2:end], "\n".join(lines[end:])


def as_written(run: dict[str, Any]) -> dict[str, Any]:
    """The run block as ``write_results`` held it when rendering (loads as tuples)."""
    return {**run, **{key: tuple(run[key]) for key in ("load_before", "load_after")}}


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_committed_markdown_is_what_the_script_renders_from_the_json(path: Path) -> None:
    import benchlib

    data = json.loads(path.read_text(encoding="utf-8"))
    module = script(data)
    heading, header, body = parts(path.with_suffix(".md").read_text(encoding="utf-8"))
    assert body == "\n".join(module.render(data)) + "\n"
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
    body = parts(path.with_suffix(".md").read_text(encoding="utf-8"))[2]
    data["rows"][0]["seconds"]["median"] += 1.0
    assert "\n".join(script(data).render(data)) + "\n" != body
