"""The result type of every classifier."""

from __future__ import annotations

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
