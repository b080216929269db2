"""Input validation shared by the public functions (private; raise ValueError/TypeError naming the argument)."""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np


def _as_numeric_array(value: Any, name: str) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name}: expected an array-like of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged lists and the like
        raise TypeError(f"{name}: expected a rectangular array-like of numbers ({error})") from error
    if array.dtype == bool:
        return array
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(
            f"{name}: expected an array of numbers (int, float or bool), got dtype {array.dtype}"
        )
    return array


def check_2d(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a non-empty 2-D numeric array."""
    array = _as_numeric_array(value, name)
    if array.ndim != 2:
        raise ValueError(
            f"{name}: expected a 2-D array of shape (n_samples, n_labels), got {array.ndim} "
            f"dimension(s) with shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {array.shape}")
    return array


def check_labels(value: Any, name: str = "y_true") -> np.ndarray:
    """Return a (n_samples, n_labels) 0/1 matrix as a boolean array."""
    array = check_2d(value, name)
    if array.dtype == bool:
        return array
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected only 0 and 1, found NaN or infinity")
    if not np.all((array == 0) | (array == 1)):
        bad = np.unique(array[(array != 0) & (array != 1)])[:3]
        hint = ""
        if np.all((array >= 0) & (array <= 1)):
            hint = " (these look like probabilities: threshold them first, e.g. y_score >= 0.5)"
        raise ValueError(f"{name}: expected only 0 and 1 labels, found {bad.tolist()}{hint}")
    return array.astype(bool)


def check_scores(value: Any, name: str = "y_score") -> np.ndarray:
    """Return a (n_samples, n_labels) matrix of finite scores in [0, 1] as float64."""
    array = check_2d(value, name)
    array = array.astype(np.float64, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite scores, found NaN or infinity")
    if array.min() < 0.0 or array.max() > 1.0:
        raise ValueError(
            f"{name}: expected probabilities in [0, 1], found values in "
            f"[{array.min():.4g}, {array.max():.4g}] (apply a sigmoid to logits first)"
        )
    return array


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b}: expected the same shape as {name_a} {a.shape}, got {b.shape}"
        )


def check_thresholds(value: Any, n_labels: int, name: str = "threshold") -> np.ndarray:
    """Return a scalar threshold or one threshold per label, each in [0, 1], as float64."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a number or an array of {n_labels} numbers, got "
                        f"{type(value).__name__}")
    array = _as_numeric_array(value, name).astype(np.float64)
    if array.ndim == 0:
        pass
    elif array.ndim == 1:
        if array.shape[0] != n_labels:
            raise ValueError(
                f"{name}: expected a scalar or one value per label ({n_labels}), got "
                f"{array.shape[0]} values"
            )
    else:
        raise ValueError(f"{name}: expected a scalar or a 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"{name}: expected values in [0, 1], got {array.tolist()}")
    return array


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected an integer <= {maximum}, got {value}")
    return value


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {list(choices)}, got {value!r}")
    return value


def check_label_names(names: Any, n_labels: int, name: str = "label_names") -> list[str]:
    if names is None or isinstance(names, (str, bytes)):
        raise TypeError(f"{name}: expected a sequence of {n_labels} names, got {type(names).__name__}")
    try:
        names = [str(n) for n in names]
    except TypeError as error:
        raise TypeError(f"{name}: expected a sequence of names") from error
    if len(names) != n_labels:
        raise ValueError(f"{name}: expected {n_labels} names (one per label column), got {len(names)}")
    return names
