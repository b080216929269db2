import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from mlc_utils.stats import PairedComparison, bootstrap_interval, corrected_resampled_ttest

A = [0.80, 0.82, 0.81, 0.79, 0.83]
B = [0.78, 0.80, 0.80, 0.80, 0.80]


def test_corrected_resampled_ttest_by_hand():
    # d = [0.02, 0.02, 0.01, -0.01, 0.03]: mean 0.014, s² = 920e-6 / 4 = 230e-6
    result = corrected_resampled_ttest(A, B, n_train=90, n_test=10)
    std_error = math.sqrt((1 / 5 + 10 / 90) * 230e-6)
    assert result.mean_difference == pytest.approx(0.014)
    assert result.std_error == pytest.approx(std_error)
    assert result.t == pytest.approx(0.014 / std_error)
    assert result.t == pytest.approx(1.65502, abs=1e-4)
    assert result.df == 4
    assert result.p_value == pytest.approx(2 * scipy_stats.t.sf(0.014 / std_error, 4))
    half = scipy_stats.t.ppf(0.975, 4) * std_error
    assert (result.low, result.high) == (pytest.approx(0.014 - half), pytest.approx(0.014 + half))
    assert result.confidence == 0.95
    assert not result.significant and result.low < 0 < result.high
    assert result.p_value > 0.05


def test_without_overlap_it_is_the_plain_paired_ttest():
    # n_test / n_train -> 0 removes the correction: scipy's paired t-test remains
    result = corrected_resampled_ttest(A, B, n_train=10**12, n_test=1)
    plain = scipy_stats.ttest_rel(A, B)
    assert result.t == pytest.approx(plain.statistic, rel=1e-6)
    assert result.p_value == pytest.approx(plain.pvalue, rel=1e-6)


def test_the_correction_only_widens():
    plain = corrected_resampled_ttest(A, B, n_train=10**12, n_test=1)
    corrected = corrected_resampled_ttest(A, B, n_train=90, n_test=10)
    assert corrected.std_error > plain.std_error and corrected.p_value > plain.p_value
    assert corrected.high - corrected.low > plain.high - plain.low


def test_sign_follows_the_order_of_the_methods_and_significance_follows_p():
    forward = corrected_resampled_ttest(np.add(A, 0.05), B, n_train=90, n_test=10)
    backward = corrected_resampled_ttest(B, np.add(A, 0.05), n_train=90, n_test=10)
    assert forward.mean_difference > 0 and backward.mean_difference == pytest.approx(-forward.mean_difference)
    assert forward.p_value == pytest.approx(backward.p_value)
    assert forward.significant and backward.significant and backward.high < 0
    assert forward.p_value < 0.05
    wider = corrected_resampled_ttest(np.add(A, 0.05), B, n_train=90, n_test=10, confidence=0.999)
    assert wider.low < forward.low and wider.high > forward.high


def test_identical_differences_have_no_spread():
    same = corrected_resampled_ttest([0.5, 0.6, 0.7], [0.4, 0.5, 0.6], n_train=9, n_test=1)
    assert same.std_error == 0 and same.t == math.inf and same.p_value == 0.0 and same.significant
    assert same.low == same.high == pytest.approx(0.1)
    tie = corrected_resampled_ttest([0.5, 0.6], [0.5, 0.6], n_train=9, n_test=1)
    assert tie.t == 0 and tie.p_value == 1.0 and not tie.significant


def test_the_result_reads_as_a_sentence():
    text = str(corrected_resampled_ttest(A, B, n_train=90, n_test=10))
    assert text.startswith("mean difference +0.0140, 95 % interval [") and "on 4 df, p = 0." in text
    assert isinstance(corrected_resampled_ttest(A, B, n_train=90, n_test=10), PairedComparison)


@pytest.mark.parametrize("kwargs, error, argument", [
    ({"scores_a": "0.8"}, TypeError, "scores_a"),
    ({"scores_a": 0.8}, TypeError, "scores_a"),
    ({"scores_b": None}, TypeError, "scores_b"),
    ({"scores_a": [True, False, True, True, False]}, TypeError, "scores_a"),
    ({"scores_a": ["a"] * 5}, TypeError, "scores_a"),
    ({"scores_a": [[0.8] * 5]}, ValueError, "scores_a"),
    ({"scores_a": [0.8, float("nan"), 0.8, 0.8, 0.8]}, ValueError, "scores_a"),
    ({"scores_b": B[:4]}, ValueError, "scores_b"),
    ({"scores_a": [0.8], "scores_b": [0.7]}, ValueError, "at least 2"),
    ({"n_train": 0}, ValueError, "n_train"),
    ({"n_train": 90.0}, TypeError, "n_train"),
    ({"n_test": True}, TypeError, "n_test"),
    ({"n_test": -1}, ValueError, "n_test"),
    ({"confidence": 1.0}, ValueError, r"^confidence: "),
    ({"confidence": 0}, ValueError, r"^confidence: "),
    ({"confidence": "0.95"}, ValueError, r"^confidence: "),
])
def test_bad_input_is_refused_by_name(kwargs, error, argument):
    arguments = {"scores_a": A, "scores_b": B, "n_train": 90, "n_test": 10, **kwargs}
    with pytest.raises(error, match=argument):
        corrected_resampled_ttest(arguments.pop("scores_a"), arguments.pop("scores_b"), **arguments)


# --- Mutation-testing follow-ups (make mutation): each test pins a behaviour a user relies on. ---

def test_identical_differences_still_report_every_field():
    same = corrected_resampled_ttest([0.5, 0.6, 0.7], [0.4, 0.5, 0.6], n_train=9, n_test=1, confidence=0.9)
    assert same.mean_difference == pytest.approx(0.1) and same.df == 2 and same.confidence == 0.9
    assert str(same).startswith("mean difference +0.1000, 90 % interval [+0.1000, +0.1000], t = inf on 2 df")


def test_integer_and_float32_scores_are_accepted():
    # e.g. numbers of correct answers per split, or a Keras metric's float32 values
    counts = corrected_resampled_ttest([80, 82, 81, 79, 83], [78, 80, 80, 80, 80], n_train=90, n_test=10)
    reference = corrected_resampled_ttest(A, B, n_train=90, n_test=10)
    assert counts.mean_difference == pytest.approx(1.4)
    assert counts.t == pytest.approx(reference.t) and counts.p_value == pytest.approx(reference.p_value)
    single = corrected_resampled_ttest(np.float32(A), np.float32(B), n_train=90, n_test=10)
    assert single.t == pytest.approx(reference.t, rel=1e-4)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"scores_a": "0.8"}, TypeError, r"^scores_a: expected one score per split .*, got str$"),
    ({"scores_b": None}, TypeError, r"^scores_b: expected one score per split .*, got NoneType$"),
    ({"scores_a": ["a"] * 5}, TypeError, r"^scores_a: expected numbers"),
    ({"scores_b": [0.8, float("inf"), 0.8, 0.8, 0.8]}, ValueError, r"^scores_b: expected finite"),
    ({"scores_b": B[:4]}, ValueError, r"^scores_b: expected one score per split like scores_a"),
    ({"n_train": 90.0}, TypeError, r"^n_train: expected a whole number of samples, got float$"),
    ({"n_train": 0}, ValueError, r"^n_train: expected at least 1 sample"),
    ({"n_test": "10"}, TypeError, r"^n_test: expected a whole number of samples, got str$"),
    ({"n_test": -1}, ValueError, r"^n_test: expected at least 1 sample"),
])
def test_errors_start_with_the_argument_name(kwargs, error, message):
    arguments = {"scores_a": A, "scores_b": B, "n_train": 90, "n_test": 10, **kwargs}
    with pytest.raises(error, match=message):
        corrected_resampled_ttest(arguments.pop("scores_a"), arguments.pop("scores_b"), **arguments)


def test_bootstrap_interval_by_hand():
    # five items, four resamples drawn as the docstring says; the statistic is the mean, row by row
    values = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    rows = np.random.default_rng(7).integers(0, 5, (4, 5))
    means = sorted(float(np.mean([values[k] for k in row])) for row in rows)
    # numpy's default percentile interpolates linearly between order statistics: 2.5 % of 3 gaps
    expected_low = means[0] + 0.075 * (means[1] - means[0])
    expected_high = means[2] + 0.925 * (means[3] - means[2])
    low, high = bootstrap_interval(lambda idx: values[idx].mean(axis=1), 5, n_boot=4, seed=7)
    assert low == pytest.approx(expected_low) and high == pytest.approx(expected_high)


def test_bootstrap_interval_of_a_mean_matches_the_normal_interval():
    # n = 400 draws of N(0, 1): the 95 % interval of the mean is about +-1.96 / sqrt(400) = +-0.098
    data = np.random.default_rng(1).normal(size=400)
    low, high = bootstrap_interval(lambda idx: data[idx].mean(axis=1), 400, n_boot=4000, seed=2)
    half = 1.96 * data.std(ddof=1) / math.sqrt(400)
    assert low == pytest.approx(data.mean() - half, abs=0.015)
    assert high == pytest.approx(data.mean() + half, abs=0.015)


def test_bootstrap_interval_of_several_statistics_and_a_paired_difference():
    a = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    both = bootstrap_interval(lambda idx: np.stack([a[idx].mean(axis=1), a[idx].mean(axis=1) * 2], axis=1), 6)
    assert both[0].shape == (2,) and np.allclose(both[0][1], 2 * both[0][0])
    same = bootstrap_interval(lambda idx: a[idx].mean(axis=1) - a[idx].mean(axis=1), 6)
    assert same == (0.0, 0.0)  # an arm paired with itself: no spread at all


@pytest.mark.parametrize("kwargs, error, argument", [
    ({"statistic": "mean"}, TypeError, r"^statistic: "),
    ({"n_items": 0}, ValueError, r"^n_items: "),
    ({"n_items": 2.5}, TypeError, r"^n_items: "),
    ({"n_boot": 0}, ValueError, r"^n_boot: "),
    ({"confidence": 1.0}, ValueError, r"^confidence: "),
    ({"confidence": 0.0}, ValueError, r"^confidence: "),
    ({"confidence": "0.95"}, ValueError, r"^confidence: "),
    ({"confidence": True}, ValueError, r"^confidence: "),
    ({"seed": "zero"}, TypeError, r"^seed: .*got str"),
    ({"statistic": "mean"}, TypeError, r"^statistic: .*got str"),
    ({"statistic": lambda idx: idx.mean()}, ValueError, r"^statistic: "),
])
def test_bootstrap_interval_refuses_bad_input_by_name(kwargs, error, argument):
    call = {"statistic": lambda idx: idx.mean(axis=1), "n_items": 5, **kwargs}
    statistic, n_items = call.pop("statistic"), call.pop("n_items")
    with pytest.raises(error, match=argument):
        bootstrap_interval(statistic, n_items, **call)



def test_bootstrap_interval_defaults_are_the_documented_ones():
    # n_boot=2000 resamples drawn from default_rng(0), as the docstring says: the statistic sees them
    seen = []
    bootstrap_interval(lambda idx: seen.append(idx) or idx.mean(axis=1), 7)
    expected = np.random.default_rng(0).integers(0, 7, (2000, 7))
    assert np.array_equal(seen[0], expected)


def test_bootstrap_interval_returns_floats_for_one_statistic_and_arrays_for_several():
    a = np.array([0, 1, 1, 0, 1, 1])  # integers: the draws are averaged as floats all the same
    low, high = bootstrap_interval(lambda idx: a[idx].sum(axis=1) // 2, 6, n_boot=50)
    assert type(low) is float and type(high) is float
    assert isinstance(low, float) and 0.0 <= low <= high <= 3.0
    low_k, high_k = bootstrap_interval(lambda idx: np.stack([a[idx].sum(axis=1) // 2] * 2, axis=1), 6, n_boot=50)
    assert low_k.dtype == np.float64 and low_k.shape == (2,) and np.array_equal(low_k, [low, low])
    # True/False draws (a statistic that says whether something happened) are counted as 1.0/0.0
    half = bootstrap_interval(lambda idx: idx[:, 0] > 2, 6, n_boot=40, confidence=0.5, seed=3)
    draws = (np.random.default_rng(3).integers(0, 6, (40, 6))[:, 0] > 2).astype(float)
    assert half == tuple(float(v) for v in np.percentile(draws, [25, 75]))
