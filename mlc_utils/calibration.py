"""Do the scores mean what they say? Calibration per label, temperature scaling, and prior shift.

A score of 0.8 is *calibrated* when, among all the (image, label) pairs scored about 0.8, about 80 %
are present. Everything here treats each label as its own binary problem, as a sigmoid output
layer does. Fit every map on validation data and apply it once to the test set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int, check_labels_and_scores, check_scores

__all__ = [
    "expected_calibration_error",
    "brier_scores",
    "fit_temperature",
    "apply_temperature",
    "adjust_to_new_priors",
]

_EPS = 1e-7  # keeps logits finite: float32 sigmoids reach exactly 0 and 1


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def _check_per_label(per_label: Any) -> bool:
    if not isinstance(per_label, bool):
        raise TypeError(f"per_label: expected True or False, got {type(per_label).__name__}")
    return per_label


def _ece(t: np.ndarray, s: np.ndarray, n_bins: int) -> float:
    # Equal-width bins as scikit-learn's calibration_curve(strategy="uniform") makes them.
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], s)
    counts = np.bincount(bins, minlength=n_bins)
    gap = np.abs(np.bincount(bins, weights=t, minlength=n_bins) - np.bincount(bins, weights=s, minlength=n_bins))
    return float(gap.sum() / counts.sum())


def expected_calibration_error(y_true: Any, y_score: Any, *, n_bins: int = 10, per_label: bool = False):
    """Expected calibration error: the gap between score and frequency, averaged over the scores.

    The scores are put into ``n_bins`` equal-width bins on [0, 1]; in each bin the gap is
    |fraction present − mean score|, and the bins are weighted by how many scores they hold:
    ``ECE = Σ_b (n_b / n) · |ȳ_b − s̄_b|``. With ``per_label=True`` one value per label (each
    column on its own, shape (n_labels,)); otherwise one number over all (sample, label) cells.
    0 is perfectly calibrated (at this binning).
    """
    t, s = check_labels_and_scores(y_true, y_score)
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    if _check_per_label(per_label):
        return np.array([_ece(t[:, j], s[:, j], n_bins) for j in range(t.shape[1])])
    return _ece(t.ravel(), s.ravel(), n_bins)


def brier_scores(y_true: Any, y_score: Any, *, per_label: bool = False):
    """The Brier score, the mean squared difference between score and 0/1 truth (lower is better).

    With ``per_label=True`` one value per label (scikit-learn's ``brier_score_loss`` on each column);
    otherwise the mean over all (sample, label) cells, which is the mean of the per-label values.
    """
    t, s = check_labels_and_scores(y_true, y_score)
    squared = (s.astype(np.float64) - t) ** 2
    return squared.mean(axis=0) if _check_per_label(per_label) else float(squared.mean())


def _bce(z: np.ndarray, t: np.ndarray, temperature: float) -> float:
    u = z / temperature
    # -[t log σ(u) + (1 - t) log(1 - σ(u))] = log(1 + e^u) - t u, computed stably
    return float(np.mean(np.logaddexp(0, u) - t * u))


def fit_temperature(y_true: Any, y_score: Any, *, per_label: bool = False) -> np.ndarray:
    """Temperature scaling: the ``T`` that makes ``sigmoid(logit(s) / T)`` fit the labels best.

    Minimises binary cross-entropy on (validation) data over ``T`` in [0.05, 20]: ``T > 1``
    softens over-confident scores toward 0.5, ``T < 1`` sharpens timid ones. One ``T`` for all
    labels (repeated, shape (n_labels,)) or, with ``per_label=True``, one per label. A positive
    ``T`` keeps each label's ranking of the samples (its ROC AUC); different ``T`` per label can
    still reorder the labels within a sample (LRAP). ``T`` never moves a score across 0.5.
    """
    from scipy.optimize import minimize_scalar  # scikit-learn's own dependency; loaded when needed

    t, s = check_labels_and_scores(y_true, y_score)
    z = _logit(s)

    def best(z_part: np.ndarray, t_part: np.ndarray) -> float:
        # Search log T, where the loss is smooth and the bounds are symmetric around T = 1.
        found = minimize_scalar(lambda log_t: _bce(z_part, t_part, np.exp(log_t)),
                                bounds=(np.log(0.05), np.log(20.0)), method="bounded",
                                options={"xatol": 1e-6})
        return float(np.exp(found.x))

    if _check_per_label(per_label):
        return np.array([best(z[:, j], t[:, j]) for j in range(t.shape[1])])
    return np.full(t.shape[1], best(z.ravel(), t.ravel().astype(np.float64)))


def apply_temperature(y_score: Any, temperature: Any) -> np.ndarray:
    """``sigmoid(logit(y_score) / temperature)``: scores re-calibrated by ``fit_temperature``'s result.

    ``temperature`` a positive number or one per label. Returns float64 of ``y_score``'s shape.
    """
    s = check_scores(y_score, "y_score")
    if isinstance(temperature, (str, bytes, bool)) or temperature is None:
        raise TypeError(f"temperature: expected a positive number or one per label, got {type(temperature).__name__}")
    temp = np.asarray(temperature)
    if not np.issubdtype(temp.dtype, np.number) or temp.dtype == bool:
        raise TypeError(f"temperature: expected numbers, got dtype {temp.dtype}")
    if temp.ndim > 1 or (temp.ndim == 1 and temp.size != s.shape[1]):
        raise ValueError(f"temperature: expected a number or {s.shape[1]} values (one per label), got shape {temp.shape}")
    if not np.all(np.isfinite(temp)) or np.any(temp <= 0):
        raise ValueError(f"temperature: expected positive finite values, got {temp.tolist()}")
    return _sigmoid(_logit(s) / temp.astype(np.float64))


def _check_priors(priors: Any, n_labels: int, name: str) -> np.ndarray:
    if isinstance(priors, (str, bytes)) or priors is None:
        raise TypeError(f"{name}: expected one frequency per label, got {type(priors).__name__}")
    prior = np.asarray(priors)
    if not np.issubdtype(prior.dtype, np.number) or prior.dtype == bool:
        raise TypeError(f"{name}: expected numbers, got dtype {prior.dtype}")
    if prior.shape != (n_labels,):
        raise ValueError(f"{name}: expected {n_labels} frequencies (one per label), got shape {prior.shape}")
    if not np.all((prior > 0) & (prior < 1)):
        raise ValueError(f"{name}: expected frequencies strictly between 0 and 1, got {prior.tolist()}")
    return prior.astype(np.float64)


def _check_prior_inputs(y_score: Any, train_priors: Any, max_iter: Any, tol: Any) -> tuple[np.ndarray, np.ndarray]:
    s = check_scores(y_score, "y_score").astype(np.float64)
    prior = _check_priors(train_priors, s.shape[1], "train_priors")
    check_int(max_iter, "max_iter", minimum=1)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"tol: expected a positive number, got {tol!r}")
    return s, prior


def adjust_to_new_priors(
    y_score: Any,
    train_priors: Any,
    *,
    new_priors: Any = None,
    max_iter: int = 1000,
    tol: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray]:
    """Re-weight calibrated scores for new label frequencies, estimated without labels (EM).

    Saerens, Latinne and Decaestecker (2002), one label at a time. ``train_priors`` holds each
    label's frequency ``π_j`` on the data the scores ``s`` are calibrated to: the training data for a
    model's own calibrated scores, the validation data once a map fitted there re-calibrates them.
    On data where label ``j`` has frequency ``π'_j`` Bayes' rule turns each score into

        s' = (π'/π) s / ((π'/π) s + ((1 − π')/(1 − π)) (1 − s)).

    ``π'`` is unknown: start from ``π`` and alternate (E) the formula above with (M)
    ``π' = mean(s')`` until it changes by less than ``tol``. Given ``new_priors``, it applies the
    formula once with them instead (no EM). Returns ``(adjusted_scores, priors)``: float64 arrays of
    shapes ``y_score.shape`` and (n_labels,).
    """
    s, prior = _check_prior_inputs(y_score, train_priors, max_iter, tol)
    known = new_priors is not None
    new = _check_priors(new_priors, s.shape[1], "new_priors") if known else prior.copy()
    adjusted = s
    for _ in range(1 if known else max_iter):
        present = new / prior * s
        absent = (1 - new) / (1 - prior) * (1 - s)
        total = present + absent
        adjusted = np.divide(present, total, out=s.copy(), where=total > 0)
        if known:
            break
        estimate = adjusted.mean(axis=0)
        done = np.max(np.abs(estimate - new)) < tol
        new = estimate
        if done:
            break
    return adjusted, new
