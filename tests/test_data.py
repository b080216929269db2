"""Tests of ``mlc_utils.data``, the book's data sets: MultiDigits (images, labels, source pools, which
handwritten digit went where, the long-tailed variant), the toy photos, Yeast, ``stratified_split`` and
``make_tf_dataset``.

Expectations come from scikit-learn's ``load_digits`` targets, published figures, golden digests and
hand-built data, not from the generator's internals.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import coverage_error
from sklearn.model_selection import train_test_split

from mlc_utils import data as data_module
from mlc_utils.data import (
    DIGIT_NAMES,
    _generate,
    _source_digits,
    load_yeast,
    make_multidigits,
    multidigits_boxes,
    multidigits_sources,
    source_indices,
    stratified_split,
    toy_photos,
)
from mlc_utils.metrics import coverage


# -- make_multidigits, source_indices, load_yeast, stratified_split, toy_photos, make_tf_dataset ----


def digest(X, Y):
    return hashlib.sha256(X.tobytes() + Y.tobytes()).hexdigest()


def test_digit_names():
    assert DIGIT_NAMES == ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def test_shapes_dtypes_and_value_ranges():
    X, Y = make_multidigits(64, split="val", seed=3)
    assert X.shape == (64, 32, 32, 3) and X.dtype == np.float32
    assert Y.shape == (64, 10) and np.issubdtype(Y.dtype, np.integer)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert set(np.unique(Y)) <= {0, 1}
    assert np.all((Y.sum(axis=1) >= 1) & (Y.sum(axis=1) <= 4))


def test_digit_count_bounds_are_respected():
    _, Y = make_multidigits(200, min_digits=2, max_digits=3)
    assert set(np.unique(Y.sum(axis=1))) == {2, 3}
    _, Y = make_multidigits(50, min_digits=4, max_digits=4)
    assert np.all(Y.sum(axis=1) == 4)


@pytest.mark.slow  # starts another Python
def test_same_arguments_give_bit_identical_arrays_in_another_process():
    X, Y = make_multidigits(40, split="test", seed=7)
    code = (
        "import hashlib; from mlc_utils.data import make_multidigits\n"
        "X, Y = make_multidigits(40, split='test', seed=7)\n"
        "print(hashlib.sha256(X.tobytes() + Y.tobytes()).hexdigest())\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == digest(X, Y)


def test_seed_and_split_change_the_images():
    base = digest(*make_multidigits(20))
    assert digest(*make_multidigits(20, seed=1)) != base
    assert digest(*make_multidigits(20, split="val")) != base


def test_splits_draw_from_disjoint_source_digits():
    pools = {split: set(source_indices(split).tolist()) for split in ("train", "val", "test")}
    assert not pools["train"] & pools["val"]
    assert not pools["train"] & pools["test"]
    assert not pools["val"] & pools["test"]
    assert sum(len(p) for p in pools.values()) == 1797
    for split in pools:
        _, _, sources, _ = _generate(300, split, 0, 1, 4)
        used = set(sources[sources >= 0].tolist())
        assert used <= pools[split]


def test_labels_match_the_digits_drawn_and_digits_do_not_overlap():
    _, target = _source_digits()
    _, Y, sources, corners = _generate(300, "train", 0, 1, 4)
    for i in range(300):
        placed = sources[i][sources[i] >= 0]
        assert sorted(target[placed].tolist()) == np.flatnonzero(Y[i]).tolist()
        quadrants = {(r // 16, c // 16) for r, c in corners[i][sources[i] >= 0]}
        assert len(quadrants) == len(placed)  # one digit per quadrant: no overlap
        assert np.all(corners[i][sources[i] >= 0] % 16 + 14 <= 16)


def test_every_digit_appears():
    _, Y = make_multidigits(500)
    assert np.all(Y.sum(axis=0) > 0)


@pytest.mark.parametrize("n_samples", [0, -3])
def test_rejects_non_positive_n_samples(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_multidigits(n_samples)


@pytest.mark.parametrize("n_samples", [2.5, "10", True])
def test_rejects_non_integer_n_samples(n_samples):
    with pytest.raises(TypeError, match="n_samples"):
        make_multidigits(n_samples)


def test_rejects_unknown_split():
    with pytest.raises(ValueError, match="split: expected one of"):
        make_multidigits(5, split="training")


def test_rejects_more_digits_than_fit_the_canvas():
    with pytest.raises(ValueError, match="max_digits: at most 4 digits fit"):
        make_multidigits(5, max_digits=5)


def test_rejects_min_digits_above_max_digits():
    with pytest.raises(ValueError, match="min_digits"):
        make_multidigits(5, min_digits=3, max_digits=2)


def test_rejects_zero_min_digits():
    with pytest.raises(ValueError, match="min_digits"):
        make_multidigits(5, min_digits=0)


def test_rejects_negative_seed():
    with pytest.raises(ValueError, match="seed"):
        make_multidigits(5, seed=-1)


def test_load_yeast_shapes_and_cardinality():
    X, Y, feature_names, label_names = load_yeast()
    assert X.shape == (2417, 103) and Y.shape == (2417, 14)
    assert len(feature_names) == 103 and len(label_names) == 14
    assert set(np.unique(Y)) == {0, 1}
    assert Y.sum(axis=1).mean() == pytest.approx(4.24, abs=0.01)
    assert np.all(np.isfinite(X))


def test_stratified_split_sizes_reproducibility_and_proportions():
    X, Y, _, _ = load_yeast()
    X_train, X_test, Y_train, Y_test = stratified_split(X, Y, test_size=0.25, seed=1)
    assert len(X_train) + len(X_test) == len(X) and len(Y_train) == len(X_train)
    assert abs(len(X_test) - 0.25 * len(X)) <= 0.01 * len(X)  # iterative stratification is approximate
    np.testing.assert_allclose(Y_test.mean(axis=0), Y.mean(axis=0), atol=0.02)
    again = stratified_split(X, Y, test_size=0.25, seed=1)
    np.testing.assert_array_equal(again[1], X_test)


def test_stratified_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="X: expected 4 samples"):
        stratified_split(np.zeros((3, 2)), np.eye(4, dtype=int))


def test_stratified_split_rejects_bad_test_size():
    with pytest.raises(ValueError, match="test_size"):
        stratified_split(np.zeros((4, 2)), np.eye(4, dtype=int), test_size=1.5)


def test_stratified_split_rejects_non_binary_Y():
    with pytest.raises(ValueError, match="Y: expected only 0 and 1"):
        stratified_split(np.zeros((2, 2)), np.array([[0, 3], [1, 0]]))


def test_toy_photos_is_consistent():
    example = toy_photos()
    assert example.label_names == ("cat", "dog", "person")
    assert example.y_true.shape == example.y_score.shape == (5, 3)
    for row, names in zip(example.y_true, example.label_sets):
        assert {example.label_names[j] for j in np.flatnonzero(row)} == names
    assert np.all((example.y_score > 0) & (example.y_score < 1)) and not np.any(example.y_score == 0.5)
    np.testing.assert_array_equal(example.y_pred, (example.y_score >= 0.5).astype(int))


def test_make_tf_dataset_batches_and_shuffles():
    from mlc_utils.data import make_tf_dataset

    X, Y = make_multidigits(10)
    batches = list(make_tf_dataset(X, Y, batch_size=4, seed=0))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert batches[0][1].dtype.name == "float32"
    ordered = np.concatenate([b[0].numpy() for b in make_tf_dataset(X, Y, batch_size=4, shuffle=False)])
    np.testing.assert_array_equal(ordered, X)
    # Shuffled: the same images with their own labels, in another order (seed 0 over 10 images).
    shuffled_X = np.concatenate([b[0].numpy() for b in batches])
    shuffled_Y = np.concatenate([b[1].numpy() for b in batches])
    order = [int(np.flatnonzero((X == image).all(axis=(1, 2, 3)))[0]) for image in shuffled_X]
    assert sorted(order) == list(range(10)) and order != list(range(10))
    np.testing.assert_array_equal(shuffled_Y, Y[order])


def test_make_tf_dataset_rejects_bad_batch_size():
    from mlc_utils.data import make_tf_dataset

    with pytest.raises(ValueError, match="batch_size"):
        make_tf_dataset(np.zeros((2, 3)), np.eye(2, dtype=int), batch_size=0)


# -- golden digests: any change to the generator (constants, noise, pools, resize) is noticed ----
# Recorded from the generator as it stood on 2026-11-27. If a change to the generator is intended,
# record the new digests from this test's failure message (the model cache notices the change by
# itself: its key covers data.py's source, see tests/test_cache.py).
GOLDEN = [
    (dict(n_samples=8),
     "a6122e9c18b8191f47410498df4eb568918e88c283d8639edd47713919406851",
     [[1, 0, 1, 0, 1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0, 0, 0, 1, 1], [0, 1, 0, 0, 0, 0, 1, 0, 1, 1],
      [1, 0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 0, 0, 1, 0]]),
    (dict(n_samples=8, split="val", seed=3, min_digits=2, max_digits=3),
     "c9751dca335186f87a537586b08a371ca6c7ee76a632a2b88a666059b2290193",
     [[1, 1, 0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0, 1, 1, 0],
      [1, 0, 0, 1, 0, 1, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0, 0, 1, 0, 0]]),
    (dict(n_samples=8, split="test", seed=2**32 - 1),
     "f9abe3b7a11ac7d38844441456f7ded41c5c8c22162d36a8de62b792553b9274",
     [[0, 0, 1, 0, 0, 0, 0, 1, 1, 0], [0, 1, 1, 1, 0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 0, 1, 1, 0, 0, 0],
      [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 1, 0, 1, 0],
      [0, 1, 1, 0, 1, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]]),
]
GOLDEN_POOLS = {
    "train": (1258, "a996e54132efc933e316602714231b01f3fd3bc591bebfcf60607faff3c7070d"),
    "val": (269, "e931cca5d5eed3d70c8ad6f0a3074afb2d6f4c0992e6163936df1ecace525203"),
    "test": (270, "e6fee757ede73f287a5c3fb92768f26eecac51ed797e04c3f2589dbf4794d62b"),
}


@pytest.mark.parametrize("args, x_digest, labels", GOLDEN)
def test_generated_images_match_the_golden_digest(args, x_digest, labels):
    X, Y = make_multidigits(**args)
    np.testing.assert_array_equal(Y, labels)
    got = hashlib.sha256(X.tobytes()).hexdigest()
    assert got == x_digest, (
        f"make_multidigits({args}) changed: new sha256 {got}. If intended, record the new digest here."
    )


@pytest.mark.parametrize("split", sorted(GOLDEN_POOLS))
def test_source_pools_match_the_golden_digest(split):
    size, pool_digest = GOLDEN_POOLS[split]
    pool = np.sort(source_indices(split)).astype("<i8")
    assert pool.size == size
    assert hashlib.sha256(pool.tobytes()).hexdigest() == pool_digest


def test_first_pixel_and_total_intensity_by_value():
    # Readable pins beside the digests (float32 sums are exact enough at this size).
    X, _ = make_multidigits(2)
    np.testing.assert_allclose(X[0, 0, 0], [0.29665351, 0.09198317, 0.2176977], rtol=0, atol=1e-7)
    assert X.sum(dtype=np.float64) == pytest.approx(1872.9364003, abs=1e-4)


# -- issue 9, point 11: clear refusals before any work --------------------------------------------

def test_make_multidigits_refuses_a_size_that_cannot_fit_before_allocating():
    with pytest.raises(ValueError, match=r"n_samples: 10,000,000,000,000 images need about .* GiB .* more "
                                         r"than this machine's memory"):
        make_multidigits(10**13)


@pytest.mark.parametrize("seed", [2**32, 2**64])
def test_seeds_beyond_2_to_the_32_are_refused_by_name(seed):
    message = r"seed: expected an integer in \[0, 2\*\*32 - 1\], got"
    with pytest.raises(ValueError, match=message):
        make_multidigits(2, seed=seed)
    with pytest.raises(ValueError, match=message):
        stratified_split(np.zeros((4, 1)), np.eye(4, 2, dtype=int), seed=seed)


def test_largest_seed_is_accepted():
    X_train, X_test, _, _ = stratified_split(np.arange(8.0)[:, None], np.eye(8, 2, dtype=int), seed=2**32 - 1)
    assert len(X_train) + len(X_test) == 8


def test_stratified_split_with_one_label_column_keeps_its_share():
    # 20 samples, 5 positives; a test part of 8 keeps the 1-in-4 share: 2 positives (6 negatives).
    X = np.arange(20.0)[:, None]
    Y = np.array([[0], [0], [0], [1]] * 5)
    X_train, X_test, Y_train, Y_test = stratified_split(X, Y, test_size=0.4, seed=0)
    assert Y_test.shape == (8, 1) and Y_train.shape == (12, 1)
    assert Y_test.sum() == 2 and Y_train.sum() == 3
    assert sorted(np.concatenate([X_train, X_test]).ravel()) == list(range(20))


def test_stratified_split_refuses_a_single_sample():
    with pytest.raises(ValueError, match="Y: expected at least 2 samples to split"):
        stratified_split(np.zeros((1, 3)), [[1, 0]])


# -- every refusal of the data functions, with its message (mutation survivors) -------------------

Y8 = np.array([[1, 0], [0, 1]] * 4)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: stratified_split(np.zeros((3, 1)), Y8), ValueError,
         r"X: expected 8 samples \(as many as Y\), got shape \(3, 1\)"),
        (lambda: stratified_split("abc", Y8), TypeError, r"X: expected an array-like of numbers, got str"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size="0.2"), TypeError,
         r"test_size: expected a float in \(0, 1\) or an int, got str"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=True), TypeError,
         r"test_size: expected a float in \(0, 1\) or an int, got bool"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=8), ValueError,
         r"test_size: expected an int in \[1, 7\], got 8"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=0), ValueError,
         r"test_size: expected an int in \[1, 7\], got 0"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=0.0), ValueError,
         r"test_size: expected a fraction in \(0, 1\), got 0.0"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=1.0), ValueError,
         r"test_size: expected a fraction in \(0, 1\), got 1.0"),
        (lambda: stratified_split(np.zeros((8, 1)), Y8, test_size=1.5), ValueError,
         r"test_size: expected a fraction in \(0, 1\), got 1.5"),
        (lambda: source_indices("dev"), ValueError, r"split: expected one of \['train', 'val', 'test'\], got 'dev'"),
        (lambda: multidigits_sources(0), ValueError, r"n_samples: expected an integer >= 1, got 0"),
        (lambda: multidigits_sources(2, split="dev"), ValueError, r"split: expected one of .*, got 'dev'"),
        (lambda: multidigits_sources(2, seed=-1), ValueError, r"seed: expected an integer in \[0, 2\*\*32 - 1\], got -1"),
        (lambda: multidigits_sources(2, min_digits=0), ValueError, r"min_digits: expected an integer >= 1, got 0"),
        (lambda: multidigits_sources(2, max_digits=0), ValueError, r"max_digits: expected an integer >= 1, got 0"),
        (lambda: multidigits_sources(2, max_digits=5), ValueError,
         r"min_digits, max_digits: expected 1 <= min_digits <= max_digits <= 4, got 1 and 5"),
        (lambda: multidigits_sources(2, min_digits=3, max_digits=2), ValueError,
         r"min_digits, max_digits: expected 1 <= min_digits <= max_digits <= 4, got 3 and 2"),
        (lambda: make_multidigits(2, max_digits=5), ValueError,
         r"max_digits: at most 4 digits fit on the 32x32 canvas without overlap, got 5"),
        (lambda: make_multidigits(2, min_digits=3, max_digits=2), ValueError,
         r"min_digits: expected min_digits <= max_digits \(2\), got 3"),
        (lambda: make_multidigits(2, split="dev"), ValueError, r"split: expected one of .*, got 'dev'"),
        (lambda: make_multidigits(2, min_digits=0), ValueError, r"min_digits: expected an integer >= 1, got 0"),
        (lambda: make_multidigits(2, max_digits=0), ValueError, r"max_digits: expected an integer >= 1, got 0"),
    ],
)
def test_data_refusals_name_the_argument(call, error, message):
    with pytest.raises(error, match="^" + message + "$"):
        call()


def test_stratified_split_edge_sizes_are_accepted():
    # A 1-D X, two samples, a test part of one sample: all valid.
    X_train, X_test, Y_train, Y_test = stratified_split(np.arange(8.0), Y8, test_size=1)
    assert X_train.shape == (7,) and X_test.shape == (1,)
    _, _, _, Y_test = stratified_split(np.zeros((2, 1)), [[1, 0], [0, 1]], test_size=1)
    assert Y_test.shape == (1, 2)
    _, X_test, _, _ = stratified_split(np.arange(8.0), Y8, test_size=0.25)
    assert X_test.shape == (2,)


def test_stratified_split_default_seed_is_zero():
    X = np.arange(40.0)
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 10)
    default = stratified_split(X, Y)[1]
    np.testing.assert_array_equal(default, stratified_split(X, Y, seed=0)[1])
    assert not np.array_equal(default, stratified_split(X, Y, seed=1)[1])


def test_multidigits_sources_defaults_describe_make_multidigits_defaults():
    sources = multidigits_sources(6)
    np.testing.assert_array_equal(sources, multidigits_sources(6, split="train", seed=0))
    assert not np.array_equal(sources, multidigits_sources(6, seed=1))
    assert sources.shape == (6, 4)
    assert np.isin(sources[sources >= 0], source_indices("train")).all()


# -- data survivors of the full mutation run (issue 13) ---------------------------------------------

# _generate holds three float32 arrays of 32 x 32 x 3 per image at its peak: 3 * 3072 * 4 bytes.
BYTES_PER_IMAGE_BY_HAND = 36_864


def test_memory_check_accepts_exactly_the_machine_memory_and_refuses_one_image_more(monkeypatch):
    monkeypatch.setattr(data_module, "_physical_memory", lambda: 3 * BYTES_PER_IMAGE_BY_HAND)
    X, _ = make_multidigits(3)                     # needs exactly the memory there is: accepted
    assert X.shape == (3, 32, 32, 3)
    with pytest.raises(ValueError, match=r"^n_samples: 4 images need about"):
        make_multidigits(4)
    monkeypatch.setattr(data_module, "_physical_memory", lambda: None)   # no POSIX: no check
    assert make_multidigits(1)[0].shape == (1, 32, 32, 3)


def test_memory_refusal_states_both_sizes_in_gib(monkeypatch):
    # 4 GiB of memory; 116,509 images need 116,509 * 36,864 bytes = 4.00002 GiB, just too many.
    monkeypatch.setattr(data_module, "_physical_memory", lambda: 4 * 2**30)
    message = (r"^n_samples: 116,509 images need about 4\.0 GiB while they are generated, more than "
               r"this machine's memory \(4\.0 GiB\); generate fewer$")
    with pytest.raises(ValueError, match=message):
        make_multidigits(116_509)


def test_one_image_and_the_default_pool_are_valid():
    X, Y = make_multidigits(1)
    assert X.shape == (1, 32, 32, 3) and Y.shape == (1, 10)
    np.testing.assert_array_equal(source_indices(), source_indices("train"))
    assert source_indices().size == 1258
    sources = multidigits_sources(4, min_digits=2, max_digits=2)   # min == max is allowed
    assert ((sources >= 0).sum(axis=1) == 2).all()


def test_empty_slots_have_corner_minus_one():
    _, _, sources, corners = _generate(40, "train", 0, 1, 2)
    assert corners.dtype == np.int64 and corners.shape == (40, 4, 2)
    empty = sources == -1
    assert empty.any()
    assert (corners[empty] == -1).all() and (corners[~empty] >= 0).all()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: make_multidigits(0), ValueError, r"n_samples: expected an integer >= 1, got 0"),
        (lambda: make_multidigits(2, label_weights="heavy"), TypeError,
         r"label_weights: expected an array-like of numbers, got str"),
    ],
)
def test_make_multidigits_refusals_in_full(call, error, message):
    with pytest.raises(error, match="^" + message + "$"):
        call()


def test_toy_photos_names_types_and_read_only_arrays():
    example = toy_photos()
    assert example.photo_names == ("photo 1", "photo 2", "photo 3", "photo 4", "photo 5")
    assert example.y_true.dtype == np.int64 and example.y_score.dtype == np.float64
    for array in (example.y_true, example.y_score):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 0


def test_load_yeast_dtypes():
    X, Y, _, _ = load_yeast()
    assert X.dtype == np.float64 and Y.dtype == np.int64


# -- multidigits_sources: which handwritten digit went into which MultiDigits image -----------------
# Chapter 2 uses it to show how an image is composed and to count shared handwriting between splits.
# Expectations come from scikit-learn's load_digits targets and the returned labels.

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
def test_multidigits_sources_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        multidigits_sources(10, **kwargs)


# -- the long-tailed MultiDigits variant: make_multidigits(..., label_weights=...) ------------------

LONG_TAIL = [1, 1, 1, 1, 1, 0.5, 0.25, 0.03, 0.025, 0.02]


def test_equal_weights_give_exactly_the_default_images():
    X0, Y0 = make_multidigits(300, split="val", seed=3)
    X1, Y1 = make_multidigits(300, split="val", seed=3, label_weights=[2.0] * 10)
    np.testing.assert_array_equal(Y0, Y1)
    np.testing.assert_array_equal(X0, X1)


def test_same_weights_as_a_list_or_an_array_give_identical_arrays():
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


# -- Yeast: the facts chapter 11's benchmark relies on, checked against published figures ----------

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


def test_river_still_names_yeast_features_and_labels_in_its_records():
    """load_yeast() takes its feature and label names from river's public records; a river release
    that changes them fails here, by name, rather than as a shape error in chapter 11."""
    import river
    from river.datasets import Yeast

    dataset = Yeast()
    x, y = next(iter(dataset))
    changed = f"river {river.__version__} changed its Yeast data set, which load_yeast() relies on: "
    assert isinstance(x, dict) and isinstance(y, dict), (
        changed + f"a record is ({type(x).__name__}, {type(y).__name__}), expected (dict, dict) keyed by name")
    assert list(x) == [f"Att{i}" for i in range(1, 104)], changed + f"feature names {list(x)[:5]}..."
    assert list(y) == [f"Class{i}" for i in range(1, 15)], changed + f"label names {list(y)}"
    assert (dataset.n_features, dataset.n_outputs) == (103, 14), changed + "its declared sizes"
    header = list(pd.read_csv(dataset.path, nrows=0).columns)
    assert header == list(x) + list(y), changed + f"its CSV columns are {header[:3]}...{header[-3:]}"
    _, _, features, labels = load_yeast()
    assert (features, labels) == (list(x), list(y))


# -- where each digit sits --


def test_boxes_mark_exactly_the_present_digits_with_their_patch():
    X, Y = make_multidigits(200, split="val", seed=3)
    boxes = multidigits_boxes(200, split="val", seed=3)
    assert boxes.shape == (200, 10, 4) and boxes.dtype == np.int64
    np.testing.assert_array_equal(boxes[..., 0] >= 0, Y == 1)
    assert np.all(boxes[Y == 0] == -1)
    present = boxes[Y == 1]
    assert np.all(present[:, 2] - present[:, 0] == 14) and np.all(present[:, 3] - present[:, 1] == 14)
    assert present.min() >= 0 and present[:, 2:].max() <= 32


def test_boxes_hold_the_ink_and_agree_with_the_generator_corners():
    from mlc_utils.data import _generate, _source_digits
    _, _, sources, corners = _generate(50, "train", 0, 1, 4)
    boxes = multidigits_boxes(50)
    target = _source_digits()[1]
    for i, slot in zip(*np.nonzero(sources >= 0)):
        assert boxes[i, target[sources[i, slot]], :2].tolist() == corners[i, slot].tolist()
    # a box holds its digit: the brightest pixels of a one-digit image lie inside its only box
    X, Y = make_multidigits(30, seed=1, min_digits=1, max_digits=1)
    one = multidigits_boxes(30, seed=1, min_digits=1, max_digits=1)
    for i in range(30):
        top, left, bottom, right = one[i, Y[i].argmax()]
        inside = np.zeros((32, 32), bool)
        inside[top:bottom, left:right] = True
        bright = X[i].max(axis=-1) > 0.6
        assert bright.sum() > 0 and bright[~inside].sum() == 0


def test_boxes_follow_label_weights_and_refuse_bad_input():
    weights = [1, 1, 1, 1, 1, 0.5, 0.25, 0.03, 0.025, 0.02]
    _, Y = make_multidigits(100, label_weights=weights)
    np.testing.assert_array_equal(multidigits_boxes(100, label_weights=weights)[..., 0] >= 0, Y == 1)
    with pytest.raises(ValueError, match="label_weights"):
        multidigits_boxes(10, label_weights=[1, 2])
    with pytest.raises(ValueError, match="max_digits"):
        multidigits_boxes(10, max_digits=5)
    with pytest.raises(ValueError, match="split"):
        multidigits_boxes(10, split="dev")
    with pytest.raises(TypeError, match="n_samples"):
        multidigits_boxes("10")
