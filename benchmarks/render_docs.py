"""Render the figures README.md and docs/*.md quote from benchmarks/results/*.json.

A quoted figure lives in a generated block; only the text between the markers is rewritten:

    <!-- results: topic_bbc -->
    - Topic: the MiniLM topic recipe reaches 96.89% ...
    <!-- /results -->

The block name is the results file's stem (``topic_bbc`` reads ``topic_bbc.json``), with an
optional ``.view`` suffix where one file feeds several blocks (``topic_bbc.windows``). Each
name has one render function in ``BLOCKS``, which gets the parsed JSON and returns the text;
every block says which CPU its figures were measured on (``run.cpu``, written by
``benchlib``), or that the file does not record it.

    .venv/bin/python benchmarks/render_docs.py           # rewrite every block in place
    .venv/bin/python benchmarks/render_docs.py --check   # exit 1, listing stale blocks
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from benchlib import RESULTS, ROOT, cpu_line, table

Data = dict[str, Any]
BLOCK = re.compile(r"^<!-- results: (?P<name>[\w./-]+) -->\n(?P<body>.*?)^<!-- /results -->$",
                   re.DOTALL | re.MULTILINE)
MARKER = re.compile(r"<!-- /?results\b")
BLOCKS: dict[str, Callable[[Data], str]] = {}
TOPIC_GOAL = 0.98  # the project's bar for bbc-news test accuracy
STANCE_GOAL = 0.99  # ... and for stance accuracy over related + hard-negative pairs


def block(name: str) -> Callable[[Callable[[Data], str]], Callable[[Data], str]]:
    """Register the render function of the block ``name``."""
    def register(render: Callable[[Data], str]) -> Callable[[Data], str]:
        BLOCKS[name] = render
        return render
    return register


def doc_files(root: Path = ROOT) -> list[Path]:
    """The files whose blocks are rendered: README.md and docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def results_file(name: str, results: Path = RESULTS) -> Path:
    """``topic_bbc.windows`` -> ``benchmarks/results/topic_bbc.json``; a name may hold a
    folder (``runs/topic_bbc`` -> ``benchmarks/results/runs/topic_bbc.json``)."""
    return results / f"{name.split('.', 1)[0]}.json"


def render_block(name: str, results: Path = RESULTS) -> str:
    """The text of the block ``name``, rendered from its results file (ends with a newline)."""
    if name not in BLOCKS:
        raise KeyError(f"no render function for block {name!r} (known: {', '.join(BLOCKS)})")
    data = json.loads(results_file(name, results).read_text(encoding="utf-8"))
    return BLOCKS[name](data).rstrip("\n") + "\n"


def render_text(text: str, where: str, results: Path = RESULTS) -> str:
    """``text`` with every block's body rendered afresh; ``where`` names the file in errors."""
    def replace(match: re.Match[str]) -> str:
        body = rendered(match, text, where, results)
        return f"<!-- results: {match['name']} -->\n{body}<!-- /results -->"

    check_markers(text, where)
    return BLOCK.sub(replace, text)


def check_markers(text: str, where: str) -> None:
    """Every marker belongs to a well-formed block (each on a line of its own, closed)."""
    spans = [(b.start(), b.end()) for b in BLOCK.finditer(text)]
    for marker in MARKER.finditer(text):
        if not any(start <= marker.start() < end for start, end in spans):
            line = text.count("\n", 0, marker.start()) + 1
            raise ValueError(f"{where}:{line}: a results marker outside a well-formed block "
                             "(markers stand alone on their lines; every block is closed)")


def rendered(match: re.Match[str], text: str, where: str, results: Path) -> str:
    """The fresh body of one matched block; errors name the file and line of the block."""
    try:
        return render_block(match["name"], results)
    except (KeyError, OSError, ValueError, TypeError) as error:
        line = text.count("\n", 0, match.start()) + 1
        raise ValueError(f"{where}:{line}: block {match['name']!r}: {error}") from error


def shown(path: Path) -> str:
    """``path`` relative to the checkout where it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stale_blocks(files: list[Path], results: Path = RESULTS) -> list[str]:
    """``FILE:LINE NAME`` for each block whose text differs from what its results render."""
    stale = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        check_markers(text, shown(path))
        for match in BLOCK.finditer(text):
            if match["body"] != rendered(match, text, shown(path), results):
                line = text.count("\n", 0, match.start()) + 1
                stale.append(f"{shown(path)}:{line} {match['name']}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 listing the stale blocks")
    args = parser.parse_args(argv)
    try:
        return check(doc_files()) if args.check else rewrite(doc_files())
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def check(files: list[Path]) -> int:
    stale = stale_blocks(files)
    for entry in stale:
        print(f"stale: {entry} (run benchmarks/render_docs.py)")
    return 1 if stale else 0


def rewrite(files: list[Path]) -> int:
    for path in files:
        text = path.read_text(encoding="utf-8")
        fresh = render_text(text, shown(path))
        if fresh != text:
            path.write_text(fresh, encoding="utf-8")
            print(f"rewrote {shown(path)}")
    return 0


# --- helpers the render functions share ---------------------------------------------------

def measured_on(data: Data) -> str:
    """Which CPU the figures come from (``run.cpu`` from benchlib), flagged if it was busy."""
    busy = "; busy machine, timings not to be quoted" if data["run"].get("busy") else ""
    return f"measured on {cpu_line(data['run']['cpu'])}{busy}"


def pct(fraction: float) -> str:
    return f"{100 * fraction:.2f}%"


def goal(fraction: float) -> str:
    return f"{100 * fraction:g}%"


def wrap(paragraph: str) -> str:
    """Fill to the docs' line width; a list item's lines continue under its text."""
    indent = "  " if paragraph.startswith("- ") else ""
    return textwrap.fill(paragraph, width=92, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def row(data: Data, key: str, value: str) -> Data:
    """The first row of ``data["rows"]`` whose ``key`` is ``value`` (a clear error if none)."""
    for candidate in data["rows"]:
        if candidate.get(key) == value:
            return candidate
    found = ", ".join(repr(r.get(key)) for r in data["rows"])
    raise KeyError(f"no row with {key} {value!r} (rows: {found})")


def compared(value: float, other: float) -> str:
    return "above" if value > other else "below" if value < other else "level with"


# --- one render function per block ---------------------------------------------------------
# README blocks link to benchmarks/results/...; docs/ blocks to ../benchmarks/results/...

TOPIC_RECIPE = "newsdesk topic-bbc-mpnet-frozen"  # the shipped CPU recipe's test-split row
TOPIC_FINE_TUNED = "newsdesk topic-bbc-minilm"
TOPIC_CV_RECIPE = "recipe:training/configs/topic-bbc-mpnet-frozen.yaml"
TOPIC_CV_FINE_TUNED = "recipe:training/configs/topic-bbc-minilm.yaml"


def versus(entry: Data) -> str:
    """``+0.62 points, paired 95% interval (+0.10, +1.15)`` and whether that is a sure win."""
    low, high = entry["diff_95"]
    verdict = "above zero" if low > 0 else "reaching below zero: not a sure win"
    return (f"{100 * entry['diff_vs_baseline']:+.2f} points, paired 95% interval "
            f"({100 * low:+.2f}, {100 * high:+.2f}), {verdict}")


@block("topic_bbc_cv")
def topic_cv(data: Data) -> str:
    recipe, svm = row(data, "method", TOPIC_CV_RECIPE), row(data, "method", "tfidf-svm")
    tuned = row(data, "method", TOPIC_CV_FINE_TUNED)
    minutes = max(recipe["train_seconds_per_fold"]) / 60
    return wrap(f"- Topic, {data['protocol']} over all {data['n']} bbc-news articles: the "
                f"shipped CPU recipe (frozen mpnet-base embeddings beside TF-IDF, a linear "
                f"head) scores {pct(recipe['accuracy'])}, TF-IDF + LinearSVC "
                f"{pct(svm['accuracy'])} on the same folds: {versus(recipe)}; at most "
                f"{minutes:.1f} minutes a fold (embedding included). The fine-tuned hybrid "
                f"MiniLM recipe scores {pct(tuned['accuracy'])} ({versus(tuned)}) "
                "([results](benchmarks/results/topic_bbc_cv.md); "
                f"{measured_on(data)}).")


@block("topic_bbc")
def topic_summary(data: Data) -> str:
    recipe, svm = row(data, "method", TOPIC_RECIPE), row(data, "method", "TF-IDF + LinearSVC")
    mine, theirs = recipe["accuracy"], svm["accuracy"]
    others = [r for r in data["rows"] if r["method"] == TOPIC_FINE_TUNED]
    fine_tuned = (f"; the fine-tuned hybrid MiniLM {pct(others[0]['accuracy'])}"
                  if others else "")
    return wrap(f"- Topic, the fixed test split ({data['n']} articles, read once): the shipped "
                f"recipe {pct(mine)}, {compared(mine, theirs)} TF-IDF + LinearSVC "
                f"({pct(theirs)}) and {compared(mine, TOPIC_GOAL)} the {goal(TOPIC_GOAL)} the "
                f"project aims for{fine_tuned} ([results](benchmarks/results/topic_bbc.md); "
                f"{measured_on(data)}).")


GENERAL_TOPIC_RECIPE = "newsdesk topic-news-mpnet-frozen"  # the general-news model's row
GENERAL_TOPIC_LOPO = "recipe:training/configs/topic-news-mpnet-frozen.yaml"
#: The same rows of the recipe whose inner CV is grouped by publisher.
XPUB_TOPIC_RECIPE = "newsdesk topic-news-mpnet-frozen-xpub"
XPUB_TOPIC_LOPO = "recipe:training/configs/topic-news-mpnet-frozen-xpub.yaml"
XPUB_NAME = "the general recipe, tuned across publishers"
#: The issue-named fine-tuned recipe (MiniLM fine-tuned, with a TF-IDF head), measured beside.
MINILM_TOPIC_RECIPE = "newsdesk topic-news-minilm"
MINILM_TOPIC_LOPO = "recipe:training/configs/topic-news-minilm.yaml"
MINILM_NAME = "the fine-tuned topic-news-minilm"
FROZEN_KIND = "frozen mpnet-base beside TF-IDF"


def slice_versus(scores: Data, metric: str = "macro_f1") -> str:
    """``+3.10 points, paired 95% interval (-1.20, +7.40), reaching below zero...``."""
    low, high = scores[f"diff_{metric}_95"]
    verdict = ("above zero" if low > 0 else "below zero: worse" if high < 0
               else "across zero: no sure difference")
    return (f"{100 * scores[f'diff_{metric}']:+.2f} points, paired 95% interval "
            f"({100 * low:+.2f}, {100 * high:+.2f}), {verdict}")


def topic_news_line(data: Data, method: str, recipe_name: str, results: str,
                    kind: str = FROZEN_KIND) -> str:
    """A general recipe ``method`` against TF-IDF + LinearSVC on the news-topics test."""
    recipe, svm = row(data, "method", method), row(data, "method", "TF-IDF + LinearSVC")
    mine, theirs = recipe["slices"]["news-sections"], svm["slices"]["news-sections"]
    return wrap(f"- General news topics (news-topics: bbc-news and news-sections under seven "
                f"labels with world news): {recipe_name} ({kind}) scores macro-F1 "
                f"{pct(mine['macro_f1'])} on the {mine['n']} "
                f"news-sections test articles, TF-IDF + LinearSVC {pct(theirs['macro_f1'])}: "
                f"{slice_versus(mine)}; accuracy on all {data['n']} news-topics test articles "
                f"{pct(recipe['accuracy'])} against {pct(svm['accuracy'])}; "
                f"{recipe['train_seconds'] / 60:.1f} minutes to train "
                f"([docs/topics.md](docs/topics.md), "
                f"[results](benchmarks/results/{results}.md); {measured_on(data)}).")


@block("topic_news_sections")
def topic_transfer(data: Data) -> str:
    svm = row(data, "method", "TF-IDF + LinearSVC")
    models = [r for r in data["rows"] if r is not svm]
    parts = [f"{r['method'].removeprefix('newsdesk ')} {pct(r['accuracy'])} accuracy and "
             f"macro-F1 {pct(r['macro_f1'])} on the {r['scored']} it can label "
             f"(accuracy {slice_versus(r['slices']['all'], 'accuracy')})" for r in models]
    return wrap(f"- The bbc-news models on the {data['n']} news-sections test articles, read "
                f"through the BBC label map (no world or health): {'; '.join(parts)}; "
                f"TF-IDF + LinearSVC fitted on news-sections scores {pct(svm['accuracy'])} "
                f"on all of them ([results](../benchmarks/results/topic_news_sections.md); "
                f"{measured_on(data)}).")


def topic_lopo_line(data: Data, method: str, recipe_name: str, results: str,
                    kind: str = FROZEN_KIND) -> str:
    """Leave one publisher out: ``method`` against TF-IDF + LinearSVC per held-out publisher."""
    recipe = row(data, "method", method)
    held = [(p, s) for p, s in recipe["slices"].items() if "diff_macro_f1" in s]
    above = sum(s["diff_macro_f1"] > 0 for _, s in held)
    parts = [f"{p} ({s['n']} articles) macro-F1 {pct(s['macro_f1'])}, "
             f"{slice_versus(s)}" for p, s in held]
    return wrap(f"- Leave one publisher out (fitted on news-topics without it, scored on all "
                f"its articles), {recipe_name} against TF-IDF + LinearSVC: "
                f"{'; '.join(parts)}. Above the baseline's macro-F1 for {above} of "
                f"{len(held)} publishers "
                f"([results](../benchmarks/results/{results}.md); {measured_on(data)}).")


#: The general-news blocks: (block and results name, line, row's method, how it is named).
GENERAL_TOPIC_BLOCKS = [
    ("topic_news_topics", topic_news_line, GENERAL_TOPIC_RECIPE, "the story-grouped recipe"),
    ("topic_news_topics_xpub", topic_news_line, XPUB_TOPIC_RECIPE, XPUB_NAME),
    ("topic_news_lopo", topic_lopo_line, GENERAL_TOPIC_LOPO, "the story-grouped recipe"),
    ("topic_news_lopo_xpub", topic_lopo_line, XPUB_TOPIC_LOPO, XPUB_NAME),
    ("topic_news_topics_minilm", partial(topic_news_line, kind="MiniLM fine-tuned, with a "
                                         "TF-IDF head"), MINILM_TOPIC_RECIPE, MINILM_NAME),
    ("topic_news_lopo_minilm", topic_lopo_line, MINILM_TOPIC_LOPO, MINILM_NAME),
]
for _name, _line, _method, _named in GENERAL_TOPIC_BLOCKS:
    block(_name)(partial(_line, method=_method, recipe_name=_named, results=_name))


#: Minutes a fold may take to train (the topic issue's budget, on the slower CPU kind).
FOLD_BUDGET_MIN = 15


@block("embed_speed")
def embed_speed(data: Data) -> str:
    rows = data["settings"]

    def setting(name: str, words: str) -> str:
        entry = rows[name]
        return (f"{entry['seconds_per_article']:.2f} s an article {words} "
                f"({entry['fold_minutes']:.0f} min for a CV fold's training articles)")

    parts = [setting(n, w) for n, w in (("bf16", "in bf16 on this CPU's AMX"),
                                         ("float32", "in float32, as on a CPU without AMX"),
                                         ("float32, AVX2 only", "with its kernels capped at "
                                          "AVX2, an estimate for AVX2-only CPUs such as the "
                                          "project's AMD EPYC machines")) if n in rows]
    avx2 = rows.get("float32, AVX2 only", rows["float32"])["fold_minutes"]
    verdict = "within" if avx2 <= FOLD_BUDGET_MIN else "over"
    return wrap(f"- Training time of the frozen topic recipe is embedding: {data['encoder']} "
                f"takes {'; '.join(parts)}: by that estimate {verdict} the {FOLD_BUDGET_MIN}-"
                f"minute budget a fold, not measured on an AVX2-only CPU "
                f"([results](benchmarks/results/embed_speed.md); {measured_on(data)}).")


@block("light_install")
def light_install(data: Data) -> str:
    """Size, cold start and label agreement of the light install against the full one."""
    sizes = data["install_mb"]
    parts = []
    for model in data["models"]:
        engines = model["engines"]
        fp32, int8 = engines.get("light onnx fp32", {}), engines.get("light onnx int8", {})
        torch = engines.get("full torch", {})
        facts = [f"labels of the light fp32 export equal to torch's on "
                 f"{pct(fp32['label_agreement_vs_torch'])}"] if fp32.get(
                     "label_agreement_vs_torch") is not None else []
        if int8.get("label_agreement_vs_onnx_fp32") is not None:
            facts.append(f"int8 equal to fp32 on {pct(int8['label_agreement_vs_onnx_fp32'])}")
        if fp32 and torch and model.get("repeats", data["repeats"]) > 1:
            facts.append(f"cold start (process start to first label) {fp32['cold_start_s']:.2f}"
                         f" s against {torch['cold_start_s']:.2f} s, "
                         f"{torch['cold_start_s'] / fp32['cold_start_s']:.1f}x faster")
        parts.append(f"`{Path(model['model']).name}` on the {model['items']:,} "
                     f"{model['data']} {model['split']} items: {', '.join(facts)}")
    return wrap(f"- Measured: the light venv is {sizes['light']} MB against {sizes['full']} MB "
                f"for the full one; {'; '.join(parts)} "
                f"([results](benchmarks/results/light_install.md); {measured_on(data)}).")


RELATED_HARD = "related + hard"
SAME_ENTITY = "same-entity"
STANCE_SLICES = ("all", "related", "hard negatives", "easy negatives", RELATED_HARD)


def cross_encoder_row(data: Data) -> Data:
    """The cross-encoder as trained: the last row that is neither a threshold method nor
    built on the cross-encoder (``kind``: temperature-scaled, fused)."""
    return [r for r in data["rows"] if "threshold" not in r and "kind" not in r][-1]


def slice_cells(entry: Data, slices: list[str]) -> list[str]:
    """``97.17 (65)``: accuracy % (errors) on each slice."""
    return [f"{100 * entry['slices'][s]['accuracy']:.2f} ({entry['slices'][s]['errors']})"
            for s in slices]


def rows_of_kind(data: Data, kind: str) -> list[Data]:
    return [r for r in data["rows"] if r.get("kind") == kind]


@block("stance_headlines")
def stance_summary(data: Data) -> str:
    model, baseline = cross_encoder_row(data), data["rows"][0]
    mine, theirs = (r["slices"][RELATED_HARD]["accuracy"] for r in (model, baseline))
    fused = "".join(f"; fused with the TF-IDF and bi-encoder cosines by a logistic regression "
                    f"fitted on validation, {pct(r['slices'][RELATED_HARD]['accuracy'])}"
                    for r in rows_of_kind(data, "fused"))
    return wrap(f"- Stance: the MiniLM cross-encoder reaches {pct(mine)} on related "
                f"+ hard-negative headline pairs, {compared(mine, theirs)} the TF-IDF cosine "
                f"baseline ({pct(theirs)}) and {compared(mine, STANCE_GOAL)} the "
                f"{goal(STANCE_GOAL)} aimed for{fused} ([docs/stance.md](docs/stance.md), "
                f"[results](benchmarks/results/stance_headlines.md); {measured_on(data)}).")


@block("stance_headlines.baseline")
def stance_baseline(data: Data) -> str:
    baseline = data["rows"][0]
    acc = {name: pct(s["accuracy"]) for name, s in baseline["slices"].items()}
    return wrap(f"The baseline on the test split ({baseline['slices']['all']['n']:,} pairs): "
                f"{acc['all']} overall, {acc['related']} on related pairs, "
                f"{acc['hard negatives']} on hard negatives, {acc['easy negatives']} on easy "
                f"negatives, {acc[RELATED_HARD]} on related + hard together"
                f"{same_entity_clause(baseline)} (cosine threshold "
                f"{baseline['threshold']:.4f}; fitting and tuning take "
                f"{baseline['train_seconds']:.1f} s; {measured_on(data)}).")


def same_entity_clause(entry: Data) -> str:
    """``, X% on the N same-entity pairs`` where a results file has that slice (from
    headline-stance version 2 on), else nothing."""
    if SAME_ENTITY not in entry["slices"]:
        return ""
    scores = entry["slices"][SAME_ENTITY]
    return f", {pct(scores['accuracy'])} on the {scores['n']:,} same-entity pairs"


@block("stance_headlines.table")
def stance_table(data: Data, recipe: str = "stance-headlines-minilm") -> str:
    """The threshold baselines, the model, and the rows built on it (temperature-scaled,
    fused) per slice, accuracy (errors), and the 99% bar in errors; the same-entity slice,
    ECE and paired differences to the baseline where the results file has them."""
    model = cross_encoder_row(data)
    slices = [*STANCE_SLICES, *([SAME_ENTITY] if SAME_ENTITY in model["slices"] else [])]
    calibrated = any(r.get("ece") is not None for r in data["rows"])
    baselines = [r for r in data["rows"] if "threshold" in r]
    built_on = [(r, f"{recipe} + temperature {r['temperature']:.3g} (fit on validation)")
                for r in rows_of_kind(data, "temperature-scaled")]
    built_on += [(r, r["method"]) for r in rows_of_kind(data, "fused")]
    shown = [*((b, b["method"]) for b in baselines),
             (model, f"{recipe} (first {model.get('max_length')} tokens)"), *built_on]
    lines = table(["method", *slices, *(["ECE"] if calibrated else [])], [
        [label, *slice_cells(entry, slices), *(
            ["" if entry.get("ece") is None else f"{entry['ece']:.4f}"] if calibrated else [])]
        for entry, label in shown])
    hard, training = model["slices"][RELATED_HARD], model["training"]
    allowed = int(hard["n"] * (1 - STANCE_GOAL) + 1e-9)
    columns = (" all: related + hard + easy; same-entity: other stories on the headline's "
               "subject; ECE: expected calibration error on the test split, 15 bins."
               if SAME_ENTITY in slices else "")
    fused = "".join(f" The fused method makes {r['slices'][RELATED_HARD]['errors']}."
                    for r in rows_of_kind(data, "fused"))
    lines += ["", wrap(f"Accuracy % (errors).{columns} {goal(STANCE_GOAL)} on related + hard "
                       f"allows {allowed} errors of {hard['n']:,}; this model makes "
                       f"{hard['errors']}.{fused} Training {training['train_runtime_s'] / 60:.1f} "
                       f"min ({training['global_steps']} steps), {model['test_pairs_per_s']} "
                       f"test pairs/s ({measured_on(data)}).")]
    return "\n".join(lines + stance_differences(shown[1:], slices, data["rows"][0]["method"]))


def stance_differences(shown: list[tuple[Data, str]], slices: list[str],
                       baseline: str) -> list[str]:
    """Each shown row's accuracy minus the baseline's per slice, with the paired 95%
    interval, where the results file has them (nothing otherwise)."""
    compared_rows = [(r, label) for r, label in shown
                     if all("diff_95" in r["slices"][s] for s in slices)]
    if not compared_rows:
        return []
    def cell(scores: Data) -> str:
        low, high = scores["diff_95"]
        return f"{100 * scores['diff_vs_baseline']:+.2f} [{100 * low:+.2f}, {100 * high:+.2f}]"

    return ["", f"Accuracy minus {baseline}, in points [paired 95% bootstrap interval]:", "",
            *table(["method", *slices], [[label, *(cell(entry["slices"][s]) for s in slices)]
                                         for entry, label in compared_rows])]


@block("stance_headlines_baselines")
def stance_baselines_table(data: Data) -> str:
    """The untrained methods (``--baseline-only``) per slice, the same-entity slice included."""
    slices = [*STANCE_SLICES, SAME_ENTITY]
    lines = table(["method", *slices, "threshold"], [
        [entry["method"], *slice_cells(entry, slices), f"{entry['threshold']:.4f}"]
        for entry in data["rows"]])
    same = data["rows"][0]["slices"][SAME_ENTITY]["n"]
    return "\n".join([*lines, "", wrap(
        f"Accuracy % (errors) on the test split; same-entity: {same} pairs. Nothing is "
        "trained; each threshold is tuned on the related, hard and easy validation pairs "
        f"({measured_on(data)}).")])


def lsum(entry: Data) -> float:
    return 100 * entry["metrics"]["rougeLsum"]["mean"]


@block("summary_news")
def summary_extractive(data: Data) -> str:
    lead1 = row(data, "label", "Lead-1, cleaned")
    best = max((r for r in data["rows"] if r["label"].endswith("tuned")), key=lsum)
    gain = best["lsum_minus_lead1"]
    return wrap(f"- Summaries: the best tuned extractive method ({best['label']}) scores "
                f"ROUGE-Lsum {lsum(best):.1f} against cleaned Lead-1's {lsum(lead1):.1f} on "
                f"the {data['test_articles']} standfirst test articles "
                f"({100 * gain['mean']:+.1f} [{100 * gain['low']:+.1f}, "
                f"{100 * gain['high']:+.1f}] paired){extractor_clause(data)}; "
                f"[docs/summaries.md](docs/summaries.md); {measured_on(data)}).")


def extractor_clause(data: Data) -> str:
    """The fine-tuned extractor trained on every publisher against the best unsupervised
    method (chosen on validation), where the run has one."""
    full = [r for r in data["rows"]
            if r["label"].startswith("extractor, ") and "trained without" not in r["label"]]
    if not full:
        return ""
    extractor, diff = full[0], full[0]["lsum_minus_best_unsupervised"]
    verdict = ("above zero" if diff["low"] > 0 else "below zero: worse" if diff["high"] < 0
               else "across zero: not a sure win")
    return (f"; the fine-tuned extractor ({extractor['label'].split(', ', 1)[1]}) "
            f"{lsum(extractor):.1f}, {100 * diff['mean']:+.1f} [{100 * diff['low']:+.1f}, "
            f"{100 * diff['high']:+.1f}] against {data['best_unsupervised']} (paired, "
            f"{verdict}), {extractor['articles_per_second']:.0f} articles/s")


@block("summary_news.table")
def summary_table(data: Data) -> str:
    """The results file's own tables: every method, then ROUGE-Lsum by publisher."""
    from summary_news import results_table, source_table

    return "\n".join([*results_table(data), "", f"ROUGE-Lsum by publisher "
                      f"({data['test_articles']} test articles; {measured_on(data)}):", "",
                      *source_table(data)])


def speed_row(data: Data, workload: str, engine: str) -> Data:
    for candidate in data["rows"]:
        if (candidate["workload"], candidate["engine"]) == (workload, engine):
            return candidate
    raise KeyError(f"no row for {workload} / {engine}")


def best_fp32_peer(data: Data, workload: str) -> Data:
    """The fastest fp32 engine that is not newsdesk's: the pipeline (sorted or not) or
    Optimum fp32."""
    peers = [r for r in data["rows"] if r["workload"] == workload
             and not r["engine"].startswith("newsdesk") and r["peak"] == "fp32"]
    return max(peers, key=lambda r: r["docs_per_s"])


@block("inference_speed")
def speed_summary(data: Data) -> str:
    int8 = speed_row(data, "mixed feed", "newsdesk onnx int8")
    peer = best_fp32_peer(data, "mixed feed")
    optimum = [r for r in data["rows"] if r["workload"] == "mixed feed"
               and r["engine"] == "optimum ort int8"]
    versus_optimum = (f", {int8['docs_per_s'] / optimum[0]['docs_per_s']:.2f}x Optimum's "
                      "ONNX Runtime int8" if optimum else "")
    return wrap(f"- Speed: ONNX int8 labels {int8['docs_per_s']:.1f} docs/s of a mixed news "
                f"feed, {int8['x_pipeline']:.2f}x `transformers.pipeline` as called, "
                f"{int8['docs_per_s'] / peer['docs_per_s']:.2f}x the fastest fp32 peer "
                f"({peer['engine']}){versus_optimum} "
                f"([results](benchmarks/results/inference_speed.md); {measured_on(data)}).")


@block("inference_speed.table")
def speed_table(data: Data) -> str:
    """The results file's own table, under what it measured."""
    from inference_speed import speed_table as rows

    docs = {r["workload"]: r["docs"] for r in data["rows"]}
    optimum = data["optimum"]
    missing = "" if optimum["ran"] else f" Optimum did not run: {optimum['why']}."
    intro = (f"Model `{data['model']}`, {docs['bbc-news']} bbc-news test articles and a "
             f"{docs['mixed feed']:,}-item mixed feed, {data['threads']} threads, every "
             f"engine reading the first {data['max_length']} tokens in batches of 32; median "
             f"of {data['repeats']} interleaved passes after a warm-up; {measured_on(data)}."
             f"{missing} \"labels = torch\": share of labels equal to newsdesk torch's; int8 "
             "rows are measured against the int8 peak, fp32 rows against the fp32 peak:")
    return "\n".join([wrap(intro), "", *rows(data)])


@block("train_step_speed")
def train_step_table(data: Data) -> str:
    """The results file's own table, under what it measured."""
    from train_step_speed import step_table

    return "\n".join([wrap(f"Seconds per training step, median [min, max], batch {data['batch']} "
                           "(`benchmarks/train_step_speed.py`, [results](benchmarks/results/"
                           f"train_step_speed.md); {measured_on(data)}):"), "",
                      *step_table(data)])


@block("train_step_speed.bert2bert")
def bert2bert_steps(data: Data) -> str:
    steps = [r for r in data["rows"] if r["workload"].startswith("MiniLM bert2bert")]
    default, no_dropout, bf16 = (r["seconds"]["median"] for r in steps)
    return wrap(f"`benchmarks/train_step_speed.py` ({steps[0]['workload']}, batch "
                f"{data['batch']}; {measured_on(data)}): {default:.2f} s a step with the default "
                f"attention dropout, {no_dropout:.2f} s with `--set model.attention_dropout=0.0`, "
                f"{bf16:.2f} s adding `--set training.precision=bf16`. At {bf16:.2f} s the 1,500 "
                f"steps take about {1500 * bf16 / 60:.0f} minutes on that CPU.")


@block("scaling")
def scaling_tables(data: Data) -> str:
    """The training and prediction tables of benchmarks/results/scaling.md, as rendered there."""
    from scaling import render

    return "\n".join([*render(data), "", f"These figures were {measured_on(data)}."])


@block("predict_memory")
def predict_memory(data: Data) -> str:
    rss = data["rss"]
    at = rss["rss_at_articles_mib"]
    first = str(rss["warmup_articles"])
    model = Path(data["model"]).name if data.get("model") else "the tiny random model"
    return wrap(f"{data['articles']:,} articles ({data['input_mib']:.0f} MiB of JSONL) streamed "
                f"through `newsdesk predict` with {model}, {data['chunk_size']} "
                f"records a chunk: RSS {rss['start_mib']:.0f} MiB with the model loaded, "
                f"{at.get(first, rss['start_mib']):.0f} MiB after the first {int(first):,} "
                f"articles and {rss['end_mib']:.0f} MiB at the end (peak "
                f"{rss['peak_mib']:.0f} MiB), a slope of "
                f"{rss['second_half_slope_mib_per_1000_articles']:.1f} MiB per 1,000 "
                "articles over the second half. Reading the whole file at once would add "
                f"{data['read_whole_file_mib']:.0f} MiB ({measured_on(data)}).")


if __name__ == "__main__":
    sys.exit(main())
