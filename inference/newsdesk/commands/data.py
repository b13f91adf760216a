"""``newsdesk data list`` and ``newsdesk data show NAME``."""

from __future__ import annotations

import argparse
from typing import Any

from newsdesk.commands import add_column_options, data_spec


def register(commands: Any) -> None:
    parser = commands.add_parser("data", help="list and describe data sets")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the built-in data sets and file specs")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="sizes, splits, labels, lengths and provenance")
    show.add_argument("name", help="a built-in name (NAME@N: an earlier version), a "
                      "JSONL/CSV/Parquet file, fnc1:<dir>, semeval:<file>, hf:<id> or "
                      "disk:<path>")
    add_column_options(show)
    show.set_defaults(run=run_show)


def run_list(args: argparse.Namespace) -> int:
    from newsdesk.data.describe import summarize_records
    from newsdesk.data.sources import BUILTIN, FORMATS, builtin_records

    print("built-in data sets (built from embedded packages on first use):")
    for source in BUILTIN.values():
        desc = summarize_records(source.name, builtin_records(source.name), tokens=False)
        splits = ", ".join(f"{k} {v:,}" for k, v in desc.splits.items())
        print(f"  {source.name:<16} {source.task:<8} {desc.records:>7,} records ({splits})")
        print(f"  {'':<16} {'':<8} {source.description}")
        for version, description in sorted(source.earlier.items()):
            print(f"  {f'{source.name}@{version}':<16} {'':<8} {description}")
    print("files you supply, by spec:")
    for fmt in FORMATS.values():
        print(f"  {fmt.prefix + ':...':<16} {fmt.task:<8} {fmt.description}")
    print("also: a .jsonl/.csv/.tsv/.parquet file path, a Hugging Face data set saved with "
          "save_to_disk as disk:<path>, or hf:<id> when online (map columns with "
          "?text=COLUMN&label=COLUMN)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from newsdesk.data.describe import describe, format_description

    print(format_description(describe(data_spec(args, args.name))))
    return 0
