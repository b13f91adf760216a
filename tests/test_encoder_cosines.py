"""newsdesk.summarize.encoder.DistinctVectors: each distinct string encoded once, in one
call, and the two shapes of cosine its callers use (mining's table, the stance benchmark's
pairs), each with its caller's own arithmetic."""

from __future__ import annotations

import doctest
from collections.abc import Sequence

import numpy as np

import newsdesk.summarize.encoder
from newsdesk.summarize.encoder import DistinctVectors


class RecordingEncoder:
    """Random unit vectors (float32, as the sentence encoders give), and every call's input."""

    def __init__(self, dimension: int = 16) -> None:
        self.calls: list[list[str]] = []
        self.dimension = dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rng = np.random.default_rng(len(self.calls))
        vectors = rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


HEADLINES = ["Rates rise", "Reds win cup", "Rates rise"]
BODIES = ["The bank raised rates.", "Reds win cup", "Storm hits the north."]


def test_doctests() -> None:
    result = doctest.testmod(newsdesk.summarize.encoder)
    assert result.attempted > 0 and result.failed == 0


def test_each_distinct_string_is_encoded_once_in_one_sorted_call() -> None:
    encoder = RecordingEncoder()
    vectors = DistinctVectors.encode(encoder, HEADLINES, BODIES)
    assert encoder.calls == [sorted(set(HEADLINES) | set(BODIES))]
    assert len(vectors.row) == vectors.vectors.shape[0] == 4


def test_the_vectors_do_not_depend_on_the_order_of_the_texts() -> None:
    forward = DistinctVectors.encode(RecordingEncoder(), HEADLINES, BODIES)
    backward = DistinctVectors.encode(RecordingEncoder(), BODIES[::-1], HEADLINES[::-1])
    assert np.array_equal(forward.of(HEADLINES), backward.of(HEADLINES))


def test_cosine_table_is_one_float32_matrix_product() -> None:
    vectors = DistinctVectors.encode(RecordingEncoder(), HEADLINES, BODIES)
    table = vectors.cosine_table(HEADLINES, BODIES)
    rows = np.stack([vectors.vectors[vectors.row[h]] for h in HEADLINES])
    columns = np.stack([vectors.vectors[vectors.row[b]] for b in BODIES])
    assert table.dtype == np.float32 and table.shape == (3, 3)
    assert np.array_equal(table, rows @ columns.T)
    assert abs(float(table[1, 1]) - 1.0) < 1e-6  # a string with itself
    assert np.array_equal(table[0], table[2])  # one headline twice: one vector


def test_pair_cosines_are_one_float32_dot_product_a_pair_as_float64() -> None:
    vectors = DistinctVectors.encode(RecordingEncoder(), HEADLINES, BODIES)
    cosines = vectors.pair_cosines(HEADLINES, BODIES)
    expected = [float(np.dot(vectors.vectors[vectors.row[h]], vectors.vectors[vectors.row[b]]))
                for h, b in zip(HEADLINES, BODIES, strict=True)]
    assert cosines.dtype == np.float64
    assert cosines.tolist() == expected
    assert abs(cosines[1] - 1.0) < 1e-6


def test_no_texts_give_no_cosines() -> None:
    vectors = DistinctVectors.encode(RecordingEncoder(), [], [])
    assert vectors.pair_cosines([], []).shape == (0,)
