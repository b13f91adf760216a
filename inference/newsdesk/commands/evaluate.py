"""``newsdesk evaluate MODEL --data NAME_OR_FILE [--split test] --out DIR [--against tfidf]``,
or ``newsdesk evaluate --baseline tfidf --data NAME_OR_FILE --out DIR``."""

from __future__ import annotations

import argparse
from typing import Any

from newsdesk.commands import add_column_options, data_spec


def register(commands: Any) -> None:
    parser = commands.add_parser("evaluate", help="score a model on labelled data")
    parser.add_argument("model", nargs="?",
                        help="a model dir (or hub id); leave it out with --baseline")
    parser.add_argument("--data", required=True,
                        help="a built-in data set, a labelled JSONL/CSV/Parquet file, "
                        "hf:<id> or disk:<path>")
    parser.add_argument("--split", default=None,
                        help="train, validation or test (default: test for built-in sets)")
    parser.add_argument("--out", required=True, help="the report folder to write")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--slice-by", metavar="FIELD",
                        help="also report accuracy per value of this field of the records "
                        "(e.g. kind in headline-stance; records without it: '(none)')")
    parser.add_argument("--slice-group", metavar="NAME=V1,V2", action="append", default=[],
                        help="with --slice-by: one more row for the union of these values "
                        "(repeatable), e.g. related+hard=related,hard")
    parser.add_argument("--baseline", metavar="tfidf",
                        help="evaluate the data's classic baseline instead of a model (topic: "
                        "TF-IDF + LinearSVC, C by grouped CV; stance: TF-IDF cosine, "
                        "threshold tuned on validation), fitted on its train and validation "
                        "splits")
    parser.add_argument("--against", metavar="tfidf",
                        help="also fit that baseline on the data's train and validation "
                        "splits and report the model's accuracy minus the baseline's on "
                        "the same records (paired bootstrap 95%% interval), overall and per "
                        "--slice-by slice")
    add_column_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from newsdesk.data.sources import builtin_source
    from newsdesk.errors import ConfigError
    from newsdesk.evaluation.report import write_report
    from newsdesk.evaluation.run import evaluate_baseline, evaluate_model
    from newsdesk.evaluation.slices import SliceGroup

    if (args.model is None) == (args.baseline is None):
        raise ConfigError("give a MODEL or --baseline NAME (one of them)")
    if args.against and args.baseline:
        raise ConfigError("--against compares a MODEL with a baseline; --baseline evaluates "
                          "the baseline alone")
    split = args.split or ("test" if builtin_source(args.data) is not None else None)
    groups = [SliceGroup.parse(text) for text in args.slice_group]
    data = data_spec(args, args.data)
    if args.baseline:
        evaluation = evaluate_baseline(args.baseline, data, split, slice_by=args.slice_by,
                                       slice_groups=groups)
    else:
        evaluation = evaluate_model(args.model, data, split, batch_size=args.batch_size,
                                    slice_by=args.slice_by, slice_groups=groups,
                                    against=args.against)
    out = write_report(evaluation, args.out)
    metrics = evaluation.metrics
    headline = ", ".join(f"{k} {100 * v:.2f}" for k, v in metrics.items()
                         if isinstance(v, float) and v <= 1.0)
    print(f"{evaluation.task} model on {args.data} ({split or 'all'}), n={metrics.get('n')}: "
          f"{headline}")
    if metrics.get("skipped_without_reference"):
        print(f"{metrics['skipped_without_reference']} records without a "
              f"{metrics.get('reference')!r} were skipped")
    if evaluation.slices:
        rows = {**evaluation.slices["values"], **evaluation.slices["groups"]}
        print(f"accuracy by {evaluation.slices['field']}: " + ", ".join(
            f"{name} {100 * row['accuracy']:.2f} (n={row['n']})" for name, row in rows.items()))
    if evaluation.against:
        diff = evaluation.against["accuracy_difference"]
        print(f"accuracy minus {evaluation.against['baseline']}'s "
              f"({100 * evaluation.against['accuracy']:.2f}): {100 * diff['mean']:+.2f} "
              f"[{100 * diff['low']:+.2f}, {100 * diff['high']:+.2f}] (paired 95% interval)")
    if evaluation.selection:
        from newsdesk.evaluation.selection import selection_lines

        print("\n".join(selection_lines(evaluation.selection)).rstrip())
    print(f"report written to {out}/report.md")
    return 0
