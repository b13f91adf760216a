"""``newsdesk.atomic``: a file or folder is at its path whole or not at all, with the
permissions any other file there gets."""

from __future__ import annotations

import doctest
import os
import stat
from pathlib import Path

import pytest

import newsdesk.atomic
from newsdesk.atomic import atomic_directory, atomic_file, write_text_atomically


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = write_text_atomically(tmp_path / "rows.jsonl", "old\n")
    with pytest.raises(RuntimeError), atomic_file(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["rows.jsonl"]


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    target = write_text_atomically(tmp_path / "sub" / "rows.jsonl", "old\n")
    write_text_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["rows.jsonl"]


def test_results_get_ordinary_permissions(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    (tmp_path / "plain").mkdir()
    with atomic_directory(tmp_path / "folder"):
        pass
    assert mode(write_text_atomically(tmp_path / "file.txt", "x")) == mode(plain)
    assert mode(tmp_path / "folder") == mode(tmp_path / "plain")


def test_a_failed_folder_leaves_the_old_one(tmp_path: Path) -> None:
    with atomic_directory(tmp_path / "report") as tmp:
        (tmp / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(tmp_path / "report") as tmp:
        (tmp / "a.txt").write_text("new")
        raise RuntimeError("killed")
    assert (tmp_path / "report" / "a.txt").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["report"]


def test_docstring_examples() -> None:
    result = doctest.testmod(newsdesk.atomic)
    assert result.attempted > 0 and result.failed == 0
