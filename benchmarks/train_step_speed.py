"""Seconds per training step on this machine: what `model.attention_dropout: 0.0` and
`training.precision: bf16` buy on a CPU.

One optimiser step (forward, backward, AdamW) of batch 16 on random token ids, for the
MiniLM classifier (256 and 512 tokens) and the MiniLM bert2bert summarizer (256 article
tokens -> 56 summary tokens), each with the base's attention dropout (0.1), without it, and
without it under bf16 autocast. Each setting runs `--steps` steps on a freshly loaded
model; the first is a warm-up, the median of the rest is reported. Results go to
benchmarks/results/train_step_speed.{json,md}.

    .venv/bin/python benchmarks/train_step_speed.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BATCH = 16
# (label, attention dropout for attention_dropout_kwargs, bf16 autocast)
SETTINGS = (("attention dropout 0.1 (default), fp32", None, False),
            ("attention dropout 0, fp32", 0.0, False),
            ("attention dropout 0, bf16 autocast", 0.0, True))


def classifier(base: str, dropout: float | None) -> Any:
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from newsdesk_train.base_model import attention_dropout_kwargs

    return AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=5, **attention_dropout_kwargs(AutoConfig.from_pretrained(base), dropout))


def bert2bert(base: str, dropout: float | None) -> Any:
    from transformers import AutoTokenizer

    from newsdesk_train.summarization import build_model

    return build_model(base, AutoTokenizer.from_pretrained(base), dropout)


def step_seconds(model: Any, inputs: dict[str, Any], bf16: bool, steps: int) -> float:
    """Median seconds of one optimiser step, after one warm-up step."""
    import torch

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def workloads() -> list[tuple[str, Any, dict[str, Any]]]:
    import torch

    generator = torch.Generator().manual_seed(0)

    def ids(length: int) -> Any:
        return torch.randint(1000, 20000, (BATCH, length), generator=generator)

    cls_labels = torch.randint(0, 5, (BATCH,), generator=generator)
    rows = []
    for length in (256, 512):
        tokens = ids(length)
        rows.append((f"MiniLM classifier, {length} tokens", classifier,
                     {"input_ids": tokens, "attention_mask": torch.ones_like(tokens),
                      "labels": cls_labels}))
    article = ids(256)
    rows.append(("MiniLM bert2bert, 256 -> 56 tokens", bert2bert,
                 {"input_ids": article, "attention_mask": torch.ones_like(article),
                  "labels": ids(56)}))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    import torch

    from newsdesk.assets import resolve_model
    from newsdesk_train.trainer_args import cpu_has_native_bf16

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4, help="steps per setting (default 4)")
    args = parser.parse_args(argv)
    if args.steps < 2:
        parser.error("--steps must be at least 2 (the first is a warm-up)")
    base = resolve_model("minilm-l6")
    rows = []
    for workload, build, inputs in workloads():
        for label, dropout, bf16 in SETTINGS:
            torch.manual_seed(0)
            seconds = step_seconds(build(base, dropout), inputs, bf16, args.steps)
            rows.append({"workload": workload, "setting": label, "seconds": round(seconds, 2)})
            print(json.dumps(rows[-1]), flush=True)
    env = {"python": platform.python_version(), "torch": torch.__version__,
           "threads": torch.get_num_threads(), "cpus": os.cpu_count(),
           "machine": platform.machine(), "native_bf16": cpu_has_native_bf16()}
    command = " ".join(["benchmarks/train_step_speed.py",
                        *(argv if argv is not None else sys.argv[1:])])
    write_results(rows, env, command)


def write_results(rows: list[dict[str, Any]], env: dict[str, Any], command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "train_step_speed.json").write_text(
        json.dumps({"environment": env, "batch": BATCH, "rows": rows}, indent=2) + "\n")
    lines = ["# Seconds per training step (batch 16, median after a warm-up)", "",
             f"Environment: {env}", "", "| workload | setting | s/step | vs default |",
             "|---|---|---|---|"]
    default = {r["workload"]: r["seconds"] for r in rows if r["setting"] == SETTINGS[0][0]}
    for row in rows:
        lines.append(f"| {row['workload']} | {row['setting']} | {row['seconds']} | "
                     f"{default[row['workload']] / row['seconds']:.2f}x |")
    lines += ["", f"Produced by `.venv/bin/python {command}`."]
    (RESULTS / "train_step_speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
