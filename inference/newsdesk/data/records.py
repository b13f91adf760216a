"""The one record type shared by all three tasks, and its validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.errors import DataError

TEXT_FIELDS = ("id", "text", "title", "target", "stance", "summary")
RECORD_FIELDS = ("id", "text", "title", "label", "target", "stance", "summary")


@dataclass(frozen=True)
class Record:
    """One news item: an article with whatever references a task needs.

    ``label`` is a topic (a string, or a tuple of strings in multi-label data);
    ``target`` + ``stance`` make a stance example; ``summary`` is a reference summary.
    Any other column of the source lands in ``meta`` (a built-in set keeps its split there).

    >>> Record(id="1", text="Shares rose.", label="business").task_fields()
    ('label',)
    """

    id: str
    text: str
    title: str | None = None
    label: str | tuple[str, ...] | None = None
    target: str | None = None
    stance: str | None = None
    summary: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def task_fields(self) -> tuple[str, ...]:
        """Which reference fields this record carries (label, stance, summary)."""
        return tuple(name for name in ("label", "stance", "summary")
                     if getattr(self, name) is not None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the record fields that are set, then ``meta``."""
        out: dict[str, Any] = {}
        for name in RECORD_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if isinstance(value, tuple) else value
        out.update(self.meta)
        return out


def record_from_mapping(obj: Any, *, path: str | Path, line: int | None = None,
                        row: int | None = None, default_id: str) -> Record:
    """Validate one parsed object into a ``Record``; errors name path, line and field."""
    where = {"path": path, "line": line, "row": row}
    if not isinstance(obj, Mapping):
        raise DataError(f"expected an object with a 'text' field, got {type(obj).__name__}",
                        **where)
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = obj.get(name)
        if value is None or (isinstance(value, float) and value != value):  # NaN from tables
            continue
        if name == "id" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise DataError(f"must be a string, got {type(value).__name__} {value!r:.40}",
                            field=name, **where)
        values[name] = value
    text = values.get("text")
    if text is None:
        raise DataError("missing (every record needs a non-empty 'text')", field="text", **where)
    if not text.strip():
        raise DataError("is empty or whitespace only", field="text", **where)
    label = _parse_label(obj.get("label"), where)
    if "stance" in values and "target" not in values:
        raise DataError("a 'stance' needs a 'target' to be about", field="target", **where)
    meta = {k: v for k, v in obj.items() if k not in RECORD_FIELDS}
    return Record(id=values.pop("id", default_id), label=label, meta=meta, **values)


def _parse_label(value: Any, where: dict[str, Any]) -> str | tuple[str, ...] | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        if not value.strip():
            raise DataError("is empty", field="label", **where)
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise DataError(f"must be a string or a list of strings, got {value!r:.60}",
                    field="label", **where)
