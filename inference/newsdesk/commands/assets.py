"""``newsdesk assets fetch``: download, check and cache the embedded offline assets."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    parser = commands.add_parser("assets", help="fetch the embedded offline assets")
    parser.add_argument("action", choices=["fetch"], help="fetch: cache models and data sets")
    parser.add_argument("--models", nargs="*", default=["minilm-l6"],
                        help="model aliases to fetch (default: minilm-l6; also mpnet-base)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from newsdesk.assets import model_path
    from newsdesk.data.sources import BUILTIN, builtin_records

    for alias in args.models:
        print(f"model {alias}: {model_path(alias)}")
    for name in BUILTIN:
        print(f"data {name}: {len(builtin_records(name))} records")
    return 0
