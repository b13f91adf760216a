"""How fast a frozen encoder embeds news articles on this CPU, per precision and ISA.

The frozen topic recipe (training/configs/topic-bbc-mpnet-frozen.yaml) spends almost all of
its training time embedding articles (``newsdesk_train.frozen.embed_texts``): bf16 where the
CPU multiplies it in hardware (AMX or AVX-512 BF16), float32 elsewhere. This times the same
encoder on the same bbc-news training articles (first 256 tokens) in each
setting, each in a fresh process:

* bf16 (only where the CPU has AMX or AVX-512 BF16: what the recipe runs there);
* float32 (what the recipe runs on a CPU without them);
* float32 with oneDNN and ATen capped at AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``,
  ``ATEN_CPU_CAPABILITY=avx2``): this CPU's clock with an AVX2-only CPU's kernels, an
  estimate of the AMD EPYC machines, not a measurement of one;
* torch dynamic int8 (``quantize_dynamic`` on the Linear layers), plain and AVX2-capped,
  with the cosine of its vectors to float32's (not a shipped path: a candidate for CPUs
  without AMX).

Seconds per article: the median of three timed passes over ``--texts`` articles, after one
warm-up pass. Results: benchmarks/results/embed_speed.{json,md}.

    .venv/bin/python benchmarks/embed_speed.py --texts 24      # mpnet-base, 24 articles x 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from benchlib import start_run, table, timed_repeats, write_results
from quotes import measured_on, quote, wrap

from newsdesk.device import cpu_has_native_bf16

TITLE = "Frozen-encoder embedding speed per precision and ISA"
ENCODER, MAX_LENGTH, REPEATS = "mpnet-base", 256, 3  # the frozen recipe's encoder and length
#: Training articles of one fold of the 5-fold CV over bbc-news's 2,092 articles.
FOLD_TRAIN_ARTICLES = 1674
#: Minutes a fold may take to train (the topic issue's budget, on the slower CPU kind).
FOLD_BUDGET_MIN = 15
AVX2_ONLY = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
SETTINGS: dict[str, tuple[str, dict[str, str]]] = {
    "bf16": ("bfloat16", {}), "float32": ("float32", {}),
    "float32, AVX2 only": ("float32", AVX2_ONLY), "dynamic int8": ("int8", {}),
    "dynamic int8, AVX2 only": ("int8", AVX2_ONLY)}


def measure(dtype: str, texts: int) -> dict:
    """Time one setting in this process (run by ``main`` in a fresh one per setting)."""
    import numpy as np
    import torch

    from newsdesk.data import load
    from newsdesk.summarize.encoder import SentenceEncoder

    articles = [r.text for r in load("bbc-news", "train")][:texts]
    model = SentenceEncoder.load(ENCODER, dtype="float32" if dtype == "int8" else dtype,
                                 max_tokens=MAX_LENGTH, batch_size=16)
    reference = model.encode(articles) if dtype == "int8" else None
    if dtype == "int8":
        model.model = torch.ao.quantization.quantize_dynamic(model.model, {torch.nn.Linear},
                                                             dtype=torch.qint8)
    vectors, stats = timed_repeats(lambda: model.encode(articles), REPEATS)
    out = {"seconds_per_article": round(stats["median"] / texts, 4), "seconds": stats}
    if reference is not None:
        cosine = (np.asarray(vectors) * reference).sum(axis=1)
        out["cosine_to_float32"] = {"min": round(float(cosine.min()), 4),
                                    "mean": round(float(cosine.mean()), 4)}
    return out


def render(data: dict[str, Any], name: str) -> list[str]:
    rows = [(name, f"{row['seconds_per_article']:.3f}", f"{row['fold_minutes']:.1f}",
             "" if "cosine_to_float32" not in row
             else f"{row['cosine_to_float32']['min']:.4f} (min)")
            for name, row in data["settings"].items()]
    return [f"{data['encoder']}, first {data['max_length']} tokens of {data['texts']} bbc-news "
            f"training articles; median of {data['repeats']} passes.", "",
            *table(["setting", "s / article", "a CV fold's training articles (min)",
                    "cosine to float32"], rows), "",
            f"A fold: {FOLD_TRAIN_ARTICLES} training articles of the 5-fold CV, "
            "embedding time only (the linear head adds about a minute). AVX2 only: this "
            "CPU with its AMX and AVX-512 kernels switched off, an estimate for AVX2-only "
            "CPUs, not a measurement of one.", "", *quote("main", summary(data, name))]


def summary(data: dict[str, Any], name: str) -> str:
    """The README's line: seconds an article per setting against the fold budget."""
    rows = data["settings"]

    def setting(key: str, words: str) -> str:
        entry = rows[key]
        return (f"{entry['seconds_per_article']:.2f} s an article {words} "
                f"({entry['fold_minutes']:.0f} min for a CV fold's training articles)")

    parts = [setting(k, w) for k, w in (("bf16", "in bf16 on this CPU's AMX"),
                                         ("float32", "in float32, as on a CPU without AMX"),
                                         ("float32, AVX2 only", "with its kernels capped at "
                                          "AVX2, an estimate for AVX2-only CPUs such as the "
                                          "project's AMD EPYC machines")) if k in rows]
    avx2 = rows.get("float32, AVX2 only", rows["float32"])["fold_minutes"]
    verdict = "within" if avx2 <= FOLD_BUDGET_MIN else "over"
    return wrap(f"- Training time of the frozen topic recipe is embedding: {data['encoder']} "
                f"takes {'; '.join(parts)}: by that estimate {verdict} the {FOLD_BUDGET_MIN}-"
                f"minute budget a fold, not measured on an AVX2-only CPU "
                f"([results](benchmarks/results/{name}.md); {measured_on(data)}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=40)
    parser.add_argument("--one", choices=["bfloat16", "float32", "int8"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child: one setting, JSON on stdout
        print(json.dumps(measure(args.one, args.texts)))
        return
    run = start_run()
    settings: dict[str, Any] = {}
    for name, (dtype, env) in SETTINGS.items():
        if dtype == "bfloat16" and not cpu_has_native_bf16():
            continue
        child = subprocess.run([sys.executable, __file__, "--one", dtype, "--texts",
                                str(args.texts)], env={**os.environ, **env},
                               capture_output=True, text=True, check=True)
        row = json.loads(child.stdout.strip().splitlines()[-1])
        row["fold_minutes"] = round(row["seconds_per_article"] * FOLD_TRAIN_ARTICLES / 60, 1)
        settings[name] = row
        print(f"{name}: {row['seconds_per_article']:.3f} s/article", flush=True)
    report = {"encoder": ENCODER, "texts": args.texts, "max_length": MAX_LENGTH,
              "repeats": REPEATS, "settings": settings}
    write_results("embed_speed", run, report, render, TITLE)


if __name__ == "__main__":
    main()
