"""Bad inputs at the public boundary: refused with a message that names the argument, or accepted
as scikit-learn accepts them (sparse matrices, pandas nullable dtypes). Regression tests of issue 9."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mlc_utils.labels import label_cardinality, label_sets
from mlc_utils.metrics import coverage, multilabel_report
from mlc_utils.thresholds import apply_thresholds, tune_thresholds

Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
S = np.array([[0.9, 0.2, 0.7], [0.3, 0.6, 0.1], [0.8, 0.55, 0.4], [0.2, 0.1, 0.95]])

# Float32 scores, as Keras returns them; 0.7 and 0.65 are not exact in float32.
S32 = np.array([[0.7, 0.2, 0.9], [0.3, 0.7, 0.65]], np.float32)
Y32 = np.array([[1, 0, 1], [0, 1, 0]])


# -- point 7: one threshold rule, the one a learner's own `>=` gives ----------------------------

def test_float32_scores_meet_a_threshold_equal_to_their_value():
    # What a learner's `S32 >= 0.7` gives in NumPy 2 (the comparison happens in float32), by hand.
    expected = np.array([[1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal((S32 >= 0.7).astype(int), expected)  # NumPy's own rule
    np.testing.assert_array_equal(apply_thresholds(S32, 0.7), expected)
    np.testing.assert_array_equal(apply_thresholds(S32, [0.7, 0.7, 0.7]), expected)


def test_float32_report_counts_a_score_at_the_threshold_as_predicted():
    # At 0.7 every prediction is right (see above); at 0.65 sample 2 also gets its third label.
    report = multilabel_report(Y32, S32, 0.7)
    assert report["subset_accuracy"] == 1.0 and report["f1_micro"] == 1.0
    report = multilabel_report(Y32, S32, [0.7, 0.7, 0.65])
    assert report["subset_accuracy"] == 0.5  # sample 2 predicts {1, 2}, its truth is {1}
    assert report["precision_micro"] == pytest.approx(3 / 4)


def test_tuning_float32_scores_evaluates_the_rule_it_will_be_applied_with():
    # The positive scores exactly float32(0.7), the negative 0.69. At 0.7 (compared in float32, as
    # `y_score >= 0.7` does) only the positive is predicted: F1 1; at 0.6 both are: F1 2/3.
    y_true = np.array([[1], [0]])
    y_score = np.array([[0.7], [0.69]], np.float32)
    assert tune_thresholds(y_true, y_score, grid=[0.6, 0.7]).tolist() == [0.7]
    assert tune_thresholds(y_true, y_score, grid=[0.6, 0.7], per_label=False, metric="f1_micro").tolist() == [0.7]
    y_true2, y_score2 = np.hstack([y_true, y_true]), np.hstack([y_score, y_score])
    assert tune_thresholds(y_true2, y_score2, grid=[0.6, 0.7], metric="hamming_loss").tolist() == [0.7, 0.7]


# -- point 8: label names ----------------------------------------------------------------------

def test_label_sets_refuses_duplicate_names():
    with pytest.raises(ValueError, match=r"label_names: expected distinct names, got \['a'\] more than once"):
        label_sets(Y, ["a", "a", "b"])


@pytest.mark.parametrize("names, blank, position", [(["a", "", "b"], "''", 1), (["a", "b", "  "], "'  '", 2)])
def test_label_sets_refuses_blank_names(names, blank, position):
    with pytest.raises(ValueError, match=rf"label_names: expected non-empty names, got {blank} at position {position}"):
        label_sets(Y, names)


@pytest.mark.parametrize("names", [{"cat", "dog", "person"}, frozenset({"cat", "dog", "person"})])
def test_label_sets_refuses_an_unordered_set_of_names(names):
    with pytest.raises(TypeError, match="label_names: expected an ordered sequence"):
        label_sets(Y, names)


# -- point 11: thresholds and grids --------------------------------------------------------------

@pytest.mark.parametrize("threshold", [True, np.bool_(False), [True, False, True]])
def test_boolean_threshold_is_refused(threshold):
    with pytest.raises(TypeError, match="threshold: expected a number"):
        multilabel_report(Y, S, threshold)
    with pytest.raises(TypeError, match="thresholds: expected a number"):
        apply_thresholds(S, threshold)


@pytest.mark.parametrize(
    "grid, error, message",
    [
        ({0.3, 0.5}, TypeError, "grid: expected an ordered sequence"),
        ({0.3: 1}, TypeError, "grid: expected an ordered sequence"),
        ("0.5", TypeError, "grid: expected an array-like of numbers"),
        ([True, False], TypeError, "grid: expected numbers in .0, 1., got booleans"),
        ([[0.1, 0.2], [0.3]], TypeError, "grid: expected a rectangular"),
        ([[0.1, 0.2]], ValueError, "grid: expected a non-empty 1-D"),
        ([], ValueError, "grid: expected a non-empty 1-D"),
        ([0.5, 1.5], ValueError, r"grid: expected values in \[0, 1\], found \[1.5\]"),
        ([0.5, np.nan], ValueError, r"grid: expected values in \[0, 1\]"),
    ],
)
def test_tune_thresholds_refuses_bad_grids_naming_the_grid(grid, error, message):
    with pytest.raises(error, match=message):
        tune_thresholds(Y, S, grid=grid)


def test_tune_thresholds_accepts_a_tuple_grid():
    assert tune_thresholds(Y, S, grid=(0.5,)).tolist() == [0.5, 0.5, 0.5]


# -- point 11: what scikit-learn accepts --------------------------------------------------------

def test_sparse_csr_labels_are_accepted_like_dense_ones():
    sparse = sp.csr_matrix(Y)
    assert label_cardinality(sparse) == pytest.approx(6 / 4)
    assert multilabel_report(sparse, S) == multilabel_report(Y, S)
    assert coverage(sp.csr_array(Y), S) == coverage(Y, S)


def test_pandas_nullable_dtypes_are_accepted_like_numpy_ones():
    frame_int = pd.DataFrame(Y, dtype="Int64")
    frame_bool = pd.DataFrame(Y.astype(bool), dtype="boolean")
    frame_scores = pd.DataFrame(S, dtype="Float64")
    expected = multilabel_report(Y, S)
    assert multilabel_report(frame_int, S) == expected
    assert multilabel_report(frame_bool, frame_scores) == expected
    assert label_cardinality(frame_int) == pytest.approx(6 / 4)


def test_pandas_missing_values_are_refused_by_name():
    frame = pd.DataFrame(Y, dtype="Int64")
    frame.iloc[1, 2] = pd.NA
    with pytest.raises(ValueError, match=r"y_true: contains missing values \(NaN or pd.NA\)"):
        multilabel_report(frame, S)


def test_pandas_text_columns_are_refused_by_name():
    frame = pd.DataFrame({"a": ["x", "y", "x", "y"], "b": [1, 0, 1, 0]})
    with pytest.raises(TypeError, match="Y: expected numeric columns .* got dtype (object|str)"):
        label_cardinality(frame)


# -- conversions and messages, pinned (mutation survivors) ----------------------------------------
from mlc_utils._validation import _as_numeric_array, check_grid  # noqa: E402


@pytest.mark.parametrize(
    "frame, dtype",
    [
        (pd.DataFrame([[True, False]], dtype="boolean"), np.bool_),
        (pd.DataFrame([[1, 0]], dtype="Int64"), np.int64),
        (pd.DataFrame({"a": pd.array([True], dtype="boolean"), "b": pd.array([1], dtype="Int64")}), np.int64),
        (pd.DataFrame({"a": pd.array([1], dtype="Int64"), "b": pd.array([0.5], dtype="Float64")}), np.float64),
        (pd.Series([0.5, 0.25], dtype="Float64"), np.float64),
        (pd.Series([1, 0], dtype="Int8"), np.int64),
    ],
)
def test_pandas_values_become_plain_numpy_dtypes(frame, dtype):
    array = _as_numeric_array(frame, "x")
    assert array.dtype == dtype
    np.testing.assert_array_equal(array, frame.to_numpy(dtype=float))


def test_a_pandas_series_of_thresholds_is_accepted():
    thresholds = pd.Series([0.5, 0.5, 0.5], dtype="Float64")
    np.testing.assert_array_equal(apply_thresholds(S, thresholds), apply_thresholds(S, 0.5))


def test_every_non_numeric_pandas_dtype_is_named():
    frame = pd.DataFrame({"a": ["x", "y"], "b": pd.to_datetime(["2026-01-01", "2026-01-02"]), "c": [1, 0]})
    with pytest.raises(TypeError, match=r"^Y: expected numeric columns \(int, float or bool\), got dtype \S+, \S+$"):
        label_cardinality(frame)


@pytest.mark.parametrize("grid, kind", [({0.5}, "set"), ({0.5: 1}, "dict"), (frozenset({0.5}), "frozenset")])
def test_grid_message_names_the_unordered_type(grid, kind):
    with pytest.raises(TypeError, match=rf"^grid: expected an ordered sequence .*, got a {kind}$"):
        check_grid(grid)


def test_grid_accepts_its_bounds_and_shows_three_bad_values():
    assert check_grid([0, 1]).tolist() == [0.0, 1.0]
    assert check_grid(np.array([0.25], np.float32)).dtype == np.float64
    with pytest.raises(ValueError, match=r"^grid: expected values in \[0, 1\], found \[-1.0, 2.0, 3.0\]$"):
        check_grid([0.5, -1, 2, 3, 4])


def test_grid_bounds_each_checked_and_only_bad_values_shown():
    with pytest.raises(ValueError, match=r"^grid: expected values in \[0, 1\], found \[-0.1\]$"):
        check_grid([-0.1])
    with pytest.raises(ValueError, match=r"^grid: expected values in \[0, 1\], found \[2.0\]$"):
        check_grid([0, 2])
    with pytest.raises(ValueError, match=r"^grid: expected values in \[0, 1\], found \[-1.0\]$"):
        check_grid([1, -1])


def test_non_numeric_dtypes_are_listed_by_name():
    frame = pd.DataFrame({"a": ["x", "y"], "b": pd.to_datetime(["2026-01-01", "2026-01-02"]), "c": [1, 0]})
    names = ", ".join(sorted({str(frame["a"].dtype), str(frame["b"].dtype)}))
    with pytest.raises(TypeError) as error:
        label_cardinality(frame)
    assert str(error.value) == f"Y: expected numeric columns (int, float or bool), got dtype {names}"


# -- check_labels / check_seed messages in full (last mutation survivors) --------------------------
from mlc_utils._validation import check_labels, check_seed  # noqa: E402


@pytest.mark.parametrize(
    "value, message",
    [
        ([[0, 0.5], [1, 0.25]], "Y: expected only 0 and 1 labels, found [0.25, 0.5] (these look like probabilities: "
                                "threshold them first, e.g. y_score >= 0.5)"),
        ([[0, 0.5], [1, 0.75]], "Y: expected only 0 and 1 labels, found [0.5, 0.75] (these look like probabilities: "
                                "threshold them first, e.g. y_score >= 0.5)"),
        ([[0, -1], [1, 0.5]], "Y: expected only 0 and 1 labels, found [-1.0, 0.5]"),
        ([[0, 2], [1, 0.5]], "Y: expected only 0 and 1 labels, found [0.5, 2.0]"),
        ([[2, 3], [4, 5]], "Y: expected only 0 and 1 labels, found [2, 3, 4]"),
        ([[0, np.nan]], "Y: expected only 0 and 1, found NaN or infinity"),
    ],
)
def test_check_labels_messages_in_full(value, message):
    with pytest.raises(ValueError) as error:
        check_labels(value, "Y")
    assert str(error.value) == message


def test_check_seed_messages_in_full():
    with pytest.raises(TypeError) as error:
        check_seed(True)
    assert str(error.value) == "seed: expected an integer, got bool True"
    with pytest.raises(TypeError) as error:
        check_seed(1.5)
    assert str(error.value) == "seed: expected an integer, got float 1.5"
    assert check_seed(np.int64(7)) == 7 and check_seed(2**32 - 1) == 2**32 - 1


# -- _validation survivors of the full mutation run (issue 13, 2026-11-27) ----------------------------
from mlc_utils._validation import check_int, check_scores  # noqa: E402


def test_integer_and_boolean_scores_are_read_as_float64():
    # 0/1 scores as ints or bools (a hard classifier's output) are valid probabilities.
    for scores in ([[0, 1], [1, 0]], np.array([[False, True], [True, False]])):
        checked = check_scores(scores)
        assert checked.dtype == np.float64 and checked.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert apply_thresholds([[0, 1], [1, 0]], 0.5).tolist() == [[0, 1], [1, 0]]


def test_default_names_in_messages_are_y_true_and_y_score():
    with pytest.raises(ValueError, match=r"^y_true: expected only 0 and 1 labels, found \[2\]$"):
        check_labels([[2]])
    with pytest.raises(ValueError, match=r"^y_score: expected probabilities in \[0, 1\]"):
        check_scores([[2.0]])


def test_check_int_maximum_is_inclusive_and_named():
    assert check_int(5, "k", minimum=1, maximum=5) == 5
    with pytest.raises(ValueError, match=r"^k: expected an integer <= 5, got 6$"):
        check_int(6, "k", minimum=1, maximum=5)


def test_float32_and_float16_labels_with_nan_are_named_as_nan():
    for dtype in (np.float32, np.float16):
        with pytest.raises(ValueError, match=r"^Y: expected only 0 and 1, found NaN or infinity$"):
            check_labels(np.array([[0, np.nan]], dtype=dtype), "Y")


def test_only_pandas_objects_take_the_pandas_route():
    # An array-like of another library that happens to have an `isna` method is read as an array.
    class ArrayWithIsna:
        def __array__(self, dtype=None, copy=None):
            return np.array([[1, 0], [0, 1]])

        def isna(self):
            raise AssertionError("not a pandas object: isna must not be called")

    assert check_labels(ArrayWithIsna(), "Y").tolist() == [[True, False], [False, True]]


# --- bad inputs (the former tools/bad_inputs_table.py) ---------------------------------------------
# The table's cases that the sections above did not already cover, with its criterion: the exception
# type, and a message that starts with the argument's name. Added to them: a NaN or an infinite
# threshold through each public function that takes thresholds, so that check_thresholds' NaN/infinity
# check is tested (NaN passes both range comparisons, so only that check refuses it; infinity is
# refused by the range comparisons too).
from mlc_utils.thresholds import shrink_thresholds  # noqa: E402


def refused(call, error, argument):
    """The message of the ``error`` that ``call()`` raises, after checking it starts with ``argument: ``."""
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(f"{argument}: "), message
    return message


def test_label_cardinality_refuses_a_pandas_na_by_name():
    frame = pd.DataFrame(Y, dtype="Int64")
    frame.iloc[0, 0] = pd.NA
    message = refused(lambda: label_cardinality(frame), ValueError, "Y")
    assert message == "Y: contains missing values (NaN or pd.NA); fill or drop them first"


NON_FINITE = [pytest.param(np.nan, id="nan"), pytest.param(np.inf, id="inf"), pytest.param(-np.inf, id="-inf")]


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize(
    "call, argument",
    [
        pytest.param(lambda t: apply_thresholds(S, t), "thresholds", id="apply_thresholds"),
        pytest.param(lambda t: multilabel_report(Y, S, t), "threshold", id="multilabel_report"),
        pytest.param(lambda t: shrink_thresholds([0.3, 0.6, 0.5], t, weight=0.5), "toward", id="shrink_thresholds-toward"),
        pytest.param(lambda t: shrink_thresholds([0.3, 0.6, 0.5], 0.5, weight=t), "weight", id="shrink_thresholds-weight"),
    ],
)
def test_a_non_finite_scalar_threshold_is_refused_by_name(call, argument, value):
    message = refused(lambda: call(value), ValueError, argument)
    assert message == f"{argument}: expected values in [0, 1], got {value}"


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize(
    "call, argument",
    [
        pytest.param(lambda t: apply_thresholds(S, t), "thresholds", id="apply_thresholds"),
        pytest.param(lambda t: multilabel_report(Y, S, t), "threshold", id="multilabel_report"),
        pytest.param(lambda t: shrink_thresholds(t, 0.5, weight=0.5), "thresholds", id="shrink_thresholds"),
    ],
)
def test_a_non_finite_per_label_threshold_is_refused_by_name(call, argument, value):
    thresholds = [0.5, value, 0.5]  # one bad label among good ones
    message = refused(lambda: call(thresholds), ValueError, argument)
    assert message == f"{argument}: expected values in [0, 1], got [0.5, {value}, 0.5]"


@pytest.mark.parametrize("value", NON_FINITE)
def test_tune_thresholds_refuses_a_non_finite_candidate_by_name(value):
    # tune_thresholds takes candidate thresholds (grid), checked by check_grid, not check_thresholds.
    message = refused(lambda: tune_thresholds(Y, S, grid=[0.5, value]), ValueError, "grid")
    assert message == f"grid: expected values in [0, 1], found [{value}]"
