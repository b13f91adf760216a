"""``newsdesk calibrate MODEL [--data NAME] [--split validation]``: temperature scaling."""

from __future__ import annotations

import argparse
from typing import Any

from newsdesk.backends import BACKENDS
from newsdesk.commands import add_column_options, data_spec


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "calibrate", help="fit a classifier's temperature so its scores match its accuracy",
        description="Fit one temperature T that divides a topic or stance model's logits "
                    "(temperature scaling) by minimising the negative log-likelihood of "
                    "labelled examples it was not trained on, and write T into the dir's "
                    "newsdesk.json (in place, atomically). Labels do not change; scores do.")
    parser.add_argument("model", help="a topic or stance model dir")
    parser.add_argument("--data", help="labelled examples: a built-in data set, a file, hf:<id> "
                        "or disk:<path> (default: the validation data the model's manifest "
                        "names)")
    parser.add_argument("--split", default=None,
                        help="the split to fit on (default: validation for built-in sets, "
                             "the whole file otherwise); never the test split you report")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="run the model with torch or its ONNX export (default: torch "
                             "where it is installed, else the ONNX export)")
    parser.add_argument("--batch-size", type=int, default=32)
    add_column_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from newsdesk.calibration import calibrate_dir

    data = data_spec(args, args.data) if args.data else None
    entry = calibrate_dir(args.model, data, args.split, backend=args.backend,
                          batch_size=args.batch_size)
    fitted = entry["fitted_on"]
    scores = entry["splits"][fitted["split"]]
    print(f"temperature {entry['temperature']:.4g} fitted on {fitted['data']} "
          f"({fitted['split']}, n={fitted['n']}): ECE {100 * scores['ece_before']:.2f}% -> "
          f"{100 * scores['ece_after']:.2f}%, negative log-likelihood "
          f"{scores['nll_before']:.4f} -> {scores['nll_after']:.4f}")
    print(f"written to {args.model}/newsdesk.json")
    return 0
