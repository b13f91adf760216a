"""Every error from user input becomes one line on stderr and exit code 2 in `newsdesk
evaluate`, `newsdesk analyze`, `newsdesk data show` and `newsdesk-train`; `--debug` shows
the traceback instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tiny_data import write_jsonl
from tiny_models import edit_json, make_tiny_base, make_tiny_classifier

from newsdesk.cli import main as newsdesk_main
from newsdesk.errors import ConfigError, DataError, ModelError
from newsdesk_train.cli import main as train_main

GOOD = [{"id": "1", "text": "Shares rose.", "label": "business"},
        {"id": "2", "text": "Goal!", "label": "sport"}]
MAINS: dict[str, Callable[[list[str]], int]] = {"newsdesk": newsdesk_main,
                                                "newsdesk-train": train_main}


@pytest.fixture(autouse=True, scope="module")
def no_progress_bars() -> Iterator[None]:
    """In this process transformers was imported before the CLI could turn its bars off."""
    from transformers.utils import logging

    logging.disable_progress_bar()
    yield
    logging.enable_progress_bar()


def pickled_copy(source: Path, target: Path) -> Path:
    """A copy of a model dir with its weights as pytorch_model.bin only."""
    import torch
    from safetensors.torch import load_file

    shutil.copytree(source, target)
    torch.save(load_file(target / "model.safetensors"), target / "pytorch_model.bin")
    (target / "model.safetensors").unlink()
    return target


def damaged_copy(source: Path, target: Path, damage: Callable[[bytes], bytes]) -> Path:
    """A copy of a model dir whose weights file went through ``damage``."""
    shutil.copytree(source, target)
    weights = target / "model.safetensors"
    weights.write_bytes(damage(weights.read_bytes()))
    return target


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    model = make_tiny_classifier(root / "model")
    pickled = pickled_copy(model, root / "pickled")
    corrupt = damaged_copy(model, root / "corrupt", lambda raw: raw[:200])
    future = Path(shutil.copytree(model, root / "future"))
    edit_json(future / "newsdesk.json", format_version=2)
    base = make_tiny_base(root / "base")
    pickled_base = pickled_copy(base, root / "pickled-base")
    corrupt_base = damaged_copy(base, root / "corrupt-base",
                                lambda raw: raw[:9] + b"X" + raw[10:])
    good = write_jsonl(root / "good.jsonl", GOOD)
    bad = root / "bad.jsonl"
    bad.write_text(good.read_text() + '{"text": "cut off\n', encoding="utf-8")
    latin = root / "latin.jsonl"
    latin.write_bytes(good.read_bytes() + b'{"text": "caf\xe9"}\n')
    (root / "nocol.csv").write_text("id,body\n1,Shares rose.\n", encoding="utf-8")
    (root / "article.txt").write_text("Talks began on Monday. They went well.\n")
    (root / "latin.txt").write_bytes(b"caf\xe9 au lait.")
    found = {"root": root, "model": model, "pickled": pickled, "corrupt": corrupt,
             "future": future, "good": good, "bad": bad, "latin": latin}
    for name, source, model_base, extra in [
            ("unknown", good, base, "  learning_rat: 0.1\n"),
            ("badline", bad, base, ""), ("nodata", root / "none.jsonl", base, ""),
            ("pickledbase", good, pickled_base, ""), ("corruptbase", good, corrupt_base, ""),
            ("nobase", good, root / "no-base", "")]:
        found[name] = write_recipe(root / f"{name}.yaml", source, model_base, extra)
    return {key: str(value) for key, value in found.items()}


def write_recipe(path: Path, source: Path, base: Path, extra: str) -> Path:
    path.write_text(f"""name: tiny
task: topic
data:
  source: {source}
  validation: {source}
  test: {source}
  train_split: null
  validation_split: null
  test_split: null
model:
  base: {base}
  max_length: 32
  stride: 8
training:
  max_steps: 1
  batch_size: 2
{extra}output_dir: {path.with_suffix("")}-out
""", encoding="utf-8")
    return path


CASES = [
    ("evaluate-missing-data", "newsdesk evaluate {model} --data {root}/none.jsonl --out {out}",
     "none.jsonl: no such file"),
    ("evaluate-bad-line", "newsdesk evaluate {model} --data {bad} --out {out}",
     "bad.jsonl, line 3: malformed JSON"),
    ("evaluate-invalid-utf8", "newsdesk evaluate {model} --data {latin} --out {out}",
     "latin.jsonl, line 3: invalid UTF-8"),
    ("evaluate-missing-model", "newsdesk evaluate {root}/none --data {good} --out {out}",
     "none: no such model directory"),
    ("evaluate-pickle-only", "newsdesk evaluate {pickled} --data {good} --out {out}",
     "holds only pickle weights (pytorch_model.bin)"),
    ("evaluate-corrupt-model", "newsdesk evaluate {corrupt} --data {good} --out {out}",
     "model.safetensors: corrupt or truncated weights"),
    ("evaluate-other-format", "newsdesk evaluate {future} --data {good} --out {out}",
     "manifest format 2"),
    ("analyze-missing-file", "newsdesk analyze {root}/none.txt", "none.txt: no such file"),
    ("analyze-not-utf8", "newsdesk analyze {root}/latin.txt", "not UTF-8 text (byte 3)"),
    ("analyze-pickle-only", "newsdesk analyze {root}/article.txt --topic {pickled}",
     "holds only pickle weights"),
    ("analyze-corrupt-model", "newsdesk analyze {root}/article.txt --topic {corrupt}",
     "corrupt or truncated weights"),
    ("analyze-target-without-stance", "newsdesk analyze {root}/article.txt --target x",
     "targets given, but this NewsDesk has no stance model"),
    ("analyze-bad-max-words", "newsdesk analyze {root}/article.txt --max-words 0",
     "max_words must be >= 1, got 0"),
    ("data-show-missing-file", "newsdesk data show {root}/none.jsonl", "no such file"),
    ("data-show-bad-line", "newsdesk data show {bad}", "line 3: malformed JSON"),
    ("data-show-invalid-utf8", "newsdesk data show {latin}", "line 3: invalid UTF-8"),
    ("data-show-missing-column", "newsdesk data show {root}/nocol.csv",
     "line 1, field 'text': missing column(s) 'text'"),
    ("train-missing-recipe", "newsdesk-train {root}/none.yaml", "cannot read the recipe"),
    ("train-unknown-key", "newsdesk-train {unknown}",
     "unknown key 'training.learning_rat'; did you mean 'training.learning_rate'?"),
    ("train-bad-line", "newsdesk-train {badline}", "bad.jsonl, line 3: malformed JSON"),
    ("train-missing-data", "newsdesk-train {nodata}", "none.jsonl: no such file"),
    ("train-pickle-only-base", "newsdesk-train {pickledbase}",
     "convert them to safetensors (newsdesk-train starts only from safetensors weights)"),
    ("train-corrupt-base", "newsdesk-train {corruptbase}", "corrupt or truncated weights"),
    ("train-missing-base", "newsdesk-train {nobase}", "no-base: no such model directory"),
]


def argv_of(template: str, paths: dict[str, str], out: Path) -> tuple[str, list[str]]:
    prog, *argv = template.format(out=out, **paths).split()
    return prog, argv


@pytest.mark.parametrize(("case", "template", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_one_line_and_exit_code_2(
        paths: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str,
        template: str, words: str) -> None:
    prog, argv = argv_of(template, paths, tmp_path / "report")
    assert MAINS[prog](argv) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), err
    assert words in lines[0]
    assert not (tmp_path / "report").exists()
    assert not list(Path(paths["root"]).glob("*-out"))


@pytest.mark.parametrize(("template", "error"), [
    ("newsdesk evaluate {corrupt} --data {good} --out {out}", ModelError),
    ("newsdesk data show {bad}", DataError),
    ("newsdesk analyze {root}/article.txt --max-words 0", ValueError),
    ("newsdesk-train {unknown}", ConfigError),
    ("newsdesk-train {pickledbase}", ModelError),
], ids=["evaluate-corrupt-model", "data-show-bad-line", "analyze-bad-max-words",
        "train-unknown-key", "train-pickle-only-base"])
def test_debug_raises_the_error_with_its_traceback(paths: dict[str, str], tmp_path: Path,
                                                   template: str, error: type) -> None:
    prog, argv = argv_of(template, paths, tmp_path / "report")
    argv = ["--debug", *argv] if prog == "newsdesk" else [*argv, "--debug"]
    with pytest.raises(error):
        MAINS[prog](argv)


IMPORT_MAIN = ("import sys; from importlib import import_module; "
               "sys.exit(import_module(sys.argv.pop(1)).main())")


def start(*argv: str) -> subprocess.Popen[str]:
    """``python -c IMPORT_MAIN MODULE ARGS...``: the module's ``main`` as a real process."""
    return subprocess.Popen([sys.executable, "-c", IMPORT_MAIN, *argv], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_real_process_prints_one_line_and_with_debug_a_traceback(
        paths: dict[str, str], tmp_path: Path) -> None:
    plain = start("newsdesk.cli", "evaluate", paths["model"], "--data", paths["bad"],
                  "--out", str(tmp_path / "r"))  # loads the model first: no progress bar
    debug = start("newsdesk_train.cli", paths["corruptbase"], "--debug")
    _, plain_err = plain.communicate(timeout=300)
    _, debug_err = debug.communicate(timeout=300)
    assert plain.returncode == 2
    assert plain_err.count("\n") == 1, plain_err
    assert plain_err.startswith("newsdesk: error: ") and "line 3" in plain_err
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug_err
    assert "newsdesk.errors.ModelError" in debug_err


def test_a_failure_while_writing_the_report_leaves_the_old_report_whole(
        paths: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report"
    argv = ["evaluate", paths["model"], "--data", paths["good"], "--out", str(out)]
    assert newsdesk_main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("newsdesk.evaluation.report.plot_confusion", disk_full)
    capsys.readouterr()
    assert newsdesk_main(argv) == 2
    assert capsys.readouterr().err == "newsdesk: error: [Errno 28] No space left on device\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]
