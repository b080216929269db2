"""Data sets of the book: MultiDigits images, the Yeast benchmark, worked examples, splits.

Nothing here imports TensorFlow at import time (``make_tf_dataset`` imports it when called) and
nothing is downloaded: MultiDigits is composed from scikit-learn's bundled ``load_digits`` and Yeast
is the copy that ``river`` ships.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import check_choice, check_int, check_labels, check_seed, _as_numeric_array

__all__ = [
    "DIGIT_NAMES",
    "SPLITS",
    "make_multidigits",
    "source_indices",
    "load_yeast",
    "stratified_split",
    "toy_photos",
    "ToyExample",
    "make_tf_dataset",
    "multidigits_sources",
    "multidigits_boxes",
]

DIGIT_NAMES: tuple[str, ...] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
)
SPLITS: tuple[str, ...] = ("train", "val", "test")

IMAGE_SIZE = 32       # the canvas is IMAGE_SIZE x IMAGE_SIZE x 3
DIGIT_SIZE = 14       # each 8x8 source digit is resized to DIGIT_SIZE x DIGIT_SIZE
MAX_DIGITS = 4        # one digit per 16x16 quadrant: at most 4 fit without overlap
_SLOT = IMAGE_SIZE // 2
_POOL_SEED = 20_240   # fixes, once and for all, which source digits belong to which split
_POOL_FRACTIONS = (0.70, 0.15, 0.15)


@functools.lru_cache(maxsize=1)
def _source_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 digits of ``sklearn.datasets.load_digits`` as floats in [0, 1], and their classes."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    images.setflags(write=False)
    target = digits.target.astype(np.int64)
    target.setflags(write=False)
    return images, target


@functools.lru_cache(maxsize=None)
def _pools() -> dict[str, np.ndarray]:
    """Split the source digits once into disjoint train/val/test pools (70/15/15 within each class)."""
    _, target = _source_digits()
    rng = np.random.default_rng(_POOL_SEED)
    pools: dict[str, list[np.ndarray]] = {s: [] for s in SPLITS}
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(target == digit))
        n_train = int(round(_POOL_FRACTIONS[0] * idx.size))
        n_val = int(round(_POOL_FRACTIONS[1] * idx.size))
        pools["train"].append(idx[:n_train])
        pools["val"].append(idx[n_train:n_train + n_val])
        pools["test"].append(idx[n_train + n_val:])
    out = {}
    for split, parts in pools.items():
        array = np.sort(np.concatenate(parts))
        array.setflags(write=False)
        out[split] = array
    return out


def source_indices(split: str = "train") -> np.ndarray:
    """Indices into ``load_digits()`` of the source digits that ``split`` may use, shape (n_pool,).

    The three pools are disjoint, so no digit image of the test split occurs in training (the writers,
    13 people in all, are the same in every split: ``load_digits`` does not record who wrote which).
    """
    check_choice(split, "split", SPLITS)
    return _pools()[split].copy()


@functools.lru_cache(maxsize=1)
def _resize_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bilinear resize 8 -> DIGIT_SIZE: output pixel i = w_low[i] * in[low[i]] + w_high[i] * in[high[i]]."""
    centres = np.clip((np.arange(DIGIT_SIZE) + 0.5) * 8 / DIGIT_SIZE - 0.5, 0, 7)
    low = np.floor(centres).astype(np.int64)
    high = np.minimum(low + 1, 7)
    w_high = (centres - low).astype(np.float32)
    return low, high, (1 - w_high).astype(np.float32), w_high


#: Bytes ``_generate`` holds per image at its peak: the image, its noise and the digit patches.
_BYTES_PER_IMAGE = 3 * IMAGE_SIZE * IMAGE_SIZE * 3 * 4


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return None


def _check_fits_in_memory(n_samples: int) -> None:
    """Refuse, before allocating anything, a number of images that cannot fit in this machine's memory."""
    need, total = n_samples * _BYTES_PER_IMAGE, _physical_memory()
    if total is not None and need > total:
        raise ValueError(
            f"n_samples: {n_samples:,} images need about {need / 2**30:,.1f} GiB while they are "
            f"generated, more than this machine's memory ({total / 2**30:,.1f} GiB); generate fewer"
        )


def _generate(n_samples: int, split: str, seed: int, min_digits: int, max_digits: int,
              label_weights: np.ndarray | None = None):
    """Compose the images; also return which source digit went where (for tests).

    Returns X (n, 32, 32, 3) float32, Y (n, 10) int64, sources (n, 4) int64 (index into
    ``load_digits``, -1 for an empty slot) and corners (n, 4, 2) int64 (top-left pixel of each digit).
    """
    _check_fits_in_memory(n_samples)
    images, target = _source_digits()
    pool = _pools()[split]
    # A seed derived from (seed, split) with SeedSequence: identical in every process (no hash()).
    rng = np.random.default_rng([seed, SPLITS.index(split), 7_919])

    n = n_samples
    k = rng.integers(min_digits, max_digits + 1, size=n)                 # digits per image
    draws = rng.random((n, 10))
    if label_weights is None:
        classes = np.argsort(draws, axis=1)[:, :MAX_DIGITS]                # distinct classes
    else:
        # Weighted sampling without replacement: an exponential race, class j arriving at time
        # E_j / w_j. Equal weights give exactly the unweighted order (-log1p(-u) increases with u).
        arrival = -np.log1p(-draws) / label_weights[None, :]
        classes = np.argsort(arrival, axis=1, kind="stable")[:, :MAX_DIGITS]
    quadrant = np.argsort(rng.random((n, MAX_DIGITS)), axis=1)            # distinct slots
    jitter = rng.integers(0, _SLOT - DIGIT_SIZE + 1, size=(n, MAX_DIGITS, 2))
    pick = rng.random((n, MAX_DIGITS))
    colours = rng.uniform(0.55, 1.0, size=(n, MAX_DIGITS, 3)).astype(np.float32)
    background = rng.uniform(0.0, 0.35, size=(n, 1, 1, 3)).astype(np.float32)
    noise = rng.standard_normal((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)

    present = np.arange(MAX_DIGITS)[None, :] < k[:, None]                 # (n, 4)

    # Choose a source digit of the right class from this split's pool.
    pool_target = target[pool]
    order = np.argsort(pool_target, kind="stable")
    by_class = pool[order]
    counts = np.bincount(pool_target, minlength=10)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chosen = by_class[starts[classes] + (pick * counts[classes]).astype(np.int64)]
    sources = np.where(present, chosen, -1)

    corners = np.stack([(quadrant // 2) * _SLOT, (quadrant % 2) * _SLOT], axis=-1) + jitter

    # Resize all placed digits at once: bilinear, separable, element-wise (no BLAS, so the result
    # is bit-identical on every machine).
    img_idx, slot_idx = np.nonzero(present)
    low, high, w_low, w_high = _resize_weights()
    digits = images[sources[img_idx, slot_idx]]                               # (m, 8, 8)
    tall = digits[:, low, :] * w_low[None, :, None] + digits[:, high, :] * w_high[None, :, None]
    patches = tall[:, :, low] * w_low[None, None, :] + tall[:, :, high] * w_high[None, None, :]
    alpha = np.clip(patches, 0.0, 1.0)[..., None]                             # (m, 14, 14, 1)

    # Colour each digit over its image's background, then paste the 14x14 patches: one slice
    # assignment per (quadrant, jitter) position, so no two patches of a group share an image.
    bg = background[img_idx]                                                  # (m, 1, 1, 3)
    rgb = bg * (1.0 - alpha) + colours[img_idx, slot_idx][:, None, None, :] * alpha
    X = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.float32)
    X[...] = background
    top = corners[img_idx, slot_idx, 0]
    left = corners[img_idx, slot_idx, 1]
    position = top * IMAGE_SIZE + left
    order = np.argsort(position, kind="stable")
    bounds = np.flatnonzero(np.diff(position[order])) + 1
    for group in np.split(order, bounds):
        r, c = top[group[0]], left[group[0]]
        X[img_idx[group], r:r + DIGIT_SIZE, c:c + DIGIT_SIZE] = rgb[group]
    X += np.float32(0.05) * noise
    np.clip(X, 0.0, 1.0, out=X)

    Y = np.zeros((n, 10), dtype=np.int64)
    Y[img_idx, classes[img_idx, slot_idx]] = 1
    return X, Y, sources, np.where(present[..., None], corners, -1)


def make_multidigits(
    n_samples: int,
    *,
    split: str = "train",
    seed: int = 0,
    min_digits: int = 1,
    max_digits: int = 4,
    label_weights: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate MultiDigits: 32x32 RGB images showing between ``min_digits`` and ``max_digits`` digits.

    Each image shows distinct digit classes, each a real handwritten digit from scikit-learn's
    ``load_digits`` resized to 14x14 and placed in its own 16x16 quadrant (so digits never overlap),
    with a random colour on a random dark background plus Gaussian noise.

    Returns ``X`` float32 of shape (n_samples, 32, 32, 3) in [0, 1] and ``Y`` int64 of shape
    (n_samples, 10) where ``Y[i, j] == 1`` if digit ``j`` appears in image ``i``.
    ``split`` ("train", "val" or "test") selects a disjoint pool of source digits. The same
    arguments give bit-identical arrays in any process.

    ``label_weights`` (10 positive numbers, default ``None``: every digit equally likely) makes
    some digits rarer: each image's digits are drawn one after another without replacement, each
    with probability proportional to its weight among the digits not yet drawn, e.g. ``[1, 1, 1, 1, 1, 0.5, 0.25, 0.03, 0.025, 0.02]`` puts
    "seven", "eight" and "nine" on about 1-2 % of the images (a long-tailed label distribution).
    Equal weights give exactly the default images; only the choice of digits changes.
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_choice(split, "split", SPLITS)
    seed = check_seed(seed)
    min_digits = check_int(min_digits, "min_digits", minimum=1)
    max_digits = check_int(max_digits, "max_digits", minimum=1)
    if max_digits > MAX_DIGITS:
        raise ValueError(
            f"max_digits: at most {MAX_DIGITS} digits fit on the 32x32 canvas without overlap, "
            f"got {max_digits}"
        )
    if min_digits > max_digits:
        raise ValueError(f"min_digits: expected min_digits <= max_digits ({max_digits}), got {min_digits}")
    if label_weights is not None:
        weights = _as_numeric_array(label_weights, "label_weights").astype(np.float64)
        if weights.shape != (len(DIGIT_NAMES),):
            raise ValueError(f"label_weights: expected {len(DIGIT_NAMES)} weights (one per digit), "
                             f"got shape {weights.shape}")
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise ValueError(f"label_weights: expected positive finite numbers, got {weights.tolist()}")
        label_weights = weights
    X, Y, _, _ = _generate(n_samples, split, seed, min_digits, max_digits, label_weights)
    return X, Y


@dataclass(frozen=True)
class ToyExample:
    """A tiny worked example, small enough to compute every metric by hand."""

    label_names: tuple[str, ...]
    photo_names: tuple[str, ...]
    label_sets: list[set[str]]
    y_true: np.ndarray = field(repr=False)
    y_score: np.ndarray = field(repr=False)

    @property
    def y_pred(self) -> np.ndarray:
        """The scores thresholded at 0.5 (``y_score >= 0.5``), shape (n_photos, n_labels), int."""
        return (self.y_score >= 0.5).astype(np.int64)


def toy_photos() -> ToyExample:
    """The "cat, dog, person" worked example: 5 photos x 3 labels with true labels and model scores.

    ``y_true`` (5, 3) int 0/1, ``y_score`` (5, 3) float probabilities (no ties, none exactly 0.5).
    At threshold 0.5 photos 1 and 2 are exactly right; photo 3 misses its dog (0.40); photo 4
    adds a dog (0.80), which it even ranks above the true person (0.75); photo 5 misses its
    person (0.45). The chapters compute every metric on it by hand.
    """
    label_names = ("cat", "dog", "person")
    photo_names = ("photo 1", "photo 2", "photo 3", "photo 4", "photo 5")
    label_sets = [{"cat"}, {"dog", "person"}, {"cat", "dog"}, {"person"}, {"cat", "dog", "person"}]
    y_true = np.array([[1 if name in s else 0 for name in label_names] for s in label_sets], dtype=np.int64)
    y_score = np.array(
        [
            [0.90, 0.20, 0.10],
            [0.30, 0.80, 0.60],
            [0.70, 0.40, 0.20],
            [0.10, 0.80, 0.75],
            [0.65, 0.85, 0.45],
        ]
    )
    y_true.setflags(write=False)
    y_score.setflags(write=False)
    return ToyExample(label_names, photo_names, label_sets, y_true, y_score)


def load_yeast() -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """The Yeast benchmark (the MULAN version, as bundled with ``river``; no network).

    Returns ``X`` float64 (2417, 103), ``Y`` int64 (2417, 14) 0/1, the 103 feature names and the
    14 label names (``Class1`` ... ``Class14``).
    """
    import pandas as pd
    from river.datasets import Yeast

    dataset = Yeast()
    frame = pd.read_csv(dataset.path)
    # The names as river's public API gives them: each record is an (x, y) pair of dicts keyed by
    # feature and by label name, in file order (not the private Yeast._FEATURES / _LABELS).
    x, y = next(iter(dataset))
    feature_names = list(x)
    label_names = list(y)
    X = frame[feature_names].to_numpy(dtype=np.float64)
    Y = frame[label_names].to_numpy().astype(np.int64)
    return X, Y, feature_names, label_names


def stratified_split(
    X: Any, Y: Any, *, test_size: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``X`` (n, ...) and ``Y`` (n, n_labels) 0/1 keeping label proportions (iterative stratification).

    Mirrors ``sklearn.model_selection.train_test_split``: returns ``X_train, X_test, Y_train, Y_test``.
    ``test_size`` is a fraction in (0, 1) or a number of samples. Uses
    ``iterstrat.ml_stratifiers.MultilabelStratifiedShuffleSplit`` (Sechidis et al., 2011).

    The test part's size is approximate: iterative stratification assigns samples label by label to
    keep every label's share, and may miss ``test_size`` by a few samples (chapter 2 shows how
    many). Same ``seed``, same split.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    Y_checked = check_labels(Y, "Y").astype(np.int64)
    X_array = _as_numeric_array(X, "X")
    if X_array.ndim < 1 or X_array.shape[0] != Y_checked.shape[0]:
        raise ValueError(
            f"X: expected {Y_checked.shape[0]} samples (as many as Y), got shape {X_array.shape}"
        )
    n = Y_checked.shape[0]
    if n < 2:
        raise ValueError(f"Y: expected at least 2 samples to split into a train and a test part, got {n}")
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"test_size: expected a float in (0, 1) or an int, got {type(test_size).__name__}")
    if isinstance(test_size, (int, np.integer)):
        if not 1 <= test_size < n:
            raise ValueError(f"test_size: expected an int in [1, {n - 1}], got {test_size}")
    elif not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size: expected a fraction in (0, 1), got {test_size}")
    seed = check_seed(seed)
    splitter = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    if Y_checked.shape[1] == 1:
        # iterative-stratification needs two or more columns; stratifying on a label and its
        # complement keeps the share of both classes, which is what one label asks for.
        Y_checked = np.hstack([Y_checked, 1 - Y_checked])
    train_idx, test_idx = next(splitter.split(np.zeros((n, 1)), Y_checked))
    Y_out = np.asarray(Y)
    return X_array[train_idx], X_array[test_idx], Y_out[train_idx], Y_out[test_idx]


def make_tf_dataset(X: Any, Y: Any, *, batch_size: int = 64, shuffle: bool = True, seed: int = 0):
    """A ``tf.data.Dataset`` of ``(x, y)`` batches: shuffled (with ``seed``), batched and prefetched.

    ``X`` (n, ...) and ``Y`` (n, n_labels); ``Y`` is cast to float32 as ``binary_crossentropy`` expects.
    Imports TensorFlow when called.
    """
    X_array = _as_numeric_array(X, "X")
    Y_checked = check_labels(Y, "Y")
    if X_array.ndim < 1 or X_array.shape[0] != Y_checked.shape[0]:
        raise ValueError(f"X: expected {Y_checked.shape[0]} samples (as many as Y), got shape {X_array.shape}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    seed = check_seed(seed)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle: expected True or False, got {type(shuffle).__name__}")

    from ._tensorflow import tf  # lazily: importing mlc_utils.data must not load TensorFlow

    dataset = tf.data.Dataset.from_tensor_slices(
        (X_array.astype(np.float32, copy=False), Y_checked.astype(np.float32))
    )
    if shuffle:
        dataset = dataset.shuffle(len(X_array), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _check_composition(n_samples, split, seed, min_digits, max_digits):
    """The arguments that describe a MultiDigits draw, checked (for the functions that describe its images)."""
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_choice(split, "split", SPLITS)
    seed = check_seed(seed)
    min_digits = check_int(min_digits, "min_digits", minimum=1)
    max_digits = check_int(max_digits, "max_digits", minimum=1)
    if max_digits > MAX_DIGITS or min_digits > max_digits:
        raise ValueError(
            f"min_digits, max_digits: expected 1 <= min_digits <= max_digits <= {MAX_DIGITS}, "
            f"got {min_digits} and {max_digits}"
        )
    return n_samples, seed, min_digits, max_digits


def multidigits_sources(
    n_samples: int,
    *,
    split: str = "train",
    seed: int = 0,
    min_digits: int = 1,
    max_digits: int = 4,
) -> np.ndarray:
    """Which handwritten source digits ``make_multidigits`` placed in each image.

    Takes the arguments of ``make_multidigits`` (all but ``label_weights``) and describes the images
    it returns for them:
    an int64 array of shape (n_samples, 4) holding, for each digit of an image, its index into
    ``sklearn.datasets.load_digits()``, and -1 for an empty quadrant. With ``source_indices`` it
    lets a reader verify that a split composes its images only from its own pool of digits.
    """
    n_samples, seed, min_digits, max_digits = _check_composition(n_samples, split, seed, min_digits, max_digits)
    _, _, sources, _ = _generate(n_samples, split, seed, min_digits, max_digits)
    return sources


def multidigits_boxes(
    n_samples: int,
    *,
    split: str = "train",
    seed: int = 0,
    min_digits: int = 1,
    max_digits: int = 4,
    label_weights: Any = None,
) -> np.ndarray:
    """Where each digit of ``make_multidigits``' images sits: one box per image and label.

    Takes the arguments of ``make_multidigits`` and describes the images it returns for them: an
    int64 array of shape (n_samples, 10, 4) holding, for image ``i`` and digit ``j``, the box
    ``(top, left, bottom, right)`` in pixels (bottom and right exclusive, so
    ``X[i, top:bottom, left:right]`` is the digit's 14x14 patch), or ``-1`` four times when digit
    ``j`` is absent. ``boxes[..., 0] >= 0`` equals ``Y == 1``. Used to check what a model looks at
    and what an augmentation cuts away.
    """
    n_samples, seed, min_digits, max_digits = _check_composition(n_samples, split, seed, min_digits, max_digits)
    if label_weights is not None:
        weights = _as_numeric_array(label_weights, "label_weights").astype(np.float64)
        if weights.shape != (len(DIGIT_NAMES),) or not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise ValueError(f"label_weights: expected {len(DIGIT_NAMES)} positive finite weights, "
                             f"got {np.asarray(label_weights).tolist()}")
        label_weights = weights
    _, _, sources, corners = _generate(n_samples, split, seed, min_digits, max_digits, label_weights)
    classes = np.where(sources >= 0, _source_digits()[1][np.maximum(sources, 0)], -1)
    boxes = np.full((n_samples, len(DIGIT_NAMES), 4), -1, dtype=np.int64)
    image, slot = np.nonzero(classes >= 0)
    top, left = corners[image, slot, 0], corners[image, slot, 1]
    boxes[image, classes[image, slot]] = np.stack([top, left, top + DIGIT_SIZE, left + DIGIT_SIZE], axis=1)
    return boxes
