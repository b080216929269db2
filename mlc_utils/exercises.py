"""Automatic feedback on exercise answers: one printed line, "Correct..." or "Not yet: <hint>".

The expected value is always computed from the exercise's inputs with library code
(scikit-learn or ``mlc_utils``), never hard-coded. Use ``check(exercise_id, answer, **inputs)``
for the exercises registered below, or the generic ``check_value`` / ``check_array``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["check", "check_value", "check_array", "EXERCISES", "verdict_value", "verdict_array"]


def _fmt(x: float) -> str:
    # Whole numbers (parameter counts, label counts) read better without an exponent.
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.4g}"


def _as_number(answer: Any) -> float | None:
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, numbers.Real):
        return float(answer)
    if isinstance(answer, np.ndarray) and answer.size == 1 and np.issubdtype(answer.dtype, np.number):
        return float(answer.reshape(()))
    return None


def verdict_value(
    answer: Any,
    expected: float,
    *,
    name: str = "answer",
    atol: float = 1e-6,
    alternatives: dict[str, float] | None = None,
) -> str:
    """The one-line verdict for a single-number answer (see ``check_value``)."""
    expected = float(expected)
    if answer is None:
        return f"Not yet: {name} is None. Did you forget to assign or return the value?"
    if isinstance(answer, (str, bytes)):
        return f"Not yet: {name} should be a number, got the text {answer!r}."
    if isinstance(answer, (list, tuple, np.ndarray)) and np.size(answer) != 1:
        return (f"Not yet: {name} should be a single number, got an array of shape "
                f"{np.shape(answer)}. Did you forget to average?")
    value = _as_number(answer)
    if value is None:
        return f"Not yet: {name} should be a number, got {type(answer).__name__}."
    if not np.isfinite(value):
        return f"Not yet: {name} is {value}. Look for a division by zero."
    if abs(value - expected) <= atol:
        return f"Correct: {name} = {_fmt(expected)}."
    for label, alternative in (alternatives or {}).items():
        if abs(value - float(alternative)) <= atol:
            return f"Not yet: {name} = {_fmt(value)} is {label}."
    if abs(value - (1.0 - expected)) <= atol and 0 <= expected <= 1:
        return (f"Not yet: {name} = {_fmt(value)} is 1 minus the expected value: did you compute "
                "the opposite quantity (an error rate instead of a score, or the reverse)?")
    if expected != 0 and abs(value - 100 * expected) <= 100 * atol:
        return f"Not yet: {name} = {_fmt(value)} looks like a percentage; give a fraction in [0, 1]."
    direction = "too high" if value > expected else "too low"
    return f"Not yet: {name} = {_fmt(value)} is {direction}."


def verdict_array(answer: Any, expected: Any, *, name: str = "answer", atol: float = 1e-6) -> str:
    """The one-line verdict for an array answer (see ``check_array``)."""
    expected = np.asarray(expected)
    if answer is None:
        return f"Not yet: {name} is None. Did you forget to assign or return the array?"
    try:
        got = np.asarray(answer)
    except (ValueError, TypeError):
        return f"Not yet: {name} should be a rectangular array of numbers."
    if got.dtype == object or not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        return f"Not yet: {name} should hold numbers, got dtype {got.dtype}."
    if got.shape != expected.shape:
        if expected.ndim == 2 and got.shape == expected.T.shape and expected.shape[0] != expected.shape[1]:
            return (f"Not yet: {name} has shape {got.shape}, the transpose of the expected "
                    f"{expected.shape} (rows = samples, columns = labels).")
        return f"Not yet: {name} should have shape {expected.shape}, got {got.shape}."
    expected_binary = expected.dtype == bool or bool(np.all((expected == 0) | (expected == 1)))
    got_f = got.astype(np.float64)
    if expected_binary and expected.size and np.any((got_f > 0) & (got_f < 1)):
        return (f"Not yet: {name} holds probabilities, but 0/1 labels are expected: threshold "
                "the scores (for example y_score >= 0.5).")
    if not np.all(np.isfinite(got_f)):
        return f"Not yet: {name} contains NaN or infinity."
    wrong = ~np.isclose(got_f, expected.astype(np.float64), rtol=0, atol=atol)
    if not wrong.any():
        return f"Correct: {name} matches the expected array of shape {expected.shape}."
    where = tuple(int(i) for i in np.argwhere(wrong)[0])
    position = ", ".join(str(i) for i in where)
    return (f"Not yet: {int(wrong.sum())} of {wrong.size} entries of {name} differ; the first is "
            f"[{position}]: expected {_fmt(float(expected[where]))}, got {_fmt(float(got_f[where]))}.")


def check_value(answer: Any, expected: float, *, name: str = "answer", atol: float = 1e-6) -> None:
    """Print whether a single-number ``answer`` equals ``expected`` (within ``atol``), with a hint if not."""
    print(verdict_value(answer, expected, name=name, atol=atol))


def check_array(answer: Any, expected: Any, *, name: str = "answer", atol: float = 1e-6) -> None:
    """Print whether ``answer`` equals the array ``expected`` (shape and values), with a hint if not.

    Hints cover a wrong shape, a transposed matrix, probabilities where 0/1 labels are expected,
    and the first differing entry.
    """
    print(verdict_array(answer, expected, name=name, atol=atol))


# --------------------------------------------------------------------------------------------
# The registry: exercise id -> how to compute the expected answer from the inputs.

@dataclass(frozen=True)
class Exercise:
    """An exercise whose expected answer is computed by ``solve(**inputs)``."""

    inputs: tuple[str, ...]
    solve: Callable[..., Any]
    kind: str = "value"  # "value" or "array"
    name: str = "answer"
    optional: dict[str, Any] = field(default_factory=dict)
    alternatives: Callable[..., dict[str, float]] | None = None


def _sk():
    import sklearn.metrics as sk

    return sk


def _prf(fn_name: str):
    def solve(y_true, y_pred, average="micro"):
        return getattr(_sk(), fn_name)(y_true, y_pred, average=average, zero_division=0)

    def alternatives(y_true, y_pred, average="micro"):
        out = {}
        for other in ("micro", "macro", "weighted", "samples"):
            if other != average:
                value = getattr(_sk(), fn_name)(y_true, y_pred, average=other, zero_division=0)
                out[f"the {other} average; this exercise asks for the {average} average"] = value
        return out

    return solve, alternatives


def _coverage(y_true, y_score):
    from .metrics import coverage

    return coverage(y_true, y_score)


def _one_error(y_true, y_score):
    from .metrics import one_error

    return one_error(y_true, y_score)


def _label_stat(fn_name: str):
    def solve(Y):
        from . import labels

        return getattr(labels, fn_name)(Y)

    return solve


def _threshold(y_score, threshold=0.5):
    from .thresholds import apply_thresholds

    return apply_thresholds(y_score, threshold)


def _top_k(y_score, k):
    from .thresholds import top_k

    return top_k(y_score, k)


_f1 = _prf("f1_score")
_precision = _prf("precision_score")
_recall = _prf("recall_score")

EXERCISES: dict[str, Exercise] = {
    "label_cardinality": Exercise(("Y",), _label_stat("label_cardinality"), name="cardinality",
                                  alternatives=lambda Y: {"the label density (divided by the number of labels); cardinality is labels per sample": _label_stat("label_density")(Y)}),
    "label_density": Exercise(("Y",), _label_stat("label_density"), name="density",
                              alternatives=lambda Y: {"the label cardinality; density divides it by the number of labels": _label_stat("label_cardinality")(Y)}),
    "cooccurrence": Exercise(("Y",), _label_stat("cooccurrence"), kind="array", name="cooccurrence"),
    "threshold": Exercise(("y_score",), _threshold, kind="array", name="y_pred", optional={"threshold": 0.5}),
    "top_k": Exercise(("y_score", "k"), _top_k, kind="array", name="y_pred"),
    "subset_accuracy": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: _sk().accuracy_score(y_true, y_pred),
                                name="subset accuracy",
                                alternatives=lambda y_true, y_pred: {"the per-label accuracy (1 - Hamming loss); subset accuracy needs the whole row right": 1 - _sk().hamming_loss(y_true, y_pred)}),
    "hamming_loss": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: _sk().hamming_loss(y_true, y_pred),
                             name="Hamming loss",
                             alternatives=lambda y_true, y_pred: {"1 - subset accuracy; Hamming loss counts wrong (sample, label) cells": 1 - _sk().accuracy_score(y_true, y_pred)}),
    "precision": Exercise(("y_true", "y_pred"), _precision[0], name="precision", optional={"average": "micro"}, alternatives=_precision[1]),
    "recall": Exercise(("y_true", "y_pred"), _recall[0], name="recall", optional={"average": "micro"}, alternatives=_recall[1]),
    "f1": Exercise(("y_true", "y_pred"), _f1[0], name="F1", optional={"average": "micro"}, alternatives=_f1[1]),
    "f1_per_label": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: _sk().f1_score(y_true, y_pred, average=None, zero_division=0), kind="array", name="per-label F1"),
    "jaccard": Exercise(("y_true", "y_pred"), lambda y_true, y_pred, average="samples": _sk().jaccard_score(y_true, y_pred, average=average, zero_division=0), name="Jaccard", optional={"average": "samples"}),
    "one_error": Exercise(("y_true", "y_score"), _one_error, name="one-error"),
    "coverage": Exercise(("y_true", "y_score"), _coverage, name="coverage",
                         alternatives=lambda y_true, y_score: {"scikit-learn's coverage_error; the book's convention subtracts 1 (the top label is step 0)": _sk().coverage_error(y_true, y_score)}),
    "ranking_loss": Exercise(("y_true", "y_score"), lambda y_true, y_score: _sk().label_ranking_loss(y_true, y_score), name="ranking loss"),
    "lrap": Exercise(("y_true", "y_score"), lambda y_true, y_score: _sk().label_ranking_average_precision_score(y_true, y_score), name="LRAP"),
    "average_precision": Exercise(("y_true", "y_score"), lambda y_true, y_score, average="macro": _sk().average_precision_score(y_true, y_score, average=average), name="average precision", optional={"average": "macro"}),
    "roc_auc": Exercise(("y_true", "y_score"), lambda y_true, y_score, average="macro": _sk().roc_auc_score(y_true, y_score, average=average), name="ROC AUC", optional={"average": "macro"}),
}


_AVERAGES = ("micro", "macro", "weighted", "samples")


def check(exercise_id: str, answer: Any, **inputs: Any) -> None:
    """Print a one-line verdict on ``answer`` for the registered exercise ``exercise_id``.

    ``inputs`` are the exercise's data, e.g. ``check("f1", my_f1, y_true=Y, y_pred=P,
    average="macro")``; the expected answer is computed from them with scikit-learn. See
    ``EXERCISES`` for the ids and the inputs each one takes.
    """
    if not isinstance(exercise_id, str) or exercise_id not in EXERCISES:
        raise ValueError(f"exercise_id: expected one of {sorted(EXERCISES)}, got {exercise_id!r}")
    exercise = EXERCISES[exercise_id]
    missing = [k for k in exercise.inputs if k not in inputs]
    if missing:
        raise TypeError(f"inputs: exercise {exercise_id!r} needs {', '.join(missing)} (as keyword arguments)")
    allowed = set(exercise.inputs) | set(exercise.optional)
    unknown = sorted(set(inputs) - allowed)
    if unknown:
        raise TypeError(f"inputs: exercise {exercise_id!r} takes {sorted(allowed)}, got unexpected {unknown}")
    kwargs = {**exercise.optional, **inputs}
    if "average" in exercise.optional:
        if kwargs["average"] not in _AVERAGES:
            raise ValueError(f"average: expected one of {list(_AVERAGES)}, got {kwargs['average']!r}")
    expected = exercise.solve(**kwargs)
    if exercise.kind == "array":
        print(verdict_array(answer, expected, name=exercise.name))
        return
    alternatives = exercise.alternatives(**kwargs) if exercise.alternatives else None
    print(verdict_value(answer, expected, name=exercise.name, alternatives=alternatives))


# Chapter 5: the subset accuracy that independent per-cell errors would give, (1 - Hamming loss) ** L.
def _subset_accuracy_if_independent(y_true, y_pred):
    n_labels = np.asarray(y_true).shape[1]
    return float((1 - _sk().hamming_loss(y_true, y_pred)) ** n_labels)


EXERCISES.update({
    "subset_accuracy_if_independent": Exercise(
        ("y_true", "y_pred"), _subset_accuracy_if_independent, name="independent subset accuracy",
        alternatives=lambda y_true, y_pred: {
            "the measured subset accuracy; the exercise asks what independent errors would give":
                _sk().accuracy_score(y_true, y_pred),
            "the per-label accuracy a itself; a whole sample needs all L answers right (a ** L)":
                1 - _sk().hamming_loss(y_true, y_pred),
        },
    ),
})
