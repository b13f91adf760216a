"""The task registry (``newsdesk.tasks``) and ``newsdesk.load``, which picks a model's class
by its manifest's task."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from tiny_models import make_tiny_classifier, make_tiny_summarizer

import newsdesk
from newsdesk.data.records import Record
from newsdesk.errors import DataError, ModelError
from newsdesk.manifest import MANIFEST_NAME
from newsdesk.tasks import STANCE, SUMMARY, TASKS, TOPIC, Task, get_task, register

PACKAGES = [Path(newsdesk.__path__[0]),
            Path(__file__).resolve().parents[1] / "training" / "newsdesk_train"]


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tasks")
    return {"topic": make_tiny_classifier(root / "topic"),
            "stance": make_tiny_classifier(root / "stance", task="stance"),
            "summary": make_tiny_summarizer(root / "summary")}


def test_the_registry_lists_each_task_once() -> None:
    assert list(TASKS) == ["topic", "stance", "summary"]
    assert [get_task(name) for name in TASKS] == [TOPIC, STANCE, SUMMARY]
    assert len({type(task) for task in TASKS.values()}) == len(TASKS)  # one class each
    with pytest.raises(ValueError, match="task 'topic' is registered already"):
        register(type(TOPIC)())
    assert list(TASKS) == ["topic", "stance", "summary"]


def test_the_task_list_is_written_in_the_registry_only() -> None:
    """No other module of either package spells out the tasks: a tuple, list or set of
    their names, or a dict keyed by them (the record fields ``stance`` and ``summary`` and
    ``NewsDesk``'s output keys are not task lists)."""
    found = []
    for root in PACKAGES:
        for path in sorted(root.rglob("*.py")):
            if path.name == "tasks.py" and path.parent.name == "newsdesk":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                items = (node.keys if isinstance(node, ast.Dict) else
                         node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [])
                values = {e.value for e in items if isinstance(e, ast.Constant)}
                if {"topic", "stance"} <= values:  # record fields alone are "stance", ...
                    found.append(f"{path.name}:{node.lineno}")
    assert not found, "a task list outside newsdesk/tasks.py: " + ", ".join(found)


def test_each_task_names_its_fields_and_its_model_class() -> None:
    assert (TOPIC.reference, TOPIC.target, TOPIC.pair_order) == ("label", None, None)
    assert (STANCE.reference, STANCE.target, STANCE.pair_order) == (
        "stance", "target", ["target", "text"])
    assert SUMMARY.reference == "summary" and not SUMMARY.classifies
    for task in TASKS.values():
        model_class = task.model_class
        assert model_class is getattr(newsdesk, task.model_class_name)
        if task.classifies:  # the class says the same task and pairing as the registry
            assert (model_class.task, model_class.paired) == (task.name, task.paired)


def test_a_paired_task_checks_its_targets() -> None:
    records = [Record(id="a", text="Body.", target="Claim", stance="agree"),
               Record(id="b", text="Body.", target="  ", stance="agree")]
    assert TOPIC.targets(records) is None
    assert STANCE.targets(records[:1]) == ["Claim"]
    with pytest.raises(DataError, match="record 'b' has no 'target'"):
        STANCE.targets(records)
    with pytest.raises(DataError, match=r"in.jsonl, line 4, field 'target': missing or empty"):
        STANCE.check_input(records[1], path="in.jsonl", line=4)
    TOPIC.check_input(records[1], path="in.jsonl", line=4)  # reads the text alone


def test_summary_references_follow_the_models_target() -> None:
    class Trained:
        extras = {"target": "title"}

    assert SUMMARY.reference_for(Trained()) == "title" and SUMMARY.reference_for() == "summary"
    assert SUMMARY.checkpoint_metric() == "rougeLsum"
    assert TOPIC.checkpoint_metric(multi_label=True) == "micro_f1"


@pytest.mark.parametrize(("task", "class_name"), [
    ("topic", "TopicClassifier"), ("stance", "StanceClassifier"), ("summary", "Summarizer")])
def test_load_picks_the_class_the_manifest_names(model_dirs: dict[str, Path], task: str,
                                                 class_name: str) -> None:
    model = newsdesk.load(model_dirs[task])
    assert type(model).__name__ == class_name


def test_load_passes_options_and_gives_working_models(model_dirs: dict[str, Path]) -> None:
    topic = newsdesk.load(model_dirs["topic"], device="cpu")
    assert topic.predict(["Shares rose."])[0].label in topic.labels
    stance = newsdesk.load(model_dirs["stance"])
    assert stance.predict([("Claim", "Body text.")])[0].label in stance.labels
    summary = newsdesk.load(model_dirs["summary"], max_words=3)
    assert len(summary.summarize(["Talks began on Monday. They went well."])[0].split()) <= 3


def test_an_unknown_task_names_the_dir_and_the_task(tmp_path: Path) -> None:
    path = make_tiny_classifier(tmp_path / "odd")
    manifest = json.loads((path / MANIFEST_NAME).read_text())
    (path / MANIFEST_NAME).write_text(json.dumps({**manifest, "task": "sentiment"}))
    with pytest.raises(ModelError) as error:
        newsdesk.load(path)
    message = str(error.value)
    assert str(path) in message and "unknown task 'sentiment'" in message
    assert "expected one of topic, stance, summary" in message


def test_a_new_task_is_one_subclass() -> None:
    class HeadlineTask(Task):
        name = "headline-test"
        reference = "title"
        model_class_name = "Summarizer"
        classifies = False
        title = "Headlines"
        intended_use = "Testing."

    task = register(HeadlineTask())
    try:
        assert get_task("headline-test") is task and task.model_class is newsdesk.Summarizer
        assert task.gold(Record(id="x", text="Body.", title="Head")) == "Head"
    finally:
        del TASKS["headline-test"]


def test_docstring_examples_run() -> None:
    import doctest

    from newsdesk import jsonfile, manifest, modeldir, tasks

    for module in (tasks, manifest, modeldir, jsonfile):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0, module.__name__
