"""The light install (``pip install newsdesk``, no torch) against the full one and
``transformers.pipeline``: install size, import time, cold start and docs/s.

Builds a fresh venv holding the bare install of this checkout (``build_light_venv``: the
dependencies from the package index, pip's cache reused), writes each model's test split
(the data its manifest names) to a JSONL file, then starts fresh processes, engines
interleaved, ``--repeats`` rounds, 2 threads, batches of 32. Each process imports what its
engine needs, loads the model, labels one text (cold start: from the parent's spawn to that
first label), then labels the whole split once (docs/s). Engines: the light venv on the
dir's ONNX export (fp32 and int8); this (full) venv on torch and on the export;
``transformers.pipeline`` here. Labels are compared with the full install's torch labels.
Install sizes: the light venv, and this venv (every extra). Results:
benchmarks/results/light_install.{json,md}.

    .venv/bin/python benchmarks/light_install.py --model models/topic-bbc-minilm \\
        --labels-model models/stance-headlines-minilm

``--labels-model`` runs only the engines whose labels are compared (the light export in
fp32 and int8, the full install on torch), one round: for a large split such as
headline-stance's 3,444 test pairs.

Each model dir needs its ONNX export (``newsdesk export DIR --onnx --int8``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import ROOT, start_run, table, write_results
from quotes import measured_on, pct, quote, wrap

TITLE = "The light install against the full one: size, import, cold start, docs/s"
#: What a source build of the distribution reads.
SOURCE_PARTS = ("pyproject.toml", "README.md", "inference", "training")
#: engine -> (which venv, what it runs).
ENGINES = {
    "light onnx fp32": ("light", {"backend": "onnx"}),
    "light onnx int8": ("light", {"backend": "onnx", "quantize": "int8"}),
    "full torch": ("full", {"backend": "torch"}),
    "full onnx fp32": ("full", {"backend": "onnx"}),
    "transformers.pipeline": ("full", {"pipeline": True}),
}
REFERENCE = "full torch"
THREADS, BATCH_SIZE = 2, 32
#: The export's own fp32 labels, which int8's are held to (at least 99% the same).
FP32_EXPORT = "light onnx fp32"
#: What a ``--labels-model`` runs: the labels to compare, once each (a large split).
LABEL_ENGINES = ("light onnx fp32", "light onnx int8", "full torch")
CHILD = """
import json, sys, time
args = json.loads(sys.argv[1])
start = time.perf_counter()
items = [json.loads(line) for line in open(args["items"], encoding="utf-8")]
paired = any("target" in item for item in items)
if args.get("pipeline"):
    import torch
    from transformers import pipeline
    torch.set_num_threads(args["threads"])
    imported = time.perf_counter()
    pipe = pipeline("text-classification", model=args["model"], device="cpu",
                    truncation=True, max_length=args["max_length"])
    def predict(rows):
        inputs = [{"text": r["target"], "text_pair": r["text"]} if paired else r["text"]
                  for r in rows]
        return [out["label"] for out in pipe(inputs, batch_size=args["batch_size"])]
else:
    import newsdesk.classifier
    if args["backend"] == "torch":
        import torch, transformers
    else:
        import onnxruntime, tokenizers
    imported = time.perf_counter()
    model = newsdesk.load(args["model"], backend=args["backend"],
                          quantize=args.get("quantize"), threads=args["threads"])
    def predict(rows):
        targets = [r["target"] for r in rows] if paired else None
        return [p.label for p in model.predict_texts([r["text"] for r in rows], targets,
                                                     args["batch_size"])]
loaded = time.perf_counter()
predict(items[:1])
first, first_wall = time.perf_counter(), time.time()
labels = predict(items)
seconds = time.perf_counter() - first
print(json.dumps({"import_s": imported - start, "load_s": loaded - imported,
                  "first_label_s": first - loaded, "first_label_wall": first_wall,
                  "docs_per_second": len(items) / seconds, "labels": labels}))
"""


def copy_source(into: Path) -> Path:
    """The files a build of the distribution reads, copied out of the checkout (a build in
    it would leave build/ and egg-info behind)."""
    into.mkdir(parents=True)
    for part in SOURCE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, into / part)
    return into


def clean_env() -> dict[str, str]:
    """This environment without what would point a venv at this checkout or this venv."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def build_light_venv(into: Path) -> subprocess.CompletedProcess[str]:
    """A venv at ``into`` holding ``pip install <this checkout>`` and nothing else; the
    finished pip run (check its ``returncode``)."""
    subprocess.run([sys.executable, "-m", "venv", str(into)], check=True, env=clean_env())
    source = copy_source(into.parent / f"{into.name}-source")
    return subprocess.run([str(into / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--disable-pip-version-check", str(source)],
                          capture_output=True, text=True, env=clean_env())


def venv_megabytes(venv: Path) -> float:
    """The bytes of every file under ``venv`` (links not followed), in MB."""
    total = sum((Path(folder) / name).lstat().st_size
                for folder, _, names in os.walk(venv) for name in names)
    return total / 1e6


def write_items(model: str, path: Path) -> dict[str, Any]:
    """The test split of the data the model's manifest names, as JSONL rows (text, and
    target for a stance model); what was written."""
    from newsdesk.data import load
    from newsdesk.manifest import Manifest
    from newsdesk.tasks import get_task

    manifest = Manifest.load(Path(model))
    task, source = get_task(manifest.task), manifest.data.get("test") or manifest.data["source"]
    records = load(source, "test")
    targets = task.targets(records)
    with path.open("w", encoding="utf-8") as handle:
        for index, record in enumerate(records):
            row = {"text": record.text} | ({"target": targets[index]} if targets else {})
            handle.write(json.dumps(row) + "\n")
    return {"data": source, "split": "test", "items": len(records),
            "max_length": manifest.windowing.max_length}


def run_child(python: Path, engine: str, settings: dict[str, Any]) -> dict[str, Any]:
    """One fresh process of ``engine``; its figures, with the cold start measured from
    here (spawn to first label)."""
    spawned = time.time()
    done = subprocess.run([str(python), "-c", CHILD, json.dumps(settings)],
                          capture_output=True, text=True, env=clean_env(), cwd=python.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["cold_start_s"] = result.pop("first_label_wall") - spawned
    return result


def agreement(labels: list[str], reference: list[str]) -> float:
    """The share of ``labels`` equal to ``reference`` at the same position."""
    if len(labels) != len(reference):
        raise RuntimeError(f"{len(labels)} labels against {len(reference)} reference labels")
    return round(sum(a == b for a, b in zip(labels, reference)) / len(reference), 4)


def measure_model(model: str, pythons: dict[str, Path], work: Path, engines: Sequence[str],
                  repeats: int) -> dict[str, Any]:
    """``engines`` on one model, ``repeats`` interleaved rounds."""
    items = work / f"{Path(model).name}.jsonl"
    facts = write_items(model, items)
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
    for _ in range(repeats):
        for engine in engines:
            venv, options = ENGINES[engine]
            settings = {"model": str(Path(model).resolve()), "items": str(items),
                        "threads": THREADS, "batch_size": BATCH_SIZE,
                        "max_length": facts["max_length"], **options}
            runs[engine].append(run_child(pythons[venv], engine, settings))
            print(f"{Path(model).name} {engine}: cold start "
                  f"{runs[engine][-1]['cold_start_s']:.2f} s", flush=True)
    reference = runs[REFERENCE][-1]["labels"] if REFERENCE in runs else None
    fp32 = runs[FP32_EXPORT][-1]["labels"] if FP32_EXPORT in runs else None
    measured = {}
    for engine, results in runs.items():
        labels = results[-1]["labels"]
        measured[engine] = {
            **{key: round(statistics.median(r[key] for r in results), 3)
               for key in ("import_s", "load_s", "first_label_s", "cold_start_s",
                           "docs_per_second")},
            "label_agreement_vs_torch": (None if reference is None
                                         else agreement(labels, reference)),
            "label_agreement_vs_onnx_fp32": (agreement(labels, fp32)
                                             if fp32 is not None and "int8" in engine
                                             else None)}
    return {"model": model, **facts, "repeats": repeats, "engines": measured}


def percent(share: float | None) -> str:
    """``99.52%``, or nothing where there is no share."""
    return "" if share is None else pct(share)


def render(r: dict[str, Any], name: str) -> list[str]:
    sizes = r["install_mb"]
    lines = [f"Install size: the bare install's venv {sizes['light']} MB, this venv (every "
             f"extra) {sizes['full']} MB. {r['threads']} threads, batches of "
             f"{r['batch_size']}; each engine runs in fresh processes, engines interleaved, "
             "and the figures are medians over a model's rounds. labels = torch: the share of "
             "labels equal to the full install's torch labels; int8 = fp32: the share of the "
             "int8 export's labels equal to the fp32 export's.", ""]
    for model in r["models"]:
        repeats, engines = model.get("repeats", r["repeats"]), model["engines"]
        lines += [f"## `{model['model']}` on {model['data']} {model['split']} "
                  f"({model['items']} items, {repeats} round{'s' * (repeats != 1)})", "",
                  *table(["engine", "import s", "load s", "cold start s", "docs/s",
                          "labels = torch", "int8 = fp32"], [
                      (engine, e["import_s"], e["load_s"], e["cold_start_s"],
                       f"{e['docs_per_second']:.1f}", percent(e["label_agreement_vs_torch"]),
                       percent(e.get("label_agreement_vs_onnx_fp32")))
                      for engine, e in engines.items()])]
        if REFERENCE in engines and FP32_EXPORT in engines:
            ratio = engines[REFERENCE]["cold_start_s"] / engines[FP32_EXPORT]["cold_start_s"]
            lines += ["", f"Cold start of the light install (fp32): {ratio:.2f}x faster "
                          "than the full install on torch."]
        lines.append("")
    return [*lines, *quote("main", summary(r, name))]


def summary(data: dict[str, Any], name: str) -> str:
    """The README's line: size, cold start and label agreement against the full install."""
    sizes = data["install_mb"]
    parts = []
    for model in data["models"]:
        engines = model["engines"]
        fp32, int8 = engines.get(FP32_EXPORT, {}), engines.get("light onnx int8", {})
        torch = engines.get(REFERENCE, {})
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
                f"([results](benchmarks/results/{name}.md); {measured_on(data)}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", default=[],
                        help="an exported topic or stance model dir (repeatable)")
    parser.add_argument("--labels-model", action="append", default=[],
                        help="an exported model dir whose labels only are compared: "
                             f"{', '.join(LABEL_ENGINES)}, one round (a large split)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.model and not args.labels_model:
        parser.error("give at least one --model or --labels-model")
    run = start_run(None if argv is None else [__file__, *argv])
    with tempfile.TemporaryDirectory(prefix="light-install-") as tmp:
        work = Path(tmp)
        light = work / "venv"
        built = build_light_venv(light)
        if built.returncode != 0:
            parser.error(f"the bare install failed:\n{built.stdout}\n{built.stderr}")
        pythons = {"light": light / "bin" / "python", "full": Path(sys.executable)}
        report = {"install_mb": {"light": round(venv_megabytes(light)),
                                 "full": round(venv_megabytes(Path(sys.prefix)))},
                  "threads": THREADS, "batch_size": BATCH_SIZE, "repeats": args.repeats,
                  "models": [measure_model(m, pythons, work, list(ENGINES), args.repeats)
                             for m in args.model]
                  + [measure_model(m, pythons, work, LABEL_ENGINES, 1)
                     for m in args.labels_model]}
    data = write_results("light_install", run, report, render, TITLE)
    print("\n".join(render(data, "light_install")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
