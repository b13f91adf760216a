"""``NewsDesk``: topic, stances and a summary of one article, from whichever models you have."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.inputs import check_texts
from newsdesk.prediction import Prediction


@dataclass
class Analysis:
    """What ``NewsDesk.analyze`` found: any part is None/empty when its model is absent.

    ``stances`` holds one (target, prediction) pair per target, in the order given
    (a target given twice appears twice).
    """

    topic: Prediction | None = None
    stances: list[tuple[str, Prediction]] = field(default_factory=list)
    summary: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": _prediction_dict(self.topic),
            "stances": [{"target": t, **_prediction_dict(p)} for t, p in self.stances],
            "summary": self.summary,
        }

    def format(self) -> str:
        """A few readable lines for the terminal."""
        lines = []
        if self.topic is not None:
            lines.append(f"topic:   {_labels_line(self.topic)}")
        for target, prediction in self.stances:
            lines.append(f"stance:  {_labels_line(prediction)} toward {target!r}")
        if self.summary is not None:
            lines.append(f"summary: {self.summary}")
        return "\n".join(lines)


def _prediction_dict(prediction: Prediction | None) -> dict[str, Any] | None:
    if prediction is None:
        return None
    return {"label": prediction.label, "labels": list(prediction.labels),
            "score": prediction.score, "scores": prediction.scores}


def _labels_line(prediction: Prediction) -> str:
    """Every predicted label with its probability (several for a multi-label model)."""
    return ", ".join(f"{label} ({prediction.scores.get(label, prediction.score):.2f})"
                     for label in prediction.labels)


class NewsDesk:
    """Run the topic, stance and summary models you give it over an article.

    >>> from newsdesk import NewsDesk, Summarizer
    >>> desk = NewsDesk(summary=Summarizer.extractive("lead", k=1))
    >>> desk.analyze("Rates rose on Monday. Markets fell.").summary
    'Rates rose on Monday.'
    """

    def __init__(self, topic: Any = None, stance: Any = None, summary: Any = None) -> None:
        self.topic = topic
        self.stance = stance
        self.summary = summary

    def analyze(self, article: str, targets: str | Sequence[str] = (),
                max_words: int | None = None) -> Analysis:
        """Topic, a stance for each target, and a summary of ``article``.

        ``targets`` is one target (a string) or a list of them, each judged in turn.
        """
        if not isinstance(article, str):
            raise TypeError(f"article is {type(article).__name__}, not str")
        targets = [targets] if isinstance(targets, str) else check_texts(targets, what="target")
        if targets and self.stance is None:
            raise ValueError("targets given, but this NewsDesk has no stance model")
        result = Analysis()
        if self.topic is not None:
            result.topic = self.topic.predict([article])[0]
        if targets:
            predictions = self.stance.predict([(t, article) for t in targets])
            result.stances = list(zip(targets, predictions))
        if self.summary is not None:
            options = {} if max_words is None else {"max_words": max_words}
            result.summary = self.summary.summarize([article], **options)[0]
        return result
