"""Label statistics of a binary indicator matrix ``Y`` of shape (n_samples, n_labels)."""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

import numpy as np

from ._validation import check_label_names, check_labels

__all__ = ["label_cardinality", "label_density", "label_sets", "cooccurrence"]


def label_cardinality(Y: Any) -> float:
    """Average number of labels per sample: ``Y.sum(axis=1).mean()``.

    ``Y`` is (n_samples, n_labels) 0/1.
    """
    Y = check_labels(Y, "Y")
    return float(Y.sum(axis=1).mean())


def label_density(Y: Any) -> float:
    """Label cardinality divided by the number of labels: the fraction of ones in ``Y``."""
    Y = check_labels(Y, "Y")
    return float(Y.sum(axis=1).mean() / Y.shape[1])


def label_sets(Y: Any, label_names: Sequence[str] | None = None):
    """The distinct label sets in ``Y`` (n_samples, n_labels) and how often each occurs.

    Returns a pandas DataFrame with columns ``"labels"`` (a tuple of label names, or of column
    indices when ``label_names`` is None; ``()`` for a sample with no label) and ``"count"``,
    most common first (ties in order of first appearance).
    """
    import pandas as pd

    Y = check_labels(Y, "Y")
    names: Sequence[Any]
    if label_names is None:
        names = list(range(Y.shape[1]))
    else:
        names = check_label_names(label_names, Y.shape[1])
    counts = Counter(tuple(names[j] for j in np.flatnonzero(row)) for row in Y)
    rows = sorted(counts.items(), key=lambda item: -item[1])  # stable: first appearance breaks ties
    return pd.DataFrame({"labels": [r[0] for r in rows], "count": [r[1] for r in rows]})


def cooccurrence(Y: Any) -> np.ndarray:
    """Co-occurrence counts, shape (n_labels, n_labels), int64.

    Entry ``[i, j]`` is the number of samples having both label ``i`` and label ``j``; the diagonal
    holds each label's count. Equals ``Y.T @ Y``.
    """
    Y = check_labels(Y, "Y").astype(np.int64)
    return Y.T @ Y
