"""Evaluate a summarizer on records with reference summaries: ROUGE, length, novelty.

``MODEL`` is a trained summary model dir (or hub id), or ``extractive:METHOD`` with
optional ``:key=value,...`` options (``extractive:lead:k=1``), so trained and extractive
summarizers are scored by the same code. The reference is the field the model was trained
to write (``newsdesk.json`` extras ``target``: ``summary`` for standfirsts, ``title`` for
headlines); extractive methods are scored against ``summary``.

Records without a reference are skipped and counted (``skipped_without_reference`` in the
report), not an error: in news-articles fewer than half the subtitles are real
standfirsts, and a test split is still worth scoring on those. Data where no record has a
reference is an error.

>>> parse_extractive("extractive:textrank:k=2,window=10,position_bias=1.5")
('textrank', {'k': 2, 'window': 10, 'position_bias': 1.5})
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsdesk.data import load
from newsdesk.data.records import Record
from newsdesk.errors import ConfigError, DataError
from newsdesk.evaluation.result import Evaluation
from newsdesk.manifest import MANIFEST_NAME, Manifest
from newsdesk.tasks import SUMMARY

#: ``extractive:lead`` (etc.) as MODEL evaluates an extractive summarizer.
EXTRACTIVE_PREFIX = "extractive:"
#: Best and worst examples shown in a report.
EXTREMES = 5
#: The articles shown as they come (the data's first ones, not chosen by score).
SAMPLE = 10
SNIPPET_CHARS = 300


def parse_extractive(spec: str) -> tuple[str, dict[str, Any]]:
    """``extractive:METHOD[:key=value,...]`` -> (method, options); numbers parsed."""
    method, _, rest = spec[len(EXTRACTIVE_PREFIX):].partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"{spec}: expected key=value options, got {item!r}")
        options[key.strip()] = _number(value.strip())
    return method, options


def _number(value: str) -> Any:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def load_summarizer(model: str | Path, *, batch_size: int = 16) -> tuple[Any, str]:
    """(Summarizer, reference field) for a model dir / hub id or an ``extractive:`` spec."""
    from newsdesk.summarize import Summarizer

    name = str(model)
    if name.startswith(EXTRACTIVE_PREFIX):
        method, options = parse_extractive(name)
        return Summarizer.extractive(method, **options), SUMMARY.reference_for()
    path = Path(name)
    manifest = Manifest.load(path) if (path / MANIFEST_NAME).is_file() else None
    return (Summarizer.from_pretrained(model, batch_size=batch_size),
            SUMMARY.reference_for(manifest))


def with_reference(records: Sequence[Record], field: str, data: str) -> list[Record]:
    """The records that have ``field``; a DataError naming the data if none has."""
    kept = [r for r in records if getattr(r, field)]
    if not kept:
        raise DataError(f"no record has a {field!r} to score summaries against", path=data,
                        field=field)
    return kept


def score_records(summarizer: Any, records: Sequence[Record], field: str, *,
                  max_words: int | None = None, seed: int = 0) -> tuple[list[str], Any]:
    """(predictions, ``SummaryScores``) of ``summarizer`` on records that have ``field``."""
    from newsdesk.metrics.summary import score_summaries

    texts = [r.text for r in records]
    predictions = summarizer.summarize(texts, max_words=max_words)
    references = [str(getattr(r, field)) for r in records]
    return predictions, score_summaries(predictions, references, texts, seed=seed,
                                        extremes=EXTREMES)


def summary_metrics(scores: Any) -> dict[str, Any]:
    """Means (fractions; ``words`` in words) and their bootstrap 95% intervals."""
    metrics: dict[str, Any] = {"n": scores.count}
    metrics.update({name: e.mean for name, e in scores.metrics.items()})
    metrics["intervals"] = {name: (e.low, e.high) for name, e in scores.metrics.items()}
    return metrics


def evaluate_summarizer(model: str | Path, data: str, split: str | None, *,
                        batch_size: int = 16, max_words: int | None = None,
                        seed: int = 0) -> Evaluation:
    """Summarise every record that has a reference and score the summaries."""
    summarizer, field = load_summarizer(model, batch_size=batch_size)
    records = load(data, split=split)
    scored = with_reference(records, field, data)
    _, scores = score_records(summarizer, scored, field, max_words=max_words, seed=seed)
    metrics = summary_metrics(scores)
    metrics.update({"reference": field, "skipped_without_reference": len(records) - len(scored),
                    "max_words": max_words or summarizer.max_words,
                    "method": summarizer.method})
    examples = {kind: [_example(e, scored[e["index"]]) for e in rows]
                for kind, rows in (("sample", scores.examples[:SAMPLE]), ("best", scores.best),
                                   ("worst", scores.worst))}
    return Evaluation(model=str(model), task=SUMMARY.name, data=data, split=split,
                      metrics=metrics, examples=examples)


def _example(row: dict[str, Any], record: Record) -> dict[str, Any]:
    text = " ".join(record.text.split())
    return {"id": record.id, "rougeLsum": row["rougeLsum"], "rouge1": row["rouge1"],
            "prediction": row["prediction"], "reference": row["reference"],
            "text": text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS - 1] + "…"}


def summary_markdown(evaluation: Evaluation) -> str:
    """The report of a summary evaluation: ROUGE with intervals, length, novelty, examples."""
    m = evaluation.metrics
    split = f" ({evaluation.split})" if evaluation.split else ""
    lines = [f"# Evaluation of {evaluation.model}", "",
             f"Summaries by `{m['method']}` of `{evaluation.data}`{split}: {m['n']} articles "
             f"scored against their `{m['reference']}`; {m['skipped_without_reference']} "
             f"without one skipped. At most {m['max_words']} words per summary. ROUGE F1 x "
             "100 with Porter stemming (Lsum over pysbd sentences); 95% bootstrap intervals.",
             "", "| metric | value | 95% interval |", "|---|---|---|"]
    rows = [("ROUGE-1", "rouge1", 100), ("ROUGE-2", "rouge2", 100),
            ("ROUGE-Lsum", "rougeLsum", 100), ("mean length (words)", "words", 1),
            ("novel bigrams (%)", "novel_bigrams", 100)]
    for label, name, scale in rows:
        if name in m:
            low, high = m["intervals"][name]
            lines.append(f"| {label} | {scale * m[name]:.2f} | {scale * low:.2f} – "
                         f"{scale * high:.2f} |")
    headings = {"sample": "A sample (the first articles, in the data's order)",
                "best": "Best examples (by ROUGE-Lsum)", "worst": "Worst examples (by ROUGE-Lsum)"}
    for kind, heading in headings.items():
        if kind not in evaluation.examples:
            continue
        lines += ["", f"## {heading}", ""]
        lines += [f"- `{e['id']}` ROUGE-Lsum {100 * e['rougeLsum']:.1f}  \n  **summary:** "
                  f"{e['prediction']}  \n  **reference:** {e['reference']}  \n  "
                  f"article: {e['text']}" for e in evaluation.examples.get(kind, [])]
    return "\n".join(lines) + "\n"
