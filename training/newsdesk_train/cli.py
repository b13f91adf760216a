"""``newsdesk-train RECIPE.yaml [--output-dir DIR] [--set key=value ...] [--resume]``; with
``--cv K``, ``--lopo N`` or ``--publisher-cv`` the recipe is cross-validated against TF-IDF +
LinearSVC instead (``newsdesk_train.crossval``; ``--report DIR`` writes the report)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from newsdesk.cli import USER_ERRORS, one_line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk-train", description="Fine-tune a newsdesk model from a YAML recipe, or "
        "cross-validate the recipe against TF-IDF + LinearSVC.")
    parser.add_argument("recipe", help="a recipe file, e.g. training/configs/topic-bbc-minilm.yaml")
    parser.add_argument("--output-dir", help="where the model dir goes (default: the recipe's)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a recipe key, e.g. training.epochs=1")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimiser steps")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint of this output dir")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    crossval = parser.add_argument_group(
        "cross-validation (topic recipes; no model is saved)",
        "fit the recipe and TF-IDF + LinearSVC on each fold of the recipe's data.source and "
        "compare them on the held-out articles")
    protocol = crossval.add_mutually_exclusive_group()
    protocol.add_argument("--cv", type=int, metavar="K",
                          help="stratified K-fold CV over every record, stories kept whole")
    protocol.add_argument("--lopo", type=int, metavar="N", help="leave each of the N largest "
                          "publishers out in turn (train + validation splits)")
    protocol.add_argument("--publisher-cv", action="store_true", help="CV of the train + "
                          "validation splits by publisher (the recipes' inner folds)")
    crossval.add_argument("--report", metavar="DIR",
                          help="write report.json and report.md into DIR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from newsdesk_train.config import load_config

    parser = build_parser()
    args = parser.parse_args(argv)
    crossvalidating = args.cv is not None or args.lopo is not None or args.publisher_cv
    if (args.cv is not None and args.cv < 2) or (args.lopo is not None and args.lopo < 1):
        parser.error("--cv takes 2 folds or more, --lopo 1 publisher or more")
    if not crossvalidating and args.report:
        parser.error("--report goes with --cv, --lopo or --publisher-cv")
    if crossvalidating and (args.resume or args.output_dir):
        parser.error("cross-validation saves no model: drop --resume and --output-dir")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    overrides = list(args.overrides)
    if args.output_dir:
        overrides.append(f"output_dir={args.output_dir}")
    if args.max_steps is not None:
        overrides.append(f"training.max_steps={args.max_steps}")
    try:
        if crossvalidating:
            return crossvalidate(args, overrides)
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


def crossvalidate(args: argparse.Namespace, overrides: list[str]) -> int:
    """Print the cross-validation report's table; write the report where asked."""
    from newsdesk_train.crossval import markdown, recipe_report, write_report

    report = recipe_report(args.recipe, cv=args.cv, lopo=args.lopo,
                           publisher_cv=args.publisher_cv, overrides=overrides)
    print("\n".join(markdown(report)))
    if args.report:
        print(f"report written to {write_report(report, args.report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
