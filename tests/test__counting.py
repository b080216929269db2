"""The private counting helpers against scikit-learn (zero_division=0), by hand and on random problems."""


import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlc_utils._counting import (
    AVERAGES,
    averaged,
    counts,
    divide,
    f1_micro,
    f1_per_label,
    hamming_loss,
    subset_accuracy,
)

SKLEARN = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score,
           "jaccard": skm.jaccard_score}

# The toy photos at t = 0.5 (as in test_exercises): per label (tp, true, pred) cat (3,3,3),
# dog (2,3,3), person (2,3,2); micro (7,9,8); per sample (1,1,1), (2,2,2), (1,2,1), (1,1,2), (2,3,2).
T = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=bool)
P = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]], dtype=bool)
# A label never present nor predicted (column 1) and a sample with neither (row 1): every 0/0 case.
T0 = np.array([[1, 0], [0, 0], [1, 0]], dtype=bool)
P0 = np.array([[1, 0], [0, 0], [0, 0]], dtype=bool)


def test_divide_is_zero_where_the_denominator_is_zero():
    out = divide([1, 2, 3], [2, 0, 4])
    assert out.dtype == np.float64 and out.tolist() == [0.5, 0.0, 0.75]
    assert divide(0, 0).shape == () and float(divide(0, 0)) == 0.0
    assert divide(np.array([[2], [3]]), np.array([4, 0])).tolist() == [[0.5, 0.0], [0.75, 0.0]]  # broadcasts
    assert float(divide(np.int64(7), np.int64(8))) == 7 / 8


def test_counts_by_hand_over_cells_labels_and_samples():
    assert [int(c) for c in counts(T, P)] == [7, 9, 8]
    assert [c.tolist() for c in counts(T, P, axis=0)] == [[3, 2, 2], [3, 3, 3], [3, 3, 2]]
    assert [c.tolist() for c in counts(T, P, axis=1)] == [[1, 2, 1, 1, 2], [1, 2, 2, 1, 3], [1, 2, 1, 2, 2]]
    # 0/1 integers count as booleans (no bitwise surprises)
    assert [int(c) for c in counts(T.astype(np.int64), P.astype(float))] == [7, 9, 8]


def test_f1_micro_and_per_label_by_hand_and_as_scikit_learn():
    assert f1_micro(T, P) == pytest.approx(14 / 17) and isinstance(f1_micro(T, P), float)
    np.testing.assert_allclose(f1_per_label(T, P), [1, 2 / 3, 4 / 5])
    assert f1_micro(T, P) == pytest.approx(skm.f1_score(T, P, average="micro"))
    np.testing.assert_allclose(f1_per_label(T0, P0), skm.f1_score(T0, P0, average=None, zero_division=0))
    empty = np.zeros((2, 3), dtype=bool)
    assert f1_micro(empty, empty) == 0.0  # 0/0 counts 0, as scikit-learn's zero_division=0


@pytest.mark.parametrize("kind", sorted(SKLEARN))
@pytest.mark.parametrize("average", [*AVERAGES, None])
@pytest.mark.parametrize("t, p", [(T, P), (T0, P0)], ids=["toy", "zero_division"])
def test_averaged_is_scikit_learns_score(kind, average, t, p):
    ours = averaged(kind, t, p, average)
    theirs = SKLEARN[kind](t, p, average=average, zero_division=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert isinstance(ours, np.ndarray) if average is None else isinstance(ours, float)


def test_averaged_by_hand_on_the_toy_photos():
    assert averaged("precision", T, P, "micro") == pytest.approx(7 / 8)
    assert averaged("recall", T, P, "samples") == pytest.approx((1 + 1 + 1 / 2 + 1 + 2 / 3) / 5)
    assert averaged("jaccard", T, P, "macro") == pytest.approx((1 + 2 / 4 + 2 / 3) / 3)
    # weighted by support: label 0 (support 3, F1 4/5), label 1 (support 1, F1 0)
    assert averaged("f1", [[1, 0], [1, 0], [1, 1]], [[1, 0], [0, 0], [1, 0]], "weighted") == pytest.approx(0.6)


def test_averaged_counts_one_label_column_as_a_label_not_a_binary_target():
    # scikit-learn reads one column as a binary target; here it is one label of a multi-label problem.
    t, p = [[1], [1], [1], [0], [0]], [[1], [1], [0], [0], [0]]
    assert averaged("f1", t, p, "samples") == pytest.approx(2 / 5)
    assert averaged("f1", t, p, None).tolist() == pytest.approx([4 / 5])


def test_averaged_refuses_an_unknown_average():
    with pytest.raises(ValueError, match=r"^average: expected one of \['micro', 'macro', 'weighted', 'samples'\] "
                                         r"or None, got 'binary'$"):
        averaged("f1", T, P, "binary")


def test_subset_accuracy_and_hamming_loss_are_scikit_learns():
    assert subset_accuracy(T, P) == pytest.approx(2 / 5) == skm.accuracy_score(T, P)
    assert hamming_loss(T, P) == pytest.approx(3 / 15) == skm.hamming_loss(T, P)
    assert subset_accuracy(T.astype(int), P) == pytest.approx(2 / 5)  # 0/1 integers against booleans


SETTINGS = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def label_pairs(draw):
    n = draw(st.integers(1, 8))
    n_labels = draw(st.integers(2, 5))  # one column would be a binary target to scikit-learn
    t = draw(arrays(bool, (n, n_labels)))
    p = draw(arrays(bool, (n, n_labels)))
    return t, p


@SETTINGS
@given(label_pairs())
def test_every_score_is_scikit_learns_on_random_problems(pair):
    t, p = pair
    assert f1_micro(t, p) == pytest.approx(skm.f1_score(t, p, average="micro", zero_division=0), abs=1e-12)
    np.testing.assert_allclose(f1_per_label(t, p), skm.f1_score(t, p, average=None, zero_division=0), atol=1e-12)
    for kind, fn in SKLEARN.items():
        for average in (*AVERAGES, None):
            np.testing.assert_allclose(averaged(kind, t, p, average), fn(t, p, average=average, zero_division=0),
                                       atol=1e-12, err_msg=f"{kind} {average}")
    assert subset_accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p), abs=1e-12)
    assert hamming_loss(t, p) == pytest.approx(skm.hamming_loss(t, p), abs=1e-12)
