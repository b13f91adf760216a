"""Copy the figures README.md and docs/*.md quote from benchmarks/results/*.md.

A quoted figure lives in a generated block; only the text between the markers is rewritten:

    <!-- results: topic_bbc -->
    - Topic: the MiniLM topic recipe reaches 96.89% ...
    <!-- /results -->

The block name is a results file's stem, with an optional ``.view`` suffix: the block
``topic_bbc`` holds the section ``main`` of ``benchmarks/results/topic_bbc.md`` verbatim,
``inference_speed.table`` the section ``table`` of ``inference_speed.md``. The benchmark
script renders those sections with the rest of its results Markdown (``quotes.quote``);
this only copies them.

    .venv/bin/python benchmarks/render_docs.py           # rewrite every block in place
    .venv/bin/python benchmarks/render_docs.py --check   # exit 1, listing stale blocks
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from benchlib import RESULTS, ROOT
from quotes import quoted

BLOCK = re.compile(r"^<!-- results: (?P<name>[\w./-]+) -->\n(?P<body>.*?)^<!-- /results -->$",
                   re.DOTALL | re.MULTILINE)
MARKER = re.compile(r"<!-- /?results\b")


def doc_files(root: Path = ROOT) -> list[Path]:
    """The files whose blocks are copied: README.md and docs/*.md."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def source(name: str, results: Path = RESULTS) -> tuple[Path, str]:
    """``topic_bbc.windows`` -> (``benchmarks/results/topic_bbc.md``, ``windows``); a block
    with no view reads the section ``main``."""
    stem, _, view = name.partition(".")
    return results / f"{stem}.md", view or "main"


def render_block(name: str, results: Path = RESULTS) -> str:
    """The text of the block ``name``: its section of the results Markdown (OSError where
    there is no such file, ValueError where it has no such section)."""
    path, view = source(name, results)
    text = path.read_text(encoding="utf-8")
    try:
        return quoted(text, view)
    except KeyError as error:
        raise ValueError(f"{shown(path)}: {error.args[0]}") from error


def render_text(text: str, where: str, results: Path = RESULTS) -> str:
    """``text`` with every block's body copied afresh; ``where`` names the file in errors."""
    def replace(match: re.Match[str]) -> str:
        body = rendered(match, text, where, results)
        return f"<!-- results: {match['name']} -->\n{body}<!-- /results -->"

    check_markers(text, where)
    return BLOCK.sub(replace, text)


def check_markers(text: str, where: str) -> None:
    """Every marker belongs to a well-formed block (each on a line of its own, closed)."""
    spans = [(b.start(), b.end()) for b in BLOCK.finditer(text)]
    for marker in MARKER.finditer(text):
        if not any(start <= marker.start() < end for start, end in spans):
            line = text.count("\n", 0, marker.start()) + 1
            raise ValueError(f"{where}:{line}: a results marker outside a well-formed block "
                             "(markers stand alone on their lines; every block is closed)")


def rendered(match: re.Match[str], text: str, where: str, results: Path) -> str:
    """The fresh body of one matched block; errors name the file and line of the block."""
    try:
        return render_block(match["name"], results)
    except (OSError, ValueError) as error:
        line = text.count("\n", 0, match.start()) + 1
        raise ValueError(f"{where}:{line}: block {match['name']!r}: {error}") from error


def shown(path: Path) -> str:
    """``path`` relative to the checkout where it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def stale_blocks(files: list[Path], results: Path = RESULTS) -> list[str]:
    """``FILE:LINE NAME`` for each block whose text differs from its results section."""
    stale = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        check_markers(text, shown(path))
        for match in BLOCK.finditer(text):
            if match["body"] != rendered(match, text, shown(path), results):
                line = text.count("\n", 0, match.start()) + 1
                stale.append(f"{shown(path)}:{line} {match['name']}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 listing the stale blocks")
    args = parser.parse_args(argv)
    try:
        return check(doc_files()) if args.check else rewrite(doc_files())
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def check(files: list[Path]) -> int:
    stale = stale_blocks(files)
    for entry in stale:
        print(f"stale: {entry} (run benchmarks/render_docs.py)")
    return 1 if stale else 0


def rewrite(files: list[Path]) -> int:
    for path in files:
        text = path.read_text(encoding="utf-8")
        fresh = render_text(text, shown(path))
        if fresh != text:
            path.write_text(fresh, encoding="utf-8")
            print(f"rewrote {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
