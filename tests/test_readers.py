"""Readers: JSONL, CSV/TSV, Parquet, FNC-1 and SemEval files; each bad record is located."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsdesk.data import ReadStats, load, read_records
from newsdesk.data.fnc1 import load_fnc1
from newsdesk.data.semeval import load_semeval
from newsdesk.errors import DataError

WriteFile = Callable[[str, "str | bytes"], Path]
GOOD = '{"id": "1", "text": "Rates rise.", "label": "business"}\n'


def test_jsonl_reads_records_and_counts_blank_lines(write_file: WriteFile) -> None:
    path = write_file("a.jsonl", "\ufeff" + GOOD + "\n" + '{"text": "Reds win."}\n')
    stats = ReadStats()
    records = read_records(path, stats=stats)
    assert [(r.id, r.label) for r in records] == [("1", "business"), ("3", None)]
    assert (stats.records, stats.blank_lines) == (2, 1)
    assert stats.summary() == "2 records (1 with label), 1 blank lines skipped"


def test_a_broken_third_line_is_named(write_file: WriteFile) -> None:
    path = write_file("a.jsonl", GOOD + GOOD + '{"text": "cut off\n' + GOOD)
    with pytest.raises(DataError) as caught:
        read_records(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}, line 3: malformed JSON")


@pytest.mark.parametrize(("line", "field", "words"), [
    ('{"id": "2"}', "text", "missing"),
    ('{"text": ""}', "text", "empty"),
    ('{"text": ["a"]}', "text", "must be a string"),
    ('{"text": "ok", "label": 5}', "label", "string or a list"),
])
def test_jsonl_field_errors_name_line_and_field(write_file: WriteFile, line: str, field: str,
                                                words: str) -> None:
    path = write_file("a.jsonl", GOOD + line + "\n")
    with pytest.raises(DataError) as caught:
        read_records(path)
    assert (caught.value.line, caught.value.field) == (2, field)
    assert words in str(caught.value)


def test_invalid_utf8_names_the_line(write_file: WriteFile) -> None:
    path = write_file("a.jsonl", GOOD.encode() + b'{"text": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"line 2: invalid UTF-8 at byte 13"):
        read_records(path)


@pytest.mark.parametrize("name", ["a.jsonl", "a.csv", "a.parquet"])
def test_an_empty_file_is_an_error(write_file: WriteFile, name: str) -> None:
    with pytest.raises(DataError, match="the file is empty"):
        read_records(write_file(name, ""))


def test_a_file_of_blank_lines_holds_no_records(write_file: WriteFile) -> None:
    with pytest.raises(DataError, match="holds no records"):
        read_records(write_file("a.jsonl", "\n\n"))


def test_missing_file_and_unknown_type(tmp_path: Path, write_file: WriteFile) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_records(tmp_path / "nope.jsonl")
    with pytest.raises(DataError, match=r"unknown file type \.txt"):
        read_records(write_file("a.txt", "x"))


def test_csv_rows_carry_the_line_they_start_on(write_file: WriteFile) -> None:
    path = write_file("a.csv", 'id,text,label\n1,"two\nlines",x\n\n2,plain,\n3,,y\n')
    stats = ReadStats()
    with pytest.raises(DataError) as caught:
        read_records(path, stats=stats)
    assert (caught.value.line, caught.value.field) == (6, "text")
    assert stats.blank_lines == 1
    records = read_records(write_file("b.csv", 'id,text,label\n1,"two\nlines",x\n2,plain,\n'))
    assert [(r.id, r.text, r.label) for r in records] == [("1", "two\nlines", "x"),
                                                          ("2", "plain", None)]


@pytest.mark.parametrize(("content", "line", "field", "words"), [
    ("id,body\n1,x\n", 1, "text", "missing column(s) 'text'; the header has 'id', 'body'"),
    ("id,text\n1,x,extra\n", 2, None, "has 3 fields, the header has 2"),
    ("id,text,label\n1,x\n", 2, "label", "too few fields"),
    ("id,text\n1,ok\n2,caf\xe9\n", 3, None, "invalid utf-8"),
])
def test_csv_errors_name_line_and_field(write_file: WriteFile, content: str, line: int,
                                        field: str | None, words: str) -> None:
    raw = content.encode("latin-1")
    with pytest.raises(DataError) as caught:
        read_records(write_file("a.csv", raw))
    assert (caught.value.line, caught.value.field) == (line, field)
    assert words in str(caught.value)


def test_tsv_is_tab_separated(write_file: WriteFile) -> None:
    records = read_records(write_file("a.tsv", "text\tstance\ttarget\nA, B\tagree\tC\n"))
    assert [(r.text, r.stance, r.target) for r in records] == [("A, B", "agree", "C")]


def test_parquet_rows_are_numbered(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"text": ["one", "two"], "label": ["a", "b"]}), path)
    assert [(r.id, r.label) for r in read_records(path)] == [("1", "a"), ("2", "b")]
    pq.write_table(pa.table({"text": ["one", None]}), path)
    with pytest.raises(DataError, match=r"row 2, field 'text': missing"):
        read_records(path)
    pq.write_table(pa.table({"text": ["one"], "title": [3]}), path)
    with pytest.raises(DataError, match=r"row 1, field 'title': must be a string"):
        read_records(path)
    pq.write_table(pa.table({"body": ["one"]}), path)
    with pytest.raises(DataError, match="missing column 'text'"):
        read_records(path)


def test_parquet_that_is_not_parquet(write_file: WriteFile) -> None:
    with pytest.raises(DataError, match="not a readable Parquet file"):
        read_records(write_file("a.parquet", "text\nhello\n"))


@pytest.mark.parametrize("name", ["topic.jsonl", "topic.csv", "stance.jsonl", "summary.jsonl"])
def test_the_sample_files_are_valid(repo_root: Path, name: str) -> None:
    assert read_records(repo_root / "datasets" / "samples" / name)


# --- FNC-1 -------------------------------------------------------------------------------

def copy_fnc1(fixtures_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "fnc1"
    shutil.copytree(fixtures_dir / "fnc1", folder)
    return folder


def test_fnc1_reads_train_validation_and_test(fixtures_dir: Path) -> None:
    records = load_fnc1(fixtures_dir / "fnc1")
    assert len(records) == 14
    first = records[0]
    assert (first.id, first.target, first.stance, first.meta["body_id"]) == \
        ("fnc1-train-2", "Lighthouse to shut for repairs", "agree", "0")
    assert first.text.startswith("The harbour authority") and "\n\nVisitors" in first.text
    assert records[-1].id == "fnc1-test-4" and records[-1].meta["split"] == "test"
    splits = {r.meta["body_id"]: r.meta["split"] for r in records if r.meta["split"] != "test"}
    assert sorted(splits.values()).count("validation") == 1
    assert {r.stance for r in records} == {"agree", "disagree", "discuss", "unrelated"}
    quoted = next(r for r in records if r.meta["body_id"] == "57")
    assert quoted.text.endswith('"at least for now".')


def test_fnc1_splits_by_body_through_load(fixtures_dir: Path) -> None:
    spec = f"fnc1:{fixtures_dir / 'fnc1'}"
    train, validation = load(spec, split="train"), load(spec, split="validation")
    assert {r.text for r in train}.isdisjoint({r.text for r in validation})
    assert len(train) + len(validation) == 11
    assert [r.stance for r in load(spec, split="test")] == ["agree", "disagree", "unrelated"]


def test_fnc1_without_test_files(fixtures_dir: Path, tmp_path: Path) -> None:
    folder = copy_fnc1(fixtures_dir, tmp_path)
    for name in ("competition_test_bodies.csv", "competition_test_stances.csv"):
        (folder / name).unlink()
    assert len(load(f"fnc1:{folder}")) == 11
    with pytest.raises(DataError, match=r"holds no FNC-1 files \(competition_test_bodies"):
        load(f"fnc1:{folder}", split="test")


@pytest.mark.parametrize(("file", "old", "new", "line", "field", "words"), [
    ("train_stances.csv", "Singer buys castle,41,unrelated", "Singer buys castle,41,maybe",
     12, "Stance", "unknown stance 'maybe'; FNC-1 stances are agree, disagree, discuss"),
    ("train_stances.csv", "Boy finds Roman treasure,60", "Boy finds Roman treasure,61",
     10, "Body ID", "Body ID 61 is not in train_bodies.csv"),
    ("train_stances.csv", "Boy finds Roman treasure,60", "Boy finds Roman treasure,six",
     10, "Body ID", "must be a whole number, got 'six'"),
    ("train_stances.csv", "Singer buys castle,25", ",25", 6, "Headline", "is empty"),
    ("train_bodies.csv", "60,", "41,", 11, "Body ID", "Body ID 41 was already given on line 9"),
    ("train_bodies.csv", '"A teenager found a medieval coin in a field and handed it to the '
     'county museum."', '""', 11, "articleBody", "is empty"),
    ("train_bodies.csv", "Body ID,articleBody", "Body ID,body", 1, "articleBody",
     "missing column(s) 'articleBody'"),
])
def test_fnc1_errors_name_file_line_and_field(fixtures_dir: Path, tmp_path: Path, file: str,
                                              old: str, new: str, line: int, field: str,
                                              words: str) -> None:
    folder = copy_fnc1(fixtures_dir, tmp_path)
    path = folder / file
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new))
    with pytest.raises(DataError) as caught:
        load_fnc1(folder)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), line, field)
    assert words in str(caught.value)


def test_fnc1_missing_partner_file_and_folder(fixtures_dir: Path, tmp_path: Path) -> None:
    folder = copy_fnc1(fixtures_dir, tmp_path)
    (folder / "train_stances.csv").unlink()
    with pytest.raises(DataError, match=r"train_stances\.csv: no such file, but "
                                         r"train_bodies\.csv is there"):
        load_fnc1(folder)
    with pytest.raises(DataError, match="no such folder"):
        load(f"fnc1:{tmp_path / 'elsewhere'}")


# --- SemEval-2016 Task 6 -----------------------------------------------------------------

def test_semeval_reads_tweets_targets_and_lowercase_stances(fixtures_dir: Path) -> None:
    records = load(f"semeval:{fixtures_dir / 'semeval' / 'train.txt'}")
    assert [r.stance for r in records] == ["favor", "against", "none"] * 2
    assert records[0].id == "semeval-101" and records[0].target == "Cycle lanes"
    assert records[2].text == 'Raining again, staying in with a "good" book today'


def test_semeval_extra_columns_and_unknown_stance(write_file: WriteFile) -> None:
    path = write_file("test.txt", "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\n"
                                  "9\tTea\tTea again\tUNKNOWN\tTARGET\tpos\n")
    [record] = load_semeval(path)
    assert record.stance is None and record.target == "Tea"
    assert record.meta == {"opinion_towards": "TARGET", "sentiment": "pos"}


@pytest.mark.parametrize(("row", "field", "words"), [
    ("3\tTea\tTea again\tMAYBE", "Stance", "unknown stance 'MAYBE'; SemEval-2016 stances are"),
    ("1\tTea\tTea again\tFAVOR", "ID", "ID 1 was already given on line 2"),
    ("3\tTea\t \tFAVOR", "Tweet", "is empty"),
    ("3\t\tTea again\tFAVOR", "Target", "is empty"),
    ("3\tTea\tTea again", "Stance", "too few fields"),
])
def test_semeval_errors_name_file_line_and_field(write_file: WriteFile, row: str, field: str,
                                                 words: str) -> None:
    path = write_file("s.txt", f"ID\tTarget\tTweet\tStance\n1\tTea\tLove it\tFAVOR\n{row}\n")
    with pytest.raises(DataError) as caught:
        load_semeval(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 3, field)
    assert words in str(caught.value)


def test_semeval_file_is_one_split(fixtures_dir: Path) -> None:
    with pytest.raises(DataError, match="no 'split' field; give one file per split"):
        load(f"semeval:{fixtures_dir / 'semeval' / 'train.txt'}", split="train")


def test_load_rejects_unknown_split_and_names_the_specs(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown split 'dev'"):
        load("bbc-news", split="dev")
    with pytest.raises(DataError, match=r"not a built-in data set .* fnc1:\.\.\., semeval:"):
        load(tmp_path / "nope.jsonl")
