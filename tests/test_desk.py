"""``NewsDesk.analyze``: targets as the caller gave them, multi-label topics kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_models import make_tiny_classifier

from newsdesk import NewsDesk, StanceClassifier, TopicClassifier
from newsdesk.manifest import Manifest

ARTICLE = "The central bank raised rates on Monday. Shares fell after the decision."


@pytest.fixture(scope="module")
def stance(tmp_path_factory: pytest.TempPathFactory) -> StanceClassifier:
    path = make_tiny_classifier(tmp_path_factory.mktemp("desk") / "stance", task="stance")
    return StanceClassifier.from_pretrained(path)


def test_a_bare_string_is_one_target(stance: StanceClassifier) -> None:
    analysis = NewsDesk(stance=stance).analyze(ARTICLE, targets="Rates rise")
    assert [target for target, _ in analysis.stances] == ["Rates rise"]
    assert [s["target"] for s in analysis.to_dict()["stances"]] == ["Rates rise"]


def test_duplicate_targets_are_kept_in_order(stance: StanceClassifier) -> None:
    targets = ["Rates rise", "Shares fall", "Rates rise"]
    analysis = NewsDesk(stance=stance).analyze(ARTICLE, targets=targets)
    assert [target for target, _ in analysis.stances] == targets
    assert analysis.stances[0][1] == analysis.stances[2][1]
    assert [s["target"] for s in analysis.to_dict()["stances"]] == targets
    assert analysis.format().count("toward 'Rates rise'") == 2


def test_a_target_that_is_not_a_string_names_its_index(stance: StanceClassifier) -> None:
    with pytest.raises(TypeError, match="target at index 1 is int"):
        NewsDesk(stance=stance).analyze(ARTICLE, targets=["Rates rise", 3])  # type: ignore[list-item]


def test_multi_label_topics_keep_every_label(tmp_path: Path) -> None:
    path = make_tiny_classifier(tmp_path / "multi")
    manifest = Manifest.load(path)
    manifest.multi_label = True
    manifest.thresholds = {"business": 0.0, "sport": 0.0, "tech": 1.1}
    manifest.save(path)
    analysis = NewsDesk(topic=TopicClassifier.from_pretrained(path)).analyze(ARTICLE)
    assert analysis.topic is not None and analysis.topic.labels == ("business", "sport")
    as_json = json.loads(json.dumps(analysis.to_dict()))
    assert as_json["topic"]["labels"] == ["business", "sport"]
    line = analysis.format().splitlines()[0]
    assert "business (" in line and "sport (" in line and "tech" not in line
