"""One module per ``newsdesk`` sub-command; each has ``register(subparsers)``.

A command module imports nothing heavy at module level: ``newsdesk --help`` must answer
without torch.
"""

from __future__ import annotations

import argparse


def add_column_options(parser: argparse.ArgumentParser) -> None:
    """``--text-column`` / ``--label-column``: an hf:/disk: data set's own column names."""
    parser.add_argument("--text-column", help="hf:/disk: data: the column holding the text")
    parser.add_argument("--label-column",
                        help="hf:/disk: data: the column holding the label (names or a "
                        "ClassLabel)")


def data_spec(args: argparse.Namespace, name: str) -> str:
    """``name`` with the column options added to its spec (hf:/disk: only)."""
    from newsdesk.data.hub import with_columns

    return with_columns(name, {"text": args.text_column, "label": args.label_column})
