"""``newsdesk export MODEL --onnx [--int8]``: an ONNX copy of a topic or stance model, of
a fine-tuned extractive summarizer's sentence scorer, or of a plain sentence encoder (the
centroid summarizer's, for the light install)."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "export", help="write an ONNX (and int8) copy of a model for fast CPU inference",
        description="Write model.onnx (and model.int8.onnx) into a topic, stance or extractive "
                    "summary model dir (a fine-tuned sentence scorer), or into a plain "
                    "encoder dir (no newsdesk.json; fp32 only: the centroid summarizer's "
                    "encoder without torch), "
                    "checked against torch on a probe batch, and record them in newsdesk.json. "
                    "Load them with from_pretrained(DIR, backend='onnx'[, quantize='int8']).")
    parser.add_argument("model", help="a topic, stance or extractive summary model dir, or "
                                      "a plain encoder dir")
    parser.add_argument("--onnx", action="store_true", required=True,
                        help="export to ONNX (the one format so far)")
    parser.add_argument("--int8", action="store_true",
                        help="also write model.int8.onnx (dynamic int8 quantization)")
    parser.add_argument("--no-optimize", dest="optimize", action="store_false",
                        help="skip ONNX Runtime's transformer fusions")
    parser.add_argument("--per-tensor", dest="per_channel", action="store_false",
                        help="int8: one scale per weight tensor (default: per channel)")
    parser.add_argument("--reduce-range", action=argparse.BooleanOptionalAction, default=None,
                        help="int8: 7-bit weights (for CPUs without VNNI, if int8 labels drift; "
                             "default: on for a sentence tagger, off otherwise)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default 17)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from newsdesk.onnx_export import ExportOptions, export_onnx

    options = ExportOptions(int8=args.int8, optimize=args.optimize,
                            per_channel=args.per_channel, reduce_range=args.reduce_range,
                            opset=args.opset)
    result = export_onnx(args.model, options)
    fused = ", ".join(f"{k} {v}" for k, v in result.fused.items()) or "none"
    print(f"wrote {result.fp32} (max |logit - torch| {result.fp32_max_abs_diff:.1e} on the "
          f"probe batch; fused: {fused})")
    if result.int8 is not None:
        print(f"wrote {result.int8} (max |logit - torch| {result.int8_max_abs_diff:.2f}, "
              f"labels agree on {100 * (result.int8_label_agreement or 0):.0f}% of the probe)")
    if result.encoder:
        print("a sentence encoder: use it with Summarizer.extractive('centroid', "
              "encoder=DIR) where torch is not installed (or backend='onnx')")
        return 0
    print("load with from_pretrained(DIR, backend='onnx'"
          + (", quantize='int8')" if result.int8 else ")"))
    return 0
