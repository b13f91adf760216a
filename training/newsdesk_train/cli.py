"""``newsdesk-train RECIPE.yaml [--output-dir DIR] [--set key=value ...] [--resume]``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from newsdesk.cli import USER_ERRORS, one_line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk-train", description="Fine-tune a newsdesk model from a YAML recipe.")
    parser.add_argument("recipe", help="a recipe file, e.g. training/configs/topic-bbc-minilm.yaml")
    parser.add_argument("--output-dir", help="where the model dir goes (default: the recipe's)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a recipe key, e.g. training.epochs=1")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimiser steps")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint of this output dir")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from newsdesk_train.config import load_config

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    overrides = list(args.overrides)
    if args.output_dir:
        overrides.append(f"output_dir={args.output_dir}")
    if args.max_steps is not None:
        overrides.append(f"training.max_steps={args.max_steps}")
    try:
        config = load_config(args.recipe, overrides)
        from newsdesk_train.runner import train

        output = train(config, resume=args.resume)
    except USER_ERRORS as error:
        if args.debug:
            raise
        print(f"newsdesk-train: error: {one_line(error)}", file=sys.stderr)
        return 2
    from newsdesk_train.workdir import launch_rank

    if launch_rank() == 0:  # under torchrun / accelerate launch, rank 0 publishes
        print(f"model written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
