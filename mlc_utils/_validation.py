"""Input validation shared by the public functions (private; raise ValueError/TypeError naming the argument)."""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np


#: Seeds are passed to NumPy's legacy ``RandomState`` (via scikit-learn) as well, which takes 0..2**32 - 1.
MAX_SEED = 2**32 - 1


def _from_pandas(value: Any, name: str) -> np.ndarray:
    """A pandas DataFrame or Series as a NumPy array, nullable dtypes (``Int64``, ``boolean``) included.

    scikit-learn accepts these when they hold no missing value; so do we. ``np.asarray`` alone
    would give an ``object`` array for the nullable dtypes.
    """
    from pandas.api import types

    if bool(np.asarray(value.isna()).any()):
        raise ValueError(f"{name}: contains missing values (NaN or pd.NA); fill or drop them first")
    dtypes = list(value.dtypes) if hasattr(value, "columns") else [value.dtype]
    if all(types.is_bool_dtype(d) for d in dtypes):
        return value.to_numpy(dtype=bool)
    if all(types.is_bool_dtype(d) or types.is_integer_dtype(d) for d in dtypes):
        return value.to_numpy(dtype=np.int64)
    if all(types.is_numeric_dtype(d) for d in dtypes):
        return value.to_numpy(dtype=np.float64)
    bad = sorted({str(d) for d in dtypes if not types.is_numeric_dtype(d)})
    raise TypeError(f"{name}: expected numeric columns (int, float or bool), got dtype {', '.join(bad)}")


def _as_numeric_array(value: Any, name: str) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, dict, set, frozenset)):
        raise TypeError(f"{name}: expected an array-like of numbers, got {type(value).__name__}")
    if type(value).__module__.startswith("pandas") and hasattr(value, "isna"):
        return _from_pandas(value, name)
    if type(value).__module__.startswith("scipy.sparse"):
        # Multi-label indicator matrices are small: a dense copy is what the metrics need anyway.
        value = value.toarray()
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
    """Return a (n_samples, n_labels) matrix of finite scores in [0, 1] (float16/32/64 kept, else float64)."""
    array = check_2d(value, name)
    if array.dtype not in (np.float16, np.float32, np.float64):
        # Integers and booleans become float64; float scores keep their precision, so that
        # thresholds compare as a learner's own ``y_score >= t`` does (see ``predict``).
        array = array.astype(np.float64)
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


def check_labels_and_scores(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``y_true`` as a boolean 0/1 matrix and ``y_score`` as scores in [0, 1] of the same shape."""
    t = check_labels(y_true, "y_true")
    s = check_scores(y_score, "y_score")
    check_same_shape(t, s, "y_true", "y_score")
    return t, s


def check_thresholds(value: Any, n_labels: int, name: str = "threshold") -> np.ndarray:
    """Return a scalar threshold or one threshold per label, each in [0, 1], as float64."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a number or an array of {n_labels} numbers, got "
                        f"{type(value).__name__}")
    array = _as_numeric_array(value, name)
    if array.dtype == bool:
        raise TypeError(f"{name}: expected a number in [0, 1] (or one per label), got a boolean {value!r}")
    array = array.astype(np.float64)
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


def check_seed(value: Any, name: str = "seed") -> int:
    """Return a seed as an int in [0, 2**32 - 1], the range NumPy and scikit-learn both accept."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name}: expected an integer in [0, 2**32 - 1], got {value}")
    return value


def check_grid(value: Any, name: str = "grid") -> np.ndarray:
    """Return candidate thresholds as a non-empty 1-D float64 array of values in [0, 1]."""
    if isinstance(value, (set, frozenset, dict)):
        raise TypeError(f"{name}: expected an ordered sequence of thresholds (a list or an array), "
                        f"got a {type(value).__name__}")
    array = _as_numeric_array(value, name)
    if array.dtype == bool:
        raise TypeError(f"{name}: expected numbers in [0, 1], got booleans")
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name}: expected a non-empty 1-D array of candidate thresholds in [0, 1], "
                         f"got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"{name}: expected values in [0, 1], found {array[(array < 0) | (array > 1) | ~np.isfinite(array)][:3].tolist()}")
    return array


def predict(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``scores >= thresholds``, compared in the precision of the scores (the book's one rule).

    NumPy compares a float32 array with a Python float in float32 (``s >= 0.7`` rounds 0.7 to
    float32 first), so the thresholds are rounded to the scores' dtype here too: the package then
    agrees with a learner's own ``y_score >= threshold`` for Keras' float32 scores.
    """
    return scores >= np.asarray(thresholds).astype(scores.dtype)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {list(choices)}, got {value!r}")
    return value


def check_label_names(names: Any, n_labels: int, name: str = "label_names") -> list[str]:
    if names is None or isinstance(names, (str, bytes)):
        raise TypeError(f"{name}: expected a sequence of {n_labels} names, got {type(names).__name__}")
    if isinstance(names, (set, frozenset, dict)):
        raise TypeError(f"{name}: expected an ordered sequence (a list or tuple) of {n_labels} names, one "
                        f"per column in order, got a {type(names).__name__} (its order is arbitrary)")
    try:
        names = [str(n) for n in names]
    except TypeError as error:
        raise TypeError(f"{name}: expected a sequence of names") from error
    if len(names) != n_labels:
        raise ValueError(f"{name}: expected {n_labels} names (one per label column), got {len(names)}")
    blank = [position for position, label in enumerate(names) if not label.strip()]
    if blank:
        raise ValueError(f"{name}: expected non-empty names, got {names[blank[0]]!r} at position {blank[0]}")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{name}: expected distinct names, got {duplicates} more than once")
    return names
