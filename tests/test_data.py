import hashlib
import subprocess
import sys

import numpy as np
import pytest

from mlc_utils.data import (
    DIGIT_NAMES,
    _generate,
    _source_digits,
    load_yeast,
    make_multidigits,
    source_indices,
    stratified_split,
    toy_photos,
)


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
# Recorded from the generator as it stood on 2026-11-27 (GENERATOR_VERSION 2). If a change to the
# generator is intended, bump GENERATOR_VERSION (the trained model depends on the images) and
# record the new digests with the snippet in this test's failure message.
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
        f"make_multidigits({args}) changed: new sha256 {got}. If intended, bump GENERATOR_VERSION "
        "and record the new digest here."
    )


def test_generator_version_goes_with_the_golden_digests():
    from mlc_utils import data

    assert getattr(data, "GENERATOR_VERSION", 2) == 2, "new GENERATOR_VERSION: record new golden digests"


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
from mlc_utils.data import multidigits_sources  # noqa: E402

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
from mlc_utils import data as data_module  # noqa: E402

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
