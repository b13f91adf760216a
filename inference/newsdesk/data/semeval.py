"""SemEval-2016 Task 6 (stance in tweets) files, for users who have them: ``semeval:<file>``.

A file is tab-separated with the header ``ID, Target, Tweet, Stance`` (the "all annotations"
files add Opinion towards and Sentiment, kept in ``meta``). Each row becomes a record with
``target`` = the target, ``text`` = the tweet and ``stance`` = favor / against / none
(lower-cased); ``UNKNOWN``, the label of the unlabelled test file, gives no stance. Quotes
are ordinary characters in these files, so they are read as such. One file is one split:
give the training file and the test file separately.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "train.txt"
>>> _ = path.write_text("ID\\tTarget\\tTweet\\tStance\\n101\\tTea\\tTea is great\\tFAVOR\\n")
>>> [(r.id, r.target, r.stance) for r in load_semeval(path)]
[('semeval-101', 'Tea', 'favor')]
"""

from __future__ import annotations

import csv
from pathlib import Path

from newsdesk.data.readers import iter_csv_rows
from newsdesk.data.records import Record
from newsdesk.errors import DataError

COLUMNS = ("ID", "Target", "Tweet", "Stance")
STANCES = {"FAVOR": "favor", "AGAINST": "against", "NONE": "none", "UNKNOWN": None}
EXTRA_COLUMNS = {"Opinion towards": "opinion_towards", "Sentiment": "sentiment"}


def load_semeval(path: str | Path) -> list[Record]:
    """The records of one SemEval-2016 Task 6 file (UTF-8, tab-separated)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file (semeval:<file> needs a tab-separated file with the "
                        "columns ID, Target, Tweet, Stance)", path=path)
    records: list[Record] = []
    first_line: dict[str, int] = {}
    for line, row in iter_csv_rows(path, delimiter="\t", required=COLUMNS,
                                   quoting=csv.QUOTE_NONE):
        ident = _nonempty(row, "ID", path, line)
        if ident in first_line:
            raise DataError(f"ID {ident} was already given on line {first_line[ident]}",
                            path=path, line=line, field="ID")
        first_line[ident] = line
        records.append(_record(row, ident, path, line))
    return records


def _record(row: dict[str, str], ident: str, path: Path, line: int) -> Record:
    label = row["Stance"].strip().upper()
    if label not in STANCES:
        raise DataError(f"unknown stance {row['Stance']!r}; SemEval-2016 stances are "
                        f"{', '.join(STANCES)}", path=path, line=line, field="Stance")
    meta = {key: row[column].strip() for column, key in EXTRA_COLUMNS.items() if row.get(column)}
    return Record(id=f"semeval-{ident}", text=_nonempty(row, "Tweet", path, line),
                  target=_nonempty(row, "Target", path, line), stance=STANCES[label], meta=meta)


def _nonempty(row: dict[str, str], column: str, path: Path, line: int) -> str:
    value = row[column].strip()
    if not value:
        raise DataError("is empty", path=path, line=line, field=column)
    return value
