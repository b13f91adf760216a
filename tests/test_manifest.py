"""``newsdesk.json``: pair order checked against the task (old dirs without one still load),
saved atomically, and the task of a dir read from it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsdesk.errors import ModelError
from newsdesk.manifest import MANIFEST_NAME, Manifest, dir_task


def write_manifest(directory: Path, **changes: object) -> Path:
    """A manifest as ``Manifest.save`` writes it, with top-level keys changed (None drops)."""
    raw = json.loads(Manifest(task="stance", labels=["agree", "unrelated"]).save(directory)
                     .read_text(encoding="utf-8"))
    raw.update(changes)
    raw = {key: value for key, value in raw.items() if value is not None}
    (directory / MANIFEST_NAME).write_text(json.dumps(raw), encoding="utf-8")
    return directory


def test_a_stance_manifest_says_target_then_text(tmp_path: Path) -> None:
    saved = json.loads(Manifest(task="stance").save(tmp_path).read_text(encoding="utf-8"))
    assert saved["pair_order"] == ["target", "text"]
    assert Manifest.load(tmp_path).pair_order == ["target", "text"]


def test_an_old_stance_manifest_without_pair_order_loads_with_it(tmp_path: Path) -> None:
    write_manifest(tmp_path, pair_order=None)
    assert "pair_order" not in json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert Manifest.load(tmp_path).pair_order == ["target", "text"]


@pytest.mark.parametrize(("task", "order"), [("stance", ["text", "target"]),
                                             ("stance", ["target"]),
                                             ("topic", ["target", "text"])])
def test_a_pair_order_the_code_does_not_follow_is_refused(tmp_path: Path, task: str,
                                                           order: list[str]) -> None:
    write_manifest(tmp_path, task=task, pair_order=order)
    with pytest.raises(ModelError) as caught:
        Manifest.load(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / MANIFEST_NAME}: invalid manifest (pair_order")
    assert f"a {task} model reads" in message


def test_save_leaves_the_old_manifest_whole_when_the_write_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Manifest(task="topic", labels=["old"]).save(tmp_path)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        Manifest(task="topic", labels=["new"]).save(tmp_path)
    assert Manifest.load(tmp_path).labels == ["old"]
    assert [p.name for p in tmp_path.iterdir()] == [MANIFEST_NAME]


def test_dir_task_reads_the_manifest(tmp_path: Path) -> None:
    write_manifest(tmp_path)
    assert dir_task(tmp_path) == "stance"
    assert dir_task(tmp_path / "plain-transformers-dir") == "topic"
