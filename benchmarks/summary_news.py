"""Summaries on the news-articles standfirst test split: Lead-k, TextRank, centroid (+ model).

Every newsdesk method reads the same cleaned sentence stream (datelines, bylines, captions
and promos removed; ``newsdesk.summarize.article_sentences``). Rows:

- Lead-1 on the raw text (pysbd, no cleaning): what cleaning buys;
- Lead-1 and Lead-2 on the cleaned sentences (the classic baselines, 100-word cap);
- lead, textrank and centroid with the settings chosen on the *validation* split: a grid
  over k, window, position bias and the word budget, best mean ROUGE-Lsum wins;
- with ``--model DIR``, a trained abstractive summarizer (``Summarizer.from_pretrained``).

Each row: ROUGE-1/2/Lsum F1 with bootstrap 95% intervals, mean words, novel bigrams and
articles per second (one ``summarize`` call over the split, models loaded beforehand).
Results go to benchmarks/results/summary_news.{json,md}.

    .venv/bin/python benchmarks/summary_news.py
    .venv/bin/python benchmarks/summary_news.py --model models/summary-news
    .venv/bin/python benchmarks/summary_news.py --limit 20 --skip-tuning --methods lead
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.data import load
from newsdesk.errors import NewsdeskError
from newsdesk.metrics.summary import paired_difference, rouge_scores, score_summaries
from newsdesk.summarize import Summarizer, article_sentences, split_sentences
from newsdesk.summarize.budget import select
from newsdesk.summarize.extractive import make_method
from newsdesk.summarize.ranking import centroid_order, textrank_order

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
METHODS = ("lead", "textrank", "centroid")
BASELINE_WORDS = 100
GRID = {
    "lead": {"k": (1, 2, 3, 4)},
    "textrank": {"k": (1, 2, 3, 4), "window": (5, 10, 15), "position_bias": (0.0, 1.0, 2.0)},
    "centroid": {"k": (1, 2, 3, 4), "window": (5, 10, 15), "position_bias": (0.0, 0.5, 1.0)},
}
BUDGETS = (25, 30, 40, 50, 60)


@dataclass
class Split:
    """The articles of one split that have a standfirst."""

    name: str
    texts: list[str]
    references: list[str]
    sources: list[str]


def load_split(name: str, limit: int | None = None) -> Split:
    records = [r for r in load("news-articles", split=name) if r.summary][:limit]
    return Split(name, [r.text for r in records], [str(r.summary) for r in records],
                 [str(r.meta.get("source", "?")) for r in records])


# ---------------------------------------------------------------- tuning on validation


@dataclass
class Tuner:
    """Scores settings on validation, reusing sentences, embeddings and ROUGE per pair."""

    split: Split
    sentences: list[list[str]]
    encoder: Any = None
    vectors: list[np.ndarray] = field(default_factory=list)
    cache: dict[tuple[str, str], float] = field(default_factory=dict)

    def lsum(self, predictions: Sequence[str]) -> float:
        pairs = list(zip(predictions, self.split.references))
        todo = [p for p in dict.fromkeys(pairs) if p not in self.cache]
        if todo:
            scores = rouge_scores([p for p, _ in todo], [r for _, r in todo])
            self.cache.update({pair: s["rougeLsum"] for pair, s in zip(todo, scores)})
        return float(np.mean([self.cache[pair] for pair in pairs]))

    def orders(self, method: str, window: int, bias: float) -> list[list[int]]:
        if method == "lead":
            return [list(range(len(s))) for s in self.sentences]
        if method == "textrank":
            return [textrank_order(s[:window], position_bias=bias) for s in self.sentences]
        return [centroid_order(v[:window], position_bias=bias, redundancy=0.8)
                for v in self.embeddings()]

    def embeddings(self) -> list[np.ndarray]:
        if not self.vectors:
            flat = [s for sentences in self.sentences for s in sentences]
            matrix, start = self.encoder.encode(flat), 0
            for sentences in self.sentences:
                self.vectors.append(matrix[start:start + len(sentences)])
                start += len(sentences)
        return self.vectors


def tune(split: Split, methods: Iterable[str], encoder: Any) -> dict[str, Any]:
    """The best validation settings per method, and every setting's ROUGE-Lsum."""
    longest = max(GRID["textrank"]["window"] + GRID["centroid"]["window"])
    tuner = Tuner(split, [article_sentences(t, limit=longest) for t in split.texts], encoder)
    return {method: tune_method(tuner, method) for method in methods}


def tune_method(tuner: Tuner, method: str) -> dict[str, Any]:
    grid = GRID[method]
    tried = []
    for window, bias in itertools.product(grid.get("window", (None,)),
                                          grid.get("position_bias", (0.0,))):
        orders = tuner.orders(method, window or 0, bias)
        for k, budget in itertools.product(grid["k"], BUDGETS):
            options = {"k": k, **({"window": window, "position_bias": bias} if window else {})}
            predictions = [_pick(s, o, method, k, window, budget)
                           for s, o in zip(tuner.sentences, orders)]
            tried.append({"options": options, "max_words": budget,
                          "rougeLsum": tuner.lsum(predictions)})
    best = max(tried, key=lambda t: t["rougeLsum"])  # first of equals: the smaller setting
    return {"options": best["options"], "max_words": best["max_words"],
            "validation_rougeLsum": best["rougeLsum"], "grid": tried}


def _pick(sentences: list[str], order: list[int], method: str, k: int, window: int | None,
          budget: int) -> str:
    if method == "lead":
        return select(sentences, range(len(sentences)), k=k, max_words=budget,
                      contiguous=True)
    return select(sentences[:window], order, k=k, max_words=budget)


# ---------------------------------------------------------------- the test run


class RawLead:
    """Lead-1 without cleaning: pysbd's first sentence of the raw text (a baseline only)."""

    name = "lead-raw"

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        return [select(s, range(len(s)), k=1, max_words=max_words, contiguous=True)
                for s in (split_sentences(t[:2000]) for t in texts)]


def contenders(tuned: dict[str, Any], methods: Sequence[str], encoder: Any,
               model: str | None) -> list[tuple[str, Summarizer, int | None]]:
    """(label, summarizer, max_words) for every row of the table."""
    rows: list[tuple[str, Summarizer, int | None]] = []
    if "lead" in methods:
        rows += [("Lead-1, raw text", Summarizer(RawLead()), BASELINE_WORDS),
                 ("Lead-1, cleaned", Summarizer.extractive("lead", k=1), BASELINE_WORDS),
                 ("Lead-2, cleaned", Summarizer.extractive("lead", k=2), BASELINE_WORDS)]
    for method in methods:
        options = dict(tuned[method]["options"])
        if method == "centroid":
            options["encoder"] = encoder
        rows.append((f"{method}, tuned", Summarizer(make_method(method, **options)),
                     tuned[method]["max_words"]))
    if "centroid" in methods:  # the same choices, the encoder in bfloat16 (speed)
        options = {**tuned["centroid"]["options"], "dtype": "bfloat16"}
        rows.append(("centroid, tuned, bfloat16",
                     Summarizer(make_method("centroid", **options)),
                     tuned["centroid"]["max_words"]))
    if model:
        rows.append((f"abstractive, {model}", Summarizer.from_pretrained(model), None))
    return rows


def run_row(label: str, summarizer: Summarizer, max_words: int | None, test: Split,
            warmup: Sequence[str]) -> dict[str, Any]:
    """Summarise the split once (timed), then score it."""
    summarizer.summarize(list(warmup), max_words=max_words)
    load_before = os.getloadavg()[0]
    start, cpu_start = time.perf_counter(), time.process_time()
    predictions = summarizer.summarize(test.texts, max_words=max_words)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    scores = score_summaries(predictions, test.references, test.texts, seed=0)
    budget = max_words or summarizer.max_words
    longest = max((len(p.split()) for p in predictions), default=0)
    return {"label": label, "method": summarizer.method, "max_words": budget,
            "options": _options(summarizer), "metrics": _plain(scores.metrics),
            "longest_summary_words": longest, "within_budget": longest <= budget,
            "seconds": seconds, "articles_per_second": len(test.texts) / seconds,
            "cpu_seconds": cpu_seconds,
            "articles_per_cpu_second": len(test.texts) / max(cpu_seconds, 1e-9),
            "load_average": [load_before, os.getloadavg()[0]],
            "by_source": by_source(scores.examples, test.sources),
            "best": scores.best, "worst": scores.worst,
            "lsum": [e["rougeLsum"] for e in scores.examples]}


def add_deltas(rows: list[dict[str, Any]], baseline: str = "Lead-1, cleaned") -> None:
    """Each row's paired ROUGE-Lsum difference to ``baseline`` (per-example lists dropped)."""
    base = next((row["lsum"] for row in rows if row["label"] == baseline), None)
    for row in rows:
        lsum = row.pop("lsum")
        if base is not None:
            delta = paired_difference(lsum, base, seed=0)
            row["lsum_minus_lead1"] = {"mean": delta.mean, "low": delta.low,
                                       "high": delta.high}


def _options(summarizer: Summarizer) -> dict[str, Any]:
    backend = summarizer.backend
    names = [f.name for f in fields(backend)] if is_dataclass(backend) else []
    return {name: getattr(backend, name) for name in names
            if name not in ("encoder", "batch_size")}


def _plain(metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {name: {"mean": e.mean, "low": e.low, "high": e.high} for name, e in metrics.items()}


def by_source(examples: list[dict[str, Any]], sources: list[str]) -> dict[str, float]:
    """Mean ROUGE-Lsum per publisher."""
    groups: dict[str, list[float]] = defaultdict(list)
    for example, source in zip(examples, sources):
        groups[source].append(example["rougeLsum"])
    return {source: float(np.mean(values)) for source, values in sorted(groups.items())}


# ---------------------------------------------------------------- report


def markdown(result: dict[str, Any]) -> str:
    """The Markdown report: results table, speed, choices, per-source scores, examples."""
    lines = [
        "# Summaries on news-articles (standfirst test split)", "",
        f"{result['test_articles']} test articles with a real standfirst (Al Jazeera, TASS, "
        "DW, HuffPost); settings chosen on the "
        f"{result['validation_articles']} validation articles. ROUGE F1 x 100 with Porter "
        "stemming, Lsum on pysbd sentences; [95% bootstrap interval; the Lead-1 difference "
        "is paired, per article]. Command: "
        f"`{result['command']}`", "",
        "| method | max words | ROUGE-1 | ROUGE-2 | ROUGE-Lsum | Lsum minus Lead-1 cleaned "
        "| words | novel bigrams | articles/s | articles per CPU-s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [_table_row(row) for row in result["rows"]]
    lines += ["", *_speed_notes(result), "", *_verdict(result), "", *_tuning_notes(result), "",
              *_source_table(result), "", *_examples(result)]
    return "\n".join(lines) + "\n"


def _table_row(row: dict[str, Any]) -> str:
    m = row["metrics"]

    def cell(name: str) -> str:
        e = m[name]
        return f"{_pct(e['mean'])} [{_pct(e['low'])}, {_pct(e['high'])}]"

    novel = m.get("novel_bigrams", {}).get("mean")
    d = row.get("lsum_minus_lead1")
    delta = f"{_signed(d['mean'])} [{_signed(d['low'])}, {_signed(d['high'])}]" if d else "n/a"
    return (f"| {row['label']} | {row['max_words']} | {cell('rouge1')} | {cell('rouge2')} | "
            f"{cell('rougeLsum')} | {delta} | {m['words']['mean']:.1f} | {_pct(novel)}% | "
            f"{row['articles_per_second']:.1f} | {row['articles_per_cpu_second']:.1f} |")


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:+.1f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def _speed_notes(result: dict[str, Any]) -> list[str]:
    loads = ", ".join(f"{r['label']} {r['load_average'][0]:.1f}" for r in result["rows"])
    budget = "yes" if all(r["within_budget"] for r in result["rows"]) else "NO"
    return [f"Speed: articles/s is the wall time of one `summarize` call over the split on "
            f"{result['machine']} with {result['cpus']} CPUs shared with other jobs (1-minute "
            f"load average when each row started: {loads}); models were loaded before "
            "timing. Articles per CPU-second counts this process's CPU time (all its threads), "
            "so other jobs inflate it less: lead and textrank run on one core, the MiniLM "
            "encoder on two. Every summary is within its word budget: " + budget + "."]


def _verdict(result: dict[str, Any]) -> list[str]:
    """The issue's checks: best tuned method against cleaned Lead-1, 20 articles/s, budget."""
    tuned = [r for r in result["rows"] if ", tuned" in r["label"]]
    if not tuned or "lsum_minus_lead1" not in tuned[0]:
        return []
    best = max(tuned, key=lambda r: r["metrics"]["rougeLsum"]["mean"])
    delta = best["lsum_minus_lead1"]
    fast = [r["label"] for r in result["rows"] if r["articles_per_second"] >= 20]
    return ["## Checks", "",
            f"- Best tuned extractive method: {best['label']}, ROUGE-Lsum "
            f"{_pct(best['metrics']['rougeLsum']['mean'])}, {_signed(delta['mean'])} "
            f"[{_signed(delta['low'])}, {_signed(delta['high'])}] over cleaned Lead-1 "
            f"(paired): {'beats it' if delta['low'] > 0 else 'not clearly better'}.",
            f"- At 20 articles/s or more (wall clock, shared machine): {'; '.join(fast)}.",
            "- Every summary within its max_words: "
            + ("yes" if all(r["within_budget"] for r in result["rows"]) else "NO") + "."]


def _tuning_notes(result: dict[str, Any]) -> list[str]:
    lines = ["## Settings chosen on validation", "",
             f"Grid: {json.dumps(GRID)}; max_words in {list(BUDGETS)}; centroid "
             "redundancy 0.8. Best mean validation ROUGE-Lsum wins.", ""]
    for method, tuned in result["tuning"].items():
        score = tuned["validation_rougeLsum"]
        how = "library default, not tuned" if score is None else (
            f"validation ROUGE-Lsum {100 * score:.1f}")
        lines.append(f"- {method}: {tuned['options']}, max_words {tuned['max_words']} ({how})")
    return lines


def _source_table(result: dict[str, Any]) -> list[str]:
    sources = sorted(result["rows"][0]["by_source"])
    lines = ["## ROUGE-Lsum by publisher", "", "| method | " + " | ".join(sources) + " |",
             "| --- |" + " --- |" * len(sources)]
    for row in result["rows"]:
        cells = " | ".join(f"{100 * row['by_source'][s]:.1f}" for s in sources)
        lines.append(f"| {row['label']} | {cells} |")
    return lines


def _examples(result: dict[str, Any]) -> list[str]:
    best = max(result["rows"], key=lambda r: r["metrics"]["rougeLsum"]["mean"])
    lines = [f"## Best and worst examples of {best['label']} (by ROUGE-Lsum)", ""]
    for kind in ("best", "worst"):
        for example in best[kind]:
            lines += [f"- {kind}, ROUGE-Lsum {100 * example['rougeLsum']:.1f}: "
                      f"**summary** {example['prediction']!r} / **standfirst** "
                      f"{example['reference']!r}"]
    return lines


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="a trained summarizer dir: adds an abstractive row")
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated extractive methods (default: all)")
    parser.add_argument("--limit", type=int, help="use only the first N articles per split")
    parser.add_argument("--skip-tuning", action="store_true",
                        help="use the library defaults instead of tuning on validation")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    return parser.parse_args(argv)


def defaults(methods: Iterable[str]) -> dict[str, Any]:
    """The library's default settings, in the shape ``tune`` returns."""
    from newsdesk.summarize import DEFAULT_MAX_WORDS

    out = {}
    for method in methods:
        backend = make_method(method)
        options = {name: getattr(backend, name) for name in GRID[method]}
        out[method] = {"options": options, "max_words": DEFAULT_MAX_WORDS,
                       "validation_rougeLsum": float("nan"), "grid": []}
    return out


def run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    methods = [m for m in args.methods.split(",") if m]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise SystemExit(f"unknown method(s) {unknown}; use {', '.join(METHODS)}")
    validation, test = load_split("validation", args.limit), load_split("test", args.limit)
    encoder = _encoder() if "centroid" in methods else None
    tuned = defaults(methods) if args.skip_tuning else tune(validation, methods, encoder)
    rows = [run_row(label, summarizer, words, test, validation.texts[:4])
            for label, summarizer, words in contenders(tuned, methods, encoder, args.model)]
    add_deltas(rows)
    return {"command": command,
            "test_articles": len(test.texts), "validation_articles": len(validation.texts),
            "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "tuning": tuned, "rows": rows}


def _finite(value: Any) -> Any:
    """``value`` with NaN replaced by None, so the JSON file is strict JSON."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _encoder() -> Any:
    from newsdesk.summarize.encoder import SentenceEncoder

    return SentenceEncoder.load("minilm-l6")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    given = list(sys.argv[1:] if argv is None else argv)
    command = " ".join([".venv/bin/python", "benchmarks/summary_news.py", *given])
    try:
        result = _finite(run(args, command))
    except (NewsdeskError, NotImplementedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary_news.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "summary_news.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
