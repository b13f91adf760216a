"""The task registry: what differs between topic, stance and summaries, in one place.

One class per task owns its name, its record fields (the text, the reference, and for a
paired task the target read with the text), its model class, its metric names and what
its model card says about it. Every other module asks the registry (``get_task``,
``TASKS``) instead of comparing task names; a new model kind subclasses ``Task`` and is
``register``-ed here.

This module sits at the bottom of the package: the manifest and the model-dir opener,
which the model classes import, read task names and fields from it. So it names each
model class (``model_class_name``, a name of the ``newsdesk`` facade) and resolves it when
asked, as the CLI resolves its command modules; it imports no model code.
``newsdesk.load`` (``newsdesk.modeldir.load``) opens a dir as the class its manifest's
task names.

>>> [task.name for task in TASKS.values()]
['topic', 'stance', 'summary']
>>> get_task("stance").paired, get_task("stance").pair_order
(True, ['target', 'text'])
>>> get_task("sentiment")
Traceback (most recent call last):
...
newsdesk.tasks.UnknownTaskError: unknown task 'sentiment'; expected one of topic, stance, \
summary
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from newsdesk.data.records import Record
from newsdesk.errors import DataError, ModelError

#: The record field every task reads.
TEXT_FIELD = "text"


class UnknownTaskError(ValueError):
    """A task name the registry does not hold."""

    def __init__(self, name: Any) -> None:
        super().__init__(f"unknown task {name!r}; expected one of {', '.join(TASKS)}")


class Task:
    """What one task is: fields, model class, metrics, card text. Subclass it per task.

    ``reference`` is the record field holding the answer (scored against, trained on;
    ``reference_choices`` the fields a recipe may name instead);
    ``target`` the field read together with the text (None: the text is read alone);
    ``classifies`` says the model gives labels (a ``SequenceClassifier``) rather than text;
    ``metric_names`` are the document-level figures a model's manifest keeps per split;
    ``baseline_name`` names (a key of ``newsdesk.evaluation.baselines.BASELINES``) the class
    that fits the task's classic baseline (``newsdesk evaluate --baseline tfidf``,
    ``--against tfidf``; None: the task has none there).
    """

    name: ClassVar[str]
    reference: ClassVar[str]
    reference_choices: ClassVar[tuple[str, ...]] = ()
    target: ClassVar[str | None] = None
    classifies: ClassVar[bool] = True
    model_class_name: ClassVar[str]
    metric_names: ClassVar[tuple[str, ...]] = ("n", "accuracy", "macro_f1", "per_class", "ece")
    baseline_name: ClassVar[str | None] = None
    #: The Hugging Face pipeline tag, a display name and the intended use (model card).
    pipeline_tag: ClassVar[str] = "text-classification"
    title: ClassVar[str]
    intended_use: ClassVar[str]

    def __repr__(self) -> str:
        return f"<task {self.name}>"

    @property
    def paired(self) -> bool:
        """Whether the model reads (target, text) pairs."""
        return self.target is not None

    @property
    def pair_order(self) -> list[str] | None:
        """How a pair is encoded (the tokenizer's first segment, then the second), as the
        manifest records it; None for a task that reads the text alone."""
        return [self.target, TEXT_FIELD] if self.target else None

    @property
    def model_class(self) -> type:
        """The class that loads and runs this task's model dirs (``from_pretrained``)."""
        import newsdesk

        return getattr(newsdesk, self.model_class_name)

    def classifier_name(self, manifest: Any = None) -> str | None:
        """The ``newsdesk`` facade name of the ``SequenceClassifier`` that runs a model dir
        of this task (with ``manifest``), or None when its model writes text: what
        ``newsdesk export --onnx`` exports and its ONNX backend runs."""
        return self.model_class_name if self.classifies else None

    def classifier_class(self, manifest: Any = None) -> type | None:
        """The class ``classifier_name`` names, resolved (None for a model that writes)."""
        import newsdesk

        name = self.classifier_name(manifest)
        return None if name is None else getattr(newsdesk, name)

    def checkpoint_metric(self, multi_label: bool = False) -> str:
        """The validation figure that picks a fine-tuned model's kept checkpoint."""
        return "micro_f1" if multi_label else "accuracy"

    def extra_metrics(self, gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
        """Document-level figures of this task beyond the classification ones."""
        return {}

    def reference_for(self, manifest: Any = None) -> str:
        """The record field a model of this task (with ``manifest``) is scored against."""
        return self.reference

    def gold(self, record: Record) -> Any:
        """The record's reference; a DataError naming the record if it has none."""
        value = getattr(record, self.reference)
        if value is None:
            raise DataError(f"record {record.id!r} has no {self.reference!r}, which a "
                            f"{self.name} model needs", field=self.reference)
        return value

    def check_input(self, record: Record, *, path: str | Path | None = None,
                    line: int | None = None, row: int | None = None) -> None:
        """A DataError (naming file, line, row) when ``record`` lacks what the model reads
        with its text: a paired task's target."""
        if self.target and not (getattr(record, self.target) or "").strip():
            raise DataError(f"missing or empty (a {self.name} model needs a {self.target!r} "
                            "on every record)", path=path, line=line, row=row,
                            field=self.target)

    def targets(self, records: Sequence[Record], *,
                path: str | Path | None = None) -> list[str] | None:
        """What a paired model reads with each record's text (None for an unpaired task);
        a record without one is a DataError naming it."""
        if not self.target:
            return None
        for record in records:
            if not (getattr(record, self.target) or "").strip():
                raise DataError(f"record {record.id!r} has no {self.target!r} (a {self.name} "
                                "model needs one)", path=path, field=self.target)
        return [getattr(record, self.target) for record in records]

    def require_references(self, records: Sequence[Record], *,
                           path: str | Path | None = None) -> None:
        """A DataError naming the first record without the reference (or, paired, without
        the target)."""
        for index, record in enumerate(records):
            if getattr(record, self.reference) is None:
                raise DataError(f"record {record.id!r} (number {index + 1}) has no "
                                f"{self.reference!r}; a {self.name} model needs it on every "
                                "record", path=path, field=self.reference)
        self.targets(records, path=path)

    def label_set(self, records: Sequence[Record]) -> list[str]:
        """The sorted label strings of ``records`` (multi-label lists flattened)."""
        labels: set[str] = set()
        for record in records:
            gold = self.gold(record)
            labels.update(gold if isinstance(gold, tuple) else (gold,))
        return sorted(labels)


class TopicTask(Task):
    """Tag an article with a topic (``label``; a list of them for multi-label data)."""

    name = "topic"
    reference = "label"
    model_class_name = "TopicClassifier"
    baseline_name = "TfidfLinearSvc"
    title = "Topic classification"
    intended_use = "Tagging English news articles with one of the topics above."


class StanceTask(Task):
    """Judge an article's ``stance`` toward a ``target`` (a claim, a headline), read as a
    (target, text) pair."""

    name = "stance"
    reference = "stance"
    target = "target"
    model_class_name = "StanceClassifier"
    baseline_name = "TfidfCosine"
    #: FNC-1 (relative to its maximum) or SemEval-2016, where the labels fit (proportions).
    metric_names = (*Task.metric_names, "fnc_relative", "semeval_f_avg")
    title = "Stance detection"
    intended_use = ("Judging whether an English news article relates to / agrees with a "
                    "target (a headline or claim), as the labels above define.")

    def extra_metrics(self, gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
        from newsdesk.metrics.stance import stance_metrics

        return stance_metrics(gold, predicted)


#: The manifest key (in ``extras``) that says what kind of summary model a dir holds.
SUMMARY_KIND_KEY = "summary_kind"
#: A seq2seq model that writes the summary (``newsdesk.summarize.abstractive``); the kind
#: of every summary dir whose manifest names none (those written before kinds existed).
ABSTRACTIVE = "abstractive"
#: A fine-tuned sentence scorer whose top sentences are the summary
#: (``newsdesk.summarize.scorer``): a sequence classifier, run by ``SentenceScorer``.
EXTRACTIVE_SCORER = "extractive-scorer"
#: A fine-tuned sentence tagger (``newsdesk.summarize.tagger``): a token classifier that
#: reads an article's first sentences in one pass and scores each at its ``[CLS]`` marker
#: (BertSumExt), run by ``SentenceTagger``.
EXTRACTIVE_TAGGER = "extractive-tagger"
#: The summary kinds whose top-scored sentences are the summary (``ScorerSummarizer``).
EXTRACTIVE_KINDS = (EXTRACTIVE_SCORER, EXTRACTIVE_TAGGER)


class SummaryTask(Task):
    """Write a short summary; scored against ``summary`` (standfirsts), or the field the
    model was trained to write (its manifest's ``extras["target"]``: ``title`` for
    headlines).

    A summary model dir is one of ``kinds`` (manifest ``extras["summary_kind"]``):
    ``abstractive`` (the default), ``extractive-scorer`` or ``extractive-tagger``, each
    with the ``newsdesk`` facade name of the classifier that runs it (None: a seq2seq
    model).

    >>> class Dir:
    ...     extras = {"summary_kind": "extractive-scorer"}
    >>> SUMMARY.kind(Dir()), SUMMARY.classifier_name(Dir()), SUMMARY.kind(None)
    ('extractive-scorer', 'SentenceScorer', 'abstractive')
    """

    name = "summary"
    reference = "summary"
    reference_choices = ("summary", "title")
    classifies = False
    model_class_name = "Summarizer"
    metric_names = ("n", "rouge1", "rouge2", "rougeLsum", "words", "novel_bigrams")
    pipeline_tag = "summarization"
    title = "Summarization"
    intended_use = ("Writing short English summaries (standfirsts or headlines) of news "
                    "articles.")

    def checkpoint_metric(self, multi_label: bool = False) -> str:
        return "rougeLsum"

    kinds: ClassVar[dict[str, str | None]] = {ABSTRACTIVE: None,
                                              EXTRACTIVE_SCORER: "SentenceScorer",
                                              EXTRACTIVE_TAGGER: "SentenceTagger"}

    def reference_for(self, manifest: Any = None) -> str:
        extras: Mapping[str, Any] = getattr(manifest, "extras", None) or {}
        return str(extras.get("target", self.reference))

    def kind(self, manifest: Any = None) -> str:
        """The kind of summary model ``manifest`` describes (``abstractive`` when it names
        none); an unknown kind is a ModelError naming the known ones."""
        extras: Mapping[str, Any] = getattr(manifest, "extras", None) or {}
        kind = extras.get(SUMMARY_KIND_KEY, ABSTRACTIVE)
        if kind not in self.kinds:
            raise ModelError(f"unknown {SUMMARY_KIND_KEY} {kind!r} in the manifest; this "
                             f"newsdesk knows {', '.join(self.kinds)}")
        return str(kind)

    def classifier_name(self, manifest: Any = None) -> str | None:
        return self.kinds[self.kind(manifest)]


#: Every task by name, in registration order.
TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add ``task`` to the registry (its name must be new)."""
    if task.name in TASKS:
        raise ValueError(f"task {task.name!r} is registered already")
    TASKS[task.name] = task
    return task


TOPIC = register(TopicTask())
STANCE = register(StanceTask())
SUMMARY = register(SummaryTask())
#: The task of a model dir without a manifest (a plain transformers classifier, a hub id).
DEFAULT_TASK = TOPIC


def get_task(name: Any) -> Task:
    """The registered task called ``name``; ``UnknownTaskError`` (a ValueError) naming the
    known ones otherwise."""
    try:
        return TASKS[name]
    except (KeyError, TypeError):
        raise UnknownTaskError(name) from None

