"""Property tests (hypothesis) for windowing: every token of a text lands in a window, no
window is longer than the limit, a pair's target is in every window, slicing a huge text
keeps every character, and a text's mean score lies between its windows' scores."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.manifest import Windowing
from newsdesk.windowing import (
    aggregate,
    encode_windows,
    fit_targets,
    slice_groups,
    target_budget,
    text_slices,
)

FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
WORDS = ["the", "bank", "raised", "rates", "on", "Tuesday", ",", "inflation", "unbelievably",
         "Zürich", "naïve", "Москва", "مرحبا", "你好", "😀", "3.5%", "co-operation", "\x00",
         "\u200b", "x" * 120]
TEXTS = st.one_of(st.lists(st.sampled_from(WORDS), min_size=1, max_size=250).map(" ".join),
                  st.text(min_size=1, max_size=300))


@st.composite
def windowings(draw: st.DrawFn) -> Windowing:
    max_length = draw(st.integers(min_value=16, max_value=96))
    stride = draw(st.integers(min_value=0, max_value=max_length // 2 - 1))
    return Windowing(max_length=max_length, stride=stride)


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from newsdesk.assets import model_path

    return AutoTokenizer.from_pretrained(model_path("minilm-l6"))


def content_of(window: dict[str, list[int]], tokenizer: Any, paired: bool) -> list[int]:
    """The text's word pieces in a window: after [CLS] (target [SEP]), before the last [SEP]."""
    ids = window["input_ids"]
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    start = ids.index(tokenizer.sep_token_id) + 1 if paired else 1
    return ids[start:-1]


def rebuild(contents: list[list[int]], stride: int) -> list[int]:
    """The text's pieces from its windows, each window starting with the previous one's last
    ``stride`` pieces (asserted)."""
    rebuilt = list(contents[0])
    for content in contents[1:]:
        if stride:
            assert content[:stride] == rebuilt[-stride:]
        rebuilt += content[stride:]
    return rebuilt


@FAST
@given(texts=st.lists(TEXTS, min_size=1, max_size=3), windowing=windowings())
def test_every_token_is_in_a_window_and_no_window_is_too_long(
        tokenizer: Any, texts: list[str], windowing: Windowing) -> None:
    windows = encode_windows(tokenizer, texts, windowing)
    assert windows.owners == sorted(windows.owners)
    assert set(windows.owners) == set(range(len(texts)))
    assert all(len(w["input_ids"]) <= windowing.max_length for w in windows.features)
    for index, text in enumerate(texts):
        mine = [w for w, o in zip(windows.features, windows.owners) if o == index]
        contents = [content_of(w, tokenizer, paired=False) for w in mine]
        expected = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert rebuild(contents, windowing.stride) == expected


@FAST
@given(pairs=st.lists(st.tuples(TEXTS, TEXTS), min_size=1, max_size=3),
       windowing=windowings())
def test_a_pairs_target_is_in_every_window_and_its_text_fully_covered(
        tokenizer: Any, pairs: list[tuple[str, str]], windowing: Windowing) -> None:
    targets, texts = [t for t, _ in pairs], [x for _, x in pairs]
    windows = encode_windows(tokenizer, texts, windowing, targets)
    fitted = fit_targets(tokenizer, targets, target_budget(windowing))
    assert all(len(w["input_ids"]) <= windowing.max_length for w in windows.features)
    for index, (target, text) in enumerate(zip(fitted, texts)):
        target_ids = tokenizer(target, add_special_tokens=False)["input_ids"]
        assert len(target_ids) <= target_budget(windowing)
        mine = [w for w, o in zip(windows.features, windows.owners) if o == index]
        assert mine
        for window in mine:
            assert window["input_ids"][1:len(target_ids) + 1] == target_ids
            split = len(target_ids) + 2
            assert set(window["token_type_ids"][:split]) == {0}
            assert set(window["token_type_ids"][split:]) <= {1}
        contents = [content_of(w, tokenizer, paired=True) for w in mine]
        expected = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert rebuild(contents, windowing.stride) == expected


@FAST
@given(texts=st.lists(TEXTS, min_size=1, max_size=3), cap=st.integers(1, 3))
def test_max_windows_caps_each_text_and_keeps_its_first_windows(
        tokenizer: Any, texts: list[str], cap: int) -> None:
    free = encode_windows(tokenizer, texts, Windowing(max_length=16, stride=4))
    capped = encode_windows(tokenizer, texts, Windowing(max_length=16, stride=4,
                                                        max_windows=cap))
    for index in range(len(texts)):
        all_windows = [w for w, o in zip(free.features, free.owners) if o == index]
        kept = [w for w, o in zip(capped.features, capped.owners) if o == index]
        assert kept == all_windows[:cap]


def non_space(text: str) -> str:
    return re.sub(r"\s", "", text)


@FAST
@given(text=st.text(alphabet=st.sampled_from("ab \n\tč😀\x00"), max_size=400),
       limit=st.integers(min_value=2, max_value=50))
def test_slices_keep_every_character_within_the_limit(text: str, limit: int) -> None:
    pieces = text_slices(text, limit)
    if len(text) <= limit:
        assert pieces == [text]
        return
    assert all(0 < len(p) <= limit and not p.isspace() for p in pieces)
    assert non_space("".join(pieces)) == non_space(text)
    if all(len(word) < limit - 1 for word in text.split()):
        assert "".join(pieces).split() == text.split()


@FAST
@given(texts=st.lists(st.text(alphabet=st.sampled_from("ab \n"), min_size=1, max_size=120),
                      min_size=1, max_size=6),
       limit=st.integers(min_value=5, max_value=60), first=st.booleans())
def test_slice_groups_keep_text_order_and_bound_each_group(texts: list[str], limit: int,
                                                           first: bool) -> None:
    windowing = Windowing(mode="first" if first else "all")
    targets = [f"t{i}" for i in range(len(texts))]
    groups = list(slice_groups(texts, targets, windowing, limit))
    owners = [o for g in groups for o in g.owners]
    assert owners == sorted(owners)
    for group in groups:
        assert len(group.texts) == 1 or sum(map(len, group.texts)) <= limit
        assert group.targets == [targets[o] for o in group.owners]
    for index, text in enumerate(texts):
        pieces = [p for g in groups for p, o in zip(g.texts, g.owners) if o == index]
        expected = text_slices(text, limit)
        assert pieces == (expected[:1] if first else expected)


@st.composite
def window_scores(draw: st.DrawFn) -> tuple[np.ndarray, list[int], int]:
    n_texts = draw(st.integers(min_value=1, max_value=5))
    owners = draw(st.lists(st.integers(0, n_texts - 1), min_size=1, max_size=20))
    owners = sorted(set(range(n_texts)) | set(owners)) + owners
    labels = draw(st.integers(min_value=1, max_value=4))
    values = draw(st.lists(st.floats(0, 1), min_size=len(owners) * labels,
                           max_size=len(owners) * labels))
    return np.array(values).reshape(len(owners), labels), owners, n_texts


@FAST
@given(scores=window_scores())
def test_a_texts_mean_and_max_lie_within_its_windows(
        scores: tuple[np.ndarray, list[int], int]) -> None:
    probs, owners, n_texts = scores
    mean = aggregate(probs, owners, n_texts, "mean")
    top = aggregate(probs, owners, n_texts, "max")
    for index in range(n_texts):
        mine = probs[np.asarray(owners) == index]
        assert np.all(mean[index] >= mine.min(axis=0) - 1e-12)
        assert np.all(mean[index] <= mine.max(axis=0) + 1e-12)
        assert np.array_equal(top[index], mine.max(axis=0))
