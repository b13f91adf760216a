"""The text README.md and docs/*.md quote from a results file, and the phrases it shares.

What the docs quote from ``benchmarks/results/NAME.md`` is a section of it, which the
benchmark's ``render(report, name)`` writes with the rest of the file through
``quote(view, text)``::

    <!-- quote: main -->
    - Topic: the shipped recipe 98.09% ... (measured on ...).
    <!-- /quote -->

A doc's block ``<!-- results: NAME.VIEW -->`` holds the section ``VIEW`` verbatim (``main``
where the block names no view), copied by ``benchmarks/render_docs.py``; every such text
says where its figures were measured (``measured_on``).
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from benchlib import cpu_line

Data = dict[str, Any]
#: A quoted section of a results Markdown (``quote``).
QUOTE = re.compile(r"^<!-- quote: (?P<view>[\w-]+) -->\n(?P<text>.*?)^<!-- /quote -->$",
                   re.DOTALL | re.MULTILINE)


def quote(view: str, text: str) -> list[str]:
    r"""``text`` as the section ``view`` of a results Markdown, which the docs copy verbatim.

    >>> quote("table", "| a |\n")
    ['<!-- quote: table -->', '| a |', '<!-- /quote -->']
    """
    return [f"<!-- quote: {view} -->", text.rstrip("\n"), "<!-- /quote -->"]


def quoted(markdown: str, view: str) -> str:
    r"""The text of the section ``view`` of a results Markdown (ends with a newline).

    >>> quoted("# T\n<!-- quote: main -->\n- 1%\n<!-- /quote -->\n", "main")
    '- 1%\n'
    """
    sections = {match["view"]: match["text"] for match in QUOTE.finditer(markdown)}
    if view not in sections:
        raise KeyError(f"no section {view!r} (sections: {', '.join(sections) or 'none'})")
    return sections[view]


def measured_on(data: Data) -> str:
    """Which CPU the figures come from (``run.cpu``), flagged if the machine was busy."""
    busy = "; busy machine, timings not to be quoted" if data["run"].get("busy") else ""
    return f"measured on {cpu_line(data['run']['cpu'])}{busy}"


def wrap(paragraph: str) -> str:
    """Fill to the docs' line width; a list item's lines continue under its text."""
    indent = "  " if paragraph.startswith("- ") else ""
    return textwrap.fill(paragraph, width=92, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def pct(fraction: float) -> str:
    """A fraction in percent, two decimals: ``pct(0.96891)`` is ``96.89%``."""
    return f"{100 * fraction:.2f}%"


def goal(fraction: float) -> str:
    """A goal in percent, no needless decimals: ``goal(0.98)`` is ``98%``."""
    return f"{100 * fraction:g}%"


def compared(value: float, other: float) -> str:
    return "above" if value > other else "below" if value < other else "level with"


def find_row(rows: list[Data], key: str, value: str) -> Data:
    """The first of ``rows`` whose ``key`` is ``value`` (a clear error if none)."""
    for candidate in rows:
        if candidate.get(key) == value:
            return candidate
    found = ", ".join(repr(r.get(key)) for r in rows)
    raise KeyError(f"no row with {key} {value!r} (rows: {found})")


def signed(fraction: float) -> str:
    """A fraction in signed points: ``signed(0.0062)`` is ``+0.62``."""
    return f"{100 * fraction:+.2f}"


def verdict(low: float, high: float, unsure: str) -> str:
    """Where a difference's 95% interval lies: above zero, below zero, else ``unsure``.

    >>> verdict(-0.01, 0.02, "across zero: no sure difference")
    'across zero: no sure difference'
    """
    return "above zero" if low > 0 else "below zero: worse" if high < 0 else unsure


def versus(mean: float, low: float, high: float, unsure: str) -> str:
    """A paired difference in prose.

    >>> versus(0.0062, 0.001, 0.0115, "not a sure win")
    '+0.62 points, paired 95% interval (+0.10, +1.15), above zero'
    """
    return (f"{signed(mean)} points, paired 95% interval ({signed(low)}, {signed(high)}), "
            f"{verdict(low, high, unsure)}")
