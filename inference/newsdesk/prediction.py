"""The result type of every classifier."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prediction:
    """A predicted label with its probability and the probability of every label.

    In multi-label models ``labels`` holds every label over its threshold (``label`` is the
    most probable one); in single-label models ``labels`` is just ``(label,)``.

    >>> p = Prediction(label="sport", score=0.9, scores={"sport": 0.9, "tech": 0.1})
    >>> p.labels
    ('sport',)
    """

    label: str
    score: float
    scores: dict[str, float]
    labels: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.labels:
            object.__setattr__(self, "labels", (self.label,))

    @classmethod
    def from_probabilities(cls, labels: Sequence[str], row: Sequence[float],
                           thresholds: Mapping[str, float] | None = None) -> Prediction:
        """The prediction of one row of label probabilities (in ``labels`` order). With
        ``thresholds`` (a multi-label model) ``labels`` holds every label at or over its
        threshold (0.5 where none is given), or the most probable one if none is.

        >>> Prediction.from_probabilities(["a", "b", "c"], [0.6, 0.7, 0.1], {"b": 0.8}).labels
        ('a',)
        >>> Prediction.from_probabilities(["a", "b"], [0.4, 0.6], {"b": 0.8}).labels
        ('b',)
        """
        scores = {label: float(p) for label, p in zip(labels, row)}
        best = max(range(len(labels)), key=lambda i: float(row[i]))
        chosen: tuple[str, ...] = ()
        if thresholds is not None:
            chosen = tuple(label for label, p in scores.items()
                           if p >= thresholds.get(label, 0.5))
        return cls(label=labels[best], score=float(row[best]), scores=scores,
                   labels=chosen or (labels[best],))
