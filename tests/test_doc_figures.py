"""README and docs figures cannot drift from benchmarks/results/.

Every figure quoted from a benchmark lives in a ``<!-- results: NAME.VIEW -->`` block that
``benchmarks/render_docs.py`` copies from the section ``VIEW`` of benchmarks/results/NAME.md,
which the benchmark script renders from NAME.json (tests/test_benchmark_render.py); these
tests fail when a block differs from its section, and when the README quotes a result-like
figure outside a block.
"""

from __future__ import annotations

import doctest
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from benchlib import script_of
from quotes import measured_on, quoted

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
#: Percentages, rates, speed-ups and durations: what a benchmark result looks like in prose.
RESULT_LIKE = re.compile(r"\d[\d,.]*\s?(?:%|docs/s|x pipeline|x\b|s\b|seconds|minutes|min\b)")
#: Numbers in the README that are no benchmark figure (whole phrases, so nothing else hides).
NOT_RESULTS = ("the chipmaker rose 12%",)


@pytest.fixture(scope="module")
def render_docs() -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "benchmarks"))  # render_docs imports benchlib
        yield importlib.import_module("render_docs")


def stray_figures(text: str, blocks: re.Pattern[str]) -> list[str]:
    """Result-like figures outside generated blocks, allowed phrases removed: ``LINE: text``."""
    outside = blocks.sub(lambda m: "\n" * m[0].count("\n"), text)
    for phrase in NOT_RESULTS:
        outside = outside.replace(phrase, "")
    return [f"{number}: {line.strip()}" for number, line in enumerate(outside.splitlines(), 1)
            if RESULT_LIKE.search(line)]


def test_every_block_matches_its_results_file(render_docs: ModuleType) -> None:
    assert render_docs.stale_blocks(render_docs.doc_files()) == []


def test_quotes_doctests() -> None:
    import quotes

    assert doctest.testmod(quotes).failed == 0


def test_every_block_names_its_cpu(render_docs: ModuleType) -> None:
    blocks = 0
    for path in render_docs.doc_files():
        for match in render_docs.BLOCK.finditer(path.read_text(encoding="utf-8")):
            blocks += 1
            results = render_docs.source(match["name"])[0].with_suffix(".json")
            data = json.loads(results.read_text(encoding="utf-8"))
            assert " ".join(measured_on(data).split()) in " ".join(
                match["body"].split()), f"{path.name}: {match['name']} names no CPU"
    assert blocks


def test_a_block_holds_its_section_of_the_results_markdown_verbatim(
        render_docs: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "speed.md").write_text("# Speed\n\nnot quoted\n<!-- quote: main -->\n- 3.2 "
                                       "docs/s\n<!-- /quote -->\n\n<!-- quote: table -->\n"
                                       "| a |\n|---|\n<!-- /quote -->\n")
    assert render_docs.render_block("speed", tmp_path) == "- 3.2 docs/s\n"
    assert render_docs.render_block("speed.table", tmp_path) == "| a |\n|---|\n"
    readme = README.read_text(encoding="utf-8")
    block = next(m for m in render_docs.BLOCK.finditer(readme) if m["name"] == "topic_bbc")
    section = quoted((RESULTS / "topic_bbc.md").read_text(encoding="utf-8"), "main")
    assert block["body"] == section


def test_a_missing_section_is_an_error_naming_the_doc_line_and_the_results_file(
        render_docs: ModuleType, tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("A\n\n<!-- results: topic_bbc.no_such_view -->\n<!-- /results -->\n")
    with pytest.raises(ValueError, match=r"doc.md:3: block 'topic_bbc.no_such_view': "
                       r"benchmarks/results/topic_bbc.md: no section 'no_such_view' "
                       r"\(sections: main\)"):
        render_docs.stale_blocks([doc])


def test_readme_quotes_no_result_outside_a_block(render_docs: ModuleType) -> None:
    text = README.read_text(encoding="utf-8")
    assert render_docs.BLOCK.search(text)
    assert stray_figures(text, render_docs.BLOCK) == []
    assert all(phrase in text for phrase in NOT_RESULTS)  # the allow-list cannot rot


def test_scan_catches_a_figure_typed_outside_a_block(render_docs: ModuleType) -> None:
    text = README.read_text(encoding="utf-8")
    typed = text.replace("## Benchmarks", "ONNX int8 runs 4.5x the pipeline, 97.6% accurate, "
                         "at 122 docs/s; a step takes 4.22 s.\n\n## Benchmarks")
    assert len(stray_figures(typed, render_docs.BLOCK)) == 1
    assert stray_figures(typed.replace("4.5x", "x").replace("97.6%", "").replace(
        "122 docs/s", "").replace("4.22 s", ""), render_docs.BLOCK) == []


def test_check_lists_a_stale_block_and_rewrite_fixes_it(render_docs: ModuleType,
                                                        tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    fresh = render_docs.render_block("topic_bbc")
    page = "Intro.\n\n<!-- results: topic_bbc -->\n{}<!-- /results -->\n\nEnd.\n"
    stale = re.sub(r"\d+\.\d+%", "99.99%", fresh, count=1)
    assert stale != fresh
    doc.write_text(page.format(stale), encoding="utf-8")
    assert render_docs.stale_blocks([doc]) == [f"{doc}:3 topic_bbc"]
    assert render_docs.rewrite([doc]) == 0
    assert render_docs.stale_blocks([doc]) == []
    assert doc.read_text() == page.format(fresh)


def test_a_block_follows_its_results_file(render_docs: ModuleType, tmp_path: Path) -> None:
    data = json.loads((RESULTS / "train_step_speed.json").read_text())
    data["rows"][0]["seconds"]["median"] = 99.5
    data["run"] = {**data["run"], "cpu": {"model": "Test CPU", "cores": 4, "isa": ["avx2"]},
                   "busy": True}
    (tmp_path / "train_step_speed.md").write_text(
        "\n".join(script_of(data).render(data, "train_step_speed")) + "\n")
    text = render_docs.render_block("train_step_speed", tmp_path)
    assert "| 99.50 [" in text
    assert "measured on Test CPU, 4 cores, ISA: avx2; busy machine" in " ".join(text.split())
    assert "measured on Intel" in render_docs.render_block("train_step_speed")


def test_stance_sections_add_the_bi_encoder_same_entity_and_ece_when_present() -> None:
    data = json.loads((RESULTS / "stance_headlines.json").read_text())
    stance = script_of(data)
    baseline, model = data["rows"][0], stance.cross_encoder_row(data)
    for row in (baseline, model):  # a results file from before headline-stance version 2
        row["slices"].pop("same-entity", None)
        row.pop("ece", None)
    data["rows"] = [baseline, model]
    old_table = stance.quoted_table(data, "stance_headlines")
    assert "same-entity" not in old_table and "ECE" not in old_table
    same_entity = {"n": 372, "accuracy": 0.25, "errors": 279}
    bi_encoder = {**baseline, "method": "MiniLM bi-encoder cosine (zero-shot)",
                  "slices": {**baseline["slices"], "same-entity": same_entity}, "ece": None}
    baseline["slices"]["same-entity"] = same_entity
    model["slices"]["same-entity"] = {"n": 372, "accuracy": 0.5, "errors": 186}
    model["ece"] = 0.0312
    data["rows"] = [baseline, bi_encoder, model]
    table = stance.quoted_table(data, "stance_headlines").splitlines()
    assert table[0].endswith("| related + hard | same-entity | ECE |")
    assert [line.split(" | ")[0] for line in table[2:5]] == [
        f"| {baseline['method']}", "| MiniLM bi-encoder cosine (zero-shot)",
        "| stance-headlines-minilm (first 192 tokens)"]
    assert table[2].endswith("| 25.00 (279) |  |") and table[4].endswith("| 50.00 (186) | 0.0312 |")
    text = stance.baseline_line(data, "stance_headlines")
    assert "25.00% on the 372 same-entity pairs" in " ".join(text.split())


def test_stance_sections_list_the_temperature_and_fused_rows_after_the_model() -> None:
    data = json.loads((RESULTS / "stance_headlines.json").read_text())
    stance = script_of(data)
    baseline, model = data["rows"][0], stance.cross_encoder_row(data)

    def versus(row: dict, diff: float) -> dict:
        return {**row, "slices": {name: {**entry, "diff_vs_baseline": diff,
                                         "diff_95": [diff - 0.01, diff + 0.01]}
                                  for name, entry in row["slices"].items()}}

    scaled = {**versus(model, 0.003), "method": "scaled", "kind": "temperature-scaled",
              "temperature": 1.834, "ece": 0.0101}
    fused = {**versus(model, 0.02), "method": "Fused (logistic regression fit on validation): "
             "a + b", "kind": "fused", "ece": 0.0088}
    fused["slices"]["related + hard"] = {**fused["slices"]["related + hard"], "errors": 20,
                                         "accuracy": 0.9913}
    data["rows"] = [baseline, versus(model, 0.003), scaled, fused]
    table = stance.quoted_table(data, "stance_headlines")
    lines = table.splitlines()
    assert [line.split(" | ")[0] for line in lines[2:6]] == [
        f"| {baseline['method']}", "| stance-headlines-minilm (first 192 tokens)",
        "| stance-headlines-minilm + temperature 1.83 (fit on validation)",
        f"| {fused['method']}"]
    assert "this model makes 65. The fused method makes 20." in " ".join(table.split())
    assert "Accuracy minus TF-IDF cosine" in table
    assert f"| {fused['method']} | +2.00 [+1.00, +3.00] |" in table
    summary = stance.summary(data, "stance_headlines")
    assert "reaches 97.17% on related + hard-negative" in " ".join(summary.split())
    assert "logistic regression fitted on validation, 99.13%" in " ".join(summary.split())


def test_bad_markers_and_unknown_names_are_errors_naming_the_line(render_docs: ModuleType,
                                                                  tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text("A\n<!-- results: no_such_results -->\n<!-- /results -->\n")
    with pytest.raises(ValueError, match=r"doc.md:2: block 'no_such_results'"):
        render_docs.stale_blocks([doc])
    doc.write_text("A\n\nB\n<!-- results: topic_bbc -->\nnever closed\n")
    with pytest.raises(ValueError, match=r"doc.md:4: a results marker outside"):
        render_docs.rewrite([doc])


def test_check_mode_exits_non_zero_on_a_stale_readme(render_docs: ModuleType,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    copy.write_text(re.sub(r"\d+\.\d+%", "0.01%", README.read_text(encoding="utf-8"), count=1))
    monkeypatch.setattr(render_docs, "doc_files", lambda: [copy])
    assert render_docs.main(["--check"]) == 1
    assert "stale: " in capsys.readouterr().out and copy.read_text() != README.read_text()
    assert render_docs.main([]) == 0
    assert copy.read_text() == README.read_text()


#: What every results file must say about how it was made (benchlib's ``run`` section).
PROVENANCE = ("command", "commit", "dirty", "cpu", "libraries", "load_before", "load_after",
              "busy")


def test_every_results_file_records_command_commit_cpu_and_load() -> None:
    files = sorted((ROOT / "benchmarks" / "results").rglob("*.json"))
    assert files
    lacking = {}
    for path in files:
        run = json.loads(path.read_text(encoding="utf-8")).get("run") or {}
        missing = [key for key in PROVENANCE if key not in run]
        if not missing and not {"model", "cores", "isa"} <= set(run["cpu"]):
            missing = ["cpu.model/cores/isa"]
        if missing:
            lacking[str(path.relative_to(ROOT))] = missing
    assert not lacking, f"results files without provenance: {lacking}"
