"""One process against two: training steps/s and prediction docs/s, measured here.

Runs the very commands docs/scaling.md gives, as subprocesses, on the real MiniLM encoder
(the default base) and real news:

* training: ``newsdesk-train`` (1 process, 1 then 2 torch threads) and ``torchrun
  --standalone --nproc_per_node 2 -m newsdesk_train.cli`` (2 processes, 1 thread each,
  gloo DDP) on the same recipe; steps/s come from the Trainer's own train_runtime
  (start-up and the final evaluation excluded);
* prediction: ``newsdesk predict`` (1 process, 1 then 2 threads) and ``newsdesk predict
  --engine ray --concurrency 2 --cpus-per-actor 1`` (a local Ray, 2 actors), timed
  wall-clock; Ray's fixed cost (start Ray and the actors, load the model) is measured on a
  4-article file and reported apart.

Every setup runs three times, setups interleaved (min / median / max). Results:
benchmarks/results/scaling.{json,md}.

    .venv/bin/python benchmarks/scaling.py                  # 240 training texts, 600 articles
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import ROOT, repeat_stats, spread, start_run, table, write_results
from quotes import measured_on, quote

TITLE = "One process against two, on this machine"
BIN = Path(sys.executable).parent
RECIPE = ROOT / "training" / "configs" / "topic-bbc-minilm.yaml"
MODEL = ("all-MiniLM-L6-v2 (minilm-l6), topic-bbc-minilm recipe: 128-token windows, first "
         "window in training, every window in prediction")
TRAIN_TEXTS, BATCH_SIZE, ARTICLES, REPEATS = 240, 8, 600, 3  # batch: per process
RAY = ["--engine", "ray", "--concurrency", "2", "--cpus-per-actor", "1"]


def write_topic_data(path: Path, train: int, held_out: int) -> Path:
    """bbc-news records with their split, labels taken in turn: ``train`` + a few held out."""
    from newsdesk.data import load

    with path.open("w", encoding="utf-8") as handle:
        for split, count in (("train", train), ("validation", held_out), ("test", held_out)):
            by_label: dict[str, list[Any]] = defaultdict(list)
            for record in load("bbc-news", split=split):
                by_label[str(record.label)].append(record)
            for record in [r for group in zip(*by_label.values()) for r in group][:count]:
                handle.write(json.dumps({"id": record.id, "text": record.text,
                                         "label": record.label, "split": split}) + "\n")
    return path


def write_articles(path: Path, count: int) -> Path:
    from newsdesk.data import load

    path.write_text("".join(json.dumps({"id": r.id, "text": r.text}) + "\n"
                            for r in load("news-articles")[:count]), encoding="utf-8")
    return path


def wall_seconds(command: Sequence[str], threads: int) -> float:
    """Run a command with ``threads`` torch/OpenMP threads; returns wall seconds."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
    start = time.perf_counter()
    done = subprocess.run(list(command), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def training_setups() -> list[tuple[str, list[str], int, int]]:
    """(name, command before its overrides, threads per process, processes)."""
    train_cli = [str(BIN / "newsdesk-train"), str(RECIPE)]
    torchrun = [str(BIN / "torchrun"), "--standalone", "--nproc_per_node", "2",
                "-m", "newsdesk_train.cli", str(RECIPE)]
    return [("newsdesk-train, 1 process", train_cli, 1, 1),
            ("newsdesk-train, 1 process", train_cli, 2, 1),
            ("torchrun --standalone --nproc_per_node 2", torchrun, 1, 2)]


def train_once(command: list[str], data: Path, output: Path, threads: int, batch: int
               ) -> dict[str, float]:
    sets = [f"data.source={data}", "training.epochs=1", f"training.batch_size={batch}",
            f"training.threads={threads}", "training.early_stopping_patience=null",
            "training.logging_steps=10"]
    wall = wall_seconds([*command, "--output-dir", str(output),
                         *[a for s in sets for a in ("--set", s)]], threads)
    training = json.loads((output / "newsdesk.json").read_text())["training"]
    return {"wall": wall, "train": training["train_runtime_s"],
            "steps": training["global_steps"]}


def training_rows(work: Path, data: Path, batch: int, repeats: int) -> list[dict[str, Any]]:
    """Every setup ``repeats`` times, interleaved; keeps the first model at work/model."""
    setups = training_setups()
    runs: dict[int, list[dict[str, float]]] = defaultdict(list)
    for repeat in range(repeats):
        for i, (_, command, threads, _) in enumerate(setups):
            output = work / f"train-{i}-{repeat}"
            runs[i].append(train_once(command, data, output, threads, batch))
            if (i, repeat) == (0, 0):
                output.rename(work / "model")
            else:
                shutil.rmtree(output)
    rows = []
    for i, (name, _, threads, processes) in enumerate(setups):
        steps = runs[i][0]["steps"]
        per_second = repeat_stats([steps / r["train"] for r in runs[i]])
        rows.append({"setup": name, "processes": processes, "threads_per_process": threads,
                     "global_batch": batch * processes, "steps": steps,
                     "train_seconds": repeat_stats([r["train"] for r in runs[i]]),
                     "wall_seconds": repeat_stats([r["wall"] for r in runs[i]]),
                     "steps_per_second": per_second,
                     "examples_per_second": round(per_second["median"] * batch * processes, 2)})
    return rows


def prediction_rows(work: Path, articles: int, repeats: int) -> list[dict[str, Any]]:
    """The three predict setups and Ray's fixed cost, ``repeats`` times, interleaved."""
    feed, few = write_articles(work / "articles.jsonl", articles), write_articles(
        work / "few.jsonl", 4)
    predict = [str(BIN / "newsdesk"), "predict", str(work / "model"), "--no-progress"]
    setups = [("newsdesk predict, 1 process, 1 thread", feed, [], 1),
              ("newsdesk predict, 1 process, 2 threads", feed, [], 2),
              ("newsdesk predict --engine ray, 2 actors x 1 CPU", feed, RAY, 1),
              ("ray start-up (4 articles)", few, RAY, 1)]
    walls: dict[int, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for i, (_, source, flags, threads) in enumerate(setups):
            output = work / (f"ray-{i}" if flags else f"predictions-{i}.parquet")
            walls[i].append(wall_seconds([*predict, "--input", str(source), "--output",
                                          str(output), *flags], threads))
            if output.is_dir():
                shutil.rmtree(output)
            else:
                output.unlink()
    fixed = repeat_stats(walls[3])
    rows = []
    for i, (name, _, flags, _) in enumerate(setups[:3]):
        wall = repeat_stats(walls[i])
        row = {"setup": name, "articles": articles, "wall_seconds": wall,
               "docs_per_second": round(articles / wall["median"], 2)}
        if flags:
            row["fixed_cost_seconds"] = fixed
            after = wall["median"] - fixed["median"]
            row["docs_per_second_after_start"] = round(articles / after, 2) if after > 0 else None
        rows.append(row)
    return rows


def render(r: dict[str, Any], name: str) -> list[str]:
    """Both tables, the section docs/scaling.md quotes."""
    training = [(f"`{t['setup']}`", f"{t['processes']} x {t['threads_per_process']}",
                 t["global_batch"], t["steps"], spread(t["steps_per_second"], 3),
                 t["examples_per_second"], spread(t["train_seconds"]), spread(t["wall_seconds"]))
                for t in r["training"]]
    prediction = [(f"`{p['setup']}`", spread(p["wall_seconds"]), p["docs_per_second"],
                   spread(p["fixed_cost_seconds"]) if "fixed_cost_seconds" in p else "",
                   p.get("docs_per_second_after_start", "")) for p in r["prediction"]]
    return quote("main", "\n".join([
        f"Model: {r['model']}. Median [min, max] of {r['repeats']} runs per setup, setups "
        "interleaved.", "", f"Training: {r['train_texts']} bbc-news texts, one epoch.", "",
        *table(["setup", "processes x threads", "global batch", "steps", "steps/s",
                "examples/s", "train s", "wall s"], training), "",
        f"Prediction: {r['prediction'][0]['articles']} news-articles texts (every 128-token "
        "window).", "", *table(["setup", "wall s", "docs/s", "start-up s",
                                "docs/s after start-up"], prediction), "",
        f"These figures were {measured_on(r)}."]))


def main(argv: list[str] | None = None) -> int:
    run = start_run(None if argv is None else [__file__, *argv])
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scaling-") as tmp:
        work = Path(tmp)
        data = write_topic_data(work / "topics.jsonl", TRAIN_TEXTS, 16)
        training = training_rows(work, data, BATCH_SIZE, REPEATS)
        prediction = prediction_rows(work, ARTICLES, REPEATS)
    report = {"model": MODEL, "train_texts": TRAIN_TEXTS, "repeats": REPEATS,
              "training": training, "prediction": prediction}
    write_results("scaling", run, report, render, TITLE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
