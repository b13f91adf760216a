"""Does ``newsdesk predict`` keep memory flat on 10,000 articles?

Writes a JSONL file of N real articles (the news-articles texts, repeated with new ids),
runs the same streaming prediction ``newsdesk predict`` runs (``newsdesk.batch``) in this
process while a thread samples the resident set size (psutil, else /proc/self/status), and
writes the RSS curve summary (start, peak, end, slope per 1,000 articles, the curve at every
1,000) to benchmarks/results/predict_memory.{json,md}. For contrast it also measures, in a
fresh process, what reading the whole file into memory at once would hold.

    .venv/bin/python benchmarks/predict_memory.py                    # tiny random model
    .venv/bin/python benchmarks/predict_memory.py --model models/topic-bbc-minilm
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MIB = 1024 * 1024


def rss_bytes() -> int:
    """This process's resident set size."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no way to read the RSS here (install psutil)")


def write_articles(path: Path, count: int) -> int:
    """``count`` news-articles texts (repeated, new ids) as JSONL; returns the file's bytes."""
    from newsdesk.data import load

    texts = [r.text for r in load("news-articles")]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"a{i:06d}", "text": texts[i % len(texts)]}) + "\n")
    return path.stat().st_size


def tiny_topic_model(directory: Path) -> Path:
    """A random 2-layer BERT topic classifier (hidden 32) with the real MiniLM tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from newsdesk.assets import model_path
    from newsdesk.manifest import Manifest, Windowing

    labels = ["business", "entertainment", "politics", "sport", "tech"]
    tokenizer = AutoTokenizer.from_pretrained(model_path("minilm-l6"))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512,
                        id2label=dict(enumerate(labels)),
                        label2id={label: i for i, label in enumerate(labels)})
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    Manifest(task="topic", labels=labels, windowing=Windowing(max_length=256, stride=32)).save(
        directory)
    return directory


class Counting:
    """A classifier proxy that counts the records predicted so far."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.done = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def predict(self, items: Any, batch_size: int = 32) -> Any:
        out = self.inner.predict(items, batch_size=batch_size)
        self.done += len(out)
        return out


def sample_while(work: Any, counter: Counting, interval: float) -> tuple[Any, list[tuple]]:
    """Run ``work()`` while a thread records (seconds, articles done, RSS bytes)."""
    samples: list[tuple[float, int, int]] = []
    stop = threading.Event()
    start = time.perf_counter()

    def sampler() -> None:
        while not stop.is_set():
            samples.append((time.perf_counter() - start, counter.done, rss_bytes()))
            stop.wait(interval)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    try:
        result = work()
    finally:
        stop.set()
        thread.join()
    samples.append((time.perf_counter() - start, counter.done, rss_bytes()))
    return result, samples


def summarize(samples: list[tuple[float, int, int]], total: int, warmup: int) -> dict[str, Any]:
    """Start, peak, end and the least-squares slope of RSS per 1,000 articles after warm-up."""
    import numpy as np

    done = np.array([s[1] for s in samples], dtype=float)
    rss = np.array([s[2] for s in samples], dtype=float) / MIB
    steady = done >= warmup
    slope = _slope(done[steady], rss[steady])
    second_half = _slope(done[done >= total / 2], rss[done >= total / 2])
    curve = {}
    for mark in range(1000, total + 1, 1000):
        reached = [s for s in samples if s[1] >= mark]
        if reached:
            curve[str(mark)] = round(reached[0][2] / MIB, 1)
    return {"start_mib": round(float(rss[0]), 1), "peak_mib": round(float(rss.max()), 1),
            "end_mib": round(float(rss[-1]), 1),
            "steady_min_mib": round(float(rss[steady].min()), 1) if steady.any() else None,
            "steady_max_mib": round(float(rss[steady].max()), 1) if steady.any() else None,
            "slope_mib_per_1000_articles": round(slope, 3), "warmup_articles": warmup,
            "second_half_slope_mib_per_1000_articles": round(second_half, 3),
            "samples": len(samples), "rss_at_articles_mib": curve}


def _slope(x: Any, y: Any) -> float:
    """Least-squares MiB per 1,000 articles (NaN with too few points)."""
    import numpy as np

    if len(x) < 3 or np.ptp(x) == 0:
        return float("nan")
    return float(np.polyfit(x, y, 1)[0] * 1000)


def read_all_cost(path: Path) -> float:
    """MiB that ``read_records`` (the whole file as a list) adds, in a fresh process."""
    out = subprocess.run([sys.executable, __file__, "--read-all", str(path)],
                         capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def _read_all(path: str) -> int:
    from newsdesk.data.readers import read_records

    before = rss_bytes()
    records = read_records(path)
    print(f"{len(records)} records")
    print((rss_bytes() - before) / MIB)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--model", help="a trained topic/stance model dir (default: tiny)")
    parser.add_argument("--chunk-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--read-all", help=argparse.SUPPRESS)  # the contrast, in a child
    args = parser.parse_args(argv)
    if args.read_all:
        return _read_all(args.read_all)

    from newsdesk.batch import load_classifier, predict_file

    with tempfile.TemporaryDirectory(prefix="predict-memory-") as tmp:
        work = Path(tmp)
        size = write_articles(work / "articles.jsonl", args.articles)
        model = Path(args.model) if args.model else tiny_topic_model(work / "tiny-model")
        counter = Counting(load_classifier(model))
        summary, samples = sample_while(
            lambda: predict_file(counter, work / "articles.jsonl", work / "predictions.jsonl",
                                 batch_size=args.batch_size, chunk_size=args.chunk_size,
                                 progress=False), counter, args.interval)
        read_all = read_all_cost(work / "articles.jsonl")
    result = {
        "benchmark": "predict_memory",
        "command": "python benchmarks/predict_memory.py " + " ".join(argv or sys.argv[1:]),
        "model": args.model or "tiny random BERT (2 layers, hidden 32), MiniLM tokenizer, "
                               "256-token windows",
        "articles": summary.records, "input_mib": round(size / MIB, 1),
        "chunk_size": args.chunk_size, "batch_size": args.batch_size,
        "seconds": round(summary.seconds, 1), "docs_per_second": round(summary.docs_per_second, 1),
        "rss": summarize(samples, summary.records, warmup=min(1000, summary.records // 10)),
        "read_whole_file_mib": read_all,
        "machine": machine(),
    }
    write_results(args.out, result)
    print(json.dumps(result["rss"], indent=2))
    return 0


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "threads": _threads(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "note": "a shared 2-core machine with other jobs running: times are indicative"}


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def write_results(folder: Path, result: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "predict_memory.json").write_text(json.dumps(result, indent=2) + "\n")
    rss = result["rss"]
    curve = " | ".join(f"{k}: {v}" for k, v in rss["rss_at_articles_mib"].items())
    lines = [
        "# newsdesk predict: memory on a stream of articles",
        "",
        f"`{result['command'].strip()}` — {result['articles']:,} articles "
        f"({result['input_mib']} MiB of JSONL), model: {result['model']}; chunk "
        f"{result['chunk_size']} records, batch {result['batch_size']} windows.",
        "",
        "| RSS (MiB) | value |", "|---|---|",
        f"| start (model loaded, before the first chunk) | {rss['start_mib']} |",
        f"| peak | {rss['peak_mib']} |",
        f"| end | {rss['end_mib']} |",
        f"| after the first {rss['warmup_articles']:,} articles: min / max | "
        f"{rss['steady_min_mib']} / {rss['steady_max_mib']} |",
        f"| slope after warm-up, MiB per 1,000 articles | {rss['slope_mib_per_1000_articles']} |",
        f"| slope over the second half, MiB per 1,000 articles | "
        f"{rss['second_half_slope_mib_per_1000_articles']} |",
        f"| reading the whole file at once would add (fresh process) | "
        f"{result['read_whole_file_mib']} |",
        "",
        f"RSS at every 1,000 articles (MiB): {curve}.",
        "",
        f"Throughput {result['docs_per_second']} docs/s ({result['seconds']} s). "
        f"Machine: {result['machine']['cpus']} CPUs, torch threads "
        f"{result['machine']['threads']}, load average {result['machine']['load_average_1m']}"
        f" — {result['machine']['note']}.",
        "",
    ]
    (folder / "predict_memory.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
