"""Chapter 8's threshold strategies: cardinality matching and shrinkage toward a global threshold."""

import numpy as np
import pytest

from mlc_utils.thresholds import cardinality_threshold, shrink_thresholds

SCORES = np.array([[0.9, 0.6, 0.1], [0.8, 0.3, 0.2]])


def test_cardinality_threshold_by_hand():
    # Any t in (0.3, 0.6] predicts 2 + 1 labels: mean 1.5; of those candidates 0.5 is closest to 0.5.
    assert cardinality_threshold(SCORES, 1.5) == 0.5
    # Mean 1 needs t in (0.6, 0.8]; the candidate closest to 0.5 is 0.61.
    assert cardinality_threshold(SCORES, 1.0) == pytest.approx(0.61)
    # Three labels per row only at t <= 0.1.
    assert cardinality_threshold(SCORES, 3) == pytest.approx(0.1)
    # A custom grid: 0.2 predicts 2.5 labels per row, 0.7 predicts 1.
    assert cardinality_threshold(SCORES, 2.4, grid=[0.2, 0.7]) == pytest.approx(0.2)
    assert cardinality_threshold(SCORES, 1.75, grid=[0.2, 0.7]) == pytest.approx(0.7)  # tie: nearer 0.5


def test_cardinality_threshold_matches_a_brute_force_search():
    rng = np.random.default_rng(0)
    scores = rng.random((300, 6)).astype(np.float32)
    target = 2.2
    t = cardinality_threshold(scores, target)
    grid = np.round(np.arange(1, 100) / 100, 2)
    gaps = [abs((scores >= np.float32(g)).sum(axis=1).mean() - target) for g in grid]
    assert abs((scores >= np.float32(t)).sum(axis=1).mean() - target) == pytest.approx(min(gaps))


@pytest.mark.parametrize(
    "cardinality, kwargs, error, argument",
    [(-0.5, {}, ValueError, "cardinality"), (3.5, {}, ValueError, "cardinality"),
     (float("nan"), {}, ValueError, "cardinality"), ("2", {}, TypeError, "cardinality"),
     (True, {}, TypeError, "cardinality"), (1.0, {"grid": [1.5]}, ValueError, "grid")],
)
def test_cardinality_threshold_refuses_bad_input(cardinality, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        cardinality_threshold(SCORES, cardinality, **kwargs)


def test_cardinality_threshold_validates_scores():
    with pytest.raises(ValueError, match="y_score"):
        cardinality_threshold(SCORES * 2, 1.0)


def test_shrink_thresholds_by_hand():
    np.testing.assert_allclose(shrink_thresholds([0.2, 0.8], 0.5, weight=0.5), [0.35, 0.65])
    np.testing.assert_allclose(shrink_thresholds([0.2, 0.8], 0.5, weight=[0.0, 1.0]), [0.5, 0.8])
    np.testing.assert_allclose(shrink_thresholds([0.2, 0.8], [0.4, 0.6], weight=0.25), [0.35, 0.65])
    out = shrink_thresholds([0.2, 0.8], 0.5, weight=1)
    assert out.shape == (2,) and out.dtype == np.float64
    np.testing.assert_allclose(out, [0.2, 0.8])


@pytest.mark.parametrize(
    "thresholds, toward, weight, error, argument",
    [([0.2, 0.8], 0.5, 1.5, ValueError, "weight"), ([0.2, 0.8], 0.5, [0.5], ValueError, "weight"),
     ([0.2, 1.8], 0.5, 0.5, ValueError, "thresholds"), (0.3, 0.5, 0.5, ValueError, "thresholds"),
     ([0.2, 0.8], -0.1, 0.5, ValueError, "toward"), ("0.2", 0.5, 0.5, TypeError, "thresholds")],
)
def test_shrink_thresholds_refuses_bad_input(thresholds, toward, weight, error, argument):
    with pytest.raises(error, match=argument):
        shrink_thresholds(thresholds, toward, weight=weight)
