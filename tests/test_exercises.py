import numpy as np
import pytest
import sklearn.metrics as skm

from mlc_utils.data import toy_photos
from mlc_utils.exercises import EXERCISES, check, check_array, check_value

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


def test_every_registered_exercise_accepts_its_own_expected_answer(capsys):
    inputs = {"Y": T, "y_true": T, "y_pred": P, "y_score": S, "k": 2}
    for exercise_id, exercise in EXERCISES.items():
        kwargs = {name: inputs[name] for name in exercise.inputs}
        expected = exercise.solve(**{**exercise.optional, **kwargs})
        assert verdict(capsys, exercise_id, expected, **kwargs).startswith("Correct"), exercise_id


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
