"""The chapter 6 zero_division check: right answer and each wrong answer it names, by hand.

y_true = [[1, 0], [1, 0]], y_pred = [[1, 0], [0, 0]]: label 0 has TP = 1, FN = 1, so F1 = 2/3;
label 1 is never present nor predicted (F1 = 0/0). Macro-F1 is (2/3 + 1)/2 = 5/6 with
zero_division=1, (2/3 + 0)/2 = 1/3 with 0, and 2/3 with NaN (the label left out).
"""

from __future__ import annotations

import numpy as np
import pytest

from mlc_utils.exercises import check

Y_TRUE = np.array([[1, 0], [1, 0]])
Y_PRED = np.array([[1, 0], [0, 0]])


def verdict(capsys, answer, **options):
    check("ch6_macro_f1_zero_division", answer, y_true=Y_TRUE, y_pred=Y_PRED, **options)
    return capsys.readouterr().out.strip()


@pytest.mark.parametrize("zero_division, right", [(1, 5 / 6), (0, 1 / 3), (np.nan, 2 / 3)])
def test_right_answer_for_each_convention(capsys, zero_division, right):
    assert verdict(capsys, right, zero_division=zero_division).startswith("Correct")


@pytest.mark.parametrize("wrong, named", [(1 / 3, "zero_division=0"), (2 / 3, "zero_division=nan")])
def test_the_answer_of_another_convention_is_named(capsys, wrong, named):
    out = verdict(capsys, wrong)  # the exercise asks for zero_division=1
    assert out.startswith("Not yet") and named in out
    assert "0.8333" not in out  # the expected value is never printed


def test_the_default_is_zero_division_one_and_other_errors_say_too_low(capsys):
    assert verdict(capsys, 5 / 6).startswith("Correct")
    out = verdict(capsys, 0.5)
    assert out.startswith("Not yet") and "too low" in out and "0.8333" not in out


def test_the_placeholder_gets_not_yet(capsys):
    assert verdict(capsys, ...).startswith("Not yet")
