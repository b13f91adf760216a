"""CPU inference speed: transformers.pipeline against newsdesk torch, ONNX fp32 and ONNX int8.

One process, the same model and the same texts for every engine, two workloads:

- ``bbc-news``: the bbc-news test articles (uniformly long: nearly all reach 256 tokens);
- ``mixed feed``: news-articles headlines, standfirsts, first paragraphs and full articles
  shuffled together with a fixed seed (the lengths a real feed has).

Every engine truncates at the same 256 tokens for the speed ratios (newsdesk windowing mode
``first``); newsdesk's windowed figures (every 256-token window, scores averaged) are
reported beside them. Each engine is loaded, warmed up, timed, then dropped; its row gives the
process's peak RSS while it ran and the RSS before it was loaded (freed memory is not always
handed back to the OS, so later rows can read high). Torch and ONNX Runtime use the same
thread count (default: every core).

For each row: docs/s, tokens/s, peak RSS, accuracy (bbc-news), and the fraction of the CPU's
peak fp32 FLOP/s reached, where a document of s tokens costs 2 * P * s + 4 * L * s^2 * h
FLOPs (P the encoder's non-embedding parameters, L layers, h hidden size) and the peak is
cores x GHz x SIMD fp32 lanes x 2 FMA units x 2 (from lscpu). int8 rows may pass 100%: int8
dot products do more operations per cycle than the fp32 peak counts. Also: int8 against
fp32 label agreement, and extractive summarizer throughput.

    .venv/bin/python benchmarks/inference_speed.py --model models/topic-bbc-minilm
    .venv/bin/python benchmarks/inference_speed.py --model DIR --limit 40   # a quick check

A model dir without ``newsdesk export --onnx --int8`` files is copied to a temporary dir and
exported there. ``--limit`` makes a reduced run: its speed figures are not final.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
MAX_LENGTH = 256
STRIDE = 64  # windowed rows: 256-token windows overlapping by 64
BATCH_SIZE = 32
FEED_SIZE = 2000
SEED = 13
ENGINES = ("transformers.pipeline", "newsdesk torch", "newsdesk onnx fp32",
           "newsdesk onnx int8")
TARGETS = {"mixed feed": {"newsdesk onnx int8": 3.0, "newsdesk torch": 1.3},
           "bbc-news": {"newsdesk onnx int8": 1.4}}


@dataclass
class Workload:
    """Texts to classify, with gold labels where the workload has them."""

    name: str
    texts: list[str]
    gold: list[str] | None = None


# ----------------------------------------------------------------------------- workloads


def bbc_workload(limit: int | None) -> Workload:
    """The bbc-news test split (articles, gold topics)."""
    from newsdesk.data import load

    records = load("bbc-news", split="test")[:limit]
    return Workload("bbc-news", [r.text for r in records], [str(r.label) for r in records])


def feed_workload(size: int, seed: int = SEED) -> Workload:
    """Headlines, standfirsts, first paragraphs and full articles of news-articles, shuffled
    with a fixed seed, ``size`` of them."""
    from newsdesk.data import load

    items: list[str] = []
    for record in load("news-articles"):
        items += [x for x in (record.title, record.summary, first_paragraph(record.text),
                              record.text) if x and x.strip()]
    random.Random(seed).shuffle(items)
    return Workload("mixed feed", items[:size])


def first_paragraph(text: str, sentences: int = 3) -> str:
    """The first ``sentences`` sentences (news-articles keeps no paragraph breaks).

    >>> first_paragraph("One. Two! Three? Four.", 2)
    'One. Two!'
    """
    parts = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=sentences)
    return " ".join(parts[:sentences])


# ------------------------------------------------------------------------------- engines


def load_engine(name: str, model_dir: Path, threads: int, mode: str) -> Callable:
    """A function texts -> labels for one engine (``mode``: newsdesk windowing)."""
    if name == "transformers.pipeline":
        from transformers import pipeline

        pipe = pipeline("text-classification", model=str(model_dir), device="cpu")
        return lambda texts: [r["label"] for r in pipe(
            texts, batch_size=BATCH_SIZE, truncation=True, max_length=MAX_LENGTH)]
    from newsdesk import TopicClassifier

    options = {"newsdesk torch": {}, "newsdesk onnx fp32": {"backend": "onnx"},
               "newsdesk onnx int8": {"backend": "onnx", "quantize": "int8"}}[name]
    classifier = TopicClassifier.from_pretrained(model_dir, device="cpu", threads=threads,
                                                 **options)
    classifier.manifest.windowing = replace(classifier.manifest.windowing, mode=mode,
                                            max_length=MAX_LENGTH, stride=STRIDE)
    return lambda texts: [p.label for p in classifier.predict(texts, batch_size=BATCH_SIZE)]


class PeakRss:
    """Samples the process's RSS every 5 ms in a thread; ``peak`` in MiB."""

    def __init__(self) -> None:
        self.peak = self.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now() -> float:
        """Resident set size in MiB (Linux /proc; elsewhere the lifetime peak)."""
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.now())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


def timed(run: Callable, texts: list[str]) -> tuple[list[str], float, float]:
    """Labels, wall seconds and process CPU seconds of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    labels = run(texts)
    return labels, time.perf_counter() - wall, time.process_time() - cpu


# ------------------------------------------------------------------------ compute bound


@dataclass
class ModelShape:
    """What the FLOP count needs: per-token and per-document parameters, layers, hidden."""

    token_params: int
    head_params: int
    layers: int
    hidden: int

    def flops(self, tokens: int) -> float:
        """FLOPs of one forward pass over ``tokens`` tokens (no padding)."""
        return (2.0 * self.token_params * tokens + 2.0 * self.head_params
                + 4.0 * self.layers * tokens**2 * self.hidden)


def model_shape(model_dir: Path) -> ModelShape:
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(model_dir)
    token = head = 0
    for name, parameter in model.named_parameters():
        if "embeddings" in name:
            continue
        if ".encoder." in f".{name}":
            token += parameter.numel()
        else:
            head += parameter.numel()
    return ModelShape(token, head, model.config.num_hidden_layers, model.config.hidden_size)


def cpu_peak(threads: int) -> dict[str, Any]:
    """Peak fp32 FLOP/s of ``threads`` cores from lscpu: cores x GHz x lanes x 2 FMA x 2."""
    info = _lscpu()
    flags = set(info.get("Flags", "").split())
    lanes = 16 if "avx512f" in flags else 8 if {"avx2", "avx"} & flags else 4
    ghz, source = _ghz(info)
    cores = _physical_cores(info)
    used = min(threads, cores)
    return {"model": info.get("Model name", platform.processor()), "cores": cores,
            "threads_used": used, "ghz": ghz, "ghz_source": source, "fp32_lanes": lanes,
            "fma_units": 2, "peak_gflops": round(used * ghz * lanes * 2 * 2, 1),
            "vnni": bool({"avx512_vnni", "avx_vnni"} & flags), "amx": "amx_int8" in flags}


def _lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in
                                                 out.splitlines()) if v}


def _ghz(info: dict[str, str]) -> tuple[float, str]:
    for key in ("CPU max MHz", "CPU MHz"):
        if info.get(key):
            return float(info[key]) / 1000, f"lscpu {key}"
    named = re.search(r"@\s*([\d.]+)\s*GHz", info.get("Model name", ""))
    if named:
        return float(named.group(1)), "lscpu model name"
    try:
        text = Path("/proc/cpuinfo").read_text()
        return float(re.search(r"cpu MHz\s*:\s*([\d.]+)", text).group(1)) / 1000, \
            "/proc/cpuinfo cpu MHz (nominal)"
    except (OSError, AttributeError):
        return 2.0, "assumed"


def _physical_cores(info: dict[str, str]) -> int:
    try:
        return int(info["Core(s) per socket"]) * int(info.get("Socket(s)", "1"))
    except (KeyError, ValueError):
        return os.cpu_count() or 1


# --------------------------------------------------------------------------------- rows


def token_lengths(tokenizer: Any, texts: Sequence[str], windowed: bool,
                  stride: int) -> list[list[int]]:
    """Per text, the token count of each window the engines run (one window if truncated)."""
    encoded = tokenizer(list(texts), truncation=True, max_length=MAX_LENGTH,
                        return_overflowing_tokens=windowed, stride=stride if windowed else 0,
                        return_attention_mask=False)
    out: list[list[int]] = [[] for _ in texts]
    owners = encoded["overflow_to_sample_mapping"] if windowed else range(len(texts))
    for owner, ids in zip(owners, encoded["input_ids"]):
        out[owner].append(len(ids))
    return out


def padded_tokens(lengths: list[list[int]], sort: bool) -> int:
    """Tokens a batch-of-32 engine computes: unsorted (the pipeline, in input order) or
    sorted by length (newsdesk; its CPU token budget only shrinks this)."""
    flat = [n for windows in lengths for n in windows]
    if sort:
        flat.sort(reverse=True)
    return sum(len(chunk) * max(chunk) for chunk in
               (flat[i:i + BATCH_SIZE] for i in range(0, len(flat), BATCH_SIZE)))


def measure(engine: str, run: Callable, workload: Workload, mode: str,
            context: dict[str, Any]) -> dict[str, Any]:
    """One timed row (after a warm-up on the first texts)."""
    run(workload.texts[:2 * BATCH_SIZE])
    with PeakRss() as rss:
        labels, wall, cpu = timed(run, workload.texts)
    lengths = context["lengths"][mode]
    tokens = sum(sum(w) for w in lengths)
    flops = sum(context["shape"].flops(n) for windows in lengths for n in windows)
    row = {"workload": workload.name, "engine": engine, "windows": mode,
           "docs": len(workload.texts), "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
           "docs_per_s": round(len(workload.texts) / wall, 2),
           "tokens_per_s": round(tokens / wall), "tokens": tokens,
           "padded_tokens": padded_tokens(lengths, sort=engine != "transformers.pipeline"),
           "peak_rss_mib": round(rss.peak), "gflops_per_doc": round(
               flops / len(workload.texts) / 1e9, 3),
           "fraction_of_fp32_peak": round(flops / wall / 1e9 / context["peak"], 3),
           "labels": labels}
    if workload.gold is not None:
        row["accuracy"] = round(sum(a == b for a, b in zip(labels, workload.gold))
                                / len(labels), 4)
    return row


def run_engines(model_dir: Path, workloads: list[Workload], threads: int,
                context: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for engine in ENGINES:
        modes = ["first"] if engine == "transformers.pipeline" else ["first", "all"]
        for mode in modes:
            before = PeakRss.now()
            run = load_engine(engine, model_dir, threads, mode)
            for workload in workloads:
                rows.append(measure(engine, run, workload, mode, {
                    **context, "lengths": context["lengths"][workload.name]}))
                rows[-1]["rss_before_load_mib"] = round(before)
                print(_progress(rows[-1]), flush=True)
            del run
            gc.collect()
    return rows


def _progress(row: dict[str, Any]) -> str:
    return (f"{row['workload']:>10} | {row['engine']:<22} | {row['windows']:<5} | "
            f"{row['docs_per_s']:8.2f} docs/s | {row['peak_rss_mib']} MiB")


# ------------------------------------------------------------------------------ summary


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """Each row's docs/s over the pipeline's on the same workload."""
    base = {r["workload"]: r["docs_per_s"] for r in rows
            if r["engine"] == "transformers.pipeline"}
    for row in rows:
        row["x_pipeline"] = round(row["docs_per_s"] / base[row["workload"]], 2)


def int8_quality(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """int8 against fp32 (and torch): label agreement per workload, bbc-news accuracy."""
    def find(workload: str, engine: str, mode: str) -> dict[str, Any]:
        return next(r for r in rows if (r["workload"], r["engine"], r["windows"])
                    == (workload, engine, mode))

    out: dict[str, Any] = {}
    for workload in sorted({r["workload"] for r in rows}):
        for mode in ("first", "all"):
            int8 = find(workload, "newsdesk onnx int8", mode)
            fp32 = find(workload, "newsdesk onnx fp32", mode)
            torch_row = find(workload, "newsdesk torch", mode)
            entry = {"agreement_int8_vs_fp32": _agreement(int8, fp32),
                     "agreement_fp32_vs_torch": _agreement(fp32, torch_row)}
            if "accuracy" in int8:
                entry.update(accuracy_fp32=fp32["accuracy"], accuracy_int8=int8["accuracy"],
                             accuracy_torch=torch_row["accuracy"],
                             accuracy_loss_points=round(
                                 100 * (fp32["accuracy"] - int8["accuracy"]), 2))
            out[f"{workload} ({mode})"] = entry
    return out


def _agreement(a: dict[str, Any], b: dict[str, Any]) -> float:
    return round(sum(x == y for x, y in zip(a["labels"], b["labels"])) / len(a["labels"]), 4)


def targets(rows: list[dict[str, Any]], quality: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's bars, each with the measured figure and whether it is met."""
    out = []
    for workload, bars in TARGETS.items():
        for engine, bar in bars.items():
            row = next(r for r in rows if (r["workload"], r["engine"], r["windows"])
                       == (workload, engine, "first"))
            out.append({"what": f"{engine} / pipeline docs/s, {workload}", "bar": f">= {bar}x",
                        "measured": row["x_pipeline"], "met": row["x_pipeline"] >= bar})
    bbc = quality.get("bbc-news (first)", {})
    if bbc:
        out.append({"what": "int8 accuracy loss vs fp32, bbc-news (points)", "bar": "<= 0.5",
                    "measured": bbc["accuracy_loss_points"],
                    "met": bbc["accuracy_loss_points"] <= 0.5})
        out.append({"what": "int8 label agreement with fp32, bbc-news", "bar": ">= 99%",
                    "measured": bbc["agreement_int8_vs_fp32"],
                    "met": bbc["agreement_int8_vs_fp32"] >= 0.99})
    return out


def summarizer_speed(limit: int) -> list[dict[str, Any]]:
    """Extractive summaries of news-articles texts: docs/s per method."""
    from newsdesk import Summarizer
    from newsdesk.data import load

    texts = [r.text for r in load("news-articles")[:limit]]
    rows = []
    for method in ("lead", "textrank", "centroid"):
        summarizer = Summarizer.extractive(method)
        summarizer.summarize(texts[:5])
        _, wall, cpu = timed(summarizer.summarize, texts)
        rows.append({"method": method, "docs": len(texts), "seconds": round(wall, 3),
                     "cpu_seconds": round(cpu, 3), "docs_per_s": round(len(texts) / wall, 1)})
        print(f"summarizer {method}: {rows[-1]['docs_per_s']} docs/s", flush=True)
    return rows


# -------------------------------------------------------------------------------- setup


@contextmanager
def exported(model_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """``model_dir`` if it has both ONNX files made from its current weights, else a
    temporary exported copy."""
    from newsdesk.manifest import Manifest
    from newsdesk.onnx_export import ExportOptions, export_onnx, weights_sha256

    entry = Manifest.load(model_dir).extras.get("onnx", {})
    weights = weights_sha256(model_dir)
    if all((model_dir / entry.get(v, {}).get("file", "-")).is_file()
           and entry[v].get("weights_sha256") == weights for v in ("fp32", "int8")):
        yield model_dir, {"exported": "found in the model dir", **entry}
        return

    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        copy = Path(tmp) / model_dir.name
        shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("*.onnx"))
        start = time.perf_counter()
        result = export_onnx(copy, ExportOptions(int8=True))
        yield copy, {"exported": f"by this run in {time.perf_counter() - start:.0f} s",
                     "fp32_max_abs_logit_diff": result.fp32_max_abs_diff,
                     "fused": result.fused,
                     "int8_probe_label_agreement": result.int8_label_agreement}


def environment(threads: int) -> dict[str, Any]:
    from importlib.metadata import version

    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "threads": threads,
            **{name: version(name) for name in ("torch", "transformers", "onnxruntime")}}


def write_results(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    slim = {**report, "rows": [{k: v for k, v in r.items() if k != "labels"}
                               for r in report["rows"]]}
    (out / "inference_speed.json").write_text(json.dumps(slim, indent=2) + "\n")
    (out / "inference_speed.md").write_text(markdown(slim))


def markdown(report: dict[str, Any]) -> str:
    cpu, env = report["cpu"], report["environment"]
    title = "# CPU inference speed: transformers.pipeline vs newsdesk"
    lines = [title, ""]
    if report["reduced"]:
        lines += [f"**Reduced run (`--limit {report['limit']}`): these speed figures are a "
                  "smoke test on a busy machine, not final.**", ""]
    lines += [f"Model `{report['model']}`; {env['threads']} threads for torch and ONNX "
              f"Runtime; batch size {BATCH_SIZE}; every engine truncates at {MAX_LENGTH} "
              "tokens (`first`); newsdesk's windowed figures (`all`: every 256-token window) "
              "beside them.", "",
              f"CPU: {cpu['model']}, {cpu['threads_used']} of {cpu['cores']} cores at "
              f"{cpu['ghz']} GHz ({cpu['ghz_source']}), {cpu['fp32_lanes']} fp32 lanes, "
              f"VNNI {cpu['vnni']}: peak fp32 {cpu['peak_gflops']} GFLOP/s "
              "(cores x GHz x lanes x 2 FMA x 2). Where the clock is the nominal one, turbo "
              "runs above it and the fractions below read high; int8 rows may pass 100%.", "",
              "| workload | engine | windows | docs | docs/s | x pipeline | tokens/s | "
              "GFLOP/doc | % of fp32 peak | peak RSS MiB (before load) | accuracy |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        accuracy = f"{100 * r['accuracy']:.2f}" if "accuracy" in r else ""
        lines.append(f"| {r['workload']} | {r['engine']} | {r['windows']} | {r['docs']} | "
                     f"{r['docs_per_s']} | {r['x_pipeline']} | {r['tokens_per_s']} | "
                     f"{r['gflops_per_doc']} | {100 * r['fraction_of_fp32_peak']:.0f}% | "
                     f"{r['peak_rss_mib']} ({r['rss_before_load_mib']}) | {accuracy} |")
    lines += ["", "## int8 against fp32", "", "| workload | labels int8 = fp32 | "
              "fp32 = torch | accuracy torch / fp32 / int8 | int8 loss (points) |",
              "|---|---|---|---|---|"]
    for name, q in report["int8_quality"].items():
        accuracy = (f"{100 * q['accuracy_torch']:.2f} / {100 * q['accuracy_fp32']:.2f} / "
                    f"{100 * q['accuracy_int8']:.2f}" if "accuracy_int8" in q else "")
        lines.append(f"| {name} | {100 * q['agreement_int8_vs_fp32']:.2f}% | "
                     f"{100 * q['agreement_fp32_vs_torch']:.2f}% | {accuracy} | "
                     f"{q.get('accuracy_loss_points', '')} |")
    lines += ["", "## The issue's bars", "", "| what | bar | measured | met |", "|---|---|---|---|"]
    lines += [f"| {t['what']} | {t['bar']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |"
              for t in report["targets"]]
    lines += ["", "## Extractive summarizers (news-articles)", "", "| method | docs | docs/s |",
              "|---|---|---|"]
    lines += [f"| {s['method']} | {s['docs']} | {s['docs_per_s']} |"
              for s in report["summarizers"]]
    lines += ["", f"Padding: the pipeline computes {report['padding']['pipeline']:,} tokens "
              f"on the mixed feed for {report['padding']['real']:,} real ones; length-sorted "
              f"batches of {BATCH_SIZE} would compute {report['padding']['sorted']:,} (newsdesk's "
              "CPU token budget cuts that further).", "",
              f"Environment: {env}.", "", f"ONNX export: {export_summary(report['export'])}.",
              "",
              "Produced by `.venv/bin/python benchmarks/inference_speed.py --model DIR`."]
    return "\n".join(lines) + "\n"


def export_summary(export: dict[str, Any]) -> str:
    """One line on the ONNX files: where from, fp32 parity, fusions, int8 settings."""
    fp32, int8 = export.get("fp32", {}), export.get("int8", {})
    diff = fp32.get("max_abs_logit_diff_vs_torch", export.get("fp32_max_abs_logit_diff"))
    fused = fp32.get("fused", export.get("fused", {}))
    parts = [export["exported"], f"fp32 max |logit - torch| {diff:.1e} on the probe batch"
             if diff is not None else "",
             "fused " + ", ".join(f"{k} {v}" for k, v in fused.items()) if fused else "",
             f"int8 dynamic, per channel {int8['per_channel']}, reduce range "
             f"{int8['reduce_range']}" if int8 else "int8 dynamic, per channel"]
    return "; ".join(p for p in parts if p)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="a topic model dir")
    parser.add_argument("--limit", type=int, default=None,
                        help="a reduced run: at most N texts per workload (not final)")
    parser.add_argument("--threads", type=int, default=None, help="default: every core")
    parser.add_argument("--feed-size", type=int, default=FEED_SIZE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    import torch
    from transformers import AutoTokenizer

    threads = args.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    workloads = [bbc_workload(args.limit),
                 feed_workload(min(args.feed_size, args.limit or args.feed_size))]
    with exported(args.model) as (model_dir, export_info):
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        lengths = {w.name: {mode: token_lengths(tokenizer, w.texts, mode == "all", STRIDE)
                            for mode in ("first", "all")} for w in workloads}
        cpu = cpu_peak(threads)
        context = {"shape": model_shape(model_dir), "peak": cpu["peak_gflops"],
                   "lengths": lengths}
        rows = run_engines(model_dir, workloads, threads, context)
    add_ratios(rows)
    quality = int8_quality(rows)
    feed = lengths["mixed feed"]["first"]
    report = {"model": str(args.model), "reduced": args.limit is not None,
              "limit": args.limit, "environment": environment(threads), "cpu": cpu,
              "export": export_info, "rows": rows, "int8_quality": quality,
              "targets": targets(rows, quality),
              "padding": {"real": sum(map(sum, feed)), "pipeline": padded_tokens(feed, False),
                          "sorted": padded_tokens(feed, True)},
              "summarizers": summarizer_speed(min(args.limit or 300, 300))}
    write_results(report, args.out)
    print(f"written to {args.out}/inference_speed.md")
    return report


if __name__ == "__main__":
    main()
