"""The long-tailed MultiDigits variant: ``make_multidigits(..., label_weights=...)``."""

import numpy as np
import pytest

from mlc_utils.data import _generate, _source_digits, make_multidigits

LONG_TAIL = [1, 1, 1, 1, 1, 0.5, 0.25, 0.03, 0.025, 0.02]


def test_equal_weights_give_exactly_the_default_images():
    X0, Y0 = make_multidigits(300, split="val", seed=3)
    X1, Y1 = make_multidigits(300, split="val", seed=3, label_weights=[2.0] * 10)
    np.testing.assert_array_equal(Y0, Y1)
    np.testing.assert_array_equal(X0, X1)


def test_same_arguments_give_identical_arrays():
    X0, Y0 = make_multidigits(200, seed=1, label_weights=LONG_TAIL)
    X1, Y1 = make_multidigits(200, seed=1, label_weights=np.array(LONG_TAIL))
    np.testing.assert_array_equal(X0, X1)
    np.testing.assert_array_equal(Y0, Y1)


def test_rare_digits_are_rare_and_common_ones_common():
    _, Y = make_multidigits(4000, seed=0, label_weights=LONG_TAIL)
    frequency = Y.mean(axis=0)
    # Digits 7, 8, 9 (weights 0.03..0.02) on about 1-2 % of images; digits 0-4 on roughly 40 %.
    assert np.all((frequency[7:] > 0.005) & (frequency[7:] < 0.025)), frequency
    assert np.all((frequency[:5] > 0.3) & (frequency[:5] < 0.55)), frequency
    # The number of digits per image does not depend on the weights.
    _, Y_plain = make_multidigits(4000, seed=0)
    np.testing.assert_array_equal(Y.sum(axis=1), Y_plain.sum(axis=1))


def test_first_digit_follows_the_weights():
    # With one digit per image the draw is a plain weighted choice: P(j) = w_j / sum(w).
    _, Y = make_multidigits(20000, seed=0, min_digits=1, max_digits=1, label_weights=LONG_TAIL)
    expected = np.array(LONG_TAIL) / np.sum(LONG_TAIL)
    np.testing.assert_allclose(Y.mean(axis=0), expected, atol=0.012)


def test_weighted_images_show_the_labelled_digits():
    images, target = _source_digits()
    _, Y, sources, _ = _generate(300, "train", 0, 1, 4, np.array(LONG_TAIL, dtype=float))
    for i in range(300):
        shown = sorted(int(target[s]) for s in sources[i] if s >= 0)
        assert shown == np.flatnonzero(Y[i]).tolist()


@pytest.mark.parametrize(
    "bad, error",
    [([1] * 9, ValueError), ([1] * 9 + [0], ValueError), ([1] * 9 + [-1], ValueError),
     ([1] * 9 + [np.nan], ValueError), ("long", TypeError)],
)
def test_bad_weights_are_refused(bad, error):
    with pytest.raises(error, match="label_weights"):
        make_multidigits(10, label_weights=bad)
