"""One process against two: training steps/s and prediction docs/s, measured here.

Runs the very commands docs/scaling.md gives, as subprocesses, on the real MiniLM encoder
(the default base) and real news:

* training: ``newsdesk-train`` (1 process, 1 then 2 torch threads) and ``torchrun
  --standalone --nproc_per_node 2 -m newsdesk_train.cli`` (2 processes, 1 thread each,
  gloo DDP) on the same recipe; steps/s and examples/s come from the Trainer's own
  train_runtime (start-up and the final evaluation excluded);
* prediction: ``newsdesk predict`` (1 process, 1 then 2 threads) and ``newsdesk predict
  --engine ray --concurrency 2 --cpus-per-actor 1`` (a local Ray, 2 actors) on the same
  news-articles file, timed wall-clock; Ray's fixed cost (start Ray, start the actors,
  load the model) is measured on a 4-article file and reported apart.

Results go to benchmarks/results/scaling.{json,md}.

    .venv/bin/python benchmarks/scaling.py                  # 240 training texts, 600 articles
    .venv/bin/python benchmarks/scaling.py --train-texts 120 --articles 200    # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
RECIPE = ROOT / "training" / "configs" / "topic-bbc-minilm.yaml"


def write_topic_data(path: Path, train: int, held_out: int) -> Path:
    """bbc-news records with their split: ``train`` to learn from, a few to evaluate on."""
    from newsdesk.data import load

    with path.open("w", encoding="utf-8") as handle:
        for split, count in (("train", train), ("validation", held_out), ("test", held_out)):
            for record in balanced(load("bbc-news", split=split), count):
                handle.write(json.dumps({"id": record.id, "text": record.text,
                                         "label": record.label, "split": split}) + "\n")
    return path


def balanced(records: list[Any], count: int) -> list[Any]:
    """``count`` records taken in turn from each label (the splits are sorted by label)."""
    by_label: dict[str, list[Any]] = {}
    for record in records:
        by_label.setdefault(str(record.label), []).append(record)
    rounds = zip(*by_label.values())
    return [record for group in rounds for record in group][:count]


def write_articles(path: Path, count: int) -> Path:
    from newsdesk.data import load

    records = load("news-articles")[:count]
    path.write_text("".join(json.dumps({"id": r.id, "text": r.text}) + "\n" for r in records),
                    encoding="utf-8")
    return path


def run(command: Sequence[str], threads: int) -> float:
    """Run a command with ``threads`` torch/OpenMP threads; returns wall seconds."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    start = time.perf_counter()
    done = subprocess.run(list(command), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def train_overrides(data: Path, output: Path, threads: int, batch: int) -> list[str]:
    sets = [f"data.source={data}", "training.epochs=1", f"training.batch_size={batch}",
            f"training.threads={threads}", "training.early_stopping_patience=null",
            "training.logging_steps=10"]
    return ["--output-dir", str(output), *[a for s in sets for a in ("--set", s)]]


def training_row(name: str, command: list[str], output: Path, threads: int,
                 processes: int, batch: int) -> dict[str, Any]:
    load = os.getloadavg()[0]
    wall = run(command, threads)
    training = json.loads((output / "newsdesk.json").read_text())["training"]
    seconds, steps = training["train_runtime_s"], training["global_steps"]
    return {"setup": name, "processes": processes, "threads_per_process": threads,
            "global_batch": batch * processes, "steps": steps, "train_seconds": seconds,
            "steps_per_second": round(steps / seconds, 3),
            "examples_per_second": round(steps * batch * processes / seconds, 2),
            "wall_seconds": round(wall, 1), "load_average_before": round(load, 2)}


def predict_row(name: str, command: list[str], threads: int, articles: int,
                fixed: float = 0.0) -> dict[str, Any]:
    load = os.getloadavg()[0]
    wall = run(command, threads)
    row = {"setup": name, "articles": articles, "wall_seconds": round(wall, 1),
           "docs_per_second": round(articles / wall, 2), "load_average_before": round(load, 2)}
    if fixed:
        row["fixed_cost_seconds"] = round(fixed, 1)
        row["docs_per_second_after_start"] = round(articles / max(wall - fixed, 1e-9), 2)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-texts", type=int, default=240)
    parser.add_argument("--batch-size", type=int, default=8, help="per process")
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
        work = Path(tmp)
        data = write_topic_data(work / "topics.jsonl", args.train_texts, 16)
        train_cli = [str(BIN / "newsdesk-train"), str(RECIPE)]
        torchrun = [str(BIN / "torchrun"), "--standalone", "--nproc_per_node", "2",
                    "-m", "newsdesk_train.cli", str(RECIPE)]
        b = args.batch_size
        training = [
            training_row("newsdesk-train, 1 process", [*train_cli, *train_overrides(
                data, work / "m1", 1, b)], work / "m1", 1, 1, b),
            training_row("newsdesk-train, 1 process", [*train_cli, *train_overrides(
                data, work / "m1t2", 2, b)], work / "m1t2", 2, 1, b),
            training_row("torchrun --standalone --nproc_per_node 2", [*torchrun,
                         *train_overrides(data, work / "m2", 1, b)], work / "m2", 1, 2, b),
        ]
        model = work / "m1"
        articles = write_articles(work / "articles.jsonl", args.articles)
        few = write_articles(work / "few.jsonl", 4)
        predict = [str(BIN / "newsdesk"), "predict", str(model), "--no-progress"]
        ray_flags = ["--engine", "ray", "--concurrency", "2", "--cpus-per-actor", "1"]
        fixed = run([*predict, "--input", str(few), "--output", str(work / "few-ray"),
                     *ray_flags], 1)
        prediction = [
            predict_row("newsdesk predict, 1 process, 1 thread", [
                *predict, "--input", str(articles), "--output", str(work / "p1.parquet")],
                1, args.articles),
            predict_row("newsdesk predict, 1 process, 2 threads", [
                *predict, "--input", str(articles), "--output", str(work / "p2.parquet")],
                2, args.articles),
            predict_row("newsdesk predict --engine ray, 2 actors x 1 CPU", [
                *predict, "--input", str(articles), "--output", str(work / "ray"),
                *ray_flags], 1, args.articles, fixed),
        ]
    result = {"benchmark": "scaling",
              "command": "python benchmarks/scaling.py " + " ".join(argv or sys.argv[1:]),
              "model": "all-MiniLM-L6-v2 (minilm-l6), topic-bbc-minilm recipe: 128-token "
                       "windows, first window in training, every window in prediction",
              "train_texts": args.train_texts, "training": training,
              "prediction": prediction, "machine": machine()}
    write_results(args.out, result)
    print(json.dumps(result, indent=2))
    return 0


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "note": "a shared 2-core machine: other engineers' tests and benchmarks ran at "
                    "the same time, so figures are indicative and vary from run to run"}


def write_results(folder: Path, result: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scaling.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# One process against two, on this machine", "",
             f"`{result['command'].strip()}` — model: {result['model']}.", "",
             f"Training: {result['train_texts']} bbc-news texts, one epoch.", "",
             "| setup | processes x threads | global batch | steps | steps/s | examples/s "
             "| wall s | load before |", "|---|---|---|---|---|---|---|---|"]
    for r in result["training"]:
        lines.append(f"| `{r['setup']}` | {r['processes']} x {r['threads_per_process']} | "
                     f"{r['global_batch']} | {r['steps']} | {r['steps_per_second']} | "
                     f"{r['examples_per_second']} | {r['wall_seconds']} | "
                     f"{r['load_average_before']} |")
    lines += ["", f"Prediction: {result['prediction'][0]['articles']} news-articles texts "
              "(every 128-token window).", "",
              "| setup | wall s | docs/s | docs/s after start-up | load before |",
              "|---|---|---|---|---|"]
    for r in result["prediction"]:
        after = r.get("docs_per_second_after_start", "")
        fixed = (f" (start-up {r['fixed_cost_seconds']} s)" if "fixed_cost_seconds" in r
                 else "")
        lines.append(f"| `{r['setup']}` | {r['wall_seconds']}{fixed} | {r['docs_per_second']}"
                     f" | {after} | {r['load_average_before']} |")
    lines += ["", f"Machine: {result['machine']['cpus']} CPUs — {result['machine']['note']}.",
              ""]
    (folder / "scaling.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
