"""What differs between the classification tasks: which field is the reference, and
whether the input is a (target, text) pair. Everything else is shared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from newsdesk.data.records import Record
from newsdesk.errors import DataError


@dataclass(frozen=True)
class ClassificationTask:
    """A classification task: ``topic`` reads ``label``; ``stance`` reads ``target`` +
    ``stance`` and encodes (target, text) as a pair.

    >>> CLASSIFICATION_TASKS["stance"].paired
    True
    """

    name: str
    reference: str
    paired: bool

    def gold(self, record: Record) -> str | tuple[str, ...]:
        value = getattr(record, self.reference)
        if value is None:
            raise DataError(f"record {record.id!r} has no {self.reference!r}, which a "
                            f"{self.name} recipe needs", field=self.reference)
        return value

    def targets(self, records: Sequence[Record]) -> list[str] | None:
        if not self.paired:
            return None
        missing = [r.id for r in records if not r.target]
        if missing:
            raise DataError(f"record {missing[0]!r} has no 'target' (stance needs one)",
                            field="target")
        return [r.target or "" for r in records]


CLASSIFICATION_TASKS = {
    "topic": ClassificationTask("topic", "label", paired=False),
    "stance": ClassificationTask("stance", "stance", paired=True),
}


def label_set(task: ClassificationTask, records: Sequence[Record]) -> list[str]:
    """The sorted label strings of the training records (multi-label lists flattened)."""
    labels: set[str] = set()
    for record in records:
        gold = task.gold(record)
        labels.update(gold if isinstance(gold, tuple) else (gold,))
    return sorted(labels)


def check_known(task: ClassificationTask, records: Sequence[Record], labels: Sequence[str],
                where: str) -> None:
    """A DataError listing every label in ``records`` that ``labels`` lacks."""
    unknown = sorted(set(label_set(task, records)) - set(labels))
    if unknown:
        raise DataError(f"labels not in the model's label set: {', '.join(unknown)} "
                        f"(the model knows {', '.join(labels)})", path=where)
