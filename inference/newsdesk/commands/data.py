"""``newsdesk data list`` and ``newsdesk data show NAME``."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser("data", help="list and describe data sets")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the built-in data sets")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="sizes, splits, labels, lengths and provenance")
    show.add_argument("name", help="a built-in name or a JSONL/CSV/Parquet file")
    show.set_defaults(run=run_show)


def run_list(args: argparse.Namespace) -> int:
    from newsdesk.data.sources import BUILTIN

    for source in BUILTIN.values():
        print(f"{source.name:<16} {source.task:<8} {source.description}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from newsdesk.data.describe import describe, format_description

    print(format_description(describe(args.name)))
    return 0
