import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm

from mlc_utils.data import toy_photos
from mlc_utils.exercises import (
    EXERCISES,
    _fmt,
    check,
    check_array,
    check_value,
    graded,
    verdict_array,
    verdict_value,
)

EX = toy_photos()
T, S, P = EX.y_true, EX.y_score, EX.y_pred


def verdict(capsys, *args, **kwargs):
    check(*args, **kwargs)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "exactly one line"
    return out.strip()


def test_correct_value(capsys):
    answer = skm.f1_score(T, P, average="micro")
    assert verdict(capsys, "f1", answer, y_true=T, y_pred=P).startswith("Correct")


def test_wrong_average_is_named(capsys):
    answer = skm.f1_score(T, P, average="macro")
    out = verdict(capsys, "f1", answer, y_true=T, y_pred=P, average="samples")
    assert out.startswith("Not yet:") and "macro average" in out and "samples average" in out


def test_probabilities_where_labels_are_expected(capsys):
    out = verdict(capsys, "threshold", S, y_score=S)
    assert out.startswith("Not yet:") and "probabilities" in out


def test_wrong_shape_and_transpose(capsys):
    assert "transpose" in verdict(capsys, "threshold", P.T, y_score=S)
    assert "should have shape (5, 3)" in verdict(capsys, "threshold", P[:2], y_score=S)


def test_correct_array_and_first_difference(capsys):
    assert verdict(capsys, "threshold", P, y_score=S).startswith("Correct")
    wrong = P.copy()
    wrong[1, 2] = 1 - wrong[1, 2]
    out = verdict(capsys, "threshold", wrong, y_score=S)
    assert "1 of 15 entries" in out and "[1, 2]" in out


def test_coverage_off_by_one_hint(capsys):
    out = verdict(capsys, "coverage", skm.coverage_error(T, S), y_true=T, y_score=S)
    assert out.startswith("Not yet:") and "coverage_error" in out
    assert verdict(capsys, "coverage", skm.coverage_error(T, S) - 1, y_true=T, y_score=S).startswith("Correct")


def test_complement_hint(capsys):
    out = verdict(capsys, "hamming_loss", 1 - skm.hamming_loss(T, P), y_true=T, y_pred=P)
    assert "1 minus" in out or "per-label accuracy" in out or "subset" in out


def test_array_where_a_number_is_expected(capsys):
    assert "single number" in verdict(capsys, "label_cardinality", T.sum(axis=1), Y=T)


def test_none_answer(capsys):
    assert "None" in verdict(capsys, "one_error", None, y_true=T, y_score=S)


def test_generic_checks(capsys):
    check_value(0.25, 0.25, name="x")
    check_array([[1, 0]], np.array([[1, 1]]), name="y")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Correct: x = 0.25."
    assert lines[1].startswith("Not yet: 1 of 2 entries of y differ")


def test_check_rejects_unknown_exercise():
    with pytest.raises(ValueError, match="exercise_id: expected one of"):
        check("no_such_exercise", 1.0)


def test_check_rejects_missing_inputs():
    with pytest.raises(TypeError, match="needs y_pred"):
        check("f1", 0.5, y_true=T)


def test_check_rejects_unexpected_inputs():
    with pytest.raises(TypeError, match="unexpected"):
        check("f1", 0.5, y_true=T, y_pred=P, beta=2)


def test_check_rejects_unknown_average():
    with pytest.raises(ValueError, match="average: expected one of"):
        check("f1", 0.5, y_true=T, y_pred=P, average="binary-ish")


def test_subset_accuracy_if_independent_by_hand(capsys):
    # Chapter 5's toy photos at t = 0.5: 3 wrong cells of 15, so a = 0.8 and a ** 3 = 0.512;
    # two of five rows are exactly right (measured subset accuracy 0.4).
    y_true = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1], [1, 1, 1]])
    y_pred = np.array([[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0]])
    kwargs = {"y_true": y_true, "y_pred": y_pred}
    assert verdict(capsys, "subset_accuracy_if_independent", 0.512, **kwargs).startswith("Correct")
    assert "measured subset accuracy" in verdict(capsys, "subset_accuracy_if_independent", 0.4, **kwargs)
    assert "a ** L" in verdict(capsys, "subset_accuracy_if_independent", 0.8, **kwargs)
    assert "too high" in verdict(capsys, "subset_accuracy_if_independent", 0.6, **kwargs)


# ---------------------------------------------------------------------------------------------
# Hand-computed expectations for every registered exercise (issue 13), on the toy photos:
#   T = [[1,0,0],[0,1,1],[1,1,0],[0,0,1],[1,1,1]]     (cat, dog, person)
#   P = [[1,0,0],[0,1,1],[1,0,0],[0,1,1],[1,1,0]]     (scores >= 0.5)
# Per label (tp, true, pred): cat (3,3,3), dog (2,3,3), person (2,3,2); micro (7,9,8).
# Per sample (tp, true, pred): (1,1,1), (2,2,2), (1,2,1), (1,1,2), (2,3,2).
HAND = {
    "label_cardinality": ({"Y": T}, 9 / 5),
    "label_density": ({"Y": T}, 9 / 15),
    "subset_accuracy": ({"y_true": T, "y_pred": P}, 2 / 5),
    "hamming_loss": ({"y_true": T, "y_pred": P}, 3 / 15),
    "precision": ({"y_true": T, "y_pred": P}, 7 / 8),
    "recall": ({"y_true": T, "y_pred": P}, 7 / 9),
    "f1": ({"y_true": T, "y_pred": P}, 14 / 17),
    "jaccard": ({"y_true": T, "y_pred": P}, (1 + 1 + 1 / 2 + 1 / 2 + 2 / 3) / 5),
    "one_error": ({"y_true": T, "y_score": S}, 1 / 5),          # photo 4 ranks dog first
    "coverage": ({"y_true": T, "y_score": S}, (0 + 1 + 1 + 1 + 2) / 5),
    "ranking_loss": ({"y_true": T, "y_score": S}, (1 / 2) / 5),  # photo 4: dog above person
    "lrap": ({"y_true": T, "y_score": S}, (1 + 1 + 1 + 1 / 2 + 1) / 5),
    # dog: .85 (+), .8 (+) tied with .8 (-), .4 (+): AP = (1 + 2/3 + 3/4) / 3; cat, person ranked perfectly
    "average_precision": ({"y_true": T, "y_score": S}, (1 + 29 / 36 + 1) / 3),
    # dog: 4.5 of its 6 (positive, negative) pairs in order (one tie counts 1/2)
    "roc_auc": ({"y_true": T, "y_score": S}, (1 + 0.75 + 1) / 3),
    "subset_accuracy_if_independent": ({"y_true": T, "y_pred": P}, (1 - 3 / 15) ** 3),
}
HAND_AVERAGES = {
    ("precision", "macro"): (1 + 2 / 3 + 1) / 3,
    ("precision", "samples"): (1 + 1 + 1 + 1 / 2 + 1) / 5,
    ("recall", "macro"): (1 + 2 / 3 + 2 / 3) / 3,
    ("recall", "samples"): (1 + 1 + 1 / 2 + 1 + 2 / 3) / 5,
    ("f1", "macro"): (1 + 2 / 3 + 4 / 5) / 3,
    ("f1", "weighted"): (1 + 2 / 3 + 4 / 5) / 3,               # every label has support 3
    ("f1", "samples"): (1 + 1 + 2 / 3 + 2 / 3 + 4 / 5) / 5,
    ("jaccard", "micro"): 7 / (9 + 8 - 7),
    ("jaccard", "macro"): (1 + 2 / 4 + 2 / 3) / 3,
}
HAND_ARRAYS = {
    "cooccurrence": ({"Y": T}, [[3, 2, 1], [2, 3, 2], [1, 2, 3]]),
    "threshold": ({"y_score": S, "threshold": 0.7}, [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 1], [0, 1, 0]]),
    "top_k": ({"y_score": S, "k": 1}, [[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0]]),
    "f1_per_label": ({"y_true": T, "y_pred": P}, [1, 2 / 3, 4 / 5]),
}


# The package's core checks; the chapter-specific ones (ch6_..., ch8_..., ...) are tested by hand
# further down.
CORE = {"label_cardinality", "label_density", "cooccurrence", "threshold", "top_k", "subset_accuracy",
        "hamming_loss", "precision", "recall", "f1", "f1_per_label", "jaccard", "one_error", "coverage",
        "ranking_loss", "lrap", "average_precision", "roc_auc", "subset_accuracy_if_independent"}


#: The chapter of each exercise: the "chN_" prefix, or where the book introduces it.
CHAPTER = {
    "label_cardinality": 1, "label_density": 1, "cooccurrence": 1,
    "threshold": 5, "subset_accuracy": 5, "hamming_loss": 5, "subset_accuracy_if_independent": 5,
    "precision": 6, "recall": 6, "f1": 6, "f1_per_label": 6, "jaccard": 6,
    "one_error": 7, "coverage": 7, "ranking_loss": 7, "lrap": 7, "average_precision": 7, "roc_auc": 7,
    "top_k": 8,
}


def chapter(exercise_id):
    if exercise_id.startswith("ch"):
        return int(exercise_id[2:exercise_id.index("_")])
    return CHAPTER[exercise_id]


def test_the_registry_is_in_chapter_order():
    chapters = [chapter(exercise_id) for exercise_id in EXERCISES]
    assert chapters == sorted(chapters), list(EXERCISES)
    assert set(CHAPTER) <= set(EXERCISES)


def test_every_core_exercise_has_a_hand_computed_expectation():
    assert CORE <= set(EXERCISES)
    assert set(HAND) | set(HAND_ARRAYS) == CORE


@pytest.mark.parametrize("exercise_id", sorted(HAND))
def test_value_exercise_accepts_the_hand_value_and_refuses_a_near_miss(capsys, exercise_id):
    inputs, value = HAND[exercise_id]
    assert verdict(capsys, exercise_id, value, **inputs).startswith("Correct")
    assert verdict(capsys, exercise_id, value + 0.01, **inputs).startswith("Not yet")
    assert verdict(capsys, exercise_id, value - 0.01, **inputs).startswith("Not yet")


@pytest.mark.parametrize("exercise_id, average", sorted(HAND_AVERAGES))
def test_each_average_is_computed_as_by_hand(capsys, exercise_id, average):
    value = HAND_AVERAGES[exercise_id, average]
    assert verdict(capsys, exercise_id, value, y_true=T, y_pred=P, average=average).startswith("Correct")
    assert skm_value(exercise_id, average) == pytest.approx(value)  # scikit-learn agrees


def skm_value(exercise_id, average):
    fn = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score,
          "jaccard": skm.jaccard_score}[exercise_id]
    return fn(T, P, average=average, zero_division=0)


@pytest.mark.parametrize("exercise_id", sorted(HAND_ARRAYS))
def test_array_exercise_accepts_the_hand_array_and_refuses_one_changed_entry(capsys, exercise_id):
    inputs, value = HAND_ARRAYS[exercise_id]
    value = np.array(value, dtype=float)
    assert verdict(capsys, exercise_id, value, **inputs).startswith("Correct")
    wrong = value.copy()
    wrong.flat[-1] = 1 - wrong.flat[-1] if wrong.flat[-1] in (0, 1) else wrong.flat[-1] + 0.1
    assert verdict(capsys, exercise_id, wrong, **inputs).startswith("Not yet: 1 of")


# -- each feedback branch, with its exact message ------------------------------------------------

@pytest.mark.parametrize(
    "answer, message",
    [
        (0.25, "Correct: x = 0.25."),
        (np.float32(0.25), "Correct: x = 0.25."),
        ([0.25], "Correct: x = 0.25."),
        (np.array([[0.25]]), "Correct: x = 0.25."),
        (None, "Not yet: x is None. Did you forget to assign or return the value?"),
        ("0.25", "Not yet: x should be a number, got the text '0.25'."),
        (..., "Not yet: x should be a number, got ellipsis."),
        (True, "Not yet: x should be a number, got bool."),
        ([0.25, 0.5], "Not yet: x should be a single number, got an array of shape (2,). Did you forget to average?"),
        (np.array([0.25 + 0j]), "Not yet: x should be a real number, got a complex number."),
        (0.25 + 0j, "Not yet: x should be a real number, got a complex number."),
        (float("nan"), "Not yet: x is nan. Look for a division by zero."),
        (float("inf"), "Not yet: x is inf. Look for a division by zero."),
        (0.75, "Not yet: x = 0.75 is 1 minus the expected value: did you compute the opposite quantity "
               "(an error rate instead of a score, or the reverse)?"),
        (25, "Not yet: x = 25 looks like a percentage; give a fraction in [0, 1]."),
        (0.3, "Not yet: x = 0.3 is too high."),
        (0.2, "Not yet: x = 0.2 is too low."),
        (0.4, "Not yet: x = 0.4 is the other one."),
    ],
)
def test_verdict_value_branches(answer, message):
    assert verdict_value(answer, 0.25, name="x", alternatives={"the other one": 0.4}) == message


class FakeTensor:
    """What a TensorFlow or JAX scalar offers NumPy: ``__array__``."""

    def __init__(self, value):
        self.value = value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)


def test_verdict_value_accepts_array_like_scalars_and_pandas_values():
    assert verdict_value(FakeTensor(0.25), 0.25) == "Correct: answer = 0.25."
    assert verdict_value(pd.Series([0.25]), 0.25) == "Correct: answer = 0.25."
    assert verdict_value(pd.DataFrame([[0.25]]), 0.25) == "Correct: answer = 0.25."
    assert verdict_value(pd.Series([0.25]).mean(), 0.25) == "Correct: answer = 0.25."
    assert verdict_value(pd.NA, 0.25) == "Not yet: answer should be a number, got NAType."


def test_verdict_value_accepts_a_tensorflow_scalar():
    from mlc_utils._tensorflow import tf  # quiet import; TensorFlow is a dependency, never skipped
    assert verdict_value(tf.constant(0.25), 0.25) == "Correct: answer = 0.25."


def test_too_high_and_too_low_are_not_swapped():
    assert verdict_value(0.9, 0.5) == "Not yet: answer = 0.9 is too high."
    assert verdict_value(0.1, 0.5) == "Not yet: answer = 0.1 is too low."
    # no 1-minus or percentage hint outside [0, 1] or for a zero expectation
    assert verdict_value(-1.0, 2.0) == "Not yet: answer = -1 is too low."
    assert verdict_value(0.0, 0.0) == "Correct: answer = 0."
    assert verdict_value(2.0, 0.0) == "Not yet: answer = 2 is too high."


def test_tolerance_is_atol_inclusive():
    assert verdict_value(0.25 + 1e-6, 0.25).startswith("Correct")
    assert verdict_value(0.25 + 2e-6, 0.25).startswith("Not yet")
    assert verdict_value(0.3, 0.25, atol=0.05).startswith("Correct")


@pytest.mark.parametrize(
    "answer, message",
    [
        ([[1, 0], [0, 1], [1, 1]], "Correct: y matches the expected array of shape (3, 2)."),
        (None, "Not yet: y is None. Did you forget to assign or return the array?"),
        ([[1, 0], [0]], "Not yet: y should be a rectangular array of numbers."),
        (..., "Not yet: y is still the placeholder `...`: replace it with your array."),
        ([None, "a"], "Not yet: y should hold numbers, got dtype object."),
        ([["a", "b"]], "Not yet: y should hold numbers, got dtype <U1."),
        (np.ones((3, 2), complex), "Not yet: y should hold real numbers, got complex ones."),
        ([[1, 0, 1], [0, 1, 1]], "Not yet: y has shape (2, 3), the transpose of the expected (3, 2) "
                                 "(rows = samples, columns = labels)."),
        ([[1, 0]], "Not yet: y should have shape (3, 2), got (1, 2)."),
        ([[0.9, 0.1], [0.2, 0.8], [0.7, 0.6]], "Not yet: y holds probabilities, but 0/1 labels are "
                                               "expected: threshold the scores (for example y_score >= 0.5)."),
        ([[1, 0], [0, np.nan], [1, 1]], "Not yet: y contains NaN or infinity."),
        ([[1, 0], [1, 1], [1, 0]], "Not yet: 2 of 6 entries of y differ; the first is [1, 0], where you have 1."),
    ],
)
def test_verdict_array_branches(answer, message):
    assert verdict_array(answer, np.array([[1, 0], [0, 1], [1, 1]]), name="y") == message


def test_verdict_array_square_matrix_is_not_called_a_transpose():
    out = verdict_array(np.ones((2, 2)), np.ones((3, 3)), name="m")
    assert out == "Not yet: m should have shape (3, 3), got (2, 2)."


def test_no_not_yet_message_prints_the_expected_value(capsys):
    # For every wrong kind of answer, the expected value must not appear in the hint.
    # (Expected values chosen so that their printed form cannot occur in the fixed wording.)
    cases = [("f1", 14 / 17, "0.8235"), ("precision", 7 / 8, "0.875"), ("label_cardinality", 9 / 5, "1.8"),
             ("jaccard", 11 / 15, "0.7333"), ("lrap", 0.9, "0.9")]
    for exercise_id, expected, text in cases:
        inputs = HAND[exercise_id][0]
        for wrong in (expected + 0.31, expected - 0.05, 100 * expected, 1 - expected, None, "x", [expected, 0.1]):
            out = verdict(capsys, exercise_id, wrong, **inputs)
            assert out.startswith("Not yet") and text not in out, out
    out = verdict(capsys, "threshold", np.zeros((5, 3)), y_score=S)
    assert out == "Not yet: 8 of 15 entries of answer differ; the first is [0, 0], where you have 0."


# -- each wrong answer a check claims to recognise -------------------------------------------------

def test_recognised_wrong_answers_are_named(capsys):
    assert "label density" in verdict(capsys, "label_cardinality", 9 / 15, Y=T)
    assert "label cardinality" in verdict(capsys, "label_density", 9 / 5, Y=T)
    assert "per-label accuracy" in verdict(capsys, "subset_accuracy", 1 - 3 / 15, y_true=T, y_pred=P)
    assert "1 - subset accuracy" in verdict(capsys, "hamming_loss", 1 - 2 / 5, y_true=T, y_pred=P)
    out = verdict(capsys, "precision", (1 + 2 / 3 + 1) / 3, y_true=T, y_pred=P)
    assert "the macro average; this exercise asks for the micro average" in out
    out = verdict(capsys, "recall", (1 + 1 + 1 / 2 + 1 + 2 / 3) / 5, y_true=T, y_pred=P, average="weighted")
    assert "the samples average; this exercise asks for the weighted average" in out
    out = verdict(capsys, "precision", 7 / 8, y_true=T, y_pred=P, average="samples")
    assert "the micro average; this exercise asks for the samples average" in out
    assert "coverage_error" in verdict(capsys, "coverage", 2.0, y_true=T, y_score=S)
    out = verdict(capsys, "subset_accuracy_if_independent", 2 / 5, y_true=T, y_pred=P)
    assert "the measured subset accuracy" in out


# -- issue 9, point 10: every check validates its inputs; right feedback in each case -------------

def test_f1_check_works_on_one_label_data(capsys):
    # One column: tp 2, true 3, pred 2 -> F1 = 4/5 for micro, macro and weighted; per sample:
    # rows (1,1,1), (1,1,1), (0,1,0), (0,0,0), (0,0,0) -> F1 1, 1, 0, 0, 0 -> 2/5.
    y_true = np.array([[1], [1], [1], [0], [0]])
    y_pred = np.array([[1], [1], [0], [0], [0]])
    assert verdict(capsys, "f1", 4 / 5, y_true=y_true, y_pred=y_pred).startswith("Correct")
    assert verdict(capsys, "f1", 2 / 5, y_true=y_true, y_pred=y_pred, average="samples").startswith("Correct")
    assert "samples average" in verdict(capsys, "f1", 2 / 5, y_true=y_true, y_pred=y_pred)
    assert verdict(capsys, "f1_per_label", [4 / 5], y_true=y_true, y_pred=y_pred).startswith("Correct")
    assert verdict(capsys, "jaccard", 2 / 5, y_true=y_true, y_pred=y_pred).startswith("Correct")


def test_probabilities_passed_as_y_pred_are_refused_with_a_hint():
    with pytest.raises(ValueError, match=r"y_pred: expected only 0 and 1 labels.*threshold them first"):
        check("f1", 0.5, y_true=T, y_pred=S)


@pytest.mark.parametrize("exercise_id", ["f1", "precision", "recall", "subset_accuracy", "hamming_loss", "jaccard"])
def test_labels_other_than_0_1_are_refused(exercise_id):
    with pytest.raises(ValueError, match=r"y_true: expected only 0 and 1 labels, found \[2\]"):
        check(exercise_id, 0.5, y_true=2 * T, y_pred=P)


def test_scores_outside_0_1_and_shape_mismatch_are_refused():
    with pytest.raises(ValueError, match=r"y_score: expected probabilities in \[0, 1\]"):
        check("one_error", 0.2, y_true=T, y_score=S * 10)
    with pytest.raises(ValueError, match="y_pred: expected the same shape as y_true"):
        check("f1", 0.5, y_true=T, y_pred=P[:, :2])
    with pytest.raises(ValueError, match="Y: expected a 2-D array"):
        check("label_cardinality", 1.0, Y=[1, 0, 1])


def test_roc_auc_with_a_label_without_positives_is_refused_not_always_wrong():
    y_true = T.copy()
    y_true[:, 2] = 0
    with pytest.raises(ValueError, match=r"y_true: the macro-averaged ROC AUC needs a positive and a negative "
                                         r"in every label; label\(s\) \[2\] lack one"):
        check("roc_auc", 0.9, y_true=y_true, y_score=S)
    with pytest.raises(ValueError, match=r"average precision needs a positive in every label; label\(s\) \[2\]"):
        check("average_precision", 0.9, y_true=y_true, y_score=S)
    # a label that is always present has no negative: undefined for ROC AUC, fine for AP
    y_true[:, 2] = 1
    with pytest.raises(ValueError, match=r"label\(s\) \[2\] lack one"):
        check("roc_auc", 0.9, y_true=y_true, y_score=S)
    # per sample: photo 5 has every label, so no negative
    with pytest.raises(ValueError, match=r"samples-averaged ROC AUC .* sample\(s\) \[4\] lack one"):
        check("roc_auc", 0.9, y_true=T, y_score=S, average="samples")


def test_roc_auc_micro_is_defined_where_macro_is_not(capsys):
    y_true = T.copy()
    y_true[:, 2] = 0
    expected = skm.roc_auc_score(y_true, S, average="micro")
    assert verdict(capsys, "roc_auc", expected, y_true=y_true, y_score=S, average="micro").startswith("Correct")


# -- the chapter 10 and 12 checks, by hand --------------------------------------------------------

def test_prior_f1_by_hand(capsys):
    # 2 * (0.5*0.2 + 0.5*0.6) / ((0.5 + 0.5) + (0.2 + 0.6)) = 0.8 / 1.8 = 4/9
    inputs = {"p": [0.5, 0.5], "q": [0.2, 0.6]}
    assert verdict(capsys, "ch10_prior_f1", 4 / 9, **inputs).startswith("Correct")
    assert verdict(capsys, "ch10_prior_f1", 4 / 9 + 0.01, **inputs) == (
        "Not yet: expected micro-F1 of the prior baseline = 0.4544 is too high.")


def test_bfloat16_by_hand(capsys):
    # bfloat16 keeps 8 significant bits: 0.1 -> 0.10009765625 (= 205 / 2048), 1/3 -> 0.333984375.
    assert verdict(capsys, "ch10_bfloat16", 0.10009765625, value=0.1).startswith("Correct")
    assert verdict(capsys, "ch10_bfloat16", 0.333984375, value=1 / 3).startswith("Correct")
    assert verdict(capsys, "ch10_bfloat16", 0.1, value=0.1).startswith("Not yet")


def test_parameter_count_by_hand(capsys):
    class Model:
        def count_params(self):
            return 1234

    assert verdict(capsys, "ch10_wider_params", 1234, model=Model()) == "Correct: number of parameters = 1,234."
    assert verdict(capsys, "ch10_wider_params", 1235, model=Model()).startswith("Not yet")


# Eight rows, two labels: the first four tune, the last four score.
RETUNE_TRUE = np.array([[1, 1], [1, 0], [0, 0], [0, 0], [1, 0], [1, 0], [0, 0], [0, 0]])
RETUNE_SCORE = np.array([[0.9, 0.28], [0.8, 0.1], [0.2, 0.05], [0.1, 0.02],
                         [0.4, 0.35], [0.6, 0.1], [0.1, 0.1], [0.1, 0.1]])


def test_retuned_f1_by_hand(capsys):
    # First half. Label 0: any t in (0.2, 0.8] is perfect, the grid's closest to 0.5 is 0.5. Label 1:
    # t in (0.1, 0.28] -> 0.28. One global threshold: both at once, t in (0.2, 0.28] -> 0.28.
    # Shrunk with n_pos / (n_pos + 50): label 0 (2 positives) 0.28 + 0.22 * 2 / 52 = 0.2885; label 1
    # keeps 0.28. Second half: label 0 catches 0.4 and 0.6 (TP 2), label 1 fires on 0.35 (FP 1):
    # micro-F1 = 2 * 2 / (2 * 2 + 1) = 0.8.
    inputs = {"y_true": RETUNE_TRUE, "y_score": RETUNE_SCORE}
    assert verdict(capsys, "ch12_retuned_f1", 0.8, **inputs) == "Correct: answer = 0.8."
    assert verdict(capsys, "ch12_retuned_f1", 0.81, **inputs) == "Not yet: answer = 0.81 is too high."
    # Raw per-label thresholds (0.5, 0.28): label 0 misses 0.4 -> TP 1, FN 1, FP 1 -> 2 / 4.
    assert "tune_shrunk_thresholds" in verdict(capsys, "ch12_retuned_f1", 0.5, **inputs)
    # 0.5 everywhere: TP 1, FN 1, no FP -> 2 / 3.
    assert "at 0.5" in verdict(capsys, "ch12_retuned_f1", 2 / 3, **inputs)
    # Tuned on the second half itself: 0.4 for label 0, and the pair is perfect -> 1.
    assert "tuned on the second half" in verdict(capsys, "ch12_retuned_f1", 1.0, **inputs)


def test_retuned_f1_refuses_a_single_row():
    with pytest.raises(ValueError, match=r"y_true: expected at least 2 samples"):
        check("ch12_retuned_f1", 0.5, y_true=[[1, 0]], y_score=[[0.9, 0.1]])


def test_label_names_check_names_the_learners_variable(capsys):
    thresholds = np.array([0.7, 0.5, 0.3])
    expected = (S >= thresholds).astype(int)
    assert verdict(capsys, "ch12_names", expected, y_score=S, threshold=thresholds) == (
        "Correct: answer matches the expected array of shape (5, 3).")
    out = verdict(capsys, "ch12_names", ..., y_score=S, threshold=thresholds)
    assert out == "Not yet: answer is still the placeholder `...`: replace it with your array."


def test_cheating_gain_by_hand(capsys):
    # One label (so per-label, global and shrunk thresholds coincide). Scores 0.9, 0.6, 0.7, 0.2 for
    # truths 1, 1, 0, 0. Honest threshold 0.8 predicts only the 0.9: precision 1, recall 1/2, F1 2/3.
    # Tuned on these very labels: any threshold in (0.2, 0.6] predicts 0.9, 0.7, 0.6 (F1 = 0.8, the
    # best), and the tie goes to 0.5. The cheat's gain is 0.8 - 2/3 = 2/15.
    inputs = {"y_true": [[1], [1], [0], [0]], "y_score": [[0.9], [0.6], [0.7], [0.2]], "thresholds": [0.8]}
    assert verdict(capsys, "ch11_cheating_gain", 2 / 15, **inputs) == "Correct: gain = 0.1333."
    assert verdict(capsys, "ch11_cheating_gain", 2 / 15 + 0.01, **inputs) == "Not yet: gain = 0.1433 is too high."
    assert verdict(capsys, "ch11_cheating_gain", 0.8, **inputs) == (
        "Not yet: gain = 0.8 is the cheating macro-F1 itself; subtract the honest one.")
    assert verdict(capsys, "ch11_cheating_gain", 2 / 3, **inputs) == (
        "Not yet: gain = 0.6667 is the honest macro-F1 itself; the gain is cheating minus honest.")
    assert verdict(capsys, "ch11_cheating_gain", -2 / 15, **inputs) == (
        "Not yet: gain = -0.1333 is honest minus cheating; subtract the other way round.")


def test_cheating_gain_is_scikit_learns_macro_f1_difference(capsys):
    from mlc_utils.thresholds import tune_shrunk_thresholds

    rng = np.random.default_rng(0)
    y_true = (rng.random((60, 3)) < [0.5, 0.3, 0.1]).astype(int)
    y_score = np.clip(0.6 * y_true + 0.5 * rng.random((60, 3)), 0, 1)
    honest = np.array([0.5, 0.4, 0.6])
    cheat = tune_shrunk_thresholds(y_true, y_score)
    expected = (skm.f1_score(y_true, y_score >= cheat, average="macro", zero_division=0)
                - skm.f1_score(y_true, y_score >= honest, average="macro", zero_division=0))
    inputs = {"y_true": y_true, "y_score": y_score, "thresholds": honest}
    assert verdict(capsys, "ch11_cheating_gain", expected, **inputs).startswith("Correct")
    assert verdict(capsys, "ch11_cheating_gain", expected - 0.01, **inputs).startswith("Not yet")


# -- pinned by the mutation run -------------------------------------------------------------------

def test_generic_checks_default_name_and_tolerance(capsys):
    check_value(0.25 + 2e-6, 0.25)
    check_value(0.25 + 5e-7, 0.25)
    check_array([[1.0 + 2e-6]], [[1.0]])
    check_array([[1.0 + 5e-7]], [[1.0]])
    assert capsys.readouterr().out.splitlines() == [
        "Not yet: answer = 0.25 is too high.",
        "Correct: answer = 0.25.",
        "Not yet: 1 of 1 entries of answer differ; the first is [0, 0], where you have 1.",
        "Correct: answer matches the expected array of shape (1, 1).",
    ]


def test_macro_and_weighted_differ_when_supports_differ(capsys):
    # label 0: tp 2, true 3, pred 2 -> F1 4/5; label 1: tp 0, true 1, pred 0 -> F1 0.
    # macro (4/5 + 0) / 2 = 0.4; weighted by support (3 * 4/5 + 1 * 0) / 4 = 0.6; micro 4/6.
    y_true, y_pred = [[1, 0], [1, 0], [1, 1]], [[1, 0], [0, 0], [1, 0]]
    for average, value in (("macro", 0.4), ("weighted", 0.6), ("micro", 4 / 6)):
        out = verdict(capsys, "f1", value, y_true=y_true, y_pred=y_pred, average=average)
        assert out.startswith("Correct"), (average, out)
    assert skm.f1_score(y_true, y_pred, average="weighted", zero_division=0) == pytest.approx(0.6)


def test_coverage_recognises_scikit_learns_value_with_an_unlabelled_sample(capsys):
    # Photo A: its cat is ranked first (step 0; coverage_error 1); photo B has no label (0 in both).
    y_true, y_score = [[1, 0, 0], [0, 0, 0]], [[0.9, 0.2, 0.1], [0.3, 0.2, 0.1]]
    assert verdict(capsys, "coverage", 0.0, y_true=y_true, y_score=y_score) == "Correct: coverage = 0."
    assert verdict(capsys, "coverage", 0.5, y_true=y_true, y_score=y_score) == (
        "Not yet: coverage = 0.5 is scikit-learn's coverage_error; the book's convention subtracts 1 "
        "(the top label is step 0).")


def test_undefined_ranking_scores_messages_in_full():
    with pytest.raises(ValueError) as micro:
        check("roc_auc", 0.5, y_true=np.zeros((3, 2), int), y_score=np.full((3, 2), 0.5), average="micro")
    assert str(micro.value) == ("y_true: the micro-averaged ROC AUC needs a positive and a negative in every "
                                "label; label(s) [0] lack one, so the expected value is undefined")
    with pytest.raises(ValueError) as macro:
        check("average_precision", 0.5, y_true=np.zeros((2, 7), int), y_score=np.full((2, 7), 0.5))
    assert str(macro.value) == ("y_true: the macro-averaged average precision needs a positive in every "
                                "label; label(s) [0, 1, 2, 3, 4] lack one, so the expected value is undefined; "
                                "drop them or use average='micro'")


def test_average_precision_per_sample_and_micro():
    y_true = T.copy()
    y_true[2] = 0  # photo 3 without labels: its average precision is undefined
    with pytest.raises(ValueError, match=r"samples-averaged average precision .* sample\(s\) \[2\] lack one"):
        check("average_precision", 0.5, y_true=y_true, y_score=S, average="samples")


def test_average_precision_micro_is_scikit_learns(capsys):
    expected = skm.average_precision_score(T, S, average="micro")
    assert expected != pytest.approx(HAND["average_precision"][1])  # micro differs from macro here
    assert verdict(capsys, "average_precision", expected, y_true=T, y_score=S, average="micro").startswith("Correct")


def test_global_threshold_check_on_one_label(capsys):
    # Every threshold in (0.2, 0.8] separates the two samples: the candidate closest to 0.5 wins.
    out = verdict(capsys, "ch8_global_threshold", 0.5, y_true=[[1], [0]], y_score=[[0.8], [0.2]])
    assert out == "Correct: answer (the global threshold) = 0.5."


def test_keras_class_weight_on_a_label_defaults_to_one(capsys):
    # Rows take the weight of their argmax class; class 1 has no entry, so its rows weigh 1.
    # Label 1 is present in rows 1 (argmax 1: weight 1) and 2 (argmax 0: weight 3): mean 2.
    Y = [[1, 0], [0, 1], [1, 1]]
    out = verdict(capsys, "ch9_class_weight_on_label", 2.0, Y=Y, class_weight={0: 3.0}, label=1)
    assert out == "Correct: answer (the label's mean weight) = 2.", out


def test_generic_checks_pass_their_tolerance_on(capsys):
    check_value(0.3, 0.25, atol=0.1)
    check_array([[1.05]], [[1.0]], atol=0.1)
    assert capsys.readouterr().out.splitlines() == [
        "Correct: answer = 0.25.", "Correct: answer matches the expected array of shape (1, 1)."]


# -- boundaries and branches of the verdicts (mutation survivors) --------------------------------


def test_numbers_are_formatted_whole_up_to_1e15():
    assert _fmt(999_999_999_999_999.0) == "999,999,999,999,999"
    assert _fmt(1e15) == "1e+15"
    assert _fmt(0.123456) == "0.1235"


def test_verdict_value_edges_of_each_hint():
    # Binary-exact numbers, so each comparison sits exactly on its boundary.
    assert verdict_value(0.75, 0.5, atol=0.25) == "Correct: answer = 0.5."
    assert verdict_value(1.25, 2.0, atol=0.25, alternatives={"the other one": 1.0}) == (
        "Not yet: answer = 1.25 is the other one.")
    assert verdict_value(0.875, 0.25, atol=0.125).startswith("Not yet: answer = 0.875 is 1 minus")
    assert verdict_value(1.0, 0.0).startswith("Not yet: answer = 1 is 1 minus")
    assert verdict_value(0.0, 1.0).startswith("Not yet: answer = 0 is 1 minus")
    assert verdict_value(100, 1.0) == "Not yet: answer = 100 looks like a percentage; give a fraction in [0, 1]."
    atol = 2.0**-7
    assert verdict_value(25 + 100 * atol, 0.25, atol=atol).endswith("looks like a percentage; give a fraction in [0, 1].")
    assert verdict_value(25 + 101 * atol, 0.25, atol=atol).endswith("is too high.")


def test_verdict_value_reads_integer_float32_and_odd_objects():
    assert verdict_value(np.array([3]), 3) == "Correct: answer = 3."
    assert verdict_value(np.array([0.25], np.float32), 0.25) == "Correct: answer = 0.25."
    assert verdict_value({"a": 1}, 0.5) == "Not yet: answer should be a number, got dict."
    assert verdict_array(None, [1]) == "Not yet: answer is None. Did you forget to assign or return the array?"
    assert verdict_array(..., [True, False], name="answer (is each row used?)") == (
        "Not yet: answer (is each row used?) is still the placeholder `...`: replace it with your array.")


def test_check_refusals_in_full():
    with pytest.raises(TypeError, match=r"^inputs: exercise 'f1' needs y_true, y_pred \(as keyword arguments\)$"):
        check("f1", 0.5)
    with pytest.raises(TypeError, match=r"^inputs: exercise 'f1' takes \['average', 'y_pred', 'y_true'\], "
                                        r"got unexpected \['beta'\]$"):
        check("f1", 0.5, y_true=T, y_pred=P, beta=2)
    with pytest.raises(ValueError, match=r"^y_score: expected the same shape as y_true \(5, 3\), got \(5, 2\)$"):
        check("roc_auc", 0.5, y_true=T, y_score=S[:, :2])
    with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1 labels, found \[2\]"):
        check("ch9_class_weight_on_label", 1.0, Y=[[0, 2]], class_weight={}, label=0)
    with np.errstate(invalid="ignore"), pytest.raises(
            ValueError, match=r"^inputs: the expected expected micro-F1 of the prior baseline is undefined \(NaN\)"):
        check("ch10_prior_f1", 0.5, p=[0.0], q=[0.0])


def test_class_weight_on_a_label_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"^label: expected a column index in 0\.\.1, got 2$"):
        check("ch9_class_weight_on_label", 1.0, Y=[[1, 0]], class_weight={}, label=2)
    with pytest.raises(TypeError, match=r"^label: expected a column index \(an integer\), got str$"):
        check("ch9_class_weight_on_label", 1.0, Y=[[1, 0]], class_weight={}, label="nine")
    with pytest.raises(ValueError, match=r"^Y: label 1 has no positive row"):
        check("ch9_class_weight_on_label", 1.0, Y=[[1, 0]], class_weight={}, label=1)


def test_threshold_for_a_positive_weight(capsys):
    # Weighted BCE, weight w: the minimiser q = w p / (w p + 1 - p) is 0.5 at p = 1 / (1 + w).
    # w = 3: q(0.25) = 0.75 / (0.75 + 0.75) = 0.5 by hand, so the answer is 0.25.
    assert verdict(capsys, "ch9_threshold_for_weight", 0.25, pos_weight=3.0) == "Correct: answer (the threshold on p) = 0.25."
    inverse = verdict(capsys, "ch9_threshold_for_weight", 1 / 3, pos_weight=3.0)
    assert inverse.startswith("Not yet: answer (the threshold on p) = 0.3333 is 1 / w"), inverse
    assert "0.25" not in verdict(capsys, "ch9_threshold_for_weight", 0.75, pos_weight=3.0)
    with pytest.raises(ValueError, match=r"^pos_weight: expected a finite number > 0, got 0$"):
        check("ch9_threshold_for_weight", 0.5, pos_weight=0)
    with pytest.raises(TypeError, match=r"^pos_weight: expected a number, got str$"):
        check("ch9_threshold_for_weight", 0.5, pos_weight="3")


def test_feedback_names_the_learners_variable(capsys):
    # The book's "your turn" cells fill `answer`: array checks say so, and `name=` can say otherwise.
    assert verdict(capsys, "ch8_at_least_one", ..., y_score=S).startswith("Not yet: answer is still the placeholder")
    assert verdict(capsys, "threshold", ..., y_score=S).startswith("Not yet: answer is still the placeholder")
    assert verdict(capsys, "top_k", ..., y_score=S, k=1).startswith("Not yet: answer is still the placeholder")
    # A value check names `answer` too, with the quantity it holds in parentheses.
    placeholder = verdict(capsys, "ch8_global_threshold", ..., y_true=[[1], [0]], y_score=[[0.8], [0.2]])
    assert placeholder == "Not yet: answer (the global threshold) should be a number, got ellipsis."
    named = verdict(capsys, "ch8_global_threshold", ..., y_true=[[1], [0]], y_score=[[0.8], [0.2]], name="t")
    assert named.startswith("Not yet: t (the global threshold) should be a number")
    assert verdict(capsys, "f1", None, y_true=T, y_pred=P, name="my_f1").startswith("Not yet: my_f1 is None")
    assert verdict(capsys, "threshold", P, y_score=S, name="y_pred").startswith("Correct: y_pred matches")
    with pytest.raises(TypeError, match=r"^name: expected the name of the answer's variable"):
        check("threshold", P, y_score=S, name="")


def test_macro_f1_zero_division_names_each_convention(capsys):
    # label 0: F1 2/3; label 1 neither present nor predicted: 0 -> 1/3, 1 -> 5/6, left out -> 2/3.
    inputs = {"y_true": [[1, 0], [0, 0], [1, 0]], "y_pred": [[1, 0], [0, 0], [0, 0]]}
    assert verdict(capsys, "ch6_macro_f1_zero_division", 1 / 3, **inputs) == (
        "Not yet: macro-F1 = 0.3333 is the macro-F1 with zero_division=0, which counts the undefined label as 0.")
    assert verdict(capsys, "ch6_macro_f1_zero_division", 2 / 3, **inputs, zero_division=0.0) == (
        "Not yet: macro-F1 = 0.6667 is the macro-F1 with zero_division=nan, which leaves the undefined label "
        "out of the mean.")
    assert verdict(capsys, "ch6_macro_f1_zero_division", 5 / 6, **inputs, zero_division=0) == (
        "Not yet: macro-F1 = 0.8333 is the macro-F1 with zero_division=1, which counts the undefined label as 1.")


# -- the chapter 6 zero_division check: right answer and each wrong answer it names, by hand ------
# y_true = [[1, 0], [1, 0]], y_pred = [[1, 0], [0, 0]]: label 0 has TP = 1, FN = 1, so F1 = 2/3;
# label 1 is never present nor predicted (F1 = 0/0). Macro-F1 is (2/3 + 1)/2 = 5/6 with
# zero_division=1, (2/3 + 0)/2 = 1/3 with 0, and 2/3 with NaN (the label left out).

ZERO_DIVISION_TRUE = np.array([[1, 0], [1, 0]])
ZERO_DIVISION_PRED = np.array([[1, 0], [0, 0]])


def macro_f1_verdict(capsys, answer, **options):
    return verdict(capsys, "ch6_macro_f1_zero_division", answer, y_true=ZERO_DIVISION_TRUE,
                   y_pred=ZERO_DIVISION_PRED, **options)


@pytest.mark.parametrize("zero_division, right", [(1, 5 / 6), (0, 1 / 3), (np.nan, 2 / 3)])
def test_macro_f1_zero_division_right_answer_for_each_convention(capsys, zero_division, right):
    assert macro_f1_verdict(capsys, right, zero_division=zero_division).startswith("Correct")


@pytest.mark.parametrize("wrong, named", [(1 / 3, "zero_division=0"), (2 / 3, "zero_division=nan")])
def test_macro_f1_zero_division_answer_of_another_convention_is_named(capsys, wrong, named):
    out = macro_f1_verdict(capsys, wrong)  # the exercise asks for zero_division=1
    assert out.startswith("Not yet") and named in out
    assert "0.8333" not in out  # the expected value is never printed


def test_macro_f1_zero_division_default_is_one_and_other_errors_say_too_low(capsys):
    assert macro_f1_verdict(capsys, 5 / 6).startswith("Correct")
    out = macro_f1_verdict(capsys, 0.5)
    assert out.startswith("Not yet") and "too low" in out and "0.8333" not in out


def test_macro_f1_zero_division_placeholder_gets_not_yet(capsys):
    assert macro_f1_verdict(capsys, ...).startswith("Not yet")


# -- the chapter 8 and 9 checks, by hand ---------------------------------------------------------

def test_global_threshold_exercise(capsys):
    rng = np.random.default_rng(1)
    y_true = (rng.random((200, 3)) < 0.4).astype(int)
    y_score = np.clip(0.4 * y_true + 0.6 * rng.random(y_true.shape), 0, 1)
    grid = np.round(np.arange(1, 100) / 100, 2)
    f1 = [skm.f1_score(y_true, (y_score >= t).astype(int), average="micro") for t in grid]
    best = grid[int(np.argmax(f1))]  # first best; the check accepts the one nearest 0.5 among ties
    ties = grid[np.isclose(f1, max(f1))]
    expected = ties[np.argmin(np.abs(ties - 0.5))]
    assert np.isclose(skm.f1_score(y_true, (y_score >= best).astype(int), average="micro"), max(f1))
    assert verdict(capsys, "ch8_global_threshold", expected, y_true=y_true, y_score=y_score).startswith("Correct")
    assert verdict(capsys, "ch8_global_threshold", ..., y_true=y_true, y_score=y_score).startswith("Not yet")


def test_at_least_one_exercise(capsys):
    y_score = np.array([[0.1, 0.3, 0.2], [0.9, 0.2, 0.8]])
    right = np.array([[0, 1, 0], [1, 0, 1]])
    assert verdict(capsys, "ch8_at_least_one", right, y_score=y_score).startswith("Correct")
    plain = (y_score >= 0.5).astype(int)
    assert verdict(capsys, "ch8_at_least_one", plain, y_score=y_score).startswith("Not yet")
    assert verdict(capsys, "ch8_at_least_one", ..., y_score=y_score).startswith("Not yet")


def test_class_weight_on_label_exercise(capsys):
    Y = np.array([[0, 1, 1], [1, 0, 1], [0, 0, 1]])
    # Keras weights each row by its first label: 2, 1 and 10. Label 2 is in all three rows: mean 13 / 3.
    weights = {0: 1.0, 1: 2.0, 2: 10.0}
    assert verdict(capsys, "ch9_class_weight_on_label", 13 / 3, Y=Y, class_weight=weights,
                   label=2).startswith("Correct")
    hoped = verdict(capsys, "ch9_class_weight_on_label", 10.0, Y=Y, class_weight=weights, label=2)
    assert hoped.startswith("Not yet") and "the label itself" in hoped  # what learners hope for


def test_positive_weights_exercise(capsys):
    Y = np.array([[1, 0], [1, 1], [0, 0], [0, 0]])
    assert verdict(capsys, "ch9_positive_weights", [1.0, np.sqrt(3)], Y=Y, power=0.5).startswith("Correct")
    assert verdict(capsys, "ch9_positive_weights", [1.0, 3.0], Y=Y, power=0.5).startswith("Not yet")


# --- graded: the checks as nbgrader tests (the assignments' test cells call it) ---


def test_graded_passes_correct_and_fails_not_yet(capsys):
    with graded():
        print("Correct: F1 = 0.5.")
    with pytest.raises(AssertionError, match="Not yet: F1 = 0.4 is too low"):
        with graded():
            print("Correct: precision = 0.5.")
            print("Not yet: F1 = 0.4 is too low.")
    with pytest.raises(AssertionError, match="no check ran"):
        with graded():
            pass


# --- bad inputs (the former tools/bad_inputs_table.py) ---------------------------------------------
# The table's cases that the tests above did not already cover, with its criterion: the exception
# type, and a message that starts with the argument's name (or, for an input that must work, the
# verdict on an answer worked out by hand).

@pytest.mark.parametrize(
    "call, error, argument, message",
    [
        pytest.param(lambda: check("hamming_loss", 0.5, y_true=T, y_pred=2 * P), ValueError, "y_pred",
                     "y_pred: expected only 0 and 1 labels, found [2]", id="hamming_loss_y_pred_0_or_2"),
        # (check() refuses it first; multilabel_report, which computes the expected value, would too.)
        pytest.param(lambda: check("ranking_loss", 0.5, y_true=T, y_score=S[:, :2]), ValueError, "y_score",
                     "y_score: expected the same shape as y_true (5, 3), got (5, 2)",
                     id="ranking_loss_shape_mismatch"),
    ],
)
def test_check_refuses_bad_inputs_by_name(call, error, argument, message):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).startswith(f"{argument}: ")
    assert str(caught.value) == message


def test_threshold_check_compares_float32_scores_as_the_learner_does(capsys):
    # Keras' float32 scores: 0.7 and 0.65 are not exact in float32. A learner's `y_score >= 0.7`
    # compares in float32, so the scores equal to float32(0.7) are predicted (by hand below); the
    # same comparison in float64 (0.69999999 < 0.7) predicts neither of them.
    y_score = np.array([[0.7, 0.2, 0.9], [0.3, 0.7, 0.65]], np.float32)
    in_float32 = [[1, 0, 1], [0, 1, 0]]
    in_float64 = [[0, 0, 1], [0, 0, 0]]
    assert verdict(capsys, "threshold", in_float32, y_score=y_score, threshold=0.7) == (
        "Correct: answer matches the expected array of shape (2, 3).")
    assert verdict(capsys, "threshold", in_float64, y_score=y_score, threshold=0.7).startswith("Not yet")


@pytest.mark.parametrize("exercise_id, inputs", [
    ("f1", {"y_true": T, "y_pred": P}),
    ("roc_auc", {"y_true": T, "y_score": S}),
])
def test_check_refuses_an_unknown_average_by_name(exercise_id, inputs):
    with pytest.raises(ValueError) as caught:
        check(exercise_id, 0.5, average="median", **inputs)
    assert str(caught.value) == "average: expected one of ['micro', 'macro', 'weighted', 'samples'], got 'median'"


# -- chapter 13: your own images --------------------------------------------------------------------

def test_messy_csv_exercise_expects_the_rows_a_person_would_trust(capsys, tmp_path):
    from mlc_utils.files import write_image_folder

    names = ["cat", "dog", "person"]
    X = np.full((4, 4, 4, 3), 0.5, dtype=np.float32)
    folder = write_image_folder(tmp_path, X, np.eye(4, 3, dtype=int), names)["images"]
    csv = tmp_path / "messy.csv"
    csv.write_text("filename,labels\nimg_00000.png,CAT dog\nimg_00001.png,dgo\nimg_00002.png,\n"
                   "img_00000.png,cat dog\nimg_00003.png,person\n")
    inputs = {"csv_path": csv, "image_folder": folder, "label_names": names}
    # by hand: line 2 fixed (case), 3 typo, 4 empty, 5 duplicate of 2 with the same labels, 6 kept
    out = verdict(capsys, "ch13_messy_csv", [True, False, False, False, True], **inputs)
    assert out.startswith("Correct") and "answer (is each row used?) matches" in out
    out = verdict(capsys, "ch13_messy_csv", [1, 0, 0, 1, 1], **inputs)  # kept the duplicate
    # how many are wrong, never where: a position would let the learner flip it and retry
    assert out == "Not yet: 1 of 5 entries of answer (is each row used?) are wrong."
    out = verdict(capsys, "ch13_messy_csv", [0, 1, 0, 1, 1], **inputs)
    assert out.startswith("Not yet: 3 of 5 entries") and "[" not in out and "you have" not in out
    # a wrong number of entries names the shape of the CSV's rows, which the learner knows anyway
    assert "(5,)" in verdict(capsys, "ch13_messy_csv", [1, 1], **inputs)
    assert verdict(capsys, "ch13_messy_csv", ..., **inputs).startswith("Not yet")


def test_verdict_array_without_locating_says_only_how_many_entries_are_wrong():
    expected = np.array([True, False, True, True])
    assert verdict_array([1, 0, 0, 0], expected, locate=False) == "Not yet: 2 of 4 entries of answer are wrong."
    assert verdict_array([1, 0, 0, 0], expected).endswith("the first is [2], where you have 0.")
    assert verdict_array([1, 0, 1, 1], expected, locate=False).startswith("Correct")
    assert "shape (4,)" in verdict_array([1, 0], expected, locate=False)


def test_epoch_seconds_exercise_by_hand_and_its_named_mistakes(capsys):
    inputs = {"n_images": 6000, "read_rate": 3000, "decode_rate": 700, "model_rate": 1000, "decode_calls": 4}
    # by hand, prefetching: stages at 3000, 4 x 700 = 2800 and 1000 images/s -> 6000 / 1000 = 6 s
    out = verdict(capsys, "ch13_epoch_seconds", 6.0, **inputs, prefetch=True)
    assert out == "Correct: answer (seconds per epoch) = 6."
    taking_turns = 6000 / 3000 + 6000 / 2800 + 6000 / 1000
    out = verdict(capsys, "ch13_epoch_seconds", taking_turns, **inputs, prefetch=True)
    assert "taking turns" in out and out.startswith("Not yet")
    assert "one call" in verdict(capsys, "ch13_epoch_seconds", 6000 / 700, **inputs, prefetch=True)
    assert "fastest stage" in verdict(capsys, "ch13_epoch_seconds", 2.0, **inputs, prefetch=True)
    assert verdict(capsys, "ch13_epoch_seconds", taking_turns, **inputs, prefetch=False).startswith("Correct")
    assert "6" not in verdict(capsys, "ch13_epoch_seconds", 12.0, **inputs, prefetch=True)  # no reveal


def test_safe_shift_exercise_on_a_digit_in_the_corner(capsys):
    # A 4x4 digit at the top-left corner of a 16x16 canvas: a shift by up to s pixels halves it or
    # worse only when it moves left or up by 2 or more, which a shift of 0 or 1 can never do.
    X = np.zeros((50, 16, 16, 3), np.float32)
    boxes = np.full((50, 2, 4), -1)
    boxes[:, 0] = [0, 0, 4, 4]
    inputs = {"images": X, "boxes": boxes, "strengths": range(4), "max_wrong": 0.01}
    out = verdict(capsys, "ch13_safe_shift", 1, **inputs)
    assert out == "Correct: answer (the largest safe shift) = 1."
    # a choice among the strengths: never "too high" or "too low", which would let the learner bisect
    for wrong in (0, 2, 3):
        out = verdict(capsys, "ch13_safe_shift", wrong, **inputs)
        assert out.startswith("Not yet") and "too" not in out and "not the right one" in out
    assert "not one of" in verdict(capsys, "ch13_safe_shift", 7, **inputs)
    with pytest.raises(ValueError, match="strengths"):
        check("ch13_safe_shift", 0, images=X, boxes=boxes, strengths=[2, 3], max_wrong=0.01)


def test_scaled_learning_rate_exercise_by_hand_and_its_named_mistakes(capsys):
    inputs = {"base_rate": 0.001, "base_batch": 64, "per_replica_batch": 64, "n_replicas": 2}
    out = verdict(capsys, "ch13_scaled_learning_rate", 0.002, **inputs)
    assert out.startswith("Correct") and "answer (the learning rate" in out
    assert "per-replica batch only" in verdict(capsys, "ch13_scaled_learning_rate", 0.001, **inputs)
    assert "global batch, not" in verdict(capsys, "ch13_scaled_learning_rate", 128, **inputs)
    assert verdict(capsys, "ch13_scaled_learning_rate", 0.0015, **inputs).startswith("Not yet")


def test_global_batch_and_decay_steps_exercises_by_hand_and_their_named_mistakes(capsys):
    replicas = {"per_replica_batch": 48, "n_replicas": 4}
    assert verdict(capsys, "ch13_global_batch", 192, **replicas) == "Correct: global_batch = 192."
    assert "per-replica batch" in verdict(capsys, "ch13_global_batch", 48, **replicas)
    # 6,000 images in global batches of 192: 31 full batches and one of 48, so 32 steps an epoch
    steps = {"n_images": 6000, "epochs": 20, "base_batch": 64, **replicas}
    assert verdict(capsys, "ch13_decay_steps", 640, **steps) == "Correct: decay_steps = 640."
    assert "partial batch" in verdict(capsys, "ch13_decay_steps", 620, **steps)
    assert "per-replica batch" in verdict(capsys, "ch13_decay_steps", 2500, **steps)
    assert "every epoch" in verdict(capsys, "ch13_decay_steps", 32, **steps)
    assert "single-GPU schedule" in verdict(capsys, "ch13_decay_steps", 20 * 94, **steps)  # batch 64
    assert verdict(capsys, "ch13_decay_steps", 641, **steps) == "Not yet: decay_steps = 641 is too high."
    # a whole number of global batches: no partial batch, so floor and ceiling agree
    assert verdict(capsys, "ch13_decay_steps", 25, n_images=960, epochs=5, base_batch=64,
                   **replicas).startswith("Correct")


# -- chapter 14: trusting the scores --

def test_ch14_checks_compute_their_answers_and_name_the_usual_slips(capsys):
    from mlc_utils.calibration import expected_calibration_error
    from mlc_utils.exercises import check

    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
    s = np.array([[0.9, 0.2, 0.6], [0.4, 0.7, 0.1], [0.8, 0.45, 0.3], [0.2, 0.1, 0.55], [0.6, 0.35, 0.2]])
    # two bins by hand: 9 cells <= 0.5 (1 present, scores sum 2.3), 6 above (6 present, scores sum 4.15)
    by_hand = (abs(1 - 2.3) + abs(6 - 4.15)) / 15
    assert expected_calibration_error(y, s, n_bins=2) == pytest.approx(by_hand)
    check("ch14_ece", by_hand, y_true=y, y_score=s, n_bins=2)
    check("ch14_ece", expected_calibration_error(y, s), y_true=y, y_score=s, n_bins=2)
    # t = 3 / 15 = 0.2 on site-calibrated scores; raw score s with 0.08 s / (0.08 s + 1.30667 (1 - s)) = 0.2
    up, down = 0.02 / 0.25, 0.98 / 0.75
    raw = 0.2 * down / (up * 0.8 + 0.2 * down)
    assert raw == pytest.approx(0.80328, abs=1e-5)
    shift = {"train_prior": 0.25, "new_prior": 0.02}
    check("ch14_cost_threshold", raw, cost_fp=3, cost_fn=12, **shift)
    check("ch14_cost_threshold", 0.2, cost_fp=3, cost_fn=12, **shift)
    check("ch14_cost_threshold", 0.3, cost_fp=3, cost_fn=12, **shift)
    scores = np.array([[0.9], [0.6], [0.3], [0.05]])
    up, down = 0.02 / 0.25, 0.98 / 0.75
    check("ch14_prior_shift", up * scores / (up * scores + down * (1 - scores)),
          y_score=scores, train_prior=0.25, new_prior=0.02)
    check("ch14_prior_shift", scores, y_score=scores, train_prior=0.25, new_prior=0.02)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Correct") and "default ten bins" in lines[1]
    assert lines[2].startswith("Correct") and "calibrated at the site" in lines[3] and "too low" in lines[4]
    assert lines[5].startswith("Correct") and lines[6].startswith("Not yet")
    assert "0.8033" not in "".join(lines[3:])  # never the expected value in a hint


@pytest.mark.parametrize("inputs, argument", [
    ({"cost_fp": 0, "cost_fn": 1}, "cost_fp"), ({"cost_fp": 1, "cost_fn": "2"}, "cost_fn"),
    ({"cost_fp": True, "cost_fn": 1}, "cost_fp"), ({"cost_fp": 1, "cost_fn": 1, "new_prior": 0}, "new_prior"),
])
def test_ch14_cost_check_refuses_bad_costs(inputs, argument):
    from mlc_utils.exercises import check

    with pytest.raises(ValueError, match=argument):
        check("ch14_cost_threshold", 0.5, **{"train_prior": 0.25, "new_prior": 0.02, **inputs})


@pytest.mark.parametrize("train_prior, new_prior, argument", [(0, 0.1, "train_prior"), (0.25, 1.0, "new_prior"),
                                                               (0.25, "0.1", "new_prior")])
def test_ch14_prior_check_refuses_bad_priors(train_prior, new_prior, argument):
    from mlc_utils.exercises import check

    with pytest.raises(ValueError, match=argument):
        check("ch14_prior_shift", [[0.5]], y_score=[[0.5]], train_prior=train_prior, new_prior=new_prior)


# --- Chapter 15: what the model looks at, and where it fails ------------------------------------

def _two_maps():
    maps = np.zeros((2, 4, 4))
    maps[0, 1, 1] = 1.0          # peak inside the first box
    maps[1, 3, 3] = 1.0          # peak outside the second box
    boxes = np.array([[0, 0, 2, 2], [0, 0, 2, 2]])
    return maps, boxes


def test_ch15_pointing_game_by_hand(capsys):
    maps, boxes = _two_maps()
    assert verdict(capsys, "ch15_pointing_game", 0.5, maps=maps, boxes=boxes).startswith("Correct")
    out = verdict(capsys, "ch15_pointing_game", 1.0, maps=maps, boxes=boxes)
    assert out.startswith("Not yet") and "hit_rate" in out and "0.5" not in out


def test_ch15_pointing_game_counts_a_tie_outside_the_box_as_a_miss(capsys):
    maps, boxes = _two_maps()
    maps[0, 3, 0] = 1.0          # a second, equally bright pixel outside the first box
    assert verdict(capsys, "ch15_pointing_game", 0.0, maps=maps, boxes=boxes).startswith("Correct")


def test_ch15_chance_hit_rate(capsys):
    inputs = dict(box_height=14, box_width=14, height=32, width=32)
    assert verdict(capsys, "ch15_chance_hit_rate", 196 / 1024, **inputs).startswith("Correct")
    assert verdict(capsys, "ch15_chance_hit_rate", 14 / 32, **inputs).startswith("Not yet")


def test_ch15_worst_slice_compares_rates_not_counts(capsys):
    y_true = np.array([[1, 0]] * 6)
    # group 1: 2 wrong of 4 images; group 2: 2 wrong of 2
    y_pred = np.array([[1, 0], [1, 1], [0, 0], [1, 0], [1, 1], [0, 1]])
    groups = np.array([1, 1, 1, 1, 2, 2])
    inputs = dict(y_true=y_true, y_pred=y_pred, groups=groups)
    assert verdict(capsys, "ch15_worst_slice", 2, **inputs).startswith("Correct")
    y_pred3 = np.array([[0, 0], [1, 1], [0, 1], [1, 0], [1, 1], [1, 0]])  # group 1: 3 of 4, group 2: 1 of 2
    inputs3 = dict(y_true=y_true, y_pred=y_pred3, groups=groups)
    assert verdict(capsys, "ch15_worst_slice", 1, **inputs3).startswith("Correct")
    y_pred_counts = np.array([[0, 0], [1, 1], [0, 1], [1, 0], [1, 1], [0, 0]])  # 3 of 4 vs 2 of 2
    out = verdict(capsys, "ch15_worst_slice", 1, y_true=y_true, y_pred=y_pred_counts, groups=groups)
    assert out.startswith("Not yet") and "fraction wrong" in out


def test_ch15_worst_slice_never_says_too_high_or_too_low(capsys):
    y_true = np.zeros((6, 1), int)
    y_pred = np.array([[0], [0], [1], [0], [1], [1]])  # wrong: group 0: 0 of 2, 1: 1 of 2, 2: 2 of 2
    inputs = dict(y_true=y_true, y_pred=y_pred, groups=np.array([0, 0, 1, 1, 2, 2]))
    assert verdict(capsys, "ch15_worst_slice", 2, **inputs) == "Correct: answer = 2."
    for wrong in (0, 1):
        out = verdict(capsys, "ch15_worst_slice", wrong, **inputs)
        assert out.startswith("Not yet") and "answer" in out and "not the right one" in out
        assert "too" not in out
    for outside in (3, -1, 1.5):
        out = verdict(capsys, "ch15_worst_slice", outside, **inputs)
        assert out.startswith("Not yet") and "not one of 0, 1, 2" in out and "too" not in out
    assert verdict(capsys, "ch15_worst_slice", ..., **inputs).startswith("Not yet: answer should be one of")
    assert verdict(capsys, "ch15_worst_slice", "2", **inputs).startswith("Not yet")
    assert "None" in verdict(capsys, "ch15_worst_slice", None, **inputs)


def test_ch15_worst_slice_refuses_groups_of_the_wrong_length():
    with pytest.raises(ValueError, match="groups"):
        check("ch15_worst_slice", 1, y_true=np.ones((3, 2), int), y_pred=np.ones((3, 2), int), groups=[1, 2])
