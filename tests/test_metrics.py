"""multilabel_report, one_error and coverage against scikit-learn, on random and edge cases."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlc_utils.data import toy_photos
from mlc_utils.metrics import REPORT_KEYS, coverage, multilabel_report, one_error

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def sklearn_coverage(y_true, y_score):
    """coverage_error - 1 per sample; a sample without true labels counts 0 (nothing to cover)."""
    per_row = [skm.coverage_error(t[None], s[None]) - 1 if t.any() else 0.0 for t, s in zip(y_true, y_score)]
    return float(np.mean(per_row))


def sklearn_report(y_true, y_score, threshold=0.5):
    """The same fifteen numbers with separate scikit-learn calls (one_error by hand)."""
    y_pred = (y_score >= threshold).astype(int)
    prf = {}
    for average in ("micro", "macro"):
        for name, fn in (("precision", skm.precision_score), ("recall", skm.recall_score), ("f1", skm.f1_score)):
            prf[f"{name}_{average}"] = fn(y_true, y_pred, average=average, zero_division=0)
    top = np.argmax(y_score, axis=1)
    return {
        "subset_accuracy": skm.accuracy_score(y_true, y_pred),
        "hamming_loss": skm.hamming_loss(y_true, y_pred),
        **prf,
        "f1_weighted": skm.f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "f1_samples": skm.f1_score(y_true, y_pred, average="samples", zero_division=0),
        "jaccard_samples": skm.jaccard_score(y_true, y_pred, average="samples", zero_division=0),
        "one_error": float(np.mean(y_true[np.arange(len(y_true)), top] == 0)),
        "coverage": sklearn_coverage(y_true, y_score),
        "ranking_loss": skm.label_ranking_loss(y_true, y_score),
        "label_ranking_average_precision": skm.label_ranking_average_precision_score(y_true, y_score),
    }


def assert_matches_sklearn(y_true, y_score, threshold=0.5):
    ours = multilabel_report(y_true, y_score, threshold)
    theirs = sklearn_report(y_true, y_score, threshold)
    assert set(ours) == set(REPORT_KEYS) == set(theirs)
    for key in REPORT_KEYS:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-12, abs=1e-12), key
        assert isinstance(ours[key], float)


# Scores drawn from a coarse grid create ties (the hard case for ranking metrics); a fine one does not.
coarse = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
fine = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def problems(draw, per_label_threshold=False):
    n = draw(st.integers(1, 12))
    L = draw(st.integers(2, 7))
    y_true = draw(arrays(np.int64, (n, L), elements=st.integers(0, 1)))
    y_score = draw(arrays(np.float64, (n, L), elements=draw(st.sampled_from([coarse, fine]))))
    if per_label_threshold:
        threshold = draw(arrays(np.float64, (L,), elements=st.floats(0.0, 1.0)))
    else:
        threshold = draw(st.sampled_from([0.5, 0.0, 1.0, 0.3]))
    return y_true, y_score, threshold


@SETTINGS
@given(problems())
def test_report_matches_sklearn_on_random_matrices(problem):
    assert_matches_sklearn(*problem)


@SETTINGS
@given(problems(per_label_threshold=True))
def test_report_matches_sklearn_with_per_label_thresholds(problem):
    assert_matches_sklearn(*problem)


def test_edge_case_row_with_no_labels():
    y_true = np.array([[0, 0, 0], [1, 0, 1], [0, 1, 0]])
    y_score = np.array([[0.2, 0.7, 0.1], [0.9, 0.3, 0.6], [0.4, 0.8, 0.2]])
    assert_matches_sklearn(y_true, y_score)


def test_edge_case_label_never_present():
    y_true = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0]])
    y_score = np.array([[0.9, 0.1, 0.6], [0.7, 0.8, 0.2], [0.1, 0.4, 0.3]])
    assert_matches_sklearn(y_true, y_score)


def test_edge_case_all_ones():
    y_true = np.ones((4, 3), dtype=int)
    y_score = np.array([[0.9, 0.1, 0.6], [0.7, 0.8, 0.2], [0.1, 0.4, 0.3], [1.0, 1.0, 1.0]])
    assert_matches_sklearn(y_true, y_score)


def test_edge_case_single_sample():
    assert_matches_sklearn(np.array([[0, 1, 1, 0]]), np.array([[0.6, 0.7, 0.2, 0.1]]))


def test_edge_case_all_zero_and_nothing_predicted():
    assert_matches_sklearn(np.zeros((3, 4), dtype=int), np.full((3, 4), 0.1))


def test_per_label_thresholds_change_the_predictions():
    example = toy_photos()
    low = multilabel_report(example.y_true, example.y_score, threshold=[0.5, 0.35, 0.4])
    assert low["f1_micro"] > multilabel_report(example.y_true, example.y_score)["f1_micro"]
    assert_matches_sklearn(example.y_true, example.y_score, np.array([0.5, 0.35, 0.4]))


def test_toy_example_values_by_hand():
    example = toy_photos()
    # At 0.5: photo 3 misses "dog" (0.40), photo 4 adds "dog" (0.80), photo 5 misses "person" (0.45).
    report = multilabel_report(example.y_true, example.y_score)
    assert report["hamming_loss"] == pytest.approx(3 / 15)
    assert report["subset_accuracy"] == pytest.approx(2 / 5)
    assert report["one_error"] == pytest.approx(1 / 5)  # photo 4's top label is dog (0.80): wrong


def test_one_error_counts_top_label_misses():
    y_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    y_score = np.array([[0.9, 0.5, 0.1], [0.9, 0.5, 0.1], [0.1, 0.2, 0.3]])
    assert one_error(y_true, y_score) == pytest.approx(2 / 3)


def test_one_error_ties_take_the_first_label():
    assert one_error([[1, 0]], [[0.5, 0.5]]) == 0.0
    assert one_error([[0, 1]], [[0.5, 0.5]]) == 1.0


@SETTINGS
@given(problems())
def test_coverage_is_sklearn_coverage_error_minus_one(problem):
    y_true, y_score, _ = problem
    assert coverage(y_true, y_score) == pytest.approx(sklearn_coverage(y_true, y_score))
    if np.asarray(y_true).any(axis=1).all():
        assert coverage(y_true, y_score) == pytest.approx(skm.coverage_error(y_true, y_score) - 1)


def test_coverage_zero_when_true_labels_are_ranked_first():
    assert coverage([[1, 0, 0], [0, 1, 1]], [[0.9, 0.2, 0.1], [0.1, 0.8, 0.7]]) == pytest.approx(0.5)


# ---- bad input: one test per case ---------------------------------------------------------

GOOD_T = np.array([[1, 0], [0, 1]])
GOOD_S = np.array([[0.8, 0.1], [0.3, 0.6]])


def test_rejects_wrong_type():
    with pytest.raises(TypeError, match="y_true"):
        multilabel_report("not an array", GOOD_S)


def test_rejects_non_numeric_scores():
    with pytest.raises(TypeError, match="y_score"):
        multilabel_report(GOOD_T, np.array([["a", "b"], ["c", "d"]]))


def test_rejects_wrong_number_of_dimensions():
    with pytest.raises(ValueError, match="y_true: expected a 2-D array"):
        multilabel_report(np.array([1, 0]), GOOD_S)


def test_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="y_score: expected the same shape as y_true"):
        multilabel_report(GOOD_T, np.array([[0.8, 0.1, 0.3], [0.3, 0.6, 0.2]]))


def test_rejects_labels_other_than_0_1():
    with pytest.raises(ValueError, match="y_true: expected only 0 and 1"):
        multilabel_report(np.array([[2, 0], [0, 1]]), GOOD_S)


def test_rejects_probabilities_as_labels_with_a_hint():
    with pytest.raises(ValueError, match="look like probabilities"):
        one_error(GOOD_S, GOOD_S)


def test_rejects_scores_outside_0_1():
    with pytest.raises(ValueError, match=r"y_score: expected probabilities in \[0, 1\]"):
        multilabel_report(GOOD_T, np.array([[1.5, 0.1], [0.3, -0.2]]))


def test_rejects_nan_scores():
    with pytest.raises(ValueError, match="y_score: expected finite"):
        coverage(GOOD_T, np.array([[np.nan, 0.1], [0.3, 0.6]]))


def test_rejects_infinite_scores():
    with pytest.raises(ValueError, match="y_score: expected finite"):
        multilabel_report(GOOD_T, np.array([[np.inf, 0.1], [0.3, 0.6]]))


def test_rejects_empty_input():
    with pytest.raises(ValueError, match="y_true: expected a non-empty"):
        multilabel_report(np.zeros((0, 2)), np.zeros((0, 2)))


def test_rejects_threshold_array_of_wrong_length():
    with pytest.raises(ValueError, match="threshold: expected a scalar or one value per label"):
        multilabel_report(GOOD_T, GOOD_S, threshold=[0.5, 0.5, 0.5])


def test_rejects_threshold_out_of_range():
    with pytest.raises(ValueError, match=r"threshold: expected values in \[0, 1\]"):
        multilabel_report(GOOD_T, GOOD_S, threshold=1.5)


def test_rejects_threshold_of_wrong_type():
    with pytest.raises(TypeError, match="threshold"):
        multilabel_report(GOOD_T, GOOD_S, threshold="0.5")


def test_coverage_of_a_sample_without_true_labels_is_zero():
    # Sample 1 has nothing to cover: 0 (not scikit-learn's 0 minus 1). Sample 2's only label is
    # ranked last of three: steps 0, 1, 2 -> 2. Mean 1.0.
    y_true, y_score = [[0, 0, 0], [1, 0, 0]], [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]
    assert coverage(y_true, y_score) == 1.0
    assert multilabel_report(y_true, y_score)["coverage"] == 1.0
    assert coverage([[0, 0]], [[0.4, 0.6]]) == 0.0


@pytest.mark.parametrize(
    "threshold, error, message",
    [
        ("0.5", TypeError, r"threshold: expected a number or an array of 2 numbers, got str"),
        (None, TypeError, r"threshold: expected a number or an array of 2 numbers, got NoneType"),
        ({"a": 1}, TypeError, r"threshold: expected an array-like of numbers, got dict"),
        ([[0.5, 0.5]], ValueError, r"threshold: expected a scalar or a 1-D array, got shape \(1, 2\)"),
        ([0.5, 0.5, 0.5], ValueError, r"threshold: expected a scalar or one value per label \(2\), got 3 values"),
        ([0.5, 1.5], ValueError, r"threshold: expected values in \[0, 1\], got \[0.5, 1.5\]"),
    ],
)
def test_report_threshold_refusals_in_full(threshold, error, message):
    with pytest.raises(error, match="^" + message + "$"):
        multilabel_report([[1, 0], [0, 1]], [[0.9, 0.2], [0.3, 0.6]], threshold)
