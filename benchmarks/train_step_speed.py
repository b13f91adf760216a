"""Seconds per training step on this CPU: what `model.attention_dropout: 0.0` and
`training.precision: bf16` buy.

One optimiser step (forward, backward, AdamW) of batch 16 on random token ids, for the
MiniLM classifier (256 and 512 tokens) and the MiniLM bert2bert summarizer (256 article
tokens -> 56 summary tokens), each with the base's attention dropout (0.1), without it, and
without it under bf16 autocast. Each setting: a freshly loaded model, one warm-up step, then
``--repeats`` timed steps. Results: benchmarks/results/train_step_speed.{json,md}.

    .venv/bin/python benchmarks/train_step_speed.py
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from benchlib import spread, start_run, table, timed_repeats, write_results
from quotes import measured_on, quote, wrap

TITLE = "Seconds per training step (batch 16, one warm-up step, then timed steps)"
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


def workloads() -> list[tuple[str, Callable[[str, float | None], Any], dict[str, Any]]]:
    import torch

    generator = torch.Generator().manual_seed(0)

    def ids(length: int) -> Any:
        return torch.randint(1000, 20000, (BATCH, length), generator=generator)

    labels = torch.randint(0, 5, (BATCH,), generator=generator)
    rows = [(f"MiniLM classifier, {n} tokens", classifier,
             {"input_ids": ids(n), "attention_mask": torch.ones(BATCH, n, dtype=torch.long),
              "labels": labels}) for n in (256, 512)]
    rows.append(("MiniLM bert2bert, 256 -> 56 tokens", bert2bert,
                 {"input_ids": ids(256), "attention_mask": torch.ones(BATCH, 256,
                                                                       dtype=torch.long),
                  "labels": ids(56)}))
    return rows


def step_seconds(model: Any, inputs: dict[str, Any], bf16: bool, repeats: int
                 ) -> dict[str, Any]:
    """Seconds of one optimiser step: min / median / max of ``repeats`` after a warm-up."""
    import torch

    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return timed_repeats(step, repeats, warmup=1)[1]


def step_table(report: dict[str, Any]) -> list[str]:
    """Seconds a step per workload and setting, and the speed-up over the default."""
    default = {r["workload"]: r["seconds"]["median"] for r in report["rows"]
               if r["setting"] == SETTINGS[0][0]}
    return table(["workload", "setting", "s/step", "vs default"], [
        (r["workload"], r["setting"], spread(r["seconds"], 2),
         f"{default[r['workload']] / r['seconds']['median']:.2f}x") for r in report["rows"]])


def render(report: dict[str, Any], name: str) -> list[str]:
    """The table under what it measured (the README quotes it), then the bert2bert steps
    docs/summaries.md quotes."""
    table_section = [wrap(f"Seconds per training step, median [min, max], batch "
                          f"{report['batch']} (`benchmarks/train_step_speed.py`, [results]"
                          f"(benchmarks/results/{name}.md); {measured_on(report)}):"), "",
                     *step_table(report)]
    return [f"torch threads {report['torch_threads']}; native bf16 (AMX or AVX512-BF16): "
            f"{report['native_bf16']}. Seconds: median [min, max] of {report['repeats']} "
            "steps.", "", *quote("main", "\n".join(table_section)), "",
            *quote("bert2bert", bert2bert_steps(report))]


def bert2bert_steps(data: dict[str, Any]) -> str:
    """The bert2bert rows in prose: what dropping attention dropout and bf16 buy."""
    steps = [r for r in data["rows"] if r["workload"].startswith("MiniLM bert2bert")]
    default, no_dropout, bf16 = (r["seconds"]["median"] for r in steps)
    return wrap(f"`benchmarks/train_step_speed.py` ({steps[0]['workload']}, batch "
                f"{data['batch']}; {measured_on(data)}): {default:.2f} s a step with the default "
                f"attention dropout, {no_dropout:.2f} s with `--set model.attention_dropout=0.0`, "
                f"{bf16:.2f} s adding `--set training.precision=bf16`. At {bf16:.2f} s the 1,500 "
                f"steps take about {1500 * bf16 / 60:.0f} minutes on that CPU.")


def main(argv: Sequence[str] | None = None) -> None:
    import torch

    from newsdesk.assets import resolve_model
    from newsdesk.device import cpu_has_native_bf16

    run = start_run(None if argv is None else [__file__, *argv])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed steps per setting")
    args = parser.parse_args(argv)
    base = resolve_model("minilm-l6")
    rows = []
    for workload, build, inputs in workloads():
        for label, dropout, bf16 in SETTINGS:
            torch.manual_seed(0)
            seconds = step_seconds(build(base, dropout), inputs, bf16, args.repeats)
            rows.append({"workload": workload, "setting": label, "seconds": seconds})
            print(rows[-1], flush=True)
    report = {"batch": BATCH, "repeats": args.repeats, "torch_threads": torch.get_num_threads(),
              "native_bf16": cpu_has_native_bf16(), "rows": rows}
    write_results("train_step_speed", run, report, render, TITLE)


if __name__ == "__main__":
    main()
