"""newsdesk.metrics.calibration: expected calibration error on inputs worked out by hand."""

from __future__ import annotations

import doctest

import pytest

from newsdesk.metrics import calibration
from newsdesk.metrics.calibration import expected_calibration_error


def test_doctests() -> None:
    result = doctest.testmod(calibration)
    assert result.attempted > 0 and result.failed == 0


def test_perfect_and_worst_calibration() -> None:
    # 80% confident and right 8 times in 10: calibrated
    assert expected_calibration_error([0.8] * 10, [True] * 8 + [False] * 2) == \
        pytest.approx(0.0)
    # certain and always wrong: the largest error there is
    assert expected_calibration_error([1.0, 1.0], [False, False]) == pytest.approx(1.0)


def test_fifteen_equal_width_bins_with_the_upper_edge_inclusive() -> None:
    # 0.2 is the upper edge of the 3rd bin (0.133, 0.2]; 0.21 lies in the 4th: two bins,
    # each half the weight: 0.5 * |1 - 0.2| + 0.5 * |0 - 0.21|
    assert expected_calibration_error([0.2, 0.21], [True, False]) == pytest.approx(0.505)
    # 0.19 and 0.2 share the 3rd bin: |0.5 - 0.195|
    assert expected_calibration_error([0.19, 0.2], [True, False]) == pytest.approx(0.305)
    # one bin for everything: |accuracy - mean confidence| over all
    assert expected_calibration_error([0.19, 0.21], [True, False], bins=1) == \
        pytest.approx(0.3)


def test_weights_follow_the_bins_shares() -> None:
    confidence = [0.95, 0.95, 0.95, 0.55]
    correct = [True, True, True, False]
    # bin (0.933, 1]: 3/4 of the predictions, gap |1 - 0.95|; bin (0.533, 0.6]: 1/4, gap 0.55
    expected = 0.75 * 0.05 + 0.25 * 0.55
    assert expected_calibration_error(confidence, correct) == pytest.approx(expected)


@pytest.mark.parametrize(("confidence", "correct", "message"), [
    ([], [], "no predictions"),
    ([0.5, 0.6], [True], "one length"),
    ([1.2], [True], r"\[0, 1\]"),
    ([float("nan")], [True], r"\[0, 1\]"),
])
def test_bad_input_is_an_error(confidence: list[float], correct: list[bool],
                               message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expected_calibration_error(confidence, correct)
