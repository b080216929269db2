"""Automatic feedback on exercise answers: one printed line, "Correct..." or "Not yet: <hint>".

The expected value is always computed from the exercise's inputs with library code
(scikit-learn or ``mlc_utils``), never hard-coded. Use ``check(exercise_id, answer, **inputs)``
for the exercises registered below, or the generic ``check_value`` / ``check_array``.
"""

from __future__ import annotations

import contextlib
import io
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ._counting import AVERAGES, averaged, hamming_loss, subset_accuracy
from ._validation import check_labels, check_same_shape, check_scores
from .files import augment_with_boxes, read_labels
from .labels import cooccurrence, label_cardinality, label_density
from .metrics import coverage, multilabel_report, one_error
from .thresholds import apply_thresholds, top_k, tune_shrunk_thresholds, tune_thresholds
from .calibration import expected_calibration_error

__all__ = ["check", "check_value", "check_array", "EXERCISES", "verdict_value", "verdict_array", "graded"]


def _fmt(x: float) -> str:
    # Whole numbers (parameter counts, label counts) read better without an exponent.
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.4g}"


def _as_array(answer: Any) -> np.ndarray | None:
    """The answer as a NumPy array (lists, NumPy/pandas/TensorFlow scalars and arrays), or None."""
    if isinstance(answer, (str, bytes, dict, set, frozenset)):
        return None
    try:
        return np.asarray(answer)
    except (ValueError, TypeError):  # ragged lists and the like
        return None


def _as_number(answer: Any) -> float | None:
    """A real, non-boolean single number as a float, or None (complex numbers included)."""
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, numbers.Real):
        return float(answer)
    array = _as_array(answer)
    if array is None or array.size != 1:
        return None
    if np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating):
        return float(array.reshape(()))
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
    array = _as_array(answer)
    if array is not None and array.ndim > 0 and array.size != 1:
        return (f"Not yet: {name} should be a single number, got an array of shape "
                f"{array.shape}. Did you forget to average?")
    if array is not None and np.iscomplexobj(array):
        return f"Not yet: {name} should be a real number, got a complex number."
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


def verdict_choice(
    answer: Any,
    expected: float,
    options: Sequence[float],
    *,
    name: str = "answer",
    hint: str = "",
    alternatives: dict[str, float] | None = None,
) -> str:
    """The one-line verdict for an answer that picks one of a few ``options``.

    Unlike ``verdict_value`` it never says "too high" or "too low": with three options that would
    give the answer away. It says only: correct, not one of the options, or a wrong option.
    """
    listed = ", ".join(_fmt(float(o)) for o in options)
    if answer is None:
        return f"Not yet: {name} is None. Did you forget to assign the value?"
    value = None if isinstance(answer, (str, bytes)) else _as_number(answer)
    if value is None or not np.isfinite(value):
        return f"Not yet: {name} should be one of {listed}."
    if value not in [float(o) for o in options]:
        return f"Not yet: {name} = {_fmt(value)} is not one of {listed}."
    if value == float(expected):
        return f"Correct: {name} = {_fmt(value)}."
    for label, alternative in (alternatives or {}).items():
        if value == float(alternative):
            return f"Not yet: {name} = {_fmt(value)} is {label}."
    return f"Not yet: {name} = {_fmt(value)} is one of {listed}, but not the right one{hint}."


def verdict_array(answer: Any, expected: Any, *, name: str = "answer", atol: float = 1e-6,
                  locate: bool = True) -> str:
    """The one-line verdict for an array answer (see ``check_array``).

    With ``locate=False`` a wrong answer is told only how many entries are wrong, not where: for a
    short True/False answer, naming the first wrong position would let the learner flip it and retry.
    """
    expected = np.asarray(expected)
    if answer is None:
        return f"Not yet: {name} is None. Did you forget to assign or return the array?"
    if answer is Ellipsis:  # the "your turn" cell as given: `answer = ...`
        return f"Not yet: {name} is still the placeholder `...`: replace it with your array."
    try:
        got = np.asarray(answer)
    except (ValueError, TypeError):
        return f"Not yet: {name} should be a rectangular array of numbers."
    if got.dtype == object or not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        return f"Not yet: {name} should hold numbers, got dtype {got.dtype}."
    if np.iscomplexobj(got):
        return f"Not yet: {name} should hold real numbers, got complex ones."
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
    if not locate:
        return f"Not yet: {int(wrong.sum())} of {wrong.size} entries of {name} are wrong."
    where = tuple(int(i) for i in np.argwhere(wrong)[0])
    position = ", ".join(str(i) for i in where)
    # Never the expected value: say where the first wrong entry is and what the learner has there.
    return (f"Not yet: {int(wrong.sum())} of {wrong.size} entries of {name} differ; the first is "
            f"[{position}], where you have {_fmt(float(got_f[where]))}.")


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
    kind: str = "value"  # "value", "array" or "choice" (one of ``options(**inputs)``)
    name: str = "answer"
    quantity: str = ""  # what the answer is, named after the variable in the feedback
    optional: dict[str, Any] = field(default_factory=dict)
    alternatives: Callable[..., dict[str, float]] | None = None
    options: Callable[..., Sequence[float]] | None = None  # kind "choice": the values allowed
    hint: str = ""  # kind "choice": appended to the verdict on a wrong option
    locate: bool = True  # kind "array": False says only how many entries are wrong, not where


def _sk():
    # Imported on first use: sklearn.metrics takes about a second to import, and every chapter
    # imports this module (most checks need no scikit-learn).
    import sklearn.metrics as sk

    return sk


# The expected answers, chapter by chapter (the registry ``EXERCISES`` below follows the same order).

# Chapter 5: from scores to labels, subset accuracy and Hamming loss.
def _threshold(y_score, threshold=0.5):
    return apply_thresholds(y_score, threshold)


# Chapter 5: the subset accuracy that independent per-cell errors would give, (1 - Hamming loss) ** L.
def _subset_accuracy_if_independent(y_true, y_pred):
    n_labels = np.asarray(y_true).shape[1]
    return float((1 - _sk().hamming_loss(y_true, y_pred)) ** n_labels)


# Chapter 6: precision, recall, F1 and Jaccard under each average.
def _prf(kind: str):
    def solve(y_true, y_pred, average="micro"):
        return averaged(kind, y_true, y_pred, average)

    def alternatives(y_true, y_pred, average="micro"):
        out = {}
        for other in AVERAGES:
            if other != average:
                value = averaged(kind, y_true, y_pred, other)
                out[f"the {other} average; this exercise asks for the {average} average"] = value
        return out

    return solve, alternatives


_f1 = _prf("f1")
_precision = _prf("precision")
_recall = _prf("recall")


# Chapter 6: macro-F1 when a label is neither present nor predicted (F1 = 0/0 for it).
def _macro_f1_zero_division(y_true, y_pred, zero_division=1):
    return float(_sk().f1_score(y_true, y_pred, average="macro", zero_division=zero_division))


def _macro_f1_zero_division_alternatives(y_true, y_pred, zero_division=1):
    def key(z):
        return "nan" if isinstance(z, float) and np.isnan(z) else z

    meanings = {0: "counts the undefined label as 0", 1: "counts the undefined label as 1",
                "nan": "leaves the undefined label out of the mean"}
    return {f"the macro-F1 with zero_division={key(other)}, which {meanings[key(other)]}":
            _macro_f1_zero_division(y_true, y_pred, other)
            for other in (0, 1, np.nan) if key(other) != key(zero_division)}


# Chapter 7: ranking metrics.
def _coverage_alternatives(y_true, y_score):
    # scikit-learn's coverage_error counts the top label as 1 (ours: 0); both count a sample
    # without true labels as 0, so coverage_error = coverage + the fraction of labelled samples.
    sklearn_value = coverage(y_true, y_score) + float(np.asarray(y_true).any(axis=1).mean())
    return {"scikit-learn's coverage_error; the book's convention subtracts 1 (the top label is step 0)":
            sklearn_value}


def _report_value(key: str):
    def solve(y_true, y_score):
        return multilabel_report(y_true, y_score)[key]

    return solve


def _defined_for(y_true, average: str, metric: str, need_negative: bool) -> None:
    """Refuse inputs for which a ranking score of scikit-learn is undefined (it would return NaN)."""
    t = np.asarray(y_true, dtype=bool)
    units = {"micro": t.reshape(-1, 1), "samples": t.T}.get(average, t)  # columns are the units
    lacking = ~units.any(axis=0)
    if need_negative:
        lacking |= units.all(axis=0)
    if lacking.any():
        which = "sample" if average == "samples" else "label"
        what = "a positive and a negative" if need_negative else "a positive"
        bad = np.flatnonzero(lacking)[:5].tolist()
        raise ValueError(
            f"y_true: the {average}-averaged {metric} needs {what} in every {which}; "
            f"{which}(s) {bad} lack one, so the expected value is undefined"
            + ("" if average == "micro" else "; drop them or use average='micro'")
        )


def _average_precision(y_true, y_score, average="macro"):
    _defined_for(y_true, average, "average precision", need_negative=False)
    return _sk().average_precision_score(y_true, y_score, average=average)


def _roc_auc(y_true, y_score, average="macro"):
    _defined_for(y_true, average, "ROC AUC", need_negative=True)
    return _sk().roc_auc_score(y_true, y_score, average=average)


# Chapter 8: thresholds chosen on purpose.
def _global_threshold(y_true, y_score):
    return float(tune_thresholds(y_true, y_score, per_label=False)[0])


def _at_least_one(y_score, threshold=0.5):
    return apply_thresholds(y_score, threshold, at_least_one=True)


# Chapter 9: imbalanced labels.
def _keras_class_weights(Y, class_weight):
    # What Keras 3 does with class_weight for a 2-D target: weight each row by its argmax's class.
    rows = np.argmax(np.asarray(Y), axis=1)
    return np.array([float(class_weight.get(int(j), 1.0)) for j in rows])


def _check_label(label, n_labels):
    if isinstance(label, (bool, np.bool_)) or not isinstance(label, (int, np.integer)):
        raise TypeError(f"label: expected a column index (an integer), got {type(label).__name__}")
    if not 0 <= int(label) < n_labels:
        raise ValueError(f"label: expected a column index in 0..{n_labels - 1}, got {label}")
    return int(label)


def _class_weight_on_label(Y, class_weight, label):
    # The mean weight Keras' class_weight gives the positive cells of one label: each cell of a row
    # is multiplied by the row's weight, the weight of the row's argmax.
    Y = np.asarray(Y)
    label = _check_label(label, Y.shape[1])
    present = Y[:, label] == 1
    if not present.any():
        raise ValueError(f"Y: label {label} has no positive row, so the mean weight of its positives is undefined")
    return float(_keras_class_weights(Y, class_weight)[present].mean())


def _class_weight_on_label_alternatives(Y, class_weight, label):
    own = float(class_weight.get(int(label), 1.0))
    return {"the weight class_weight sets for the label itself; Keras weights each row by one "
            "label only (which one?)": own}


def _check_positive_weight(pos_weight):
    if isinstance(pos_weight, (bool, np.bool_)) or not isinstance(pos_weight, (int, float, np.number)):
        raise TypeError(f"pos_weight: expected a number, got {type(pos_weight).__name__}")
    if not np.isfinite(pos_weight) or pos_weight <= 0:
        raise ValueError(f"pos_weight: expected a finite number > 0, got {pos_weight!r}")
    return float(pos_weight)


def _threshold_for_weight(pos_weight):
    # Weighted BCE with weight w is minimised by q = w p / (w p + 1 - p); q >= 0.5 iff p >= 1 / (1 + w).
    return 1.0 / (1.0 + _check_positive_weight(pos_weight))


def _threshold_for_weight_alternatives(pos_weight):
    w = _check_positive_weight(pos_weight)
    return {"1 / w; solve q(p) = 0.5 for p with q(p) = w p / (w p + 1 - p)": 1.0 / w,
            "the weighted model's score q(p) at p = 0.5, not the p that gives q = 0.5": w / (w + 1.0)}


def _positive_weights(Y, power=1.0):
    # The one import left inside a function: ``positive_weights`` is plain NumPy, but its module
    # ``losses`` imports TensorFlow, and importing this module must not (tests/test_imports.py).
    from .losses import positive_weights

    return positive_weights(Y, power=power)


# Chapter 10: baselines and mixed precision.
def _prior_f1(p, q):
    """Expected micro-F1 of guessing label j with probability p[j], independently of the truth,
    when label j is present with frequency q[j]: 2 * sum(p * q) / (sum(p) + sum(q))."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    return float(2 * np.sum(p * q) / (np.sum(p) + np.sum(q)))


def _as_bfloat16(value):
    # Imported on first use: ml_dtypes (NumPy's view of bfloat16, installed with TensorFlow) takes
    # most of a second to import, and only this chapter 10 check needs it.
    import ml_dtypes

    return float(np.float32(value).astype(ml_dtypes.bfloat16))


def _count_params(model):
    """The parameters of a built Keras model: the learner predicts them before building it."""
    return int(model.count_params())


# Chapter 11: a real benchmark.
def _cheating_gain(y_true, y_score, thresholds):
    """Macro-F1 with the book's thresholds tuned on the scored labels themselves (the forbidden
    move), minus macro-F1 with the honest ``thresholds`` (tuned on validation data)."""
    return _macro_f1_at(y_true, y_score, tune_shrunk_thresholds(y_true, y_score)) - _macro_f1_at(
        y_true, y_score, thresholds)


def _macro_f1_at(y_true, y_score, thresholds):
    return averaged("f1", y_true, apply_thresholds(y_score, thresholds), "macro")


def _cheating_gain_alternatives(y_true, y_score, thresholds):
    cheating = _macro_f1_at(y_true, y_score, tune_shrunk_thresholds(y_true, y_score))
    honest = _macro_f1_at(y_true, y_score, thresholds)
    return {"the cheating macro-F1 itself; subtract the honest one": cheating,
            "the honest macro-F1 itself; the gain is cheating minus honest": honest,
            "honest minus cheating; subtract the other way round": honest - cheating}


# Chapter 12: using the model.
def _halves(y_true, y_score):
    """The first and second half of the rows (first: n // 2 rows), as (y_true, y_score) pairs."""
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    if y_true.shape[0] < 2:
        raise ValueError(f"y_true: expected at least 2 samples to split in halves, got {y_true.shape[0]}")
    half = y_true.shape[0] // 2
    return (y_true[:half], y_score[:half]), (y_true[half:], y_score[half:])


def _micro_f1(y_true, y_pred):
    return averaged("f1", y_true, y_pred, "micro")


def _retuned_f1(y_true, y_score):
    """Micro-F1 on the second half of the thresholds the book's rule tunes on the first half."""
    (t_fit, s_fit), (t_eval, s_eval) = _halves(y_true, y_score)
    return _micro_f1(t_eval, apply_thresholds(s_eval, tune_shrunk_thresholds(t_fit, s_fit)))


def _retuned_f1_alternatives(y_true, y_score):
    (t_fit, s_fit), (t_eval, s_eval) = _halves(y_true, y_score)
    raw = tune_thresholds(t_fit, s_fit, metric="f1")
    return {
        "the micro-F1 at 0.5 on the second half; re-tune the thresholds on the first half":
            _micro_f1(t_eval, apply_thresholds(s_eval, 0.5)),
        "what thresholds tuned on the second half score on it: tune on the first half":
            _micro_f1(t_eval, apply_thresholds(s_eval, tune_shrunk_thresholds(t_eval, s_eval))),
        "what thresholds tuned on all the rows score on the second half: tune on the first only":
            _micro_f1(t_eval, apply_thresholds(s_eval, tune_shrunk_thresholds(y_true, y_score))),
        "the score of raw per-label thresholds; use the book's rule, tune_shrunk_thresholds":
            _micro_f1(t_eval, apply_thresholds(s_eval, raw)),
        "measured on the first half, where the thresholds were tuned; score the second half":
            _micro_f1(t_fit, apply_thresholds(s_fit, tune_shrunk_thresholds(t_fit, s_fit))),
    }


# Chapter 14: trusting the scores.
def _cost_threshold(cost_fp, cost_fn):
    for name, cost in (("cost_fp", cost_fp), ("cost_fn", cost_fn)):
        if isinstance(cost, bool) or not isinstance(cost, numbers.Real) or not cost > 0:
            raise ValueError(f"{name}: expected a positive cost, got {cost!r}")
    return cost_fp / (cost_fp + cost_fn)


def _shifted_cost_threshold(cost_fp, cost_fn, train_prior, new_prior):
    # the raw score s whose prior-adjusted score equals the cost threshold t
    t = _cost_threshold(cost_fp, cost_fn)
    up = _prior(new_prior, "new_prior") / _prior(train_prior, "train_prior")
    down = (1 - new_prior) / (1 - train_prior)
    return t * down / (up * (1 - t) + t * down)


def _prior(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"{name}: expected a frequency strictly between 0 and 1, got {value!r}")
    return float(value)


def _prior_shift(y_score, train_prior, new_prior):
    up = _prior(new_prior, "new_prior") / _prior(train_prior, "train_prior")
    down = (1 - new_prior) / (1 - train_prior)
    s = np.asarray(y_score, dtype=np.float64)
    return up * s / (up * s + down * (1 - s))


# Chapter 13: your own images.
def _messy_csv(csv_path, image_folder, label_names):
    """One True/False per data row of the CSV, in file order: True where the row is used (fixed or not)."""
    table = read_labels(csv_path, image_folder, label_names=label_names)
    used = set(table.lines)  # CSV line numbers; the first data row is line 2
    return np.array([line in used for line in range(2, table.n_rows + 2)])


def _epoch_seconds(n_images, read_rate, decode_rate, model_rate, decode_calls, prefetch):
    """Three stages (read, decode on ``decode_calls`` parallel calls, train), in images per second.

    With prefetching every stage works at once and the slowest sets the pace; without it they take turns.
    """
    rates = (read_rate, decode_rate * decode_calls, model_rate)
    if prefetch:
        return n_images / min(rates)
    return n_images * sum(1 / rate for rate in rates)


def _epoch_seconds_alternatives(n_images, read_rate, decode_rate, model_rate, decode_calls, prefetch):
    one_call = (n_images, read_rate, decode_rate, model_rate, 1, prefetch)
    return {"the time with the stages taking turns; prefetching overlaps them" if prefetch else
            "the time with the stages overlapping; without prefetching they take turns":
                _epoch_seconds(n_images, read_rate, decode_rate, model_rate, decode_calls, not prefetch),
            "the time with decoding on one call; the parallel calls multiply its rate":
                _epoch_seconds(*one_call),
            "the time of the fastest stage; the slowest one sets the pace":
                n_images / max(read_rate, decode_rate * decode_calls, model_rate)}


def _safe_shift(images, boxes, strengths, max_wrong):
    """The largest strength whose shift leaves fewer than ``max_wrong`` of the present digits under half visible."""
    safe = []
    for strength in strengths:
        visible = augment_with_boxes(images, boxes, "shift", strength, seed=1)[1]
        if np.mean(visible[~np.isnan(visible)] < 0.5) < max_wrong:  # over the present digits only
            safe.append(strength)
    if not safe:
        raise ValueError("strengths: no strength is safe for these images; the expected answer is undefined")
    return max(safe)


def _scaled_learning_rate(base_rate, base_batch, per_replica_batch, n_replicas):
    return base_rate * per_replica_batch * n_replicas / base_batch


def _scaled_learning_rate_alternatives(base_rate, base_batch, per_replica_batch, n_replicas):
    return {"scaled by the per-replica batch only; the optimizer steps on the global batch":
                base_rate * per_replica_batch / base_batch,
            "the global batch, not a learning rate": per_replica_batch * n_replicas}


def _global_batch(per_replica_batch, n_replicas):
    return per_replica_batch * n_replicas


def _global_batch_alternatives(per_replica_batch, n_replicas):
    return {"the per-replica batch; fit receives the global batch, which the strategy splits":
                per_replica_batch}


def _decay_steps(n_images, epochs, base_batch, per_replica_batch, n_replicas):
    """Optimizer steps in ``epochs`` epochs: one step per global batch, the last partial batch included."""
    return epochs * -(-n_images // (per_replica_batch * n_replicas))


def _decay_steps_alternatives(n_images, epochs, base_batch, per_replica_batch, n_replicas):
    global_batch = per_replica_batch * n_replicas
    return {"the single-GPU schedule's steps; with the larger global batch an epoch takes fewer steps, "
            "and the rate would still be high when training stops": epochs * -(-n_images // base_batch),
            "the steps without the last, partial batch; it is a step too":
                epochs * (n_images // global_batch),
            "steps of the per-replica batch; one optimizer step consumes a whole global batch":
                epochs * -(-n_images // per_replica_batch),
            "the steps of one epoch; the schedule spans every epoch": -(-n_images // global_batch)}


# Chapter 15: what the model looks at, and where it fails.
def _pointing_hit_rate(maps, boxes):
    # Imported on first use: ``explain`` imports TensorFlow, and importing this module must not.
    from .explain import pointing_game

    return float(np.mean(pointing_game(maps, boxes)))


def _chance_hit_rate(box_height, box_width, height, width):
    """The pointing game's hit rate of a map whose peak falls on a uniformly random pixel."""
    return float(box_height * box_width / (height * width))


def _worst_slice(y_true, y_pred, groups):
    """The group value whose images are most often wrong (any label wrong); the first of ties."""
    wrong = np.any(np.asarray(y_true) != np.asarray(y_pred), axis=1)
    groups = np.asarray(groups)
    if groups.shape != wrong.shape:
        raise ValueError(f"groups: expected one group per image ({wrong.shape[0]}), got shape {groups.shape}")
    values = np.unique(groups)
    rates = [wrong[groups == g].mean() for g in values]
    return float(values[int(np.argmax(rates))])


def _worst_slice_alternatives(y_true, y_pred, groups):
    wrong = np.any(np.asarray(y_true) != np.asarray(y_pred), axis=1)
    groups = np.asarray(groups)
    values = np.unique(groups)
    counts = [wrong[groups == g].sum() for g in values]
    return {"the group with the most wrong images; compare the fraction wrong, not the count":
            float(values[int(np.argmax(counts))])}


EXERCISES: dict[str, Exercise] = {
    # Chapter 1: what is multi-label classification.
    "label_cardinality": Exercise(("Y",), label_cardinality, name="cardinality",
                                  alternatives=lambda Y: {"the label density (divided by the number of labels); cardinality is labels per sample": label_density(Y)}),
    "label_density": Exercise(("Y",), label_density, name="density",
                              alternatives=lambda Y: {"the label cardinality; density divides it by the number of labels": label_cardinality(Y)}),
    "cooccurrence": Exercise(("Y",), cooccurrence, kind="array", name="cooccurrence"),
    # Chapter 5: accuracy and Hamming loss.
    "threshold": Exercise(("y_score",), _threshold, kind="array", optional={"threshold": 0.5}),
    "subset_accuracy": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: subset_accuracy(y_true, y_pred),
                                name="subset accuracy",
                                alternatives=lambda y_true, y_pred: {"the per-label accuracy (1 - Hamming loss); subset accuracy needs the whole row right": 1 - hamming_loss(y_true, y_pred)}),
    "hamming_loss": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: hamming_loss(y_true, y_pred),
                             name="Hamming loss",
                             alternatives=lambda y_true, y_pred: {"1 - subset accuracy; Hamming loss counts wrong (sample, label) cells": 1 - subset_accuracy(y_true, y_pred)}),
    "subset_accuracy_if_independent": Exercise(
        ("y_true", "y_pred"), _subset_accuracy_if_independent, name="independent subset accuracy",
        alternatives=lambda y_true, y_pred: {
            "the measured subset accuracy; the exercise asks what independent errors would give":
                _sk().accuracy_score(y_true, y_pred),
            "the per-label accuracy a itself; a whole sample needs all L answers right (a ** L)":
                1 - _sk().hamming_loss(y_true, y_pred),
        },
    ),
    # Chapter 6: precision, recall and F1.
    "precision": Exercise(("y_true", "y_pred"), _precision[0], name="precision", optional={"average": "micro"}, alternatives=_precision[1]),
    "recall": Exercise(("y_true", "y_pred"), _recall[0], name="recall", optional={"average": "micro"}, alternatives=_recall[1]),
    "f1": Exercise(("y_true", "y_pred"), _f1[0], name="F1", optional={"average": "micro"}, alternatives=_f1[1]),
    "f1_per_label": Exercise(("y_true", "y_pred"), lambda y_true, y_pred: averaged("f1", y_true, y_pred, None), kind="array", name="per-label F1"),
    "jaccard": Exercise(("y_true", "y_pred"), lambda y_true, y_pred, average="samples": averaged("jaccard", y_true, y_pred, average), name="Jaccard", optional={"average": "samples"}),
    "ch6_macro_f1_zero_division": Exercise(
        ("y_true", "y_pred"), _macro_f1_zero_division, name="macro-F1",
        optional={"zero_division": 1}, alternatives=_macro_f1_zero_division_alternatives,
    ),
    # Chapter 7: ranking metrics.
    "one_error": Exercise(("y_true", "y_score"), one_error, name="one-error"),
    "coverage": Exercise(("y_true", "y_score"), coverage, name="coverage", alternatives=_coverage_alternatives),
    "ranking_loss": Exercise(("y_true", "y_score"), _report_value("ranking_loss"), name="ranking loss"),
    "lrap": Exercise(("y_true", "y_score"), _report_value("label_ranking_average_precision"), name="LRAP"),
    "average_precision": Exercise(("y_true", "y_score"), _average_precision, name="average precision", optional={"average": "macro"}),
    "roc_auc": Exercise(("y_true", "y_score"), _roc_auc, name="ROC AUC", optional={"average": "macro"}),
    # Chapter 8: choosing thresholds.
    "top_k": Exercise(("y_score", "k"), top_k, kind="array"),
    "ch8_global_threshold": Exercise(
        ("y_true", "y_score"), _global_threshold, quantity="the global threshold",
        alternatives=lambda y_true, y_score: {
            "0.5, the default; search the grid 0.01, 0.02, ..., 0.99 for the best micro-F1": 0.5},
    ),
    "ch8_at_least_one": Exercise(("y_score",), _at_least_one, kind="array", optional={"threshold": 0.5}),
    # Chapter 9: imbalanced labels.
    "ch9_class_weight_on_label": Exercise(("Y", "class_weight", "label"), _class_weight_on_label,
                                          quantity="the label's mean weight",
                                          alternatives=_class_weight_on_label_alternatives),
    "ch9_positive_weights": Exercise(("Y",), _positive_weights, kind="array",
                                     optional={"power": 1.0}),
    "ch9_threshold_for_weight": Exercise(("pos_weight",), _threshold_for_weight,
                                         quantity="the threshold on p",
                                         alternatives=_threshold_for_weight_alternatives),
    # Chapter 10: baselines and a faster CNN.
    "ch10_prior_f1": Exercise(("p", "q"), _prior_f1, name="expected micro-F1 of the prior baseline"),
    "ch10_wider_params": Exercise(("model",), _count_params, name="number of parameters"),
    "ch10_bfloat16": Exercise(("value",), _as_bfloat16, name="the value in bfloat16"),
    # Chapter 11: a real benchmark.
    "ch11_cheating_gain": Exercise(("y_true", "y_score", "thresholds"), _cheating_gain, name="gain",
                                   alternatives=_cheating_gain_alternatives),
    # Chapter 12: using the model.
    "ch12_retuned_f1": Exercise(("y_true", "y_score"), _retuned_f1, alternatives=_retuned_f1_alternatives),
    "ch12_names": Exercise(("y_score",), _threshold, kind="array", name="answer", optional={"threshold": 0.5}),
    # Chapter 13: your own images.
    "ch13_messy_csv": Exercise(("csv_path", "image_folder", "label_names"), _messy_csv, kind="array",
                               name="answer", quantity="is each row used?", locate=False),
    "ch13_epoch_seconds": Exercise(
        ("n_images", "read_rate", "decode_rate", "model_rate", "decode_calls", "prefetch"), _epoch_seconds,
        name="answer", quantity="seconds per epoch", alternatives=_epoch_seconds_alternatives),
    "ch13_safe_shift": Exercise(("images", "boxes", "strengths", "max_wrong"), _safe_shift, kind="choice",
                                name="answer", quantity="the largest safe shift",
                                options=lambda images, boxes, strengths, max_wrong: list(strengths),
                                hint=": measure the share of lost digits at every strength"),
    "ch13_scaled_learning_rate": Exercise(
        ("base_rate", "base_batch", "per_replica_batch", "n_replicas"), _scaled_learning_rate,
        name="answer", quantity="the learning rate for the global batch",
        alternatives=_scaled_learning_rate_alternatives),
    "ch13_global_batch": Exercise(("per_replica_batch", "n_replicas"), _global_batch, name="global_batch",
                                  alternatives=_global_batch_alternatives),
    "ch13_decay_steps": Exercise(("n_images", "epochs", "base_batch", "per_replica_batch", "n_replicas"),
                                 _decay_steps,
                                 name="decay_steps", alternatives=_decay_steps_alternatives),
    # Chapter 14: trusting the scores.
    "ch14_ece": Exercise(("y_true", "y_score"), lambda y_true, y_score, n_bins=10:
                         expected_calibration_error(y_true, y_score, n_bins=n_bins),
                         name="answer", optional={"n_bins": 10},
                         alternatives=lambda y_true, y_score, n_bins=10: {
                             "the ECE with the default ten bins; use the bins the exercise gives":
                                 expected_calibration_error(y_true, y_score),
                             "the mean of the per-label ECEs; pool all (sample, label) cells into the bins":
                                 float(expected_calibration_error(y_true, y_score, n_bins=n_bins, per_label=True).mean())}),
    "ch14_cost_threshold": Exercise(
        ("cost_fp", "cost_fn", "train_prior", "new_prior"), _shifted_cost_threshold, name="answer",
        alternatives=lambda cost_fp, cost_fn, train_prior, new_prior: {
            "the cost threshold for scores calibrated at the site; these scores still carry the "
            "training frequency": _cost_threshold(cost_fp, cost_fn),
            "the answer for swapped costs: the false alarm's cost goes on top":
                _shifted_cost_threshold(cost_fn, cost_fp, train_prior, new_prior),
            "0.5 moved to the site's frequency, without the costs":
                _shifted_cost_threshold(1, 1, train_prior, new_prior)}),
    "ch14_prior_shift": Exercise(("y_score", "train_prior", "new_prior"), _prior_shift, kind="array", name="answer"),
    # Chapter 15: what the model looks at, and where it fails.
    "ch15_pointing_game": Exercise(("maps", "boxes"), _pointing_hit_rate, name="hit_rate"),
    "ch15_chance_hit_rate": Exercise(("box_height", "box_width", "height", "width"), _chance_hit_rate,
                                     name="chance"),
    "ch15_worst_slice": Exercise(("y_true", "y_pred", "groups"), _worst_slice, kind="choice",
                                 alternatives=_worst_slice_alternatives,
                                 options=lambda y_true, y_pred, groups: np.unique(np.asarray(groups)).tolist(),
                                 hint=": compare the fraction of wrong images in each group"),
}


def _validate_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Check the exercise's data as the rest of the package does (0/1 labels, scores in [0, 1], shapes)."""
    out = dict(inputs)
    for key in ("Y", "y_true", "y_pred"):
        if key in out:
            out[key] = check_labels(out[key], key).astype(np.int64)
    if "y_score" in out:
        out["y_score"] = check_scores(out["y_score"], "y_score")
    for key in ("y_pred", "y_score"):
        if "y_true" in out and key in out:
            check_same_shape(out["y_true"], out[key], "y_true", key)
    return out


def check(exercise_id: str, answer: Any, *, name: str | None = None, **inputs: Any) -> None:
    """Print a one-line verdict on ``answer`` for the registered exercise ``exercise_id``.

    The verdict names ``name``, the variable the learner filled in (default: the exercise's own
    name, "answer" for the book's "your turn" cells), followed by the exercise's quantity where
    the registry gives one: "answer (the global threshold) should be a number".

    ``inputs`` are the exercise's data, e.g. ``check("f1", my_f1, y_true=Y, y_pred=P,
    average="macro")``; the expected answer is computed from them (scikit-learn's definitions).
    The inputs are validated like everywhere in the package (``Y``, ``y_true``, ``y_pred``: 0/1
    matrices; ``y_score``: scores in [0, 1] of the same shape) and a ``ValueError`` or ``TypeError``
    naming the input is raised for bad ones, or when the expected answer is undefined for them.
    See ``EXERCISES`` for the ids and the inputs each one takes.
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
        if kwargs["average"] not in AVERAGES:
            raise ValueError(f"average: expected one of {list(AVERAGES)}, got {kwargs['average']!r}")
    if name is None:
        name = exercise.name
    elif not isinstance(name, str) or not name:
        raise TypeError(f"name: expected the name of the answer's variable (a non-empty str), got {name!r}")
    if exercise.quantity:
        name = f"{name} ({exercise.quantity})"  # "answer (the global threshold) should be a number"
    kwargs = _validate_inputs(kwargs)
    expected = exercise.solve(**kwargs)
    if exercise.kind == "array":
        print(verdict_array(answer, expected, name=name, locate=exercise.locate))
        return
    if not np.isfinite(float(expected)):
        raise ValueError(f"inputs: the expected {exercise.quantity or exercise.name} is undefined (NaN) for these inputs")
    alternatives = exercise.alternatives(**kwargs) if exercise.alternatives else None
    if exercise.kind == "choice":
        print(verdict_choice(answer, expected, exercise.options(**kwargs), name=name, hint=exercise.hint,
                             alternatives=alternatives))
        return
    print(verdict_value(answer, expected, name=name, alternatives=alternatives))


@contextlib.contextmanager
def graded() -> Iterator[None]:
    """Run exercise checks as an autograder test: raise ``AssertionError`` unless each says "Correct".

    The graded test cells of the nbgrader assignments (``make assignments``) run the chapter's checks
    inside ``with graded():``, so that nbgrader counts a "Not yet" as a failed test.

    The checks of ``mlc_utils.exercises`` print one verdict line each; inside this block their output
    is captured (and printed again), and any verdict other than "Correct" fails the test cell.
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        yield
    text = buffer.getvalue()
    print(text, end="")
    verdicts = [line for line in text.splitlines() if line.startswith(("Correct", "Not yet"))]
    if not verdicts:
        raise AssertionError("no check ran in this cell")
    wrong = [line for line in verdicts if not line.startswith("Correct")]
    if wrong:
        raise AssertionError(wrong[0])
