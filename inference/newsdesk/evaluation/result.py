"""``Evaluation``: what evaluating one model gives, for the report writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Evaluation:
    """The outcome of one evaluation, ready for ``write_report``."""

    model: str
    task: str
    data: str
    split: str | None
    metrics: dict[str, Any]
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    #: How the model's recipe was chosen (its manifest's ``extras["selection"]``).
    selection: dict[str, Any] | None = None
    #: Accuracy per slice (``--slice-by``: ``slices.accuracy_by_slice``); None without.
    slices: dict[str, Any] | None = None
    #: The model's accuracy against a baseline's on the same records (``--against``:
    #: ``run.compared``); None without.
    against: dict[str, Any] | None = None
    #: What fitting the evaluated baseline chose (``--baseline``); None for a model.
    baseline: dict[str, Any] | None = None
