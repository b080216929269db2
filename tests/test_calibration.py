import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, label_ranking_average_precision_score, roc_auc_score

from mlc_utils.calibration import (
    adjust_to_new_priors,
    apply_temperature,
    brier_scores,
    expected_calibration_error,
    fit_temperature,
)

rng = np.random.default_rng(0)
Y = (rng.random((400, 3)) < [0.2, 0.5, 0.7]).astype(int)
LOGITS = np.where(Y == 1, 1.0, -1.0) * 1.5 + rng.normal(0, 1.5, Y.shape)
S = 1 / (1 + np.exp(-LOGITS))  # calibrated-ish scores


def test_ece_by_hand():
    y = np.array([[1], [0], [1], [0]])
    s = np.array([[0.9], [0.8], [0.3], [0.1]])
    # bin [0, 0.5]: truth 1 + 0 against scores 0.4; bin (0.5, 1]: 1 + 0 against 1.7 -> (0.6 + 0.7) / 4
    assert expected_calibration_error(y, s, n_bins=2) == pytest.approx(0.325)
    assert expected_calibration_error(y, s, n_bins=1) == pytest.approx(abs(2 - 2.1) / 4)


def test_ece_agrees_with_scikit_learns_calibration_curve():
    for j in range(3):
        prob_true, prob_pred = calibration_curve(Y[:, j], S[:, j], n_bins=10, strategy="uniform")
        counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], S[:, j]), minlength=10)
        counts = counts[counts > 0]
        expected = np.sum(counts * np.abs(prob_true - prob_pred)) / len(S)
        assert expected_calibration_error(Y, S, per_label=True)[j] == pytest.approx(expected)
    pooled = expected_calibration_error(Y, S)
    assert pooled == pytest.approx(expected_calibration_error(Y.reshape(-1, 1), S.reshape(-1, 1)))


def test_a_perfectly_calibrated_bin_has_no_gap_and_a_confident_liar_the_largest():
    y = np.array([[1], [1], [0], [0]])
    assert expected_calibration_error(y, np.full((4, 1), 0.5)) == 0
    assert expected_calibration_error(y, np.array([[0.0], [0.0], [1.0], [1.0]])) == 1


def test_brier_scores_match_scikit_learn():
    per_label = brier_scores(Y, S, per_label=True)
    np.testing.assert_allclose(per_label, [brier_score_loss(Y[:, j], S[:, j]) for j in range(3)])
    assert brier_scores(Y, S) == pytest.approx(per_label.mean())


def test_temperature_scaling_undoes_a_known_temperature():
    # scores sharpened by 3: the fitted temperature is about 3, and applying it restores calibration
    sharp = 1 / (1 + np.exp(-3 * LOGITS))
    big = np.tile(sharp, (5, 1)), np.tile(Y, (5, 1))
    temperature = fit_temperature(big[1], big[0])
    assert temperature.shape == (3,) and np.all(temperature == temperature[0])
    assert temperature[0] == pytest.approx(3 * fit_temperature(Y, S)[0], rel=1e-3)
    fixed = apply_temperature(sharp, temperature)
    assert expected_calibration_error(Y, fixed) < expected_calibration_error(Y, sharp) / 2
    assert brier_scores(Y, fixed) < brier_scores(Y, sharp)


def test_the_fitted_temperature_minimises_the_cross_entropy():
    def bce(temperature):
        p = np.clip(apply_temperature(S, temperature), 1e-12, 1 - 1e-12)
        return -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))

    best = fit_temperature(Y, S)[0]
    assert bce(best) <= min(bce(best * 0.95), bce(best * 1.05))
    per_label = fit_temperature(Y, S, per_label=True)
    assert per_label.shape == (3,) and len(set(np.round(per_label, 4))) == 3


def test_a_temperature_changes_no_ranking():
    cooled = apply_temperature(S, [0.5, 2.0, 7.0])
    for j in range(3):
        assert roc_auc_score(Y[:, j], cooled[:, j]) == pytest.approx(roc_auc_score(Y[:, j], S[:, j]))
    assert label_ranking_average_precision_score(Y, apply_temperature(S, 2.0)) == pytest.approx(
        label_ranking_average_precision_score(Y, S))
    np.testing.assert_allclose(apply_temperature(S, 1.0), S, atol=1e-6)
    assert apply_temperature(np.array([[0.5]]), 3.0)[0, 0] == pytest.approx(0.5)
    assert apply_temperature(np.array([[0.8]]), 2.0)[0, 0] == pytest.approx(1 / (1 + np.sqrt(0.25)))


def test_prior_adjustment_one_step_by_hand():
    scores = np.array([[0.9], [0.1], [0.1], [0.1]])
    # step 1 starts at the training prior, so the scores stay and the new prior is their mean, 0.3
    adjusted, priors = adjust_to_new_priors(scores, [0.5], max_iter=1)
    assert priors[0] == pytest.approx(0.3)
    np.testing.assert_allclose(adjusted.ravel(), [0.9, 0.1, 0.1, 0.1])
    # step 2 at prior 0.3: s' = 0.6 s / (0.6 s + 1.4 (1 - s)): 0.9 -> 0.54 / 0.68, 0.1 -> 0.06 / 1.32
    adjusted, priors = adjust_to_new_priors(scores, [0.5], max_iter=2)
    np.testing.assert_allclose(adjusted.ravel(), [0.54 / 0.68] + [0.06 / 1.32] * 3)
    assert priors[0] == pytest.approx((0.54 / 0.68 + 3 * 0.06 / 1.32) / 4)
    unchanged, same = adjust_to_new_priors(np.array([[0.5], [0.5]]), [0.5])
    assert same.tolist() == [0.5] and unchanged.ravel().tolist() == [0.5, 0.5]  # a fixed point


def test_prior_adjustment_recovers_a_shifted_frequency():
    # Bayes-optimal scores for two Gaussians under a training prior of 0.5; test data where the label
    # is present 10 % of the time. EM estimates about 0.1 without seeing a label.
    gen = np.random.default_rng(1)
    y = (gen.random(20_000) < 0.1).astype(int)
    x = gen.normal(np.where(y == 1, 1.0, -1.0), 1.0)
    s = 1 / (1 + np.exp(-2 * x))  # P(present | x) when the prior is 0.5
    adjusted, priors = adjust_to_new_priors(s[:, None], [0.5])
    assert priors[0] == pytest.approx(0.1, abs=0.01)
    truth = 1 / (1 + np.exp(-2 * x) * 9)  # the true posterior under prior 0.1
    np.testing.assert_allclose(adjusted[:, 0], truth, atol=0.02)
    assert s.mean() > 0.25


def test_known_new_priors_apply_bayes_rule_once():
    scores = np.array([[0.9, 0.5], [0.3, 0.2]])
    adjusted, priors = adjust_to_new_priors(scores, [0.25, 0.5], new_priors=[0.02, 0.5])
    up, down = 0.02 / 0.25, 0.98 / 0.75
    np.testing.assert_allclose(adjusted[:, 0], up * scores[:, 0] / (up * scores[:, 0] + down * (1 - scores[:, 0])))
    np.testing.assert_allclose(adjusted[:, 1], scores[:, 1])  # an unchanged frequency changes nothing
    assert priors.tolist() == [0.02, 0.5]


@pytest.mark.parametrize("call, error, argument", [
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], new_priors=[0.2, 0.5]), ValueError, "new_priors"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], new_priors=[0, 0.5, 0.5]), ValueError, "new_priors"),
    (lambda: expected_calibration_error(Y, S, n_bins=0), ValueError, "n_bins"),
    (lambda: expected_calibration_error(Y, S, per_label=1), TypeError, "per_label"),
    (lambda: expected_calibration_error(Y, S * 2), ValueError, "y_score"),
    (lambda: brier_scores(Y[:10], S), ValueError, "y_"),
    (lambda: fit_temperature(Y, S, per_label="yes"), TypeError, "per_label"),
    (lambda: apply_temperature(S, 0), ValueError, "temperature"),
    (lambda: apply_temperature(S, [1.0, 2.0]), ValueError, "temperature"),
    (lambda: apply_temperature(S, "2"), TypeError, "temperature"),
    (lambda: apply_temperature(S, True), TypeError, "temperature"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5]), ValueError, "train_priors"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 1.0]), ValueError, "train_priors"),
    (lambda: adjust_to_new_priors(S, "0.2"), TypeError, "train_priors"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], tol=0), ValueError, "tol"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], max_iter=0), ValueError, "max_iter"),
])
def test_bad_input_is_refused_by_name(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


# --- Mutation-testing follow-ups (make mutation): each test pins a behaviour a user relies on. ---

# expected_calibration_error

def test_ece_errors_start_with_the_argument_name():
    with pytest.raises(ValueError, match=r"^n_bins: expected an integer >= 1, got 0"):
        expected_calibration_error(Y, S, n_bins=0)
    with pytest.raises(TypeError, match=r"^per_label: expected True or False, got int$"):
        expected_calibration_error(Y, S, per_label=1)


# apply_temperature

def test_a_temperature_moves_saturated_scores_off_0_and_1():
    # float32 sigmoids reach exactly 0 and 1; softening (T > 1) must still move them inward, and
    # keep them far more confident than 1e-3 (their logit is clipped, not dropped).
    softened = apply_temperature(np.array([[0.0, 1.0]], dtype=np.float32), 2.0)
    assert np.all(np.isfinite(softened))
    assert 0 < softened[0, 0] < 1e-3 and 1 - 1e-3 < softened[0, 1] < 1
    assert softened[0, 0] == pytest.approx(1 - softened[0, 1])


def test_apply_temperature_refuses_what_is_not_a_temperature_by_name():
    with pytest.raises(TypeError, match=r"^temperature: expected a positive number or one per label, got str$"):
        apply_temperature(S, "2")
    with pytest.raises(TypeError, match=r"got NoneType$"):
        apply_temperature(S, None)
    with pytest.raises(TypeError, match=r"^temperature: expected numbers, got dtype <U1$"):
        apply_temperature(S, ["2", "2", "2"])
    with pytest.raises(ValueError, match=r"^temperature: expected a number or 3 values \(one per label\), got shape \(1, 3\)"):
        apply_temperature(S, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"^y_score: expected probabilities in \[0, 1\]"):
        apply_temperature(S * 2, 1.0)


# fit_temperature

def test_the_fitted_temperature_is_the_minimum_to_six_digits():
    # An independent solve: the root of d loss / d log T = mean((sigmoid(z / T) - y) * (-z / T)).
    from scipy.optimize import brentq

    gen = np.random.default_rng(24)
    y = (gen.random(200) < 0.4).astype(int)
    logits = np.where(y == 1, 1.0, -1.0) * 0.99 + gen.normal(0, 1.5, 200)
    s = 1 / (1 + np.exp(-logits))

    def slope(log_t):
        u = logits / np.exp(log_t)
        return np.mean((1 / (1 + np.exp(-u)) - y) * -u)

    exact = np.exp(brentq(slope, np.log(0.05), np.log(20.0), xtol=1e-15))
    assert 1.1 < exact < 1.3
    assert fit_temperature(y[:, None], s[:, None])[0] == pytest.approx(exact, rel=5e-7)


def test_scores_that_carry_no_information_get_the_largest_temperature_20():
    # Labels independent of confident scores: the loss keeps falling as T grows, so T stops at 20.
    y = np.array([[1], [0], [1], [0]] * 25)
    s = np.array([[0.9], [0.9], [0.1], [0.1]] * 25)
    assert fit_temperature(y, s)[0] == pytest.approx(20.0, rel=1e-4)
    assert fit_temperature(y, s, per_label=True)[0] == pytest.approx(20.0, rel=1e-4)


# adjust_to_new_priors

def test_float32_priors_work_like_float64_ones():
    # e.g. priors computed as Y.mean(axis=0) of a float32 label matrix
    prior32, new32 = np.float32([0.2, 0.5, 0.7]), np.float32([0.1, 0.5, 0.9])
    for kwargs in ({}, {"new_priors": new32}):
        adjusted, priors = adjust_to_new_priors(S, prior32, **kwargs)
        expected = adjust_to_new_priors(S, prior32.astype(np.float64),
                                        **{k: v.astype(np.float64) for k, v in kwargs.items()})
        np.testing.assert_allclose(adjusted, expected[0], rtol=1e-6)
        np.testing.assert_allclose(priors, expected[1], rtol=1e-6)
        assert adjusted.dtype == priors.dtype == np.float64


def test_em_stops_at_the_first_step_that_moves_the_prior_by_less_than_tol():
    scores = np.array([[0.75], [0.25], [0.25], [0.25]])
    # step 1 moves the prior from 0.5 to the mean score 0.375 (by 0.125, exact in binary);
    # step 2, at prior 0.375: 0.75 -> 0.5625 / 0.875, 0.25 -> 0.1875 / 1.125, mean 2 / 7 (by 0.089)
    adjusted, priors = adjust_to_new_priors(scores, [0.5], tol=0.2)
    assert priors.tolist() == [0.375] and adjusted.ravel().tolist() == [0.75, 0.25, 0.25, 0.25]
    adjusted, priors = adjust_to_new_priors(scores, [0.5], tol=0.125)  # "less than": 0.125 goes on
    assert priors[0] == pytest.approx(2 / 7)
    np.testing.assert_allclose(adjusted.ravel(), [0.5625 / 0.875] + [0.1875 / 1.125] * 3)


def test_em_stops_after_1000_steps_by_default():
    # Scores never above the training prior: the estimate creeps toward 0 and is still moving at
    # step 1000, so the default max_iter=1000 decides where it stops.
    scores = np.array([[0.49], [0.5], [0.5], [0.5]])
    adjusted, priors = adjust_to_new_priors(scores, [0.5])
    at_1000 = adjust_to_new_priors(scores, [0.5], max_iter=1000)
    assert priors.tolist() == at_1000[1].tolist() and adjusted.tolist() == at_1000[0].tolist()
    assert adjust_to_new_priors(scores, [0.5], max_iter=1001)[1][0] < priors[0] < 1e-4


@pytest.mark.parametrize("call, error, message", [
    (lambda: adjust_to_new_priors(S * 2, [0.2, 0.5, 0.7]), ValueError, r"^y_score: expected probabilities"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5]), ValueError, r"^train_priors: expected 3 frequencies"),
    (lambda: adjust_to_new_priors(S, "0.2"), TypeError, r"^train_priors: expected one frequency per label, got str$"),
    (lambda: adjust_to_new_priors(S, None), TypeError, r"^train_priors: .* got NoneType$"),
    (lambda: adjust_to_new_priors(S, ["0.2", "0.5", "0.7"]), TypeError, r"^train_priors: expected numbers, got dtype <U3$"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], new_priors=[0.2, 0.5]), ValueError, r"^new_priors: expected 3"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], new_priors=["0.1"] * 3), TypeError, r"^new_priors: expected numbers"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], max_iter=0), ValueError, r"^max_iter: expected an integer >= 1"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], tol=True), ValueError, r"^tol: expected a positive number, got True$"),
    (lambda: adjust_to_new_priors(S, [0.2, 0.5, 0.7], tol="1e-8"), ValueError, r"^tol: expected a positive number"),
])
def test_adjust_to_new_priors_errors_start_with_the_argument_name(call, error, message):
    with pytest.raises(error, match=message):
        call()
