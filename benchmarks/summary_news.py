"""Summaries on the news-articles standfirst test split: Lead-k, TextRank, centroid (+ models).

Every row is a ``Summarizer`` built by the package: Lead-1 on the raw text, Lead-1 and
Lead-2 on the cleaned sentences, lead, textrank and centroid (and centroid in bfloat16) with
their options tuned; a trained abstractive summarizer (``--model``); fine-tuned extractors
(``--extractor``, repeatable), and with them the greedy ROUGE oracle (an upper bound: it reads
the standfirst). Every row's word budget is chosen on validation by one rule (``RULE``;
``--skip-tuning``: the library defaults). ROUGE with bootstrap intervals, paired differences
to cleaned Lead-1 and to the best unsupervised method, speed: docs/summaries.md. Results:
benchmarks/results/summary_news.*

    .venv/bin/python benchmarks/summary_news.py [--model models/summary-news]
    .venv/bin/python benchmarks/summary_news.py --extractor models/summary-news-extractive \
        --extractor-backend int8
    .venv/bin/python benchmarks/summary_news.py --limit 20 --skip-tuning --methods lead
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from benchlib import RESULTS, start_run, table, timed_repeats, write_results
from quotes import find_row, measured_on, quote, verdict, wrap

from newsdesk.data import load
from newsdesk.errors import NewsdeskError
from newsdesk.manifest import Manifest
from newsdesk.metrics.bootstrap import paired_difference
from newsdesk.metrics.summary import rouge_scores, score_summaries
from newsdesk.summarize import DEFAULT_MAX_WORDS, Summarizer, extractive, scorer, split_sentences
from newsdesk.summarize.budget import select
from newsdesk.summarize.encoder import SentenceEncoder
from newsdesk.summarize.oracle import oracle_indices
from newsdesk.summarize.scorer import ScorerSummarizer

TITLE = "Summaries on news-articles (standfirst test split)"
METHODS = ("lead", "textrank", "centroid")
BASELINE = "Lead-1, cleaned"
#: The results file whose summary the README quotes (the others are variants of the run).
QUOTED = "summary_news"
ROUGE = ("rouge1", "rouge2", "rougeLsum")
BUDGETS = (25, 30, 40, 50, 60)
GRID = {
    "lead": {"k": (1, 2, 3, 4)},
    "textrank": {"k": (1, 2, 3, 4), "window": (5, 10, 15), "position_bias": (0.0, 1.0, 2.0)},
    "centroid": {"k": (1, 2, 3, 4), "window": (5, 10, 15), "position_bias": (0.0, 0.5, 1.0)},
}
#: The fine-tuned extractor's and the oracle's option grids (their models are not retrained).
EXTRACTOR = "extractor:"
EXTRACTOR_GRID = {"k": (1, 2, 3, 4), "redundancy": (0.3, 0.5, 1.0), "window": (4, 6, 8)}
EXTRACTOR_BACKENDS = {"torch": {"backend": "torch"}, "onnx": {"backend": "onnx"},
                      "int8": {"backend": "onnx", "quantize": "int8"}}
ORACLE = "oracle"
ORACLE_GRID = {"k": (1, 2, 3), "window": (8, 15)}
RULE = (f"Every row, baselines included, gets its word budget the same way: each max_words "
        f"in {list(BUDGETS)}, crossed with the row's own option grid, summarises the "
        "validation split, the best mean ROUGE-Lsum wins (first of equals: the smaller "
        "setting), and the test split is scored once at that choice.")


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


class Oracle:
    """The greedy ROUGE oracle (``newsdesk.summarize.oracle``) of the first ``window``
    cleaned sentences against each article's own standfirst, within the budget: an upper
    bound for sentence extraction, not a method (it reads the answer)."""

    name = ORACLE

    def __init__(self, references: dict[str, str], k: int = 3, window: int = 15) -> None:
        self.references, self.k, self.window = references, k, window

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        out = []
        for text in texts:
            sentences = extractive.article_sentences(text, limit=self.window)
            chosen = oracle_indices(sentences, self.references[text], max_sentences=self.k,
                                    max_words=max_words)
            out.append(select(sentences, chosen or range(len(sentences)), k=self.k,
                              max_words=max_words))
        return out


class RawLead:
    """Lead-1 without cleaning: pysbd's first sentence of the raw text (a baseline only)."""

    name = "lead-raw"

    def summarize(self, texts: Sequence[str], max_words: int) -> list[str]:
        return [select(s, range(len(s)), k=1, max_words=max_words, contiguous=True)
                for s in (split_sentences(t[:2000]) for t in texts)]


@functools.cache
def model_summarizer(path: str) -> Summarizer:
    return Summarizer.from_pretrained(path)


@functools.cache
def extractor_backend(path: str, backend: str, memoized: bool = False) -> ScorerSummarizer:
    """A fine-tuned extractor, loaded once; ``memoized`` (for tuning only: never timed)
    scores each article's sentences once, whatever k and redundancy are tried."""
    loaded = ScorerSummarizer.load(path, **EXTRACTOR_BACKENDS[backend])
    if memoized:
        score, cache = loaded.scorer.score_articles, {}

        def cached(articles: Sequence[Sequence[str]], context: int,
                   batch_size: int = 32) -> list[np.ndarray]:
            keys = [(tuple(a), context) for a in articles]
            todo = list(dict.fromkeys(k for k in keys if k not in cache))
            cache.update(zip(todo, score([list(k[0]) for k in todo], context, batch_size)))
            return [cache[k] for k in keys]

        loaded.scorer.score_articles = cached  # type: ignore[method-assign]
    return loaded


def extractor_label(path: str, backend: str) -> str:
    """The row's name: the dir, the publishers it was trained without, the backend."""
    left_out = Manifest.load(Path(path)).data.get("exclude_sources")
    return (f"extractor, {Path(path).name}"
            + (f" (trained without {', '.join(left_out)})" if left_out else "")
            + ("" if backend == "torch" else f", {backend}"))


@dataclass
class Contender:
    """One row: how its summarizer is built, and the options it may tune on validation."""

    label: str
    method: str  # an extractive method, "lead-raw", or a model dir
    options: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def summarizer(self, **chosen: Any) -> Summarizer:
        if self.method == "lead-raw":
            return Summarizer(RawLead())
        if self.method in METHODS:
            return Summarizer.extractive(self.method, **self.options, **chosen)
        if self.method == ORACLE:
            return Summarizer(Oracle(self.options["references"], **chosen))
        if self.method.startswith(EXTRACTOR):
            backend = chosen.pop("loaded", None) or extractor_backend(
                self.method[len(EXTRACTOR):], self.options["backend"])
            return Summarizer(backend.with_settings(**chosen))
        return model_summarizer(self.method)

    def candidates(self) -> list[dict[str, Any]]:
        """Every setting of the option grid, crossed with every candidate budget."""
        return [{"options": dict(zip(self.grid, values)), "max_words": budget}
                for values in itertools.product(*self.grid.values()) for budget in BUDGETS]


def contenders(methods: Sequence[str], model: str | None, extractors: Sequence[str] = (),
               backend: str = "torch",
               references: dict[str, str] | None = None) -> list[Contender]:
    rows = []
    if "lead" in methods:
        rows += [Contender("Lead-1, raw text", "lead-raw"), Contender(BASELINE, "lead", {"k": 1}),
                 Contender("Lead-2, cleaned", "lead", {"k": 2})]
    rows += [Contender(f"{m}, tuned", m, grid=GRID[m]) for m in methods]
    if "centroid" in methods:  # the encoder in bfloat16: a speed row, tuned like the rest
        rows.append(Contender("centroid, tuned, bfloat16", "centroid", {"dtype": "bfloat16"},
                              GRID["centroid"]))
    if model:
        rows.append(Contender(f"abstractive, {model}", model))
    rows += [Contender(extractor_label(path, backend), EXTRACTOR + path, {"backend": backend},
                       EXTRACTOR_GRID) for path in extractors]
    if extractors:
        rows.append(Contender("oracle (reads the standfirst: upper bound)", ORACLE,
                              {"references": references or {}}, ORACLE_GRID))
    return rows


# ---------------------------------------------------------------- choosing on validation


@functools.cache
def pair_lsum(prediction: str, reference: str) -> float:
    """ROUGE-Lsum of one pair (tuning meets the same pairs again and again)."""
    return rouge_scores([prediction], [reference])[0]["rougeLsum"]


def memoized(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (pure; nobody mutates its results) run once per distinct argument list."""
    results: dict[Any, Any] = {}

    def call(*args: Any, **kwargs: Any) -> Any:
        key = (tuple(tuple(a) if isinstance(a, list) else a for a in args),
               tuple(sorted(kwargs.items())))
        if key not in results:
            results[key] = function(*args, **kwargs)
        return results[key]

    return call


@contextlib.contextmanager
def memoized_ranking() -> Iterator[None]:
    """Tuning runs each method hundreds of times over the same articles: the package's own
    sentence stream and TextRank order are computed once per article and setting."""
    sentences = memoized(extractive.article_sentences)
    with mock.patch.multiple(extractive, article_sentences=sentences,
                             textrank_order=memoized(extractive.textrank_order)), \
            mock.patch.object(scorer, "article_sentences", sentences):
        yield


@functools.cache
def memoized_encoder(dtype: str) -> SentenceEncoder:
    """The centroid's MiniLM encoder, encoding each window's sentences once (for tuning)."""
    encoder = SentenceEncoder.load("minilm-l6", dtype=dtype)
    encoder.encode = memoized(encoder.encode)  # type: ignore[method-assign]
    return encoder


def tune(contender: Contender, validation: Split) -> dict[str, Any]:
    """Every candidate's validation ROUGE-Lsum, and the best (first of equals)."""
    extra: dict[str, Any] = {}
    if contender.method == "centroid":
        extra["encoder"] = memoized_encoder(contender.options.get("dtype", "float32"))
    if contender.method.startswith(EXTRACTOR):
        extra["loaded"] = extractor_backend(contender.method[len(EXTRACTOR):],
                                            contender.options["backend"], memoized=True)
    tried = []
    for candidate in contender.candidates():
        summarizer = contender.summarizer(**candidate["options"], **extra)
        predictions = summarizer.summarize(validation.texts, max_words=candidate["max_words"])
        lsum = np.mean([pair_lsum(*pair) for pair in zip(predictions, validation.references)])
        tried.append({**candidate, "rougeLsum": float(lsum)})
    best = max(tried, key=lambda t: t["rougeLsum"])
    return {"options": best["options"], "max_words": best["max_words"],
            "validation_rougeLsum": best["rougeLsum"], "grid": tried}


def choose(rows: list[Contender], validation: Split | None) -> dict[str, dict[str, Any]]:
    """Each row's options and budget: tuned on ``validation``, or the library defaults."""
    if validation is None:
        return {c.label: {"options": {}, "max_words": DEFAULT_MAX_WORDS,
                          "validation_rougeLsum": None, "grid": []} for c in rows}
    with memoized_ranking():
        return {c.label: tune(c, validation) for c in rows}


# ---------------------------------------------------------------- the test run


def run_row(contender: Contender, choice: dict[str, Any], test: Split, warmup: Sequence[str],
            repeats: int) -> dict[str, Any]:
    """Summarise the split ``repeats`` times (timed, after a warm-up), then score it."""
    summarizer, budget = contender.summarizer(**choice["options"]), choice["max_words"]
    summarizer.summarize(list(warmup), max_words=budget)
    cpu_start = time.process_time()
    predictions, seconds = timed_repeats(
        lambda: summarizer.summarize(test.texts, max_words=budget), repeats, warmup=0)
    cpu_seconds = (time.process_time() - cpu_start) / repeats
    scores = score_summaries(predictions, test.references, test.texts, seed=0)
    longest = max((len(p.split()) for p in predictions), default=0)
    lsum = [e["rougeLsum"] for e in scores.examples]
    return {"label": contender.label, "method": summarizer.method, "max_words": budget,
            "options": backend_options(summarizer),
            "metrics": {name: {"mean": _finite(e.mean), "low": _finite(e.low),
                               "high": _finite(e.high)} for name, e in scores.metrics.items()},
            "longest_summary_words": longest, "within_budget": longest <= budget,
            "seconds": seconds, "articles_per_second": len(test.texts) / seconds["median"],
            "articles_per_cpu_second": len(test.texts) / max(cpu_seconds, 1e-9),
            "by_source": by_source(lsum, test.sources), "best": scores.best,
            "worst": scores.worst, "lsum": lsum}


def backend_options(summarizer: Summarizer) -> dict[str, Any]:
    backend = summarizer.backend
    if isinstance(backend, ScorerSummarizer):
        return backend.options()
    if isinstance(backend, Oracle):
        return {"k": backend.k, "window": backend.window}
    names = [f.name for f in fields(backend)] if is_dataclass(backend) else []
    return {name: getattr(backend, name) for name in names
            if name not in ("encoder", "batch_size")}


def by_source(lsum: list[float], sources: list[str]) -> dict[str, float]:
    """Mean ROUGE-Lsum per publisher."""
    return {source: float(np.mean([v for v, s in zip(lsum, sources) if s == source]))
            for source in sorted(set(sources))}


def best_unsupervised(choices: dict[str, dict[str, Any]]) -> str | None:
    """The tuned extractive method best on validation (first of equals; None untuned)."""
    tuned = [label for label, c in choices.items()
             if label.endswith(", tuned") and c["validation_rougeLsum"] is not None]
    return max(tuned, key=lambda label: choices[label]["validation_rougeLsum"], default=None)


def add_deltas(rows: list[dict[str, Any]], best: str | None = None) -> None:
    """Each row's paired ROUGE-Lsum differences to cleaned Lead-1 and to the ``best``
    unsupervised row (per-article lists dropped)."""
    bases = {"lsum_minus_lead1": BASELINE, "lsum_minus_best_unsupervised": best}
    lsums = {row["label"]: row["lsum"] for row in rows}
    for row in rows:
        for key, label in bases.items():
            if label in lsums:
                delta = paired_difference(row["lsum"], lsums[label], seed=0)
                row[key] = {"mean": delta.mean, "low": delta.low, "high": delta.high,
                            "against": label}
    for row in rows:
        row.pop("lsum")


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


def measure(args: argparse.Namespace) -> dict[str, Any]:
    validation, test = load_split("validation", args.limit), load_split("test", args.limit)
    references = dict(zip(validation.texts + test.texts,
                          validation.references + test.references))
    rows = contenders(args.methods, args.model, args.extractor, args.extractor_backend,
                      references)
    choices = choose(rows, None if args.skip_tuning else validation)
    results = [run_row(c, choices[c.label], test, validation.texts[:4], args.repeats)
               for c in rows]
    best = best_unsupervised(choices)
    add_deltas(results, best)
    return {"test_articles": len(test.texts), "validation_articles": len(validation.texts),
            "tuned": not args.skip_tuning, "budgets": list(BUDGETS),
            "grid": {**GRID, **({"extractor": EXTRACTOR_GRID, "oracle": ORACLE_GRID}
                                if args.extractor else {})},
            "best_unsupervised": best, "tuning": choices, "rows": results,
            **({"learning_curve": learning_curve(args.model)} if args.model else {})}


def learning_curve(model: str) -> list[dict[str, Any]]:
    """The abstractive model's validation evaluations during training, as its card shows
    them (its ``newsdesk.json`` log history; empty for a dir trained before it was kept)."""
    from transformers.modelcard import parse_log_history

    history = Manifest.load(Path(model)).training.get("log_history") or []
    return parse_log_history(history)[1] or []


# ---------------------------------------------------------------- report


def render(result: dict[str, Any], name: str) -> list[str]:
    """Results table, per-publisher scores (the section docs/summaries.md quotes), speed,
    checks, choices, examples; for summary_news, the README's line."""
    lines = [f"{result['test_articles']} test articles with a real standfirst (Al Jazeera, "
             f"TASS, DW, HuffPost); settings chosen on the {result['validation_articles']} "
             "validation articles. ROUGE F1 x 100 with Porter stemming, Lsum on pysbd "
             "sentences; [95% bootstrap interval; the differences are paired, per "
             f"article; best unsupervised: {result.get('best_unsupervised') or 'n/a'}, the "
             "tuned method best on validation].", "",
             *quote("table", "\n".join([*results_table(result), "", f"ROUGE-Lsum by publisher "
                                        f"({result['test_articles']} test articles; "
                                        f"{measured_on(result)}):", "",
                                        *source_table(result)]))]
    within = "yes" if all(r["within_budget"] for r in result["rows"]) else "NO"
    repeats = result["rows"][0]["seconds"]["n"]
    lines += ["", f"Speed: articles/s is the median wall time of {repeats} `summarize` call(s) "
              "over the split, after a warm-up (models loaded before timing); articles per "
              "CPU-second counts this process's CPU time (all threads), which other jobs "
              f"inflate less. Every summary is within its word budget: {within}.", "",
              *_checks(result), *_choices(result), *_examples(result)]
    if result.get("learning_curve"):
        from transformers.modelcard import make_markdown_table

        lines += ["## The abstractive model's validation curve", "",
                  "Every evaluation during training (ROUGE on the validation standfirsts, "
                  "generated with the recipe's settings, as fractions).", "",
                  make_markdown_table(result["learning_curve"]).rstrip("\n"), ""]
    return [*lines, *(["", *quote("main", summary(result))] if name == QUOTED else [])]


def lsum(row: dict[str, Any]) -> float:
    return 100 * row["metrics"]["rougeLsum"]["mean"]


def summary(result: dict[str, Any]) -> str:
    """The README's line: the best tuned method against cleaned Lead-1, and the fine-tuned
    extractor against the best unsupervised method."""
    lead1 = find_row(result["rows"], "label", BASELINE)
    best = max((r for r in result["rows"] if r["label"].endswith("tuned")), key=lsum)
    return wrap(f"- Summaries: the best tuned extractive method ({best['label']}) scores "
                f"ROUGE-Lsum {lsum(best):.1f} against cleaned Lead-1's {lsum(lead1):.1f} on "
                f"the {result['test_articles']} standfirst test articles "
                f"({_interval(best['lsum_minus_lead1'], True)} paired)"
                f"{extractor_clause(result)}; [docs/summaries.md](docs/summaries.md); "
                f"{measured_on(result)}).")


def extractor_clause(result: dict[str, Any]) -> str:
    """The fine-tuned extractor trained on every publisher against the best unsupervised
    method (chosen on validation), where the run has one."""
    full = [r for r in result["rows"]
            if r["label"].startswith("extractor, ") and "trained without" not in r["label"]]
    if not full:
        return ""
    extractor, diff = full[0], full[0]["lsum_minus_best_unsupervised"]
    return (f"; the fine-tuned extractor ({extractor['label'].split(', ', 1)[1]}) "
            f"{lsum(extractor):.1f}, {_interval(diff, True)} against "
            f"{result['best_unsupervised']} (paired, "
            f"{verdict(diff['low'], diff['high'], 'across zero: not a sure win')}), "
            f"{extractor['articles_per_second']:.0f} articles/s")


def _interval(e: dict[str, Any], signed: bool = False) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{100 * v:+.1f}" if signed else f"{100 * v:.1f}"

    return f"{pct(e['mean'])} [{pct(e['low'])}, {pct(e['high'])}]"


def results_table(result: dict[str, Any]) -> list[str]:
    """Every row's ROUGE, paired differences, length, novelty and speed."""
    def cells(row: dict[str, Any]) -> list[str]:
        m = row["metrics"]
        novel = m.get("novel_bigrams", {}).get("mean")
        return [row["label"], row["max_words"], *(_interval(m[k]) for k in ROUGE),
                *(_interval(row[key], True) if key in row else "n/a"
                  for key in ("lsum_minus_lead1", "lsum_minus_best_unsupervised")),
                f"{m['words']['mean']:.1f}", f"{'n/a' if novel is None else f'{100 * novel:.1f}'}%",
                f"{row['articles_per_second']:.1f}", f"{row['articles_per_cpu_second']:.1f}"]

    return table(["method", "max words", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum",
                  "Lsum minus Lead-1 cleaned", "Lsum minus best unsupervised", "words",
                  "novel bigrams", "articles/s", "articles per CPU-s"],
                 map(cells, result["rows"]), rule=" --- ")


def _checks(result: dict[str, Any]) -> list[str]:
    """The best tuned method against cleaned Lead-1; each extractor against the best
    unsupervised method."""
    tuned = [r for r in result["rows"] if ", tuned" in r["label"] and "lsum_minus_lead1" in r]
    if not tuned:
        return []
    best = max(tuned, key=lambda r: r["metrics"]["rougeLsum"]["mean"])

    def check(name: str, row: dict[str, Any], delta: dict[str, Any], against: str) -> str:
        return (f"- {name} ROUGE-Lsum {100 * row['metrics']['rougeLsum']['mean']:.1f}, "
                f"{_interval(delta, True)} over {against} (paired): "
                f"{'beats it' if delta['low'] > 0 else 'not clearly better'}.")

    return ["## Checks", "", check(f"Best tuned extractive method: {best['label']},", best,
                                   best["lsum_minus_lead1"], "cleaned Lead-1"),
            *(check(f"{row['label']}:", row, versus, versus["against"]) for row in result["rows"]
              if row["label"].startswith("extractor")
              and (versus := row.get("lsum_minus_best_unsupervised"))), ""]


def _choices(result: dict[str, Any]) -> list[str]:
    if not result["tuned"]:
        return ["## Settings", "", "Not tuned (`--skip-tuning`): every row at the library "
                f"defaults, max_words {DEFAULT_MAX_WORDS} for all.", ""]
    lines = ["## Settings chosen on validation", "", RULE,
             f"Option grids: {json.dumps(result['grid'])}. The fine-tuned extractor's model "
             "is the dir's as trained (its recipe header says how); k and redundancy are its "
             "inference options.", ""]
    for row in result["rows"]:
        choice = result["tuning"][row["label"]]
        lines.append(f"- {row['label']}: {row['options'] or 'no options'}, max_words "
                     f"{choice['max_words']} (validation ROUGE-Lsum "
                     f"{100 * choice['validation_rougeLsum']:.1f})")
    return [*lines, ""]


def source_table(result: dict[str, Any]) -> list[str]:
    """Each row's mean ROUGE-Lsum per publisher."""
    sources = sorted(result["rows"][0]["by_source"])
    return table(["method", *sources], [
        [row["label"], *(f"{100 * row['by_source'][s]:.1f}" for s in sources)]
        for row in result["rows"]], rule=" --- ")


def _examples(result: dict[str, Any]) -> list[str]:
    best = max((r for r in result["rows"] if r["method"] != ORACLE),
               key=lambda r: r["metrics"]["rougeLsum"]["mean"])
    lines = [f"## Best and worst examples of {best['label']} (by ROUGE-Lsum)", ""]
    for kind in ("best", "worst"):
        lines += [f"- {kind}, ROUGE-Lsum {100 * e['rougeLsum']:.1f}: **summary** "
                  f"{e['prediction']!r} / **standfirst** {e['reference']!r}"
                  for e in best[kind]]
    return lines


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="a trained summarizer dir: adds an abstractive row")
    parser.add_argument("--extractor", action="append", default=[], metavar="DIR",
                        help="a fine-tuned extractor dir (repeatable): adds its row, and the "
                             "oracle's")
    parser.add_argument("--extractor-backend", choices=list(EXTRACTOR_BACKENDS),
                        default="torch", help="run the extractors on torch, ONNX Runtime "
                        "(onnx) or its int8 export (int8; newsdesk export DIR --onnx --int8)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="extractive methods (default: all)")
    parser.add_argument("--limit", type=int, help="use only the first N articles per split")
    parser.add_argument("--skip-tuning", action="store_true",
                        help="every row at the library defaults instead of tuning on validation")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per row")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    run = start_run(None if argv is None else [__file__, *argv])
    args = parse_args(argv)
    try:
        report = measure(args)
    except (NewsdeskError, NotImplementedError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_results("summary_news", run, report, render, TITLE, folder=args.out)
    print((args.out / "summary_news.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
