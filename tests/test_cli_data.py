"""``newsdesk data list`` and ``newsdesk data show``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_bbc_news_prints_size_splits_labels_and_provenance(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "show", "bbc-news")
    assert code == 0
    assert out.startswith("bbc-news: 2,092 records\n")
    assert "splits: train 1,463, validation 211, test 418" in out
    assert "  label" in out and "  business           500         350" in out
    assert "mean length (MiniLM word pieces): text " in out
    assert "licence: research use only" in out and "provenance: D. Greene" in out


def test_show_an_fnc1_folder(capsys: pytest.CaptureFixture[str], fixtures_dir: Path) -> None:
    code, out, _ = run(capsys, "data", "show", f"fnc1:{fixtures_dir / 'fnc1'}")
    assert code == 0
    assert ": 14 records" in out and "splits: train 10, validation 1, test 3" in out
    assert "mean length (MiniLM word pieces): text " in out and "target " in out
    assert "  unrelated" in out and "provenance: Fake News Challenge" in out


def test_list_prints_sizes_and_specs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "data", "list")
    assert code == 0
    assert "bbc-news         topic      2,092 records (train 1,463, validation 211, test 418)" \
        in out
    assert "news-articles" in out and "headline-stance" in out
    assert "fnc1:..." in out and "semeval:..." in out


def test_a_bad_file_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "ok"}\n{"text": \n')
    code, out, err = run(capsys, "data", "show", str(path))
    assert code == 2 and out == ""
    assert err == f"newsdesk: error: {path}, line 3: malformed JSON (Expecting value at " \
                  "column 10)\n"


def test_the_installed_command_runs(tmp_path: Path, fixtures_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "newsdesk.cli", "data", "show",
                             f"semeval:{fixtures_dir / 'semeval' / 'train.txt'}"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "semeval:" in result.stdout and ": 6 records" in result.stdout
