"""Comparing two methods that were run on the same repeated splits: a paired test that knows the
splits' training sets overlap (the corrected resampled t-test of Nadeau and Bengio, 2003).

Two methods scored on the same ten train/test splits give ten *paired* differences. A plain paired
t-test treats them as independent, but the ten training sets share most of their rows, so the
differences vary less than independent ones would and the plain test is far too confident.
Nadeau and Bengio's correction widens the variance of the mean difference from ``s² / J`` to
``(1 / J + n_test / n_train) · s²``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["PairedComparison", "bootstrap_interval", "corrected_resampled_ttest"]


@dataclass(frozen=True)
class PairedComparison:
    """The result of ``corrected_resampled_ttest``: ``a − b`` over paired splits."""

    mean_difference: float  #: mean of the per-split differences a − b
    std_error: float  #: corrected standard error of that mean
    t: float  #: mean_difference / std_error
    df: int  #: degrees of freedom, J − 1
    p_value: float  #: two-sided
    low: float  #: lower end of the confidence interval of the mean difference
    high: float  #: upper end
    confidence: float  #: e.g. 0.95

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero (the same as ``p_value < 1 - confidence``)."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return (f"mean difference {self.mean_difference:+.4f}, {100 * self.confidence:g} % interval "
                f"[{self.low:+.4f}, {self.high:+.4f}], t = {self.t:.2f} on {self.df} df, p = {self.p_value:.3f}")


def _scores(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None or np.isscalar(values):
        raise TypeError(f"{name}: expected one score per split (a 1-D sequence of numbers), "
                        f"got {type(values).__name__}")
    array = np.asarray(values)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name}: expected numbers, got dtype {array.dtype}")
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence with one score per split, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite scores, got NaN or infinity")
    return array.astype(np.float64)


def _size(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a whole number of samples, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: expected at least 1 sample, got {value}")
    return int(value)


def corrected_resampled_ttest(
    scores_a: Any,
    scores_b: Any,
    *,
    n_train: int,
    n_test: int,
    confidence: float = 0.95,
) -> PairedComparison:
    """Is method a better than method b, judged on the same J splits? Nadeau and Bengio's test.

    ``scores_a`` and ``scores_b`` hold one score per split (the same splits, in the same order);
    ``n_train`` and ``n_test`` are the sizes of each split's training and test parts. With
    ``d = a − b``, the mean ``d̄`` and the sample variance ``s²`` (ddof 1):

        t = d̄ / sqrt((1 / J + n_test / n_train) · s²),   J − 1 degrees of freedom.

    Returns a ``PairedComparison`` with the two-sided p-value and the ``confidence`` interval
    ``d̄ ± t_crit · std_error``. Positive differences mean a scored higher.
    """
    from scipy import stats  # scikit-learn's own dependency; imported here to keep the package light

    a, b = _scores(scores_a, "scores_a"), _scores(scores_b, "scores_b")
    if a.shape != b.shape:
        raise ValueError(f"scores_b: expected one score per split like scores_a ({a.size}), got {b.size}")
    if a.size < 2:
        raise ValueError(f"scores_a: expected scores from at least 2 splits, got {a.size}")
    n_train, n_test = _size(n_train, "n_train"), _size(n_test, "n_test")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) \
            or not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number strictly between 0 and 1, got {confidence!r}")

    d = a - b
    J = d.size
    mean = float(d.mean())
    std_error = float(np.sqrt((1 / J + n_test / n_train) * d.var(ddof=1)))
    df = J - 1
    if std_error == 0:  # every split gave the same difference
        t = 0.0 if mean == 0 else float(np.copysign(np.inf, mean))
        p = 1.0 if mean == 0 else 0.0
        return PairedComparison(mean, 0.0, t, df, p, mean, mean, float(confidence))
    t = mean / std_error
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * std_error
    return PairedComparison(mean, std_error, float(t), df, p, mean - half, mean + half, float(confidence))


def bootstrap_interval(
    statistic: Any,
    n_items: int,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple:
    """Percentile bootstrap interval of a statistic, resampling whole items (images) with replacement.

    ``statistic(idx)`` receives an integer array of shape ``(n_boot, n_items)``, each row one resample
    of the item indices ``0 .. n_items - 1``, and returns one value per row, shape ``(n_boot,)``, or
    one row of ``k`` values per resample, shape ``(n_boot, k)``. Resample whole images, not labels:
    the labels of one image share its pixels and its model pass. For a paired comparison compute
    both arms on the same ``idx`` and return their difference. Returns ``(low, high)``, the
    ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of the draws (floats, or arrays
    of ``k``). The resamples are ``np.random.default_rng(seed).integers(0, n_items, (n_boot, n_items))``.
    """
    if not callable(statistic):
        raise TypeError(f"statistic: expected a function of the resampled indices, got {type(statistic).__name__}")
    n_items, n_boot = _size(n_items, "n_items"), _size(n_boot, "n_boot")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) \
            or not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number strictly between 0 and 1, got {confidence!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected a whole number, got {type(seed).__name__}")
    idx = np.random.default_rng(seed).integers(0, n_items, (n_boot, n_items))
    draws = np.asarray(statistic(idx), dtype=float)
    if draws.ndim not in (1, 2) or draws.shape[0] != n_boot:
        raise ValueError(f"statistic: expected one value (or one row) per resample, shape ({n_boot},) "
                         f"or ({n_boot}, k), got {draws.shape}")
    low, high = np.percentile(draws, [50 * (1 - confidence), 50 * (1 + confidence)], axis=0)
    return (float(low), float(high)) if draws.ndim == 1 else (low, high)
