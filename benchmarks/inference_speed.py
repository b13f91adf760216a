"""CPU inference speed of a topic model: newsdesk's engines against its peers at their best.

Engines, on the same model dir, texts, first ``max_length`` tokens and threads:
``transformers.pipeline`` as usually called and on length-sorted texts; Optimum's ORT model,
fp32 and dynamic int8, in its own venv (optimum-onnx pins transformers < 4.58:
``optimum_env.sh`` builds it, ``optimum_worker.py`` runs there; the results say why when it
cannot); newsdesk on torch, ONNX fp32 and ONNX int8 (a dir without current exports is
exported into a temporary copy). Workloads: the bbc-news test articles (gold labels:
accuracy) and a mixed feed of news-articles headlines, standfirsts, first paragraphs and
articles. A warm-up, then ``--repeats`` passes, engines interleaved; the median and min/max.
"% of compute bound": the operations of the documents (``operations``) against the cores'
peak (``peaks``), fp32 rows against the fp32 peak and int8 rows against the int8 one.

    .venv/bin/python benchmarks/inference_speed.py --model models/topic-bbc-minilm
    .venv/bin/python benchmarks/inference_speed.py --model DIR --limit 20 --repeats 1  # smoke
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from benchlib import RssSampler, repeat_stats, start_run, table, write_results
from quotes import find_row, measured_on, quote, wrap

TITLE = "CPU inference speed: newsdesk against transformers.pipeline and Optimum"
HERE = Path(__file__).resolve().parent
OPTIMUM_PYTHON = HERE.parent / ".venv-optimum" / "bin" / "python"
BATCH_SIZE = 32
FEED_SIZE = 600  # with 418 long bbc-news articles: about 7 min a pass of all 8 engines here
SEED = 13
REFERENCE = "newsdesk torch"  # every engine's labels are compared with this one's

Labels = list[str]
Engine = Callable[[list[str]], tuple[Labels, float]]  # texts -> labels, seconds


@dataclass
class Workload:
    name: str
    texts: list[str]
    gold: list[str] | None = None


def bbc_workload(limit: int | None) -> Workload:
    """The bbc-news test split (articles, gold topics)."""
    from newsdesk.data import load

    records = load("bbc-news", split="test")[:limit]
    return Workload("bbc-news", [r.text for r in records], [str(r.label) for r in records])


def feed_workload(size: int) -> Workload:
    """``size`` news-articles headlines, standfirsts, first paragraphs and full articles,
    shuffled with a fixed seed."""
    from newsdesk.data import load

    items: list[str] = []
    for record in load("news-articles"):
        items += [x for x in (record.title, record.summary, first_paragraph(record.text),
                              record.text) if x and x.strip()]
    random.Random(SEED).shuffle(items)
    return Workload("mixed feed", items[:size])


def first_paragraph(text: str, sentences: int = 3) -> str:
    """The first ``sentences`` sentences (news-articles keeps no paragraph breaks).

    >>> first_paragraph("One. Two! Three? Four.", 2)
    'One. Two!'
    """
    return " ".join(re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=sentences)[:sentences])


# ------------------------------------------------------------------------------- engines


def timed(run: Callable[[list[str]], Labels]) -> Engine:
    def engine(texts: list[str]) -> tuple[Labels, float]:
        start = time.perf_counter()
        labels = run(texts)
        return labels, time.perf_counter() - start
    return engine


def length_sorted(run: Callable[[list[str]], Labels]) -> Callable[[list[str]], Labels]:
    """``run`` fed the texts longest first (batches then pad little); labels in input order."""
    def sorted_run(texts: list[str]) -> Labels:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        labels = run([texts[i] for i in order])
        return [label for _, label in sorted(zip(order, labels))]
    return sorted_run


def pipeline_engines(pipe: Any, max_length: int) -> dict[str, Engine]:
    def run(texts: list[str]) -> Labels:
        return [r["label"] for r in pipe(texts, batch_size=BATCH_SIZE, truncation=True,
                                         max_length=max_length)]
    return {"transformers.pipeline": timed(run),
            "transformers.pipeline, sorted": timed(length_sorted(run))}


def newsdesk_engines(model_dir: Path, threads: int) -> dict[str, Engine]:
    """newsdesk's torch, ONNX fp32 and ONNX int8 classifiers, reading the first window."""
    from newsdesk import TopicClassifier

    engines = {}
    for name, options in (("newsdesk torch", {}), ("newsdesk onnx fp32", {"backend": "onnx"}),
                          ("newsdesk onnx int8", {"backend": "onnx", "quantize": "int8"})):
        classifier = TopicClassifier.from_pretrained(model_dir, threads=threads, **options)
        classifier.manifest.windowing = replace(classifier.manifest.windowing, mode="first")
        engines[name] = timed(lambda texts, c=classifier: [
            p.label for p in c.predict(texts, batch_size=BATCH_SIZE)])
    return engines


class OptimumWorker:
    """benchmarks/optimum_worker.py under .venv-optimum's python: one JSON line per request."""

    def __init__(self, python: Path) -> None:
        self.process = subprocess.Popen([str(python), str(HERE / "optimum_worker.py")],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **request: Any) -> dict[str, Any]:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the Optimum worker exited with code {self.process.wait()}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the Optimum worker failed: {answer['error']}")
        return answer

    def run(self, precision: str, texts: list[str]) -> tuple[Labels, float]:
        answer = self.ask(run=precision, texts=texts)
        return answer["labels"], answer["seconds"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def optimum_engines(python: Path | None, load: dict[str, Any], stack: ExitStack
                    ) -> tuple[dict[str, Engine], dict[str, Any]]:
    """Optimum's fp32 and int8 engines (the worker's ``load`` request), or none and why not."""
    try:
        if python is None:
            subprocess.run(["bash", str(HERE / "optimum_env.sh")], check=True,
                           capture_output=True, text=True)
            python = OPTIMUM_PYTHON
        worker = OptimumWorker(python)
        stack.callback(worker.close)
        info = worker.ask(**load)
    except subprocess.CalledProcessError as error:
        said = [line for line in error.stderr.splitlines() if not line.startswith("WARNING")]
        return {}, {"ran": False, "why": f"benchmarks/optimum_env.sh exited with code "
                                         f"{error.returncode}: {' '.join(said[-3:])}"}
    except (OSError, RuntimeError) as error:
        return {}, {"ran": False, "why": str(error)}
    return ({f"optimum ort {p}": partial(worker.run, p) for p in ("fp32", "int8")},
            {"ran": True, **info})


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
        yield model_dir, {"exported": "found in the model dir"}
        return
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        copy = Path(tmp) / model_dir.name
        shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("*.onnx"))
        result = export_onnx(copy, ExportOptions(int8=True))
        yield copy, {"exported": "by this run",
                     "fp32_max_abs_logit_diff": result.fp32_max_abs_diff}


def interleaved_passes(engines: dict[str, Engine], workloads: list[Workload], repeats: int
                       ) -> dict[tuple[str, str], tuple[Labels, list[float]]]:
    """Warm every engine up on two batches, then pass 1 of every engine, pass 2, ...:
    (workload, engine) -> labels, seconds of each pass."""
    for engine in engines.values():
        engine(workloads[-1].texts[:2 * BATCH_SIZE])
    labels: dict[tuple[str, str], Labels] = {}
    seconds: dict[tuple[str, str], list[float]] = defaultdict(list)
    for repeat in range(repeats):
        for workload in workloads:
            for name, engine in engines.items():
                key = workload.name, name
                labels[key], wall = engine(workload.texts)
                seconds[key].append(wall)
                print(f"pass {repeat + 1} | {workload.name:>10} | {name:<29} | "
                      f"{len(workload.texts) / wall:8.2f} docs/s", flush=True)
    return {key: (labels[key], seconds[key]) for key in labels}


# ------------------------------------------------------------------------ compute bound


def operations(model: Any, lengths: list[int]) -> float:
    """Sum over documents of s tokens of 2 * P * s + 4 * L * s^2 * h (P the encoder's
    non-embedding parameters, L layers, h hidden size)."""
    encoder = sum(p.numel() for name, p in model.named_parameters()
                  if ".encoder." in f".{name}" and "embeddings" not in name)
    layers, hidden = model.config.num_hidden_layers, model.config.hidden_size
    return sum(2.0 * encoder * s + 4.0 * layers * s**2 * hidden for s in lengths)


def peaks(cpu: dict[str, Any], threads: int) -> dict[str, Any]:
    """Peak G operations/s of the cores used (cores x clock x operations a cycle), fp32
    (SIMD lanes x 2 FMA units x 2) and int8 (AMX, else VNNI 4x fp32, else 2x), and how each
    was counted."""
    isa = set(cpu["isa"])
    lanes = 16 if "avx512f" in isa else 8 if "avx2" in isa else 4
    fp32 = lanes * 2 * 2
    if "amx_int8" in isa:
        int8, int8_how = 2048, "AMX: 1024 int8 multiply-adds per cycle"
    elif {"avx512_vnni", "avx_vnni"} & isa:
        int8, int8_how = 4 * fp32, "VNNI: 4 int8 multiply-adds per fp32 lane"
    else:
        int8, int8_how = 2 * fp32, "no VNNI: 2 int8 multiply-adds per fp32 lane"
    ghz, clock = clock_ghz(cpu["model"])
    cores = min(threads, cpu["cores"])
    return {"ghz": ghz, "clock": clock, "cores": cores,
            "fp32_ops_per_cycle": fp32, "int8_ops_per_cycle": int8, "int8_how": int8_how,
            "fp32": round(cores * ghz * fp32, 1), "int8": round(cores * ghz * int8, 1)}


def clock_ghz(model: str) -> tuple[float, str]:
    """The nominal clock: from the model name, else /proc/cpuinfo's ``cpu MHz``."""
    from newsdesk.device import cpuinfo

    named = re.search(r"@\s*([\d.]+)\s*GHz", model)
    if named:
        return float(named.group(1)), "CPU model name"
    mhz = cpuinfo().get("cpu MHz")
    return (float(mhz) / 1000, "/proc/cpuinfo cpu MHz") if mhz else (2.0, "assumed")


def padded_tokens(lengths: list[int], sort: bool) -> int:
    """Tokens that batches of 32 compute with padding, in input order or sorted by length."""
    lengths = sorted(lengths, reverse=True) if sort else lengths
    return sum(len(chunk) * max(chunk) for chunk in
               (lengths[i:i + BATCH_SIZE] for i in range(0, len(lengths), BATCH_SIZE)))


# --------------------------------------------------------------------------------- rows


def rows_of(passes: dict[tuple[str, str], tuple[Labels, list[float]]],
            workloads: list[Workload], lengths: dict[str, list[int]],
            ops: dict[str, float], peak: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for workload in workloads:
        docs, tokens = len(workload.texts), sum(lengths[workload.name])
        reference = passes[workload.name, REFERENCE][0]
        base = statistics.median(passes[workload.name, "transformers.pipeline"][1])
        for (name, engine), (labels, seconds) in passes.items():
            if name != workload.name:
                continue
            stats = repeat_stats(seconds)
            precision = "int8" if engine.endswith("int8") else "fp32"
            median = statistics.median(seconds)
            row = {"workload": name, "engine": engine, "docs": docs, "seconds": stats,
                   "docs_per_s": round(docs / median, 2), "x_pipeline": round(base / median, 2),
                   "tokens_per_s": round(tokens / median), "peak": precision,
                   "compute_bound": round(ops[name] / median / 1e9 / peak[precision], 4),
                   "agreement_with_torch": _share(labels, reference)}
            if workload.gold is not None:
                row["accuracy"] = _share(labels, workload.gold)
            rows.append(row)
    return rows


def _share(a: Sequence[str], b: Sequence[str]) -> float:
    return round(sum(x == y for x, y in zip(a, b)) / len(a), 4)


def speed_table(report: dict[str, Any]) -> list[str]:
    """Every (workload, engine) row: speed, its spread, share of the peak, labels."""
    return table(["workload", "engine", "docs", "docs/s (median)", "s min / median / max",
                  "x pipeline", "tokens/s", "% of compute bound (peak)", "labels = torch",
                  "accuracy"], [
        (r["workload"], r["engine"], r["docs"], r["docs_per_s"],
         f"{r['seconds']['min']:.2f} / {r['seconds']['median']:.2f} / "
         f"{r['seconds']['max']:.2f}", r["x_pipeline"], r["tokens_per_s"],
         f"{100 * r['compute_bound']:.1f}% ({r['peak']})",
         f"{100 * r['agreement_with_torch']:.2f}%",
         f"{100 * r['accuracy']:.2f}" if "accuracy" in r else "") for r in report["rows"]])


def render(report: dict[str, Any], name: str) -> list[str]:
    peak, optimum = report["peak"], report["optimum"]
    lines = []
    if report["limit"] is not None:
        lines += [f"**Reduced run (`--limit {report['limit']}`): not final figures.**", ""]
    if not optimum["ran"]:
        lines += [f"**Optimum's ONNX Runtime rows are missing: {optimum['why']}**", ""]
    lines += [
        f"Model `{report['model']}`; {report['threads']} threads; batches of {BATCH_SIZE}; "
        f"every engine reads the first {report['max_length']} tokens. Median of "
        f"{report['repeats']} timed passes after a warm-up, engines interleaved; "
        "\"sorted\" and Optimum rows sort the texts by length; labels compared with "
        f"{REFERENCE}'s.", "",
        f"% of compute bound: fp32 rows against the fp32 peak ({peak['fp32']} GFLOP/s = "
        f"{peak['cores']} cores x {peak['ghz']} GHz ({peak['clock']}) x "
        f"{peak['fp32_ops_per_cycle']} ops/cycle), int8 rows against the int8 peak "
        f"({peak['int8']} GOP/s, {peak['int8_ops_per_cycle']} ops/cycle; {peak['int8_how']}). "
        "Turbo runs above a nominal clock, so fractions can read high.", "",
        *quote("table", "\n".join([wrap(table_intro(report)), "", *speed_table(report)]))]
    padding = report["padding"]
    lines += ["", f"Padding on the mixed feed: {padding['real']:,} real tokens; batches of "
              f"{BATCH_SIZE} in input order compute {padding['input_order']:,}, sorted by "
              f"length {padding['sorted']:,}.", "",
              f"newsdesk ONNX export: {report['export']['exported']}.", "",
              f"Optimum int8: {optimum.get('int8', 'did not run')}; its venv: "
              f"{optimum.get('libraries', 'none')}.", "",
              f"Peak RSS of the benchmark process with its engines loaded (Optimum's worker not "
              f"counted): {report['peak_rss_mib']} MiB.", "", *quote("main", summary(report, name))]
    return lines


def table_intro(data: dict[str, Any]) -> str:
    """What the table measured, as the README says it above the table."""
    docs = {r["workload"]: r["docs"] for r in data["rows"]}
    optimum = data["optimum"]
    missing = "" if optimum["ran"] else f" Optimum did not run: {optimum['why']}."
    return (f"Model `{data['model']}`, {docs['bbc-news']} bbc-news test articles and a "
            f"{docs['mixed feed']:,}-item mixed feed, {data['threads']} threads, every "
            f"engine reading the first {data['max_length']} tokens in batches of {BATCH_SIZE}; "
            f"median of {data['repeats']} interleaved passes after a warm-up; "
            f"{measured_on(data)}.{missing} \"labels = torch\": share of labels equal to "
            "newsdesk torch's; int8 rows are measured against the int8 peak, fp32 rows against "
            "the fp32 peak:")


def summary(data: dict[str, Any], name: str) -> str:
    """The README's line: int8 on the mixed feed against the pipeline and the fp32 peers."""
    feed = [r for r in data["rows"] if r["workload"] == "mixed feed"]
    int8 = find_row(feed, "engine", "newsdesk onnx int8")
    peer = max((r for r in feed if not r["engine"].startswith("newsdesk")
                and r["peak"] == "fp32"), key=lambda r: r["docs_per_s"])
    optimum = [r for r in feed if r["engine"] == "optimum ort int8"]
    versus_optimum = (f", {int8['docs_per_s'] / optimum[0]['docs_per_s']:.2f}x Optimum's "
                      "ONNX Runtime int8" if optimum else "")
    return wrap(f"- Speed: ONNX int8 labels {int8['docs_per_s']:.1f} docs/s of a mixed news "
                f"feed, {int8['x_pipeline']:.2f}x `transformers.pipeline` as called, "
                f"{int8['docs_per_s'] / peer['docs_per_s']:.2f}x the fastest fp32 peer "
                f"({peer['engine']}){versus_optimum} "
                f"([results](benchmarks/results/{name}.md); {measured_on(data)}).")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path, help="a topic model dir")
    parser.add_argument("--limit", type=int, default=None,
                        help="a quick run: at most N texts per workload (not final)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per engine")
    parser.add_argument("--threads", type=int, default=None, help="default: every core")
    parser.add_argument("--optimum-python", type=Path, default=None,
                        help="python of a venv with optimum-onnx (default: build "
                             ".venv-optimum with benchmarks/optimum_env.sh)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    run = start_run(None if argv is None else [__file__, *argv])
    import torch
    from transformers import pipeline

    from newsdesk.manifest import Manifest

    threads = args.threads or run.cpu["cores"]
    torch.set_num_threads(threads)
    max_length = Manifest.load(args.model).windowing.max_length
    workloads = [bbc_workload(args.limit), feed_workload(min(FEED_SIZE, args.limit or FEED_SIZE))]
    with ExitStack() as stack:
        model_dir, export = stack.enter_context(exported(args.model))
        pipe = pipeline("text-classification", model=str(model_dir), device="cpu")
        engines = pipeline_engines(pipe, max_length)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="optimum-")))
        optimum, optimum_info = optimum_engines(args.optimum_python, {
            "load": str(model_dir), "out": str(work), "threads": threads,
            "max_length": max_length, "isa": run.cpu["isa"]}, stack)
        engines |= optimum | newsdesk_engines(model_dir, threads)
        with RssSampler() as rss:
            passes = interleaved_passes(engines, workloads, args.repeats)
    lengths = {w.name: [len(ids) for ids in pipe.tokenizer(
        w.texts, truncation=True, max_length=max_length)["input_ids"]] for w in workloads}
    ops = {name: operations(pipe.model, lengths[name]) for name in lengths}
    peak = peaks(run.cpu, threads)
    feed = lengths["mixed feed"]
    report = {"model": str(args.model), "limit": args.limit, "repeats": args.repeats,
              "threads": threads, "max_length": max_length, "peak": peak,
              "optimum": optimum_info, "export": export, "peak_rss_mib": round(rss.peak),
              "padding": {"real": sum(feed), "input_order": padded_tokens(feed, False),
                          "sorted": padded_tokens(feed, True)},
              "rows": rows_of(passes, workloads, lengths, ops, peak)}
    write_results("inference_speed", run, report, render, TITLE, folder=args.out)
    print(f"written to {args.out}/inference_speed.md")
    return report


if __name__ == "__main__":
    main()
