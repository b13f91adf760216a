"""FNC-1 (Fake News Challenge, stage 1) files, for users who have them: ``fnc1:<dir>``.

The folder holds ``train_bodies.csv`` (Body ID, articleBody) and ``train_stances.csv``
(Headline, Body ID, Stance), and may hold the labelled competition test pair
``competition_test_bodies.csv`` + ``competition_test_stances.csv``. Each stance row becomes a
record with ``target`` = headline, ``text`` = body, ``stance`` in agree / disagree /
discuss / unrelated.

FNC-1 has no validation set: the training pairs are split 90/10 into train/validation by
Body ID (seeded, as the FNC-1 baseline's hold-out does), so no body is in both; the
competition test files are the ``test`` split.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "train_bodies.csv").write_text('Body ID,articleBody\\n7,"Body text."\\n')
>>> _ = (folder / "train_stances.csv").write_text("Headline,Body ID,Stance\\nA claim,7,agree\\n")
>>> [(r.target, r.text, r.stance) for r in load_fnc1(folder)]
[('A claim', 'Body text.', 'agree')]
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.data.readers import iter_csv_rows
from newsdesk.data.records import Record
from newsdesk.data.splits import assign_splits
from newsdesk.errors import DataError

STANCES = ("agree", "disagree", "discuss", "unrelated")
PARTS = {"train": ("train_bodies.csv", "train_stances.csv"),
         "test": ("competition_test_bodies.csv", "competition_test_stances.csv")}
BODY_COLUMNS = ("Body ID", "articleBody")
STANCE_COLUMNS = ("Headline", "Body ID", "Stance")
SEED = "fnc1-v1"
TRAIN_FRACTIONS = (0.9, 0.1, 0.0)


def load_fnc1(folder: str | Path, split: str | None = None) -> list[Record]:
    """The FNC-1 pairs of a folder: all splits found, or only ``split``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError("no such folder (fnc1:<dir> needs the folder holding "
                        f"{PARTS['train'][0]} and {PARTS['train'][1]})", path=folder)
    wanted = ("test",) if split == "test" else ("train",) if split else ("train", "test")
    present = [part for part in wanted if _part_present(folder, part)]
    if not present:
        names = " + ".join(PARTS[wanted[0]])
        raise DataError(f"holds no FNC-1 files ({names})", path=folder)
    records: list[Record] = []
    for part in present:
        records.extend(read_part(folder, part))
    return [r for r in records if split is None or r.meta["split"] == split]


def _part_present(folder: Path, part: str) -> bool:
    bodies, stances = (folder / name for name in PARTS[part])
    if bodies.exists() != stances.exists():
        present, missing = (bodies, stances) if bodies.exists() else (stances, bodies)
        raise DataError(f"no such file, but {present.name} is there; FNC-1 needs both",
                        path=missing)
    return bodies.exists()


def read_part(folder: Path, part: str) -> list[Record]:
    """The records of one bodies + stances pair (``train`` or ``test``)."""
    bodies_path, stances_path = (folder / name for name in PARTS[part])
    bodies = read_bodies(bodies_path)
    split_of = _split_by_body(sorted(bodies, key=int)) if part == "train" else {}
    return [
        Record(id=f"fnc1-{part}-{line}", text=bodies[body_id], target=headline, stance=stance,
               meta={"split": split_of.get(body_id, "test"), "body_id": body_id})
        for line, headline, body_id, stance in read_stances(stances_path, bodies_path, bodies)
    ]


def read_bodies(path: Path) -> dict[str, str]:
    """Body ID -> article body; a repeated or non-numeric Body ID or empty body is an error."""
    bodies: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for line, row in iter_csv_rows(path, required=BODY_COLUMNS):
        body_id = _body_id(row["Body ID"], path, line)
        if body_id in bodies:
            raise DataError(f"Body ID {body_id} was already given on line {first_line[body_id]}",
                            path=path, line=line, field="Body ID")
        if not row["articleBody"].strip():
            raise DataError("is empty", path=path, line=line, field="articleBody")
        bodies[body_id], first_line[body_id] = row["articleBody"], line
    return bodies


def read_stances(path: Path, bodies_path: Path,
                 bodies: dict[str, str]) -> list[tuple[int, str, str, str]]:
    """(line, headline, Body ID, stance) of each stance row, checked against the bodies."""
    rows: list[tuple[int, str, str, str]] = []
    for line, row in iter_csv_rows(path, required=STANCE_COLUMNS):
        headline = row["Headline"].strip()
        if not headline:
            raise DataError("is empty", path=path, line=line, field="Headline")
        body_id = _body_id(row["Body ID"], path, line)
        if body_id not in bodies:
            raise DataError(f"Body ID {body_id} is not in {bodies_path.name}", path=path,
                            line=line, field="Body ID")
        stance = row["Stance"].strip().lower()
        if stance not in STANCES:
            raise DataError(f"unknown stance {row['Stance']!r}; FNC-1 stances are "
                            f"{', '.join(STANCES)}", path=path, line=line, field="Stance")
        rows.append((line, headline, body_id, stance))
    return rows


def _body_id(value: str, path: Path, line: int) -> str:
    text = value.strip()
    if not text.isdigit():
        raise DataError(f"must be a whole number, got {value!r}", path=path, line=line,
                        field="Body ID")
    return str(int(text))


def _split_by_body(body_ids: list[str]) -> dict[str, str]:
    return dict(zip(body_ids, assign_splits(body_ids, seed=SEED, fractions=TRAIN_FRACTIONS)))
