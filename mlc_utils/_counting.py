"""Counting (private): precision, recall, F1 and Jaccard from 0/1 matrices, written once for the package.

``t`` (true labels) and ``p`` (predictions) are (n_samples, n_labels) 0/1 matrices, booleans in the
package's own calls. The scores follow scikit-learn's definitions with ``zero_division=0``: a ratio
whose denominator is 0 counts 0. Inputs are not validated here (the public functions do that).

The ground floor of the package: it imports only NumPy, so every module may use it, the TensorFlow
ones included (``training.EpochClock`` uses ``f1_micro``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The averages of ``averaged``, in scikit-learn's names (``None`` as well: one value per label).
AVERAGES: tuple[str, ...] = ("micro", "macro", "weighted", "samples")


def divide(numerator: Any, denominator: Any) -> np.ndarray:
    """numerator / denominator, with 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def counts(t: Any, p: Any, axis: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true positives, true labels, predicted labels) of ``t`` and ``p``, summed along ``axis``.

    ``axis=None``: over every cell (the micro counts); 0: per label; 1: per sample.
    """
    t = np.asarray(t, dtype=bool)
    p = np.asarray(p, dtype=bool)
    return (t & p).sum(axis=axis), t.sum(axis=axis), p.sum(axis=axis)


def precision(tp: Any, true: Any, pred: Any) -> np.ndarray:
    """Precision from the counts of ``counts``: tp / pred."""
    return divide(tp, pred)


def recall(tp: Any, true: Any, pred: Any) -> np.ndarray:
    """Recall from the counts of ``counts``: tp / true."""
    return divide(tp, true)


def f1(tp: Any, true: Any, pred: Any) -> np.ndarray:
    """F1 from the counts of ``counts``: 2 tp / (true + pred)."""
    return divide(2 * tp, true + pred)


def jaccard(tp: Any, true: Any, pred: Any) -> np.ndarray:
    """Jaccard index from the counts of ``counts``: |T & P| / |T | P| = tp / (true + pred - tp)."""
    return divide(tp, true + pred - tp)


#: The four ratios by name, each a function of (tp, true, pred).
RATIOS = {"precision": precision, "recall": recall, "f1": f1, "jaccard": jaccard}


def f1_micro(t: np.ndarray, p: np.ndarray) -> float:
    """Micro-F1 of two boolean (n, L) matrices: 2 TP / (true labels + predicted labels), 0 if both are 0."""
    return float(f1(*counts(t, p)))


def f1_per_label(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Each label's F1, shape (L,) float64."""
    return f1(*counts(t, p, axis=0))


def averaged(kind: str, t: Any, p: Any, average: str | None) -> float | np.ndarray:
    """scikit-learn's precision/recall/F1/Jaccard score (``kind``) with ``zero_division=0``.

    ``average`` one of ``AVERAGES``, or None for one value per label (an array). Computed from the
    counts, so any number of labels works: scikit-learn reads a single label column as a binary
    target (no "samples" average, two per-class values for ``average=None``).
    """
    ratio = RATIOS[kind]
    if average == "samples":
        return float(ratio(*counts(t, p, axis=1)).mean())
    tp, true, pred = counts(t, p, axis=0)
    if average == "micro":
        return float(ratio(tp.sum(), true.sum(), pred.sum()))
    per_label = ratio(tp, true, pred)
    if average is None:
        return per_label
    if average == "macro":
        return float(per_label.mean())
    if average == "weighted":
        return float(divide((per_label * true).sum(), true.sum()))  # weighted by support
    raise ValueError(f"average: expected one of {list(AVERAGES)} or None, got {average!r}")


def subset_accuracy(t: Any, p: Any) -> float:
    """Fraction of samples whose whole row of predictions is right."""
    return float(np.all(np.asarray(t) == np.asarray(p), axis=1).mean())


def hamming_loss(t: Any, p: Any) -> float:
    """Fraction of wrong (sample, label) cells."""
    return float(np.mean(np.asarray(t) != np.asarray(p)))
