"""``multidigits_sources``: which handwritten digit went into which MultiDigits image.

Chapter 2 uses it to show how an image is composed and to count shared handwriting between splits.
Expectations come from scikit-learn's ``load_digits`` targets and the returned labels, not from the
generator's internals.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from mlc_utils.data import make_multidigits, multidigits_sources

TARGET = load_digits().target


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_sources_are_the_digits_of_the_labels(split):
    _, Y = make_multidigits(50, split=split, seed=3)
    sources = multidigits_sources(50, split=split, seed=3)
    assert sources.shape == (50, 4)
    for labels, row in zip(Y, sources):
        placed = row[row >= 0]
        assert sorted(TARGET[placed].tolist()) == np.flatnonzero(labels).tolist()
        assert np.all(row[len(placed):] == -1) or len(placed) == 4


def test_empty_quadrants_are_minus_one():
    _, Y = make_multidigits(200, split="train", seed=1, min_digits=1, max_digits=2)
    sources = multidigits_sources(200, split="train", seed=1, min_digits=1, max_digits=2)
    assert np.array_equal((sources == -1).sum(axis=1), 4 - Y.sum(axis=1))


def test_splits_use_disjoint_handwriting():
    used = {split: set(multidigits_sources(500, split=split).ravel().tolist()) - {-1}
            for split in ("train", "val", "test")}
    assert not used["train"] & used["val"]
    assert not used["train"] & used["test"]
    assert not used["val"] & used["test"]


def test_same_arguments_same_sources_other_seed_other_sources():
    a = multidigits_sources(30, split="val", seed=5)
    assert np.array_equal(a, multidigits_sources(30, split="val", seed=5))
    assert not np.array_equal(a, multidigits_sources(30, split="val", seed=6))


@pytest.mark.parametrize("kwargs", [{"split": "holdout"}, {"max_digits": 5}, {"min_digits": 3, "max_digits": 2},
                                    {"seed": -1}])
def test_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        multidigits_sources(10, **kwargs)
