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
