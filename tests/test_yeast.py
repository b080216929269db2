"""The facts chapter 11's Yeast benchmark relies on, checked against published figures."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
from sklearn.metrics import coverage_error
from sklearn.model_selection import train_test_split

pytest.importorskip("river")

from mlc_utils.data import load_yeast
from mlc_utils.metrics import coverage


@pytest.fixture(scope="module")
def yeast():
    return load_yeast()


def test_yeast_matches_the_published_description(yeast):
    X, Y, features, labels = yeast
    # Elisseeff & Weston (2001); MULAN: 2,417 genes, 103 features, 14 labels, cardinality 4.237.
    assert X.shape == (2417, 103) and Y.shape == (2417, 14)
    assert len(features) == 103 and labels == [f"Class{i}" for i in range(1, 15)]
    assert set(np.unique(Y)) == {0, 1}
    assert Y.sum(axis=1).min() >= 1  # every gene has at least one class
    assert Y.sum(axis=1).mean() == pytest.approx(4.237, abs=0.001)
    assert np.isfinite(X).all()


def test_protocol_split_sizes_are_66_34_and_seeded(yeast):
    X, _, _, _ = yeast
    train, test = train_test_split(np.arange(len(X)), test_size=0.34, random_state=0)
    assert (len(train), len(test)) == (1595, 822)  # ceil(0.34 * 2417) = 822
    again, _ = train_test_split(np.arange(len(X)), test_size=0.34, random_state=0)
    other, _ = train_test_split(np.arange(len(X)), test_size=0.34, random_state=1)
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)


def test_published_coverage_convention_on_yeast(yeast):
    _, Y, _, _ = yeast
    scores = np.random.default_rng(0).random(Y.shape)
    assert coverage(Y, scores) == pytest.approx(coverage_error(Y, scores) - 1)
    # A perfect ranking covers each gene's labels in (number of labels - 1) steps.
    assert coverage(Y, Y * 0.9 + 0.05) == pytest.approx(Y.sum(axis=1).mean() - 1)
