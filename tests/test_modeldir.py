"""``newsdesk.modeldir.open_model_dir``, the one way a model dir is opened: the manifest is
read and its task checked, and a plain transformers dir gets the task's defaults. (What it
refuses, and how, is in tests/test_reliability_models.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tiny_models import make_tiny_classifier

from newsdesk.errors import ModelError
from newsdesk.manifest import Manifest
from newsdesk.modeldir import open_model_dir


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("modeldir") / "topic")


def test_open_model_dir_reads_and_checks_the_manifest(topic_dir: Path) -> None:
    opened = open_model_dir(topic_dir, "topic")
    assert opened.manifest == Manifest.load(topic_dir) and opened.name == "topic"
    assert open_model_dir(topic_dir).manifest == opened.manifest  # no task: read, not checked
    with pytest.raises(ModelError, match=r"a topic model, not a stance model; load it with "
                                         r"TopicClassifier \(or newsdesk.load\)"):
        open_model_dir(topic_dir, "stance")


def test_open_model_dir_gives_a_plain_dir_the_tasks_defaults(topic_dir: Path,
                                                             tmp_path: Path) -> None:
    plain = Path(shutil.copytree(topic_dir, tmp_path / "plain"))
    (plain / "newsdesk.json").unlink()
    assert open_model_dir(plain).manifest is None
    defaults = open_model_dir(plain, "stance").manifest
    assert defaults is not None and defaults.task == "stance" and not defaults.labels
