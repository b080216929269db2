import numpy as np
import pytest
import sklearn.metrics as skm

from mlc_utils.data import toy_photos
from mlc_utils.thresholds import DEFAULT_GRID, THRESHOLD_METRICS, apply_thresholds, top_k, tune_thresholds

rng = np.random.default_rng(0)
Y = (rng.random((200, 4)) < 0.3).astype(int)
S = np.clip(0.35 * Y + 0.65 * rng.random(Y.shape), 0, 1)


def test_per_label_f1_thresholds_maximise_each_labels_f1():
    thresholds = tune_thresholds(Y, S)
    assert thresholds.shape == (4,) and np.all((thresholds >= 0) & (thresholds <= 1))
    for j in range(4):
        best = max(skm.f1_score(Y[:, j], S[:, j] >= t, zero_division=0) for t in DEFAULT_GRID)
        assert skm.f1_score(Y[:, j], S[:, j] >= thresholds[j], zero_division=0) == pytest.approx(best)


def test_global_threshold_maximises_micro_f1():
    thresholds = tune_thresholds(Y, S, per_label=False)
    assert np.all(thresholds == thresholds[0])
    best = max(skm.f1_score(Y, (S >= t).astype(int), average="micro", zero_division=0) for t in DEFAULT_GRID)
    achieved = skm.f1_score(Y, (S >= thresholds[0]).astype(int), average="micro", zero_division=0)
    assert achieved == pytest.approx(best)


@pytest.mark.parametrize("metric", sorted(THRESHOLD_METRICS))
def test_per_label_tuning_is_never_worse_than_the_best_global_threshold(metric):
    score = THRESHOLD_METRICS[metric]
    global_t = tune_thresholds(Y, S, metric=metric, per_label=False)
    local_t = tune_thresholds(Y, S, metric=metric)
    if metric == "f1":  # per label, "f1" is each label's own F1: compare macro-F1
        score = THRESHOLD_METRICS["f1_macro"]
    assert score(Y.astype(bool), S >= local_t) >= score(Y.astype(bool), S >= global_t) - 1e-12


def test_ties_go_to_the_threshold_closest_to_one_half():
    # A label that is never present has F1 0 at every threshold: keep 0.5.
    y_true = np.array([[1, 0], [0, 0]])
    y_score = np.array([[0.9, 0.2], [0.1, 0.7]])
    assert tune_thresholds(y_true, y_score)[1] == 0.5


def test_custom_grid():
    assert tune_thresholds(Y, S, grid=[0.5]).tolist() == [0.5] * 4


def test_apply_thresholds_scalar_and_per_label():
    example = toy_photos()
    np.testing.assert_array_equal(apply_thresholds(example.y_score, 0.5), example.y_pred)
    per_label = apply_thresholds(example.y_score, [0.95, 0.5, 0.5])
    assert per_label[:, 0].sum() == 0 and per_label.dtype == np.int64


def test_apply_thresholds_at_least_one_adds_the_top_label_only_to_empty_rows():
    y_score = np.array([[0.1, 0.3, 0.2], [0.9, 0.2, 0.8]])
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.5, at_least_one=True), [[0, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.5), [[0, 0, 0], [1, 0, 1]])


def test_top_k():
    y_score = np.array([[0.1, 0.3, 0.2], [0.9, 0.2, 0.8]])
    np.testing.assert_array_equal(top_k(y_score, 1), [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(top_k(y_score, 2), [[0, 1, 1], [1, 0, 1]])
    assert np.all(top_k(y_score, 3) == 1)


def test_top_k_ties_prefer_the_lower_column():
    np.testing.assert_array_equal(top_k([[0.5, 0.5, 0.5]], 2), [[1, 1, 0]])


@pytest.mark.parametrize("k", [0, 4])
def test_top_k_rejects_k_outside_1_to_n_labels(k):
    with pytest.raises(ValueError, match=r"k: expected an integer in 1\.\.3"):
        top_k(np.full((2, 3), 0.5), k)


def test_top_k_rejects_non_integer_k():
    with pytest.raises(TypeError, match="k"):
        top_k(np.full((2, 3), 0.5), 1.5)


def test_apply_thresholds_rejects_wrong_length():
    with pytest.raises(ValueError, match="thresholds: expected a scalar or one value per label"):
        apply_thresholds(np.full((2, 3), 0.5), [0.5, 0.5])


def test_apply_thresholds_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"thresholds: expected values in \[0, 1\]"):
        apply_thresholds(np.full((2, 3), 0.5), [0.5, -0.1, 0.5])


def test_tune_rejects_unknown_metric():
    with pytest.raises(ValueError, match="metric: expected one of"):
        tune_thresholds(Y, S, metric="accuracy_score")


def test_tune_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="y_score: expected the same shape"):
        tune_thresholds(Y, S[:, :3])


def test_tune_rejects_scores_outside_0_1():
    with pytest.raises(ValueError, match="y_score"):
        tune_thresholds(Y, S * 3)


def test_tune_rejects_non_boolean_per_label():
    with pytest.raises(TypeError, match="per_label"):
        tune_thresholds(Y, S, per_label="yes")
