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
    pytest.importorskip("tensorflow")
    from mlc_utils.data import make_tf_dataset

    X, Y = make_multidigits(10)
    batches = list(make_tf_dataset(X, Y, batch_size=4, seed=0))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    assert batches[0][1].dtype.name == "float32"
    ordered = np.concatenate([b[0].numpy() for b in make_tf_dataset(X, Y, batch_size=4, shuffle=False)])
    np.testing.assert_array_equal(ordered, X)


def test_make_tf_dataset_rejects_bad_batch_size():
    from mlc_utils.data import make_tf_dataset

    with pytest.raises(ValueError, match="batch_size"):
        make_tf_dataset(np.zeros((2, 3)), np.eye(2, dtype=int), batch_size=0)
