"""Odd inference input for TopicClassifier, StanceClassifier and Summarizer.extractive:
each case gets a documented answer or a ValueError/TypeError naming the item's index.
Also: a 1 MB article in bounded memory, and property tests of the JSONL reader."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_models import make_tiny_classifier

from newsdesk import StanceClassifier, Summarizer, TopicClassifier
from newsdesk.data import read_records
from newsdesk.data.records import Record
from newsdesk.errors import DataError
from newsdesk.manifest import Windowing

MIXED = "Officials in Cairo said مرحبا, in Beijing 你好, in Moscow Привет 😀 at the talks."
CONTROL = "Shares\x00 rose\x07 on\x1b Monday\u200b after\x7f the results."
CONTROL_FREE = "Shares rose on Monday after the results."
FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("topic") / "model")


@pytest.fixture(scope="module")
def topics(topic_dir: Path) -> TopicClassifier:
    return TopicClassifier.from_pretrained(topic_dir)


@pytest.fixture(scope="module")
def stance(tmp_path_factory: pytest.TempPathFactory) -> StanceClassifier:
    return StanceClassifier.from_pretrained(
        make_tiny_classifier(tmp_path_factory.mktemp("stance") / "model", task="stance"))


@pytest.fixture(scope="module")
def lead() -> Summarizer:
    return Summarizer.extractive("lead")


BAD_TYPES = [(None, "NoneType"), (42, "int"), (3.5, "float"), (b"bytes", "bytes")]
EMPTY_TEXTS = ["", "   \n\t ", "\x00\x07\u200b \x1b"]


@pytest.mark.parametrize(("item", "kind"), BAD_TYPES, ids=[k for _, k in BAD_TYPES])
def test_a_non_string_text_is_a_type_error_naming_its_index(
        topics: TopicClassifier, stance: StanceClassifier, lead: Summarizer, item: object,
        kind: str) -> None:
    with pytest.raises(TypeError, match=f"text at index 2 is {kind}, not str"):
        topics.predict(["ok", "fine", item])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=f"text at index 1 is {kind}, not str"):
        stance.predict([("claim", "ok"), ("claim", item)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=f"target at index 1 is {kind}, not str"):
        stance.predict([("claim", "ok"), (item, "text")])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=f"article at index 1 is {kind}, not str"):
        lead.summarize(["ok", item])  # type: ignore[list-item]


@pytest.mark.parametrize("argument", [None, 42, "one bare string", b"bytes"],
                         ids=["None", "int", "str", "bytes"])
def test_a_bad_argument_instead_of_a_list_is_a_type_error(
        topics: TopicClassifier, stance: StanceClassifier, lead: Summarizer,
        argument: object) -> None:
    for call in (topics.predict, stance.predict, lead.summarize):
        with pytest.raises(TypeError, match="expected a list of"):
            call(argument)  # type: ignore[arg-type]


@pytest.mark.parametrize("empty", EMPTY_TEXTS, ids=["empty", "whitespace", "control-only"])
def test_an_empty_text_is_a_value_error_for_classifiers_and_empty_summary(
        topics: TopicClassifier, stance: StanceClassifier, lead: Summarizer,
        empty: str) -> None:
    with pytest.raises(ValueError, match="text at index 1 is empty or whitespace only"):
        topics.predict(["ok", empty])
    with pytest.raises(ValueError, match="text at index 0 is empty"):
        stance.predict([("claim", empty)])
    with pytest.raises(ValueError, match="target at index 1 is empty"):
        stance.predict([("claim", "ok"), (empty, "text")])
    assert lead.summarize(["Talks began on Monday. They went well.", empty]) == [
        "Talks began on Monday. They went well.", ""]


def test_the_index_counts_the_whole_input_not_a_chunk(topics: TopicClassifier) -> None:
    texts = ["Rates rose."] * 70 + [""]
    with pytest.raises(ValueError, match="text at index 70 is empty"):
        topics.predict(texts)


def test_control_characters_are_dropped_like_the_tokenizer_does(
        topics: TopicClassifier, stance: StanceClassifier, lead: Summarizer) -> None:
    assert topics.predict([CONTROL]) == topics.predict([CONTROL_FREE])
    assert (stance.predict([("Rates\x07 rise", CONTROL)])
            == stance.predict([("Rates rise", CONTROL_FREE)]))
    summary = lead.summarize([CONTROL + " Analysts\x00 were surprised."])[0]
    assert summary.startswith("Shares rose on Monday")
    assert all(char.isprintable() or char == " " for char in summary)


def test_mixed_scripts_are_classified_and_kept_whole_in_summaries(
        topics: TopicClassifier, stance: StanceClassifier, lead: Summarizer) -> None:
    for prediction in (topics.predict([MIXED])[0],
                       stance.predict([("Привет 你好 مرحبا 😀", MIXED)])[0]):
        assert prediction.label in prediction.scores
        assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-6)
    assert lead.summarize([MIXED + " Rates rose."], max_words=40) == [MIXED + " Rates rose."]


NEWS_WORDS = ["bank", "rates", "rose", "fell", "striker", "scored", "goal", "chip", "phone",
              "market", "minister", "vote", "film", "award", "music", "tax", "budget"]


def long_article(chars: int) -> str:
    """Varied words (windows of a repeated sentence would all score alike)."""
    rng = random.Random(chars)
    text = " ".join(rng.choice(NEWS_WORDS) for _ in range(chars // 4))
    return text[:chars]


@pytest.mark.parametrize("mode", ["first", "all"])
def test_slicing_a_long_text_keeps_other_texts_and_first_windows_exact(
        topics: TopicClassifier, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topics.manifest, "windowing",
                        Windowing(max_length=64, stride=16, mode=mode))
    texts = ["Shares fell.", long_article(5_000), "The striker scored twice."]
    whole = topics.predict_proba(texts)
    monkeypatch.setattr(topics, "slice_chars", 600)
    sliced = topics.predict_proba(texts)
    assert np.allclose(sliced[[0, 2]], whole[[0, 2]], atol=1e-6)
    if mode == "first":
        assert np.allclose(sliced[1], whole[1], atol=1e-6)


def test_max_windows_counts_a_texts_windows_across_slices(
        topics: TopicClassifier, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topics.manifest, "windowing",
                        Windowing(max_length=64, stride=16, max_windows=2))
    texts = [long_article(20_000), "Shares fell."]
    whole = topics.predict_proba(texts)
    monkeypatch.setattr(topics, "slice_chars", 2_000)
    assert np.allclose(topics.predict_proba(texts), whole, atol=1e-6)


MEMORY_PROBE = textwrap.dedent("""
    import json, resource, sys
    from newsdesk import Summarizer, TopicClassifier
    topics = TopicClassifier.from_pretrained(sys.argv[1])
    lead = Summarizer.extractive("lead")
    topics.predict(["warm up"]); lead.summarize(["Warm up. Twice."])
    sentence = "The central bank raised interest rates on Tuesday, citing inflation. "
    article = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = peak()
    prediction = topics.predict([article])[0]
    after_topic = peak()
    summary = lead.summarize([article])[0]
    print(json.dumps({"topic_mb": after_topic - start, "summary_mb": peak() - after_topic,
                      "label": prediction.label, "scores": sum(prediction.scores.values()),
                      "summary_words": len(summary.split())}))
""")


def test_a_1mb_article_is_classified_and_summarized_in_bounded_memory(
        topic_dir: Path) -> None:
    """Before slicing, windowing a 1 MB article at once grew the process by about 150 MB
    (and 4 MB by 560 MB); now about 20 MB whatever the length."""
    result = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(topic_dir)],
                            capture_output=True, text=True, timeout=300, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["label"] in ("business", "sport", "tech")
    assert found["scores"] == pytest.approx(1.0, abs=1e-6)
    assert 0 < found["summary_words"] <= 50
    assert found["topic_mb"] < 64, found
    assert found["summary_mb"] < 64, found


# --- readers: any valid records round-trip through JSONL; a bad line is named exactly ---

TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())
RECORDS = st.builds(
    Record, id=st.text(max_size=8), text=TEXT, title=st.none() | st.text(max_size=20),
    label=st.none() | TEXT | st.lists(st.text(min_size=1, max_size=8), max_size=3).map(tuple),
    summary=st.none() | st.text(max_size=20))


@FAST
@given(records=st.lists(RECORDS, min_size=1, max_size=8), ascii_only=st.booleans())
def test_any_valid_records_read_back_equal_from_jsonl(tmp_path: Path, records: list[Record],
                                                      ascii_only: bool) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=ascii_only) + "\n"
                            for r in records), encoding="utf-8")
    assert read_records(path) == records


@FAST
@given(count=st.integers(min_value=1, max_value=12), data=st.data(),
       damage=st.sampled_from(['{"text": "cut off', '{"id": "x"}', "not json", '{"text": 5}',
                               '["a list"]', '{"text": "  "}']))
def test_a_bad_line_is_reported_with_its_exact_number(tmp_path: Path, count: int,
                                                      data: st.DataObject, damage: str) -> None:
    lines = [json.dumps({"id": str(i), "text": f"Story {i}."}) for i in range(count)]
    for _ in range(data.draw(st.integers(0, 4), label="blank lines")):
        lines.insert(data.draw(st.integers(0, len(lines)), label="at"), "")
    bad = data.draw(st.integers(0, len(lines)), label="bad line index")
    lines.insert(bad, damage)
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_records(path)
    assert caught.value.line == bad + 1
    assert str(caught.value).startswith(f"{path}, line {bad + 1}")


@pytest.mark.parametrize("module", ["newsdesk.inputs", "newsdesk.classifier",
                                    "newsdesk.modeldir", "newsdesk.windowing"])
def test_the_docstring_examples_of_the_checked_modules_run(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
