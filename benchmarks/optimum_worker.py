"""Optimum's ONNX Runtime classifier for benchmarks/inference_speed.py, run by .venv-optimum's
python (optimum-onnx pins transformers < 4.58). One JSON object a line on stdin, one reply a
line on stdout:

    {"load": MODEL_DIR, "out": DIR, "threads": N, "max_length": M, "isa": [CPU FLAGS]}
        -> export fp32 ONNX (ORTModelForSequenceClassification, export=True), quantize int8
           (ORTQuantizer, dynamic, the AutoQuantizationConfig for these ISA flags), load both;
           reply how int8 was quantized and the venv's library versions
    {"run": "fp32" | "int8", "texts": [...]}
        -> {"labels": [...], "seconds": S}: transformers.pipeline over the ORT model, batches
           of 32 of the texts sorted by length (the labels in input order)
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from inference_speed import BATCH_SIZE, length_sorted  # stdlib only at import: fine here


def quantization_config(isa: set[str]) -> Any:
    from optimum.onnxruntime import AutoQuantizationConfig

    if {"avx512_vnni", "avx_vnni"} & isa:
        return AutoQuantizationConfig.avx512_vnni(is_static=False)
    if "avx512f" in isa:
        return AutoQuantizationConfig.avx512(is_static=False)
    if "avx2" in isa:
        return AutoQuantizationConfig.avx2(is_static=False)
    return AutoQuantizationConfig.arm64(is_static=False)


def load(model_dir: str, out: str, threads: int, max_length: int, isa: list[str]
         ) -> tuple[dict, dict]:
    """Pipelines for fp32 and int8, and what was exported."""
    import onnxruntime as ort
    from optimum.onnxruntime import ORTModelForSequenceClassification, ORTQuantizer
    from transformers import AutoTokenizer, pipeline

    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    fp32 = ORTModelForSequenceClassification.from_pretrained(model_dir, export=True)
    fp32.save_pretrained(Path(out) / "fp32")
    config = quantization_config(set(isa))
    ORTQuantizer.from_pretrained(fp32).quantize(config, Path(out) / "int8")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    pipes = {}
    for name, file in (("fp32", "model.onnx"), ("int8", "model_quantized.onnx")):
        model = ORTModelForSequenceClassification.from_pretrained(
            Path(out) / name, file_name=file, session_options=options)
        pipes[name] = pipeline("text-classification", model=model, tokenizer=tokenizer,
                               truncation=True, max_length=max_length)
    libraries = ("optimum-onnx", "optimum", "transformers", "onnxruntime", "torch")
    return pipes, {"int8": f"dynamic, {config.format.name}, per channel {config.per_channel}, "
                           f"reduce range {config.reduce_range}, "
                           f"ops {', '.join(config.operators_to_quantize)}",
                   "libraries": ", ".join(f"{name} {version(name)}" for name in libraries)}


def run_sorted(pipe: Any, texts: list[str]) -> list[str]:
    """The pipeline on the texts longest first; labels in input order."""
    return length_sorted(lambda ordered: [r["label"] for r in pipe(
        ordered, batch_size=BATCH_SIZE)])(texts)


def main() -> None:
    reply, sys.stdout = sys.stdout, sys.stderr  # library prints must not reach the protocol
    pipes: dict[str, Any] = {}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "load" in request:
                pipes, answer = load(request["load"], request["out"], request["threads"],
                                     request["max_length"], request["isa"])
            else:
                start = time.perf_counter()
                labels = run_sorted(pipes[request["run"]], request["texts"])
                answer = {"labels": labels, "seconds": time.perf_counter() - start}
        except Exception as error:  # noqa: BLE001 - the benchmark reports it
            answer = {"error": f"{type(error).__name__}: {error}"}
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


if __name__ == "__main__":
    main()
