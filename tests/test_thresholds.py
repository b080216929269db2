import numpy as np
import pytest
import sklearn.metrics as skm

from mlc_utils.data import toy_photos
from mlc_utils.thresholds import (
    DEFAULT_GRID,
    THRESHOLD_METRICS,
    apply_thresholds,
    cardinality_threshold,
    SHRINKAGE_STRENGTH,
    shrink_thresholds,
    top_k,
    tune_shrunk_thresholds,
    tune_thresholds,
    tuned_minus_half,
)

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


# -- hand-worked data (issue 13): scores exactly at the candidates; micro and macro disagree --------
# Label 0: y [1,1,1,0], scores [.4,.2,.8,.2]; label 1: y [0,1,0,0], scores [.2,.8,.6,.2]; grid .3/.5/.7.
#   t = 0.3: label 0 tp 2 fn 1 -> F1 4/5; label 1 tp 1 fp 1 -> 2/3; micro 6/8 = .75;  macro .733
#   t = 0.5: label 0 tp 1 fn 2 -> 1/2;   label 1 tp 1 fp 1 -> 2/3; micro 4/7 = .571; macro .583
#   t = 0.7: label 0 tp 1 fn 2 -> 1/2;   label 1 tp 1      -> 1;   micro 4/6 = .667; macro .75
# Per label: label 0 best at 0.3 (4/5), label 1 at 0.7 (1); then micro-F1 = 6/7.
Y_HAND = np.array([[1, 0], [1, 1], [1, 0], [0, 0]])
S_HAND = np.array([[0.4, 0.2], [0.2, 0.8], [0.8, 0.6], [0.2, 0.2]])
GRID = [0.3, 0.5, 0.7]


def test_micro_and_macro_pick_different_global_thresholds():
    assert tune_thresholds(Y_HAND, S_HAND, metric="f1_micro", per_label=False, grid=GRID).tolist() == [0.3, 0.3]
    assert tune_thresholds(Y_HAND, S_HAND, metric="f1_macro", per_label=False, grid=GRID).tolist() == [0.7, 0.7]
    assert tune_thresholds(Y_HAND, S_HAND, metric="f1", per_label=False, grid=GRID).tolist() == [0.3, 0.3]


@pytest.mark.parametrize("metric", ["f1", "f1_macro", "f1_micro"])
def test_per_label_thresholds_by_hand(metric):
    # "f1"/"f1_macro": each label's own best; "f1_micro": the coordinate ascent from the global 0.3
    # moves label 1 to 0.7 (micro-F1 3/4 -> 6/7), so an ascent that never runs is caught.
    assert tune_thresholds(Y_HAND, S_HAND, metric=metric, grid=GRID).tolist() == [0.3, 0.7]


def test_coordinate_ascent_improves_subset_accuracy_and_hamming_loss_by_hand():
    # Global: subset accuracy at .3 = 2/4 (rows 1, 4), at .5 = 1/4, at .7 = 2/4 (rows 3, 4): tie -> 0.3
    # (equally far from 0.5, the first wins). Label 1 to 0.7 then makes rows 1, 3, 4 right: 3/4.
    assert tune_thresholds(Y_HAND, S_HAND, metric="subset_accuracy", grid=GRID).tolist() == [0.3, 0.7]
    assert tune_thresholds(Y_HAND, S_HAND, metric="hamming_loss", grid=GRID).tolist() == [0.3, 0.7]


def test_a_score_exactly_at_a_threshold_is_predicted():
    # y [1, 0, 1], scores [.3, .3, .6]: at 0.3 (>=) all three predicted: F1 = 2*2/(2+3) = 4/5;
    # at 0.31 only the third: F1 = 2/3. With '>' instead of '>=' 0.3 would also give 2/3.
    y_true, y_score = np.array([[1], [0], [1]]), np.array([[0.3], [0.3], [0.6]])
    assert tune_thresholds(y_true, y_score, grid=[0.3, 0.31]).tolist() == [0.3]
    assert tune_thresholds(y_true, y_score, grid=[0.3, 0.31], per_label=False).tolist() == [0.3]
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.3), [[1], [1], [1]])
    np.testing.assert_array_equal(apply_thresholds(y_score, [0.6]), [[0], [0], [1]])
    assert DEFAULT_GRID[29] == 0.3  # the default grid holds 0.3 exactly
    assert tune_thresholds(y_true, y_score).tolist() == [0.3]


def test_default_grid_is_one_hundredth_steps():
    assert DEFAULT_GRID.tolist() == [i / 100 for i in range(1, 100)]


def test_ties_prefer_the_candidate_closest_to_one_half_by_hand():
    # Every threshold in (0.2, 0.8] gives F1 1: among 0.3, 0.45, 0.7 the closest to 0.5 is 0.45.
    y_true, y_score = np.array([[1], [0]]), np.array([[0.8], [0.2]])
    assert tune_thresholds(y_true, y_score, grid=[0.3, 0.45, 0.7]).tolist() == [0.45]
    assert tune_thresholds(y_true, y_score, grid=[0.7, 0.56, 0.3]).tolist() == [0.56]
    assert tune_thresholds(y_true, y_score, grid=[0.3, 0.45, 0.7], per_label=False,
                           metric="jaccard_samples").tolist() == [0.45]


def test_at_least_one_with_ties_and_exact_thresholds():
    y_score = np.array([[0.5, 0.2, 0.5], [0.1, 0.3, 0.3], [0.6, 0.2, 0.1]])
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.5), [[1, 0, 1], [0, 0, 0], [1, 0, 0]])
    # row 2 is empty: its top label (ties: the first, column 1) is added; the others are unchanged
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.5, at_least_one=True),
                                  [[1, 0, 1], [0, 1, 0], [1, 0, 0]])


def test_every_threshold_metric_by_hand():
    t = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
    p = np.array([[1, 1], [0, 0], [1, 1]], dtype=bool)
    # label 0 right everywhere (F1 1); label 1: tp 1, fp 1, fn 1 (F1 1/2). Per sample F1: 2/3, 0, 1.
    expected = {
        "f1": 2 * 3 / (4 + 4), "f1_micro": 6 / 8, "f1_macro": (1 + 0.5) / 2,
        "f1_samples": (2 / 3 + 0 + 1) / 3, "jaccard_samples": (1 / 2 + 0 + 1) / 3,
        "subset_accuracy": 1 / 3, "hamming_loss": -2 / 6,
    }
    for name, value in expected.items():
        assert THRESHOLD_METRICS[name](t, p) == pytest.approx(value), name


# -- messages name the argument; small behaviours the mutation run found untested -----------------


def test_scores_are_named_when_refused():
    for call in (lambda s: apply_thresholds(s, 0.5), lambda s: top_k(s, 1),
                 lambda s: cardinality_threshold(s, 1.0)):
        with pytest.raises(ValueError, match=r"^y_score: expected probabilities in \[0, 1\]"):
            call([[0.5, 1.5]])
    with pytest.raises(TypeError, match=r"^k: expected an integer, got float 1.5"):
        top_k([[0.5, 0.4]], 1.5)


def test_at_least_one_must_be_a_boolean():
    with pytest.raises(TypeError, match=r"^at_least_one: expected True or False, got str$"):
        apply_thresholds([[0.5, 0.4]], 0.5, at_least_one="yes")


def test_at_least_one_fills_each_empty_row_with_its_own_top_label():
    # Two empty rows with their top labels in different columns (a flattened argmax would not be).
    y_score = np.array([[0.1, 0.3, 0.2], [0.9, 0.8, 0.7], [0.2, 0.1, 0.4]])
    np.testing.assert_array_equal(apply_thresholds(y_score, 0.95, at_least_one=True),
                                  [[0, 1, 0], [1, 0, 0], [0, 0, 1]])


def test_top_k_ties_over_many_labels_keep_label_order_and_int_dtype():
    # 20 labels, 0.5 on the odd columns, 0.2 on the even ones: the three lowest odd columns win
    # (NumPy's default, unstable sort picks columns 1, 3, 7 here).
    y_score = np.tile(np.where(np.arange(20) % 2 == 1, 0.5, 0.2), (3, 1))
    p = top_k(y_score, 3)
    assert p.dtype == np.int64
    np.testing.assert_array_equal(np.flatnonzero(p[0]), [1, 3, 5])
    np.testing.assert_array_equal(p.sum(axis=1), [3, 3, 3])


def test_cardinality_threshold_by_hand():
    # Scores 0.2 and 0.6: thresholds in (0.2, 0.6] predict 1 label, above 0.6 none, up to 0.2 both.
    y_score = [[0.2, 0.6]]
    assert cardinality_threshold(y_score, 1) == 0.5     # ties: the candidate closest to 0.5
    assert cardinality_threshold(y_score, 0) == 0.61    # 0 labels per sample is allowed
    assert cardinality_threshold(y_score, 2) == 0.2
    assert cardinality_threshold(y_score, 1.9, grid=[0.1, 0.7]) == 0.1
    with pytest.raises(TypeError, match=r"^cardinality: expected a number, got str$"):
        cardinality_threshold(y_score, "1")
    with pytest.raises(ValueError, match=r"^cardinality: expected a number in \[0, 2\]"):
        cardinality_threshold(y_score, 2.5)
    with pytest.raises(ValueError, match=r"^grid: expected values in \[0, 1\]"):
        cardinality_threshold(y_score, 1, grid=[2.0])


def test_shrink_thresholds_by_hand():
    assert shrink_thresholds([0.3], 0.5, weight=0.5).tolist() == [0.4]
    assert shrink_thresholds([0.2, 0.8], 0.5, weight=[1.0, 0.0]).tolist() == [0.2, 0.5]
    with pytest.raises(TypeError, match=r"^thresholds: expected an array of thresholds, got str$"):
        shrink_thresholds("0.3", 0.5, weight=0.5)
    with pytest.raises(ValueError, match=r"^thresholds: expected a 1-D array"):
        shrink_thresholds([], 0.5, weight=0.5)
    for kwargs, name in [(dict(thresholds=[1.3], toward=0.5, weight=0.5), "thresholds"),
                         (dict(thresholds=[0.3], toward=1.5, weight=0.5), "toward"),
                         (dict(thresholds=[0.3], toward=0.5, weight=1.5), "weight")]:
        with pytest.raises(ValueError, match=rf"^{name}: expected values in \[0, 1\]"):
            shrink_thresholds(kwargs.pop("thresholds"), **kwargs)


def test_per_label_macro_f1_prefers_one_half_among_ties_like_f1():
    # Label A: only 0.7 separates it (F1 1 vs 2/3); label B: every candidate gives F1 1, so its own
    # best is the one closest to 0.5, although the best global threshold (0.7) is as good.
    y_true = np.array([[1, 1], [0, 0], [0, 0]])
    y_score = np.array([[0.8, 0.8], [0.6, 0.2], [0.2, 0.2]])
    for metric in ("f1", "f1_macro"):
        assert tune_thresholds(y_true, y_score, metric=metric, grid=[0.3, 0.5, 0.7]).tolist() == [0.7, 0.5]
    with pytest.raises(TypeError, match=r"^per_label: expected True or False, got str$"):
        tune_thresholds(y_true, y_score, per_label="yes")


def test_coordinate_ascent_keeps_sweeping_until_nothing_changes():
    # Found by search: one sweep leaves label 0 at 0.5; the second sweep moves it to 0.7, which
    # reaches the best subset accuracy of all 27 threshold combinations (brute force, scikit-learn).
    y_true = np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 0]])
    y_score = np.array([[0.6, 0.6, 0.6], [0.8, 0.8, 0.8], [0.4, 0.6, 0.4], [0.4, 0.4, 0.6], [0.2, 0.2, 0.6]])
    grid = [0.3, 0.5, 0.7]
    best = max(skm.accuracy_score(y_true, (y_score >= np.array(c)).astype(int))
               for c in np.array(np.meshgrid(grid, grid, grid)).T.reshape(-1, 3))
    tuned = tune_thresholds(y_true, y_score, metric="subset_accuracy", grid=grid)
    assert skm.accuracy_score(y_true, (y_score >= tuned).astype(int)) == best
    assert tuned.tolist() == [0.7, 0.5, 0.7]


def test_ascent_counts_a_score_at_the_candidate_and_moves_only_on_improvement():
    # Label 1's positive scores exactly 0.7: from the global 0.3 (micro-F1 3/4) the ascent moves
    # label 1 to 0.7 (6/7) only if 0.7 >= 0.7 counts as predicted.
    s = S_HAND.copy()
    s[1, 1] = 0.7
    assert tune_thresholds(Y_HAND, s, metric="f1_micro", grid=GRID).tolist() == [0.3, 0.7]
    # Global micro-F1 is best at 0.7 (1.0); label B is perfect at every candidate: no improvement,
    # so it keeps 0.7 (it does not drift to the candidate closest to 0.5).
    y_true = np.array([[1, 1], [0, 0], [0, 0]])
    y_score = np.array([[0.8, 0.8], [0.6, 0.2], [0.2, 0.2]])
    assert tune_thresholds(y_true, y_score, metric="f1_micro", grid=GRID).tolist() == [0.7, 0.7]


def test_best_breaks_ties_only_between_exactly_equal_values():
    from mlc_utils.thresholds import _best

    grid = np.array([0.3, 0.5])
    assert _best(np.array([0.9, 0.9 - 1e-7]), grid) == 0.3   # not a tie (relative closeness ignored)
    assert _best(np.array([0.9, 0.9 - 1e-10]), grid) == 0.3  # not a tie either (beyond 1e-12)
    assert _best(np.array([0.9, 0.9]), grid) == 0.5


# -- thresholds survivors of the full mutation run (issue 13, 2026-11-27) -----------------------------

def test_coordinate_ascent_sweeps_at_most_ten_times_and_stops_at_the_first_quiet_sweep(monkeypatch):
    # One label, one sample at 0.5, grid [0.25, 0.75]: the metric is called twice for the global
    # threshold, once for the start, then twice per sweep. A metric that always prefers the other
    # threshold (and always improves) flips the threshold on every sweep: after the 10th sweep it is
    # back at 0.25 (it started at 0.25: a tie, and 0.25 comes first among the equally close).
    calls = []

    def flipping(t, p):
        calls.append(1)
        c = len(calls)
        if c < 4:
            return 0.0
        sweep = (c - 4) // 2
        wants_positive = sweep % 2 == 1
        return 10.0 * sweep + (5.0 if bool(p.any()) == wants_positive else 0.0)

    monkeypatch.setitem(THRESHOLD_METRICS, "subset_accuracy", flipping)
    thresholds = tune_thresholds([[1]], [[0.5]], metric="subset_accuracy", grid=[0.25, 0.75])
    assert thresholds.tolist() == [0.25] and len(calls) == 3 + 2 * 10

    calls.clear()
    monkeypatch.setitem(THRESHOLD_METRICS, "subset_accuracy", lambda t, p: calls.append(1) or 0.0)
    assert tune_thresholds([[1]], [[0.5]], metric="subset_accuracy", grid=[0.25, 0.75]).tolist() == [0.25]
    assert len(calls) == 3 + 2                  # one sweep that changes nothing, then it stops


# -- chapter 8's threshold strategies: cardinality matching and shrinkage toward a global threshold --

SCORES = np.array([[0.9, 0.6, 0.1], [0.8, 0.3, 0.2]])


def test_cardinality_threshold_on_two_samples_by_hand():
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


def test_shrink_thresholds_with_scalar_and_per_label_weights_by_hand():
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


# -- the book's one shrinkage rule --


def test_tune_shrunk_thresholds_is_the_shrinkage_of_tuned_thresholds_by_hand():
    own = tune_thresholds(Y, S)
    shared = tune_thresholds(Y, S, per_label=False)[0]
    positives = Y.sum(axis=0)
    expected = [(n * o + SHRINKAGE_STRENGTH * shared) / (n + SHRINKAGE_STRENGTH) for n, o in zip(positives, own)]
    np.testing.assert_allclose(tune_shrunk_thresholds(Y, S), expected)
    assert SHRINKAGE_STRENGTH == 50


def test_tune_shrunk_thresholds_spans_per_label_and_global():
    np.testing.assert_allclose(tune_shrunk_thresholds(Y, S, strength=0), tune_thresholds(Y, S))
    np.testing.assert_allclose(tune_shrunk_thresholds(Y, S, strength=1e12), tune_thresholds(Y, S, per_label=False))


def test_tune_shrunk_thresholds_tunes_both_for_the_metric_asked():
    macro_global = tune_thresholds(Y, S, metric="f1_macro", per_label=False)
    np.testing.assert_allclose(tune_shrunk_thresholds(Y, S, metric="f1_macro", strength=1e12), macro_global)


def test_a_label_without_positives_takes_the_global_threshold_even_unshrunk():
    y = Y.copy()
    y[:, 2] = 0
    out = tune_shrunk_thresholds(y, S, strength=0)
    assert out[2] == tune_thresholds(y, S, per_label=False)[0]


@pytest.mark.parametrize("strength, error", [(-1, ValueError), (float("nan"), ValueError), ("50", TypeError),
                                             (True, TypeError), (float("inf"), ValueError)])
def test_tune_shrunk_thresholds_refuses_a_bad_strength(strength, error):
    with pytest.raises(error, match="strength"):
        tune_shrunk_thresholds(Y, S, strength=strength)


def _tuned_minus_half_by_hand(y, s, repeats, seed, compare):
    """Chapter 12's loop, written with scikit-learn; compare(scores, thresholds) -> 0/1 predictions."""
    from mlc_utils.stats import corrected_resampled_ttest

    order_rng, half = np.random.default_rng(seed), len(y) // 2
    tuned_f1, half_f1 = [], []
    for _ in range(repeats):
        order = order_rng.permutation(len(y))
        for fit, held in ((order[:half], order[half:]), (order[half:], order[:half])):
            tuned = tune_shrunk_thresholds(y[fit], s[fit])
            tuned_f1.append(skm.f1_score(y[held], compare(s[held], tuned), average="micro"))
            half_f1.append(skm.f1_score(y[held], compare(s[held], np.full(y.shape[1], 0.5)), average="micro"))
    return corrected_resampled_ttest(tuned_f1, half_f1, n_train=half, n_test=len(y) - half)


FIELDS = ("mean_difference", "std_error", "low", "high", "p_value")


def test_tuned_minus_half_is_chapter_12s_loop_by_hand():
    y, s = Y[:199], S[:199]  # an odd count: the halves differ in size, so n_train and n_test differ
    expected = _tuned_minus_half_by_hand(y, s, 4, 3, lambda scores, t: scores >= t)
    got = tuned_minus_half(y, s, repeats=4, seed=3)
    for field in FIELDS:
        assert getattr(got, field) == pytest.approx(getattr(expected, field)), field


def test_tuned_minus_half_compares_in_the_scores_precision_as_apply_thresholds_does():
    # Keras' float32 scores on the 0.01 grid: float32(0.7) < 0.7, so a score of float32(0.7) reaches a
    # threshold of 0.7 only when the threshold is rounded to float32 too (the book's rule).
    s32 = np.round(S, 2).astype(np.float32)
    rounded = _tuned_minus_half_by_hand(Y, s32, 4, 3, lambda scores, t: scores >= np.float32(t))
    in_float64 = _tuned_minus_half_by_hand(Y, s32, 4, 3, lambda scores, t: scores >= np.asarray(t, np.float64))
    got = tuned_minus_half(Y, s32, repeats=4, seed=3)
    assert rounded.mean_difference != in_float64.mean_difference  # the data has such ties
    for field in FIELDS:
        assert getattr(got, field) == pytest.approx(getattr(rounded, field)), field


def test_tuned_minus_half_finds_a_real_gain_and_no_gain_where_there_is_none():
    low_scores = S * 0.5  # every positive now scores under 0.5: 0.5 predicts nothing
    assert tuned_minus_half(Y, low_scores).low > 0
    balanced = np.where(Y == 1, 0.9, 0.1)  # 0.5 already separates perfectly: nothing to gain
    assert tuned_minus_half(Y, balanced).mean_difference == 0


def test_tuned_minus_half_is_repeatable_by_seed():
    assert tuned_minus_half(Y, S, seed=1) == tuned_minus_half(Y, S, seed=1)
    assert tuned_minus_half(Y, S, seed=1).mean_difference != tuned_minus_half(Y, S, seed=2).mean_difference


@pytest.mark.parametrize("kwargs, error, message", [
    ({"repeats": 0}, ValueError, "repeats"),
    ({"repeats": 2.5}, TypeError, "repeats"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": "0"}, TypeError, "seed"),
])
def test_tuned_minus_half_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        tuned_minus_half(Y, S, **kwargs)


def test_tuned_minus_half_refuses_too_few_rows_and_mismatched_scores():
    with pytest.raises(ValueError, match="y_true.*at least 4 rows"):
        tuned_minus_half(Y[:3], S[:3])
    with pytest.raises(ValueError, match="y_score"):
        tuned_minus_half(Y, S[:-1])
