"""Turning scores into labels: tuned thresholds (global or per label), top-k, at-least-one.

Convention: a label is predicted when ``y_score >= threshold``. Tune thresholds on validation
data, then apply them once to the test set.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ._counting import averaged, f1_micro, f1_per_label, hamming_loss, subset_accuracy
from ._validation import (
    check_choice,
    check_grid,
    check_int,
    check_labels_and_scores,
    check_scores,
    check_seed,
    check_thresholds,
    predict,
)
from .stats import PairedComparison, corrected_resampled_ttest

__all__ = ["THRESHOLD_METRICS", "DEFAULT_GRID", "tune_thresholds", "apply_thresholds", "top_k"]

#: The candidate thresholds ``tune_thresholds`` tries: 0.01, 0.02, ..., 0.99.
DEFAULT_GRID: np.ndarray = np.round(np.arange(1, 100) / 100, 2)


def _f1_macro(t: np.ndarray, p: np.ndarray) -> float:
    return averaged("f1", t, p, "macro")


def _f1_samples(t: np.ndarray, p: np.ndarray) -> float:
    return averaged("f1", t, p, "samples")


def _jaccard_samples(t: np.ndarray, p: np.ndarray) -> float:
    return averaged("jaccard", t, p, "samples")


def _neg_hamming_loss(t: np.ndarray, p: np.ndarray) -> float:
    return -hamming_loss(t, p)


#: Metrics ``tune_thresholds`` can maximise (scikit-learn's definitions, ``zero_division=0``).
#: "f1" is micro-F1 for one global threshold and each label's own F1 per label.
THRESHOLD_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "f1": f1_micro,
    "f1_micro": f1_micro,
    "f1_macro": _f1_macro,
    "f1_samples": _f1_samples,
    "jaccard_samples": _jaccard_samples,
    "subset_accuracy": subset_accuracy,
    "hamming_loss": _neg_hamming_loss,  # minimised: we maximise its negative
}


def _best(values: np.ndarray, grid: np.ndarray) -> float:
    """The grid value with the best metric; ties go to the threshold closest to 0.5."""
    best = values.max()
    candidates = grid[np.isclose(values, best, rtol=0, atol=1e-12)]
    return float(candidates[np.argmin(np.abs(candidates - 0.5))])


def tune_thresholds(
    y_true: Any,
    y_score: Any,
    *,
    metric: str = "f1",
    per_label: bool = True,
    grid: Any = None,
) -> np.ndarray:
    """Choose thresholds that maximise ``metric`` on (validation) data; returns shape (n_labels,).

    ``y_true`` (n_samples, n_labels) 0/1, ``y_score`` the same shape in [0, 1]. Candidates are
    ``grid`` (default ``DEFAULT_GRID``: 0.01, 0.02, ..., 0.99); among equally good candidates the
    one closest to 0.5 wins. ``metric`` is one of ``THRESHOLD_METRICS`` ("hamming_loss" is
    minimised, the others maximised).

    - ``per_label=False``: one global threshold, repeated for every label.
    - ``per_label=True`` with ``metric="f1"``: each label gets the threshold that maximises its
      own F1 (this also maximises macro-F1). With another metric: coordinate ascent, starting from
      the best global threshold and improving one label at a time until nothing changes.
    """
    t, s = check_labels_and_scores(y_true, y_score)
    check_choice(metric, "metric", tuple(THRESHOLD_METRICS))
    if not isinstance(per_label, bool):
        raise TypeError(f"per_label: expected True or False, got {type(per_label).__name__}")
    grid = DEFAULT_GRID if grid is None else check_grid(grid, "grid")
    # Compare in the scores' precision, as ``y_score >= t`` does in NumPy (see ``apply_thresholds``).
    cut = grid.astype(s.dtype)
    n_labels = t.shape[1]

    if per_label and metric in ("f1", "f1_macro"):
        # Separable: each label's F1 depends only on its own threshold.
        scores = np.empty((grid.size, n_labels))
        for g, threshold in enumerate(cut):
            scores[g] = f1_per_label(t, s >= threshold)
        return np.array([_best(scores[:, j], grid) for j in range(n_labels)])

    score = THRESHOLD_METRICS[metric]
    global_values = np.array([score(t, s >= threshold) for threshold in cut])
    thresholds = np.full(n_labels, _best(global_values, grid))
    if not per_label:
        return thresholds

    p = predict(s, thresholds)
    current = score(t, p)
    for _ in range(10):  # coordinate ascent; converges in a few sweeps
        changed = False
        for j in range(n_labels):
            values = np.empty(grid.size)
            for g, threshold in enumerate(cut):
                p[:, j] = s[:, j] >= threshold
                values[g] = score(t, p)
            best = _best(values, grid)
            if values.max() > current + 1e-12 and best != thresholds[j]:
                thresholds[j] = best
                current = values.max()
                changed = True
            p[:, j] = predict(s[:, j], thresholds[j])
        if not changed:
            break
    return thresholds


def apply_thresholds(y_score: Any, thresholds: Any, *, at_least_one: bool = False) -> np.ndarray:
    """Predicted labels (n_samples, n_labels) int 0/1: ``y_score >= thresholds``.

    ``thresholds`` is a scalar or an array of shape (n_labels,) in [0, 1]. With ``at_least_one``,
    a sample with no label above its threshold gets its top-scored label (never an empty set).
    The comparison is made in the scores' precision, as NumPy's own ``y_score >= 0.7`` is: for
    float32 scores (what Keras returns) the threshold is rounded to float32 first, so a score of
    ``np.float32(0.7)`` counts as reaching 0.7, exactly as a learner's ``>=`` says.
    """
    s = check_scores(y_score, "y_score")
    thr = check_thresholds(thresholds, s.shape[1], "thresholds")
    if not isinstance(at_least_one, bool):
        raise TypeError(f"at_least_one: expected True or False, got {type(at_least_one).__name__}")
    p = predict(s, thr)
    if at_least_one:
        empty = ~p.any(axis=1)
        p[np.flatnonzero(empty), np.argmax(s[empty], axis=1)] = True
    return p.astype(np.int64)


def top_k(y_score: Any, k: int) -> np.ndarray:
    """Predict the ``k`` highest-scored labels of every sample: (n_samples, n_labels) int 0/1.

    ``k`` in 1..n_labels. Ties are broken by label order (the lower column index wins).
    """
    s = check_scores(y_score, "y_score")
    k = check_int(k, "k")
    if not 1 <= k <= s.shape[1]:
        raise ValueError(f"k: expected an integer in 1..{s.shape[1]} (the number of labels), got {k}")
    order = np.argsort(-s, axis=1, kind="stable")[:, :k]
    p = np.zeros(s.shape, dtype=np.int64)
    np.put_along_axis(p, order, 1, axis=1)
    return p


# Part IV (chapter 8): two more ways to choose thresholds on validation data.

def cardinality_threshold(y_score: Any, cardinality: float, *, grid: Any = None) -> float:
    """The global threshold whose predictions carry, on average, ``cardinality`` labels per sample.

    ``y_score`` (n_samples, n_labels) in [0, 1], usually validation scores; ``cardinality`` the
    target mean number of predicted labels per sample (e.g. the training label cardinality), a
    number in [0, n_labels]. Among the candidates ``grid`` (default ``DEFAULT_GRID``) it returns
    the one whose mean predicted cardinality is closest to the target; ties go to the candidate
    closest to 0.5. Needs no labels: it matches how many labels are predicted, not which.
    """
    s = check_scores(y_score, "y_score")
    if isinstance(cardinality, bool) or not isinstance(cardinality, (int, float, np.number)):
        raise TypeError(f"cardinality: expected a number, got {type(cardinality).__name__}")
    if not np.isfinite(cardinality) or not 0 <= cardinality <= s.shape[1]:
        raise ValueError(f"cardinality: expected a number in [0, {s.shape[1]}] (labels per sample), "
                         f"got {cardinality!r}")
    candidates = DEFAULT_GRID if grid is None else check_grid(grid, "grid")
    predicted = np.array([predict(s, t).sum(axis=1).mean() for t in candidates])
    return _best(-np.abs(predicted - float(cardinality)), candidates)


def shrink_thresholds(thresholds: Any, toward: Any, *, weight: Any) -> np.ndarray:
    """Pull per-label thresholds toward a global one: ``weight * thresholds + (1 - weight) * toward``.

    ``thresholds`` (n_labels,) in [0, 1], e.g. from ``tune_thresholds(per_label=True)``;
    ``toward`` a scalar (or one value per label) in [0, 1], e.g. the tuned global threshold;
    ``weight`` a scalar or (n_labels,) array in [0, 1]: 1 keeps the per-label thresholds, 0 gives
    ``toward``. A per-label ``weight = n_pos / (n_pos + strength)``, with ``n_pos`` the label's
    positives in the tuning data, moves the noisiest thresholds (fewest positives) the most.
    Returns float64 of shape (n_labels,).
    """
    if isinstance(thresholds, (str, bytes)) or thresholds is None:
        raise TypeError(f"thresholds: expected an array of thresholds, got {type(thresholds).__name__}")
    per_label = np.asarray(thresholds)
    if per_label.ndim != 1 or per_label.size == 0:
        raise ValueError(f"thresholds: expected a 1-D array with one threshold per label, got shape "
                         f"{per_label.shape}")
    n_labels = per_label.size
    per_label = check_thresholds(per_label, n_labels, "thresholds")
    target = check_thresholds(toward, n_labels, "toward")
    w = check_thresholds(weight, n_labels, "weight")
    return np.broadcast_to(w * per_label + (1.0 - w) * target, (n_labels,)).astype(np.float64)


#: The book's one shrinkage strength ``m`` (chapter 8): a label with ``m`` positives in the tuning
#: data gets half its own threshold and half the global one. Fixed before any chapter tuned it.
SHRINKAGE_STRENGTH: int = 50


def tune_shrunk_thresholds(
    y_true: Any,
    y_score: Any,
    *,
    metric: str = "f1",
    strength: float = SHRINKAGE_STRENGTH,
    grid: Any = None,
) -> np.ndarray:
    """The book's rule for per-label thresholds: each label's own, shrunk toward one global threshold.

    Tunes per-label and global thresholds for ``metric`` on (validation) data (``tune_thresholds``),
    then pulls each label's threshold toward the global one with weight
    ``n_pos / (n_pos + strength)``, ``n_pos`` being the label's positives in ``y_true``. A label
    with many positives keeps nearly its own threshold; one with few gets nearly the global one.
    ``strength=0`` gives the raw per-label thresholds. Returns float64 of shape (n_labels,).
    """
    t, s = check_labels_and_scores(y_true, y_score)
    if isinstance(strength, bool) or not isinstance(strength, (int, float, np.number)):
        raise TypeError(f"strength: expected a number, got {type(strength).__name__}")
    if not np.isfinite(strength) or strength < 0:
        raise ValueError(f"strength: expected a finite number >= 0 (positives at half weight), got {strength!r}")
    own = tune_thresholds(t, s, metric=metric, per_label=True, grid=grid)
    shared = tune_thresholds(t, s, metric=metric, per_label=False, grid=grid)
    positives = t.sum(axis=0).astype(np.float64)
    denominator = positives + float(strength)
    # A label with no positives and strength 0 has no evidence of its own: it takes the global one.
    weight = np.divide(positives, denominator, out=np.zeros_like(positives), where=denominator > 0)
    return shrink_thresholds(own, shared, weight=weight)


__all__ += ["cardinality_threshold", "shrink_thresholds", "SHRINKAGE_STRENGTH", "tune_shrunk_thresholds"]


def tuned_minus_half(y_true: Any, y_score: Any, *, repeats: int = 10, seed: int = 0) -> PairedComparison:
    """Do tuned thresholds beat 0.5 on images they were not tuned on? The book's check before shipping.

    Splits the rows of ``y_true`` and ``y_score`` (validation data) into two random halves,
    ``repeats`` times; on each split it tunes ``tune_shrunk_thresholds`` on one half and scores
    micro-F1 on the other, for the tuned thresholds and for 0.5, both ways round: ``2 * repeats``
    paired differences, thresholds applied as ``apply_thresholds`` does (in the scores' precision).
    Returns ``corrected_resampled_ttest``'s comparison of tuned minus 0.5; ship the tuned thresholds
    only if its interval lies above zero (``.low > 0``).
    """
    from sklearn.metrics import f1_score

    t, s = check_labels_and_scores(y_true, y_score)
    repeats, seed = check_int(repeats, "repeats", minimum=1), check_seed(seed)
    if len(t) < 4:
        raise ValueError(f"y_true: expected at least 4 rows, so that each half has 2, got {len(t)}")
    rng, half = np.random.default_rng(seed), len(t) // 2
    f1_tuned, f1_half = [], []
    for _ in range(repeats):
        order = rng.permutation(len(t))
        for fit, held in ((order[:half], order[half:]), (order[half:], order[:half])):
            tuned = tune_shrunk_thresholds(t[fit], s[fit])
            f1_tuned.append(f1_score(t[held], apply_thresholds(s[held], tuned), average="micro"))
            f1_half.append(f1_score(t[held], apply_thresholds(s[held], 0.5), average="micro"))
    return corrected_resampled_ttest(f1_tuned, f1_half, n_train=half, n_test=len(t) - half)


__all__ += ["tuned_minus_half"]
