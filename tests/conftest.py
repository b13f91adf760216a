"""Shared pytest fixtures: paths to the project's fixture files and a throwaway cache."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def repo_root() -> Path:
    """The checkout's root folder (where pyproject.toml is)."""
    return REPO_ROOT


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/fixtures``: small files written by hand for the tests."""
    return FIXTURES


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text (UTF-8) or bytes to ``tmp_path/name`` and return the path."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty ``NEWSDESK_CACHE`` for this test only."""
    cache = tmp_path / "newsdesk-cache"
    monkeypatch.setenv("NEWSDESK_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def exported_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny topic and a tiny stance model dir, each with its fp32 and int8 ONNX exports
    (``tiny_models.make_exported_classifier``), shared by the light-install tests; their
    seeds give more than one label to the texts of ``tests/test_light.py``."""
    from tiny_models import STANCE_LABELS, TOPIC_LABELS, make_exported_classifier

    root = tmp_path_factory.mktemp("exported")
    return {task: make_exported_classifier(root / task, task, labels, seed)
            for task, labels, seed in (("topic", TOPIC_LABELS, 0),
                                       ("stance", STANCE_LABELS, 3))}


@pytest.fixture(scope="session")
def summary_data_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small news-articles-like JSONL file with standfirsts (12 train, 4 validation, 4
    test records, and some without one): the extractive recipes' tests train on it."""
    from tiny_data import summary_rows, write_jsonl

    rows = summary_rows({"train": 12, "validation": 4, "test": 4})
    return write_jsonl(tmp_path_factory.mktemp("summary-data") / "news.jsonl", rows)


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT base dir (``tiny_models.make_tiny_base``) to fine-tune."""
    from tiny_models import make_tiny_base

    return make_tiny_base(tmp_path_factory.mktemp("tiny-base"))


@pytest.fixture(autouse=True)
def torch_threads_restored() -> Iterator[None]:
    """Loading a model with ``threads=N`` (a Ray actor, ``newsdesk predict --threads``) sets
    torch's process-wide thread count, as it should; each test gets the count back, so a
    later test's torch numbers do not depend on which tests ran before it (a reduction
    over other threads differs in the last bits)."""
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    yield
    torch = sys.modules.get("torch")
    if torch is not None and before is not None and torch.get_num_threads() != before:
        torch.set_num_threads(before)
