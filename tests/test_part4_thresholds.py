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


# The exercise checks of chapters 8 and 9 (registered in mlc_utils.exercises).

def _verdict(capsys, *args, **kwargs):
    from mlc_utils.exercises import check

    check(*args, **kwargs)
    return capsys.readouterr().out


def test_global_threshold_exercise(capsys):
    rng = np.random.default_rng(1)
    y_true = (rng.random((200, 3)) < 0.4).astype(int)
    y_score = np.clip(0.4 * y_true + 0.6 * rng.random(y_true.shape), 0, 1)
    grid = np.round(np.arange(1, 100) / 100, 2)
    from sklearn.metrics import f1_score

    f1 = [f1_score(y_true, (y_score >= t).astype(int), average="micro") for t in grid]
    best = grid[int(np.argmax(f1))]  # first best; the check accepts the one nearest 0.5 among ties
    ties = grid[np.isclose(f1, max(f1))]
    expected = ties[np.argmin(np.abs(ties - 0.5))]
    assert np.isclose(f1_score(y_true, (y_score >= best).astype(int), average="micro"), max(f1))
    assert _verdict(capsys, "ch8_global_threshold", expected, y_true=y_true, y_score=y_score).startswith("Correct")
    assert _verdict(capsys, "ch8_global_threshold", ..., y_true=y_true, y_score=y_score).startswith("Not yet")


def test_at_least_one_exercise(capsys):
    y_score = np.array([[0.1, 0.3, 0.2], [0.9, 0.2, 0.8]])
    right = np.array([[0, 1, 0], [1, 0, 1]])
    assert _verdict(capsys, "ch8_at_least_one", right, y_score=y_score).startswith("Correct")
    plain = (y_score >= 0.5).astype(int)
    assert _verdict(capsys, "ch8_at_least_one", plain, y_score=y_score).startswith("Not yet")
    assert _verdict(capsys, "ch8_at_least_one", ..., y_score=y_score).startswith("Not yet")


def test_class_weight_rows_exercise(capsys):
    Y = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 1]])
    # Keras weights each row by its first label: rows 1, 0 and 2.
    right = np.array([2.0, 1.0, 10.0])
    weights = {0: 1.0, 1: 2.0, 2: 10.0}
    assert _verdict(capsys, "ch9_class_weight_rows", right, Y=Y, class_weight=weights).startswith("Correct")
    hoped = np.array([12.0, 11.0, 10.0])  # the sum over present labels: what learners hope for
    assert _verdict(capsys, "ch9_class_weight_rows", hoped, Y=Y, class_weight=weights).startswith("Not yet")


def test_positive_weights_and_group_recall_exercises(capsys):
    Y = np.array([[1, 0], [1, 1], [0, 0], [0, 0]])
    assert _verdict(capsys, "ch9_positive_weights", [1.0, np.sqrt(3)], Y=Y, power=0.5).startswith("Correct")
    assert _verdict(capsys, "ch9_positive_weights", [1.0, 3.0], Y=Y, power=0.5).startswith("Not yet")
    y_true = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]])
    y_pred = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1]])
    # Columns 1 and 2 hold 4 positives, of which 2 are predicted.
    assert _verdict(capsys, "ch9_group_recall", 0.5, y_true=y_true, y_pred=y_pred, labels=[1, 2]).startswith("Correct")
    wrong = _verdict(capsys, "ch9_group_recall", 4 / 6, y_true=y_true, y_pred=y_pred, labels=[1, 2])
    assert wrong.startswith("Not yet") and "all labels" in wrong
