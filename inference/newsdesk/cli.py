"""The ``newsdesk`` command line: one sub-command per module in ``newsdesk.commands``.

Every ``NewsdeskError``, and every ValueError, TypeError or OSError (bad input, a file
that cannot be read), ends as one line on stderr and exit code 2, like a bad argument;
``--debug`` shows the traceback instead. Progress bars of the Hugging Face libraries are
off unless ``--verbose``. Nothing heavy is imported for ``--help``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from newsdesk import __version__
from newsdesk.errors import NewsdeskError

COMMAND_MODULES = ("data", "assets", "evaluate", "calibrate", "analyze", "predict", "export")
EXIT_USAGE = 2
#: Errors from user input that end as one line (a NewsdeskError is the usual one).
USER_ERRORS = (NewsdeskError, ValueError, TypeError, OSError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="Topic, stance and summaries for news articles.")
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(f"newsdesk.commands.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        return int(args.run(args) or 0)
    except USER_ERRORS as error:
        if args.debug:
            raise
        print(f"newsdesk: error: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130


def one_line(error: BaseException) -> str:
    """The error's message on one line (the type's name when it has no message).

    >>> one_line(ValueError("bad\\n  value"))
    'bad value'
    """
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
