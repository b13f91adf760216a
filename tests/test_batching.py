"""The shared helpers of every model that runs batches (``newsdesk.batching``) and the
classifier's public ``predict_texts``: what each promises, on the real MiniLM tokenizer and
tiny real models."""

from __future__ import annotations

import doctest
from importlib import import_module
from pathlib import Path

import numpy as np
import pytest
from tiny_models import make_tiny_classifier, minilm_tokenizer

from newsdesk import StanceClassifier, TopicClassifier
from newsdesk.batching import length_batches, pad_batch
from newsdesk.manifest import Windowing
from newsdesk.windowing import encode_windows

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
TEXTS = ["Shares rose.", "The central bank held interest rates at 5% on Thursday.",
         "The striker scored twice in the second half as the champions won 3-2 away. " * 6]


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_classifier(tmp_path_factory.mktemp("batching") / "topic")


@pytest.mark.parametrize("name", ["newsdesk.batching", "newsdesk.prediction"])
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(import_module(name))
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("budget", [None, 1, 40, 100])
def test_length_batches_take_each_item_once_longest_first_within_the_budget(
        budget: int | None) -> None:
    lengths = [7, 30, 3, 30, 12, 1, 25, 9]
    batches = list(length_batches(lengths, 3, budget))
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)
    assert flat[:2] == [1, 3]  # ties keep their input order
    for batch in batches:
        assert len(batch) <= 3
        if budget is not None and len(batch) > 1:
            assert len(batch) * lengths[batch[0]] <= budget
    if budget == 1:
        assert all(len(batch) == 1 for batch in batches)


def test_pad_batch_pads_to_the_longest_with_the_pad_id_and_a_mask() -> None:
    tokenizer = minilm_tokenizer()
    windows = encode_windows(tokenizer, TEXTS, Windowing(max_length=32, stride=8),
                             ["A target"] * len(TEXTS))
    features = windows.features[:4]
    batch = pad_batch(tokenizer, features)
    lengths = [len(f["input_ids"]) for f in features]
    assert min(lengths) < max(lengths)  # some rows are padded
    assert set(batch) == {"input_ids", "token_type_ids", "attention_mask"}
    assert all(a.dtype == np.int64 and a.shape == (4, max(lengths)) for a in batch.values())
    for row, (feature, length) in enumerate(zip(features, lengths)):
        assert batch["input_ids"][row, :length].tolist() == feature["input_ids"]
        assert batch["token_type_ids"][row, :length].tolist() == feature["token_type_ids"]
        assert (batch["input_ids"][row, length:] == tokenizer.pad_token_id).all()
        assert (batch["token_type_ids"][row, length:] == 0).all()
        assert batch["attention_mask"][row].tolist() == [1] * length + [0] * (
            max(lengths) - length)
    assert features[0] == windows.features[0]  # the caller's features are left as they were


def test_predict_texts_is_predict(topic_dir: Path, tmp_path: Path) -> None:
    topics = TopicClassifier.from_pretrained(topic_dir)
    assert topics.predict_texts(TEXTS) == topics.predict(TEXTS)
    with pytest.raises(ValueError, match="a topic model reads texts alone"):
        topics.predict_texts(TEXTS, ["a target"] * len(TEXTS))
    with pytest.raises(ValueError, match="text at index 1 is empty"):
        topics.predict_texts(["ok", " \n"])
    stance = StanceClassifier.from_pretrained(make_tiny_classifier(tmp_path / "stance",
                                                                   task="stance"))
    pairs = [("Bank holds rates", text) for text in TEXTS]
    assert stance.predict_texts(TEXTS, [t for t, _ in pairs]) == stance.predict(pairs)
    with pytest.raises(ValueError, match="pass one target per text"):
        stance.predict_texts(TEXTS)
    with pytest.raises(ValueError, match="2 targets for 3 texts"):
        stance.predict_texts(TEXTS, ["a", "b"])
