"""Does ``newsdesk predict`` keep memory flat on a stream of 10,000 articles?

Writes a JSONL file of N real articles (the news-articles texts, repeated with new ids), runs
the streaming prediction ``newsdesk predict`` runs (``newsdesk.batch.predict_file``) in this
process while a thread samples the resident set size, and reports the curve: start, peak,
end, the least-squares slope per 1,000 articles (after warm-up and over the second half) and
the RSS at every 1,000. For contrast, a fresh process measures what reading the whole file
at once would hold. One pass (a memory trace, not a timing). Results:
benchmarks/results/predict_memory.{json,md}.

    .venv/bin/python benchmarks/predict_memory.py --model models/topic-bbc-minilm
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from benchlib import RssSampler, rss_mib, start_run, table, write_results
from quotes import measured_on, quote, wrap

TITLE = "newsdesk predict: memory on a stream of articles"
ARTICLES, CHUNK_SIZE, BATCH_SIZE = 10_000, 256, 32
INTERVAL = 0.2  # seconds between RSS samples


def write_articles(path: Path, count: int) -> float:
    """``count`` news-articles texts (repeated, new ids) as JSONL; returns the file's MiB."""
    from newsdesk.data import load

    texts = [r.text for r in load("news-articles")]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"a{i:06d}", "text": texts[i % len(texts)]}) + "\n")
    return path.stat().st_size / 2**20


class Counting:
    """A classifier proxy that counts the records predicted so far, at ``predict_texts``:
    the one method ``newsdesk.batch.predict_rows`` (hence ``predict_file``) calls."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.done = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def predict_texts(self, texts: Any, targets: Any = None, batch_size: int = 32) -> Any:
        out = self.inner.predict_texts(texts, targets, batch_size)
        self.done += len(out)
        return out


def check_counted(counter: Counting, records: int) -> None:
    """Fail, naming both counts, where the proxy counted other than the ``records``
    ``predict_file`` read (it no longer wraps the method that predicts): no curve then."""
    if counter.done != records:
        raise RuntimeError(f"the counting proxy saw {counter.done:,} predictions but "
                           f"predict_file read {records:,} records: Counting must wrap the "
                           "classifier method newsdesk.batch.predict_rows calls")


def curve(samples: list[tuple[int, float]], asked: int, warmup: int) -> dict[str, Any]:
    """Start, peak, end, the steady range and slopes per 1,000 articles, RSS every 1,000 up
    to the articles done (the last sample's count, taken after the run), which may fall
    short of the ``asked``: both are in the result."""
    done, rss = (np.array(column, dtype=float) for column in zip(*samples))
    articles = int(done.max())
    steady, late = done >= warmup, done >= articles / 2
    at = {str(mark): round(next(r for d, r in samples if d >= mark), 1)
          for mark in range(1000, articles + 1, 1000)}
    return {"articles_asked": asked, "articles_done": articles,
            "start_mib": round(rss[0], 1), "peak_mib": round(rss.max(), 1),
            "end_mib": round(rss[-1], 1), "warmup_articles": warmup,
            "steady_min_mib": round(rss[steady].min(), 1),
            "steady_max_mib": round(rss[steady].max(), 1),
            "slope_mib_per_1000_articles": slope(done[steady], rss[steady]),
            "second_half_slope_mib_per_1000_articles": slope(done[late], rss[late]),
            "samples": len(samples), "rss_at_articles_mib": at}


def slope(x: np.ndarray, y: np.ndarray) -> float | None:
    """Least-squares MiB per 1,000 articles (None with too few points)."""
    if len(x) < 3 or np.ptp(x) == 0:
        return None
    return round(float(np.polyfit(x, y, 1)[0] * 1000), 3)


def read_all_cost(path: Path) -> float:
    """MiB that ``read_records`` (the whole file as a list) adds, in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--read-all", str(path)],
                         capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def _read_all(path: str) -> None:
    from newsdesk.data.readers import read_records

    before = rss_mib()
    records = read_records(path)
    print(f"{len(records)} records\n{rss_mib() - before}")


def render(r: dict[str, Any], name: str) -> list[str]:
    rss = r["rss"]
    at = " | ".join(f"{k}: {v}" for k, v in rss["rss_at_articles_mib"].items())
    asked = "" if rss["articles_done"] == rss["articles_asked"] else (
        f" (of {rss['articles_asked']:,} asked)")
    return [f"{rss['articles_done']:,} articles{asked} ({r['input_mib']} MiB of JSONL), model "
            f"`{r['model']}`; chunk {r['chunk_size']} records, batch {r['batch_size']} "
            f"windows, torch threads {r['torch_threads']}.", "", *table(["RSS (MiB)", "value"], [
                ("start (model loaded, before the first chunk)", rss["start_mib"]),
                ("peak", rss["peak_mib"]), ("end", rss["end_mib"]),
                (f"after the first {rss['warmup_articles']:,} articles: min / max",
                 f"{rss['steady_min_mib']} / {rss['steady_max_mib']}"),
                ("slope after warm-up, MiB per 1,000 articles",
                 rss["slope_mib_per_1000_articles"]),
                ("slope over the second half, MiB per 1,000 articles",
                 rss["second_half_slope_mib_per_1000_articles"]),
                ("reading the whole file at once would add (fresh process)",
                 r["read_whole_file_mib"])]), "",
            f"RSS at every 1,000 articles (MiB): {at}.", "",
            f"Throughput {r['docs_per_second']} docs/s ({r['seconds']} s, one pass).", "",
            *quote("main", summary(r))]


def summary(data: dict[str, Any]) -> str:
    """docs/scaling.md's paragraph: RSS along the stream against reading the file at once."""
    rss = data["rss"]
    at = rss["rss_at_articles_mib"]
    first = str(rss["warmup_articles"])
    model = Path(data["model"]).name if data.get("model") else "the tiny random model"
    slope = rss["second_half_slope_mib_per_1000_articles"]
    late_slope = "n/a" if slope is None else f"{slope:.1f}"  # None: too few samples
    return wrap(f"{data['articles']:,} articles ({data['input_mib']:.0f} MiB of JSONL) streamed "
                f"through `newsdesk predict` with {model}, {data['chunk_size']} "
                f"records a chunk: RSS {rss['start_mib']:.0f} MiB with the model loaded, "
                f"{at.get(first, rss['start_mib']):.0f} MiB after the first {int(first):,} "
                f"articles and {rss['end_mib']:.0f} MiB at the end (peak "
                f"{rss['peak_mib']:.0f} MiB), a slope of {late_slope} MiB per 1,000 "
                "articles over the second half. Reading the whole file at once would add "
                f"{data['read_whole_file_mib']:.0f} MiB ({measured_on(data)}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a trained topic or stance model dir")
    parser.add_argument("--read-all", help=argparse.SUPPRESS)  # the contrast, in a child
    args = parser.parse_args(argv)
    if args.read_all:
        _read_all(args.read_all)
        return 0
    if not args.model:
        parser.error("--model DIR is required (a trained model, e.g. models/topic-bbc-minilm)")
    run = start_run(None if argv is None else [__file__, *argv])
    import torch

    from newsdesk.batch import load_classifier, predict_file

    with tempfile.TemporaryDirectory(prefix="predict-memory-") as tmp:
        articles = Path(tmp) / "articles.jsonl"
        size = write_articles(articles, ARTICLES)
        counter = Counting(load_classifier(args.model))
        with RssSampler(INTERVAL, lambda: counter.done) as sampler:
            summary = predict_file(counter, articles, Path(tmp) / "predictions.jsonl",
                                   batch_size=BATCH_SIZE, chunk_size=CHUNK_SIZE, progress=False)
        check_counted(counter, summary.records)
        read_all = read_all_cost(articles)
    report = {"model": args.model, "articles": summary.records, "input_mib": round(size, 1),
              "chunk_size": CHUNK_SIZE, "batch_size": BATCH_SIZE,
              "torch_threads": torch.get_num_threads(), "seconds": round(summary.seconds, 1),
              "docs_per_second": round(summary.docs_per_second, 1),
              "rss": curve(sampler.samples, ARTICLES, min(1000, summary.records // 10)),
              "read_whole_file_mib": read_all}
    write_results("predict_memory", run, report, render, TITLE)
    print(json.dumps(report["rss"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
