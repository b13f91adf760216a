"""Errors newsdesk raises on purpose: each one reads as one sentence for a user.

The CLI prints ``str(error)`` and exits with code 2 for every ``NewsdeskError``;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from pathlib import Path


class NewsdeskError(Exception):
    """Base class of every error newsdesk raises for a user to read."""


class DataError(NewsdeskError, ValueError):
    """A data file or record is unusable; the message names file, line and field.

    >>> str(DataError("missing 'text'", path="a.jsonl", line=3, field="text"))
    "a.jsonl, line 3, field 'text': missing 'text'"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.row = row
        self.field = field
        self.reason = message
        super().__init__(_locate(message, self.path, line, row, field))


def _locate(message: str, path: str | None, line: int | None, row: int | None,
            field: str | None) -> str:
    parts = [p for p in (
        path,
        f"line {line}" if line is not None else None,
        f"row {row}" if row is not None else None,
        f"field {field!r}" if field is not None else None,
    ) if p]
    return f"{', '.join(parts)}: {message}" if parts else message


class AssetError(NewsdeskError, RuntimeError):
    """An embedded asset (pretrained encoder, news corpus) could not be fetched or read."""


class ConfigError(NewsdeskError, ValueError):
    """A training config or option is unknown, mistyped or contradictory."""


class ModelError(NewsdeskError):
    """A model directory is missing, corrupt, unsafe or from an incompatible version."""
